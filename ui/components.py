"""Small pieces every page uses: the synthetic banner, footer, headline tiles, safe tables, downloads."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from analysis.disclosure import SMALL_NUMBER_MAX
from reports.export import to_safe_csv, to_safe_xlsx
from ui import auth

SYNTHETIC_BANNER = "SYNTHETIC DEMO DATA"
ATTRIBUTION = (
    "Contains OS data © Crown copyright and database right 2025. Source: Office for National Statistics "
    "licensed under the Open Government Licence v3.0. Place names: GeoNames (geonames.org), CC BY 4.0."
)
SUPPRESSION_NOTE = (
    f'Counts of 1 to {SMALL_NUMBER_MAX} children are shown as "c" to protect children\'s identities, '
    "and so is any figure from which one could be worked out."
)


def counted(value, one: str, many: str) -> str:
    """A count and its noun: "1 child", "3 children", "1,204 children"; a hidden count ("c") reads as many."""
    text = value if isinstance(value, str) else f"{int(value):,}"
    return f"{text} {one if text == '1' else many}"


def synthetic_banner(dataset) -> None:
    """A banner that cannot be missed when the figures are made up."""
    if getattr(dataset, "synthetic", False):
        st.error(
            f"**{SYNTHETIC_BANNER}** - every child, home and figure on this page is invented "
            "(on real postcodes). Load your own files on the Data page.",
            icon=":material/science:",
        )


def footer() -> None:
    st.divider()
    st.caption(ATTRIBUTION)


def headline_tiles(tiles: pd.DataFrame, *, per_row: int = 4) -> None:
    """One bordered tile per measure: the figure, how many of how many, and its definition.

    Takes ``measure``, ``shown`` (text, already through disclosure control),
    ``detail`` and ``definition`` (see ``ui.panel.safe_headline``).
    """
    if tiles is None or tiles.empty:
        st.info("No children in placement on this date with these filters.")
        return
    rows = list(tiles.to_dict("records"))
    for start in range(0, len(rows), per_row):
        cols = st.columns(per_row, border=True)
        for col, row in zip(cols, rows[start : start + per_row]):
            with col:
                st.metric(str(row["measure"]), str(row["shown"]), help=str(row["definition"]))
                st.caption(f"**{row['detail']}**. {str(row['definition'])[:1].upper()}{str(row['definition'])[1:]}")


def for_people(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as a person reads it: a code-style heading ("rows_set_aside") in words ("Rows set aside"),
    and a missing value in a text column blank rather than "None". Numbers stay numbers (sortable)."""
    out = frame.rename(
        columns={
            c: c.replace("_", " ").strip().capitalize()
            for c in frame.columns
            if isinstance(c, str) and re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", c)
        }
    )
    for col in out.columns:
        if (out[col].dtype == object or pd.api.types.is_string_dtype(out[col])) and out[col].isna().any():
            out[col] = out[col].astype(object).where(out[col].notna(), "")
    return out


def safe_table(frame: pd.DataFrame, *, height: int | None = None, column_config: dict | None = None) -> None:
    """A read-only table (st.dataframe shows text as text, so names cannot inject HTML), headed and blanked
    for people (:func:`for_people`)."""
    if frame is None or frame.empty:
        st.caption("Nothing to show.")
        return
    frame = for_people(frame)
    kwargs: dict = {"hide_index": True, "width": "stretch", "column_config": column_config}
    if height:
        kwargs["height"] = height
    st.dataframe(frame, **kwargs)


def download_csv(frame: pd.DataFrame, file_name: str, *, label: str = "Download CSV", key: str | None = None) -> None:
    """A CSV download that is safe to open in Excel (no formula injection); audited when clicked."""
    download_file(
        lambda: to_safe_csv(frame if frame is not None else pd.DataFrame()),
        file_name,
        mime="text/csv",
        label=label,
        key=key or f"csv-{file_name}",
    )


def download_xlsx(
    frames: dict[str, pd.DataFrame], file_name: str, *, label: str = "Download spreadsheet", key: str | None = None
) -> None:
    """A spreadsheet (one sheet per frame, formula-injection safe); audited when clicked."""
    download_file(
        lambda: to_safe_xlsx(frames),
        file_name,
        label=label,
        key=key or f"xlsx-{file_name}",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def download_file(
    data, file_name: str, *, mime: str, label: str, key: str | None = None, event: str = "export", **details
) -> None:
    """A download button whose click writes an audit line (``event`` of ``file_name``, filters in use).

    ``data`` is bytes/text or a function returning them (built only when the user clicks).
    ``details`` are extra short audit fields (audience, period, format); never child data.
    """
    st.download_button(
        label,
        data=data,
        file_name=file_name,
        mime=mime,
        key=key or f"download-{file_name}",
        on_click=auth.audited(event, file_name, **details),
        icon=":material/download:",
    )
