"""The Data page's controls for published data: which data is shown, publish, and retention (purge).

Analysts only, except the line saying which data is shown. Every publish, purge and switch is written
to the audit log (who, when, which snapshot; never child data).
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from access.audit import write_audit
from access.roles import sees_row_level
from geo.authorities import authority_name
from ui import dataset_choice, identity, published, reference
from ui.ssd_source import KEY_SSD_ISSUES

KEY_FLASH = "store_flash"  # a message to show after the rerun that follows a publish or purge
_LATEST = "latest"
_UPLOAD = "upload"


def describe(info) -> str:
    """How a snapshot is named to users."""
    return (
        f"snapshot {info.id}: data to {info.snapshot_date:%-d %B %Y}, published "
        f"{info.published_at:%-d %b %Y %H:%M} UTC by {info.published_by}"
    )


def _audit(event: str, details: dict) -> bool:
    try:
        write_audit(event, user=identity.current_user(), role=identity.current_role(), details=details)
        return True
    except (OSError, ValueError) as exc:
        st.error(f"The audit log could not be written ({type(exc).__name__}).")
        return False


def which_data(dataset) -> None:
    """Say what this session is looking at; an analyst can switch between published snapshots and an upload."""
    flash = st.session_state.pop(KEY_FLASH, None)
    if flash:
        st.success(flash)
    found = published.published()
    if dataset.snapshot_id is not None:
        info = next((s for s in found if s.id == dataset.snapshot_id), None)
        st.success(f"Now showing: **published data**, {describe(info) if info else dataset.label}.")
    elif dataset.synthetic and not st.session_state.get(dataset_choice.KEY_INPUT_FILES):
        st.info(
            f"Now showing: **{dataset.label or 'the synthetic demo'}**. Nothing is published yet: an analyst "
            "loads the council's files below and publishes them for the panel."
        )
    else:
        st.warning(
            f"Now showing: **your uploaded files, not published** "
            f"({len(st.session_state.get(dataset_choice.KEY_INPUT_FILES, []))} files), responsible authority "
            f"{authority_name(dataset.la_code)}. Only you see them; the panel sees published data."
        )
    if not sees_row_level(identity.current_role()):
        return
    options: list[str | int] = [_UPLOAD] if st.session_state.get(dataset_choice.KEY_INPUT_FILES) else []
    options += [_LATEST, *(s.id for s in found)] if found else []
    if len(options) < 2:
        return
    names = {
        _UPLOAD: "your uploaded files (not published)",
        _LATEST: f"the latest published ({found[0].snapshot_date:%-d %B %Y})" if found else "",
    }
    names.update({s.id: describe(s) for s in found})
    if st.session_state.get(dataset_choice.KEY_SOURCE) == dataset_choice.SOURCE_UPLOAD and st.session_state.get(
        dataset_choice.KEY_INPUT_FILES
    ):
        current = _UPLOAD
    else:
        current = st.session_state.get(published.KEY_CHOSEN) or _LATEST
    picked = st.selectbox(
        "Show",
        options,
        index=options.index(current) if current in options else 0,
        format_func=lambda o: names.get(o, ""),
        key="which_snapshot",
    )
    if picked != current:
        if picked == _UPLOAD:
            st.session_state[dataset_choice.KEY_SOURCE] = dataset_choice.SOURCE_UPLOAD
            _audit("snapshot", {"snapshot": "own upload (not published)"})
        else:
            st.session_state[dataset_choice.KEY_SOURCE] = dataset_choice.SOURCE_PUBLISHED
            published.choose(
                None if picked == _LATEST else int(picked), user=identity.current_user(), role=identity.current_role()
            )
        st.rerun()


def publish_controls(dataset) -> None:
    """For an analyst looking at an upload: publish it as the council's new snapshot."""
    from store import PublishError, describe_inputs, publish_dataset, snapshot_date_of

    files = st.session_state.get(dataset_choice.KEY_INPUT_FILES)
    if (
        not sees_row_level(identity.current_role())
        or dataset.snapshot_id is not None
        or not files
        or st.session_state.get(dataset_choice.KEY_SOURCE) != dataset_choice.SOURCE_UPLOAD
    ):
        return
    st.subheader("Publish")
    st.caption(
        "Read the data-quality report below first. Publishing saves these files' tables as a new snapshot "
        "in the council's store: panel members then see it, and it stays until purged."
    )
    with st.form("publish_form"):
        on = st.date_input("Snapshot date (the data run to)", value=snapshot_date_of(dataset), max_value=date.today())
        go = st.form_submit_button("Publish for the panel", type="primary", icon=":material/publish:")
    if not go:
        return
    from analysis.authority_check import wrong_authority
    from analysis.history import headline_history

    try:
        with st.spinner("Publishing..."):
            wrong = wrong_authority(dataset, index=reference.postcode_index())
            if wrong:
                raise PublishError(wrong)
            figures = (
                headline_history(dataset, on=on, index=reference.postcode_index())
                if dataset.episodes is not None and not dataset.episodes.empty
                else None
            )
            info = publish_dataset(
                dataset,
                published_by=identity.current_user() or "local analyst",
                inputs=describe_inputs(files),
                la=st.session_state.get(dataset_choice.KEY_LA),
                snapshot_date=on,
                figures=figures,
                source="ssd" if st.session_state.get(KEY_SSD_ISSUES) is not None else "files",
            )
    except PublishError as exc:
        st.error(f"Not published: {exc}. The published data is unchanged.")
        return
    except Exception as exc:  # noqa: BLE001 - a store failure is said in one line; nothing was published
        st.error(
            f"Not published: the store could not be written ({type(exc).__name__}: {str(exc)[:160]}). "
            "The published data is unchanged."
        )
        return
    _audit(
        "publish",
        {
            "snapshot": info.id,
            "authority": info.la_code or "several",
            "snapshot_date": info.snapshot_date,
            "files": len(info.inputs),
        },
    )
    dataset_choice.use_demo()  # the upload is now the published snapshot: show that, as the panel sees it
    st.session_state[dataset_choice.KEY_SOURCE] = dataset_choice.SOURCE_PUBLISHED
    st.session_state[published.KEY_CHOSEN] = None
    st.session_state[KEY_FLASH] = f"Published {describe(info)}."
    st.rerun()


def retention_controls() -> None:
    """For analysts: delete published snapshots for good (retention)."""
    from store import purge_snapshots

    found = published.published()
    if not sees_row_level(identity.current_role()) or not found:
        return
    with st.expander("Retention: delete published snapshots"):
        st.caption(
            "Deleted snapshots are gone for good, from the store file too (docs/operations.md). "
            "The command line does the same: python -m data purge."
        )
        names = {s.id: describe(s) for s in found}
        chosen = st.multiselect(
            "Snapshots to delete", list(names), format_func=lambda o: names.get(o, ""), key="purge_ids"
        )
        sure = st.checkbox("I understand these snapshots are deleted for good", key="purge_sure")
        if st.button("Delete", disabled=not (chosen and sure), icon=":material/delete_forever:", key="purge_go"):
            try:
                deleted = purge_snapshots(snapshot_ids=chosen)
            except Exception as exc:  # noqa: BLE001 - said in one line; the transaction deleted nothing
                st.error(f"Nothing was deleted: the store could not be written ({type(exc).__name__}).")
                return
            published.open_published.clear()  # no purged child stays in this server's memory either
            _audit("purge", {"snapshots": deleted})
            st.session_state[KEY_FLASH] = f"Deleted snapshot(s) {', '.join(map(str, deleted))}."
            st.rerun()
