"""Create an SSD schema and fill it from the synthetic demo, so that a council (or a test) can try the extract.

``python -m data ssd-demo --url sqlite:///ssd_demo.db`` (or a PostgreSQL URL) creates the SSD tables
this app reads, with the SSD's column names, and fills them from a folder of 903 files (by default the
committed synthetic Kent demo, ``data/demo_data``). Children are spread over three case-management systems
so that the stored values differ as they do in real SSDs: SystemC-style "M"/"A", "Y"/"N"/"NA" and
"Primary Address"; Mosaic-style "Missing"/"Absent", "MAIN" and a placement address; Eclipse-style
"Missing"/"Away", "Yes"/"No", "Home", postcodes without a space and its own assessment keys.
This is the one module of ``data.ssd`` that writes to a database: never point it at a council's SSD.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

__all__ = ["build_ssd", "main", "ssd_metadata", "ssd_rows_from_dataset"]

DEMO_FOLDER = Path(__file__).resolve().parents[1] / "demo_data"
_ID = sa.Unicode(48)
_FLAG_FACTOR = {
    "CSE": "11A",
    "TRAFFICKED": "12A",
    "GANG": "13A",
    "CCE": "24A",
    "COUNTY_LINES": "24A",
    "SUBSTANCE": "2A",
}
# Eclipse's factor array has one slot per code it looks for, null where not found.
_ECLIPSE_SLOTS = ["10A", "11A", "12A", "13A", "24A", "2A"]
SYSTEMS = ("systemc", "mosaic", "eclipse")
_MISSING_TYPE = {
    "systemc": {"M": "M", "A": "A"},
    "mosaic": {"M": "Missing", "A": "Absent"},
    "eclipse": {"M": "Missing", "A": "Away"},
}
_ANSWER = {"systemc": ("Y", "N", "NA"), "mosaic": ("Y", "N", None), "eclipse": ("Yes", "No", None)}
_HOME_TYPE = {"systemc": "Primary Address", "mosaic": "MAIN", "eclipse": "Home"}


def ssd_metadata(schema: str | None = None) -> sa.MetaData:
    """The SSD tables this app reads, with the SSD DDL's names and (portable) types."""
    md = sa.MetaData(schema=schema)
    dt = sa.DateTime
    sa.Table(
        "ssd_person",
        md,
        sa.Column("pers_legacy_id", _ID),
        sa.Column("pers_person_id", _ID, primary_key=True),
        sa.Column("pers_upn", sa.Unicode(13)),
        sa.Column("pers_forename", sa.Unicode(100)),
        sa.Column("pers_surname", sa.Unicode(255)),
        sa.Column("pers_sex", sa.Unicode(20)),
        sa.Column("pers_gender", sa.Unicode(10)),
        sa.Column("pers_ethnicity", _ID),
        sa.Column("pers_dob", dt),
        sa.Column("pers_is_mother", sa.Unicode(1)),
    )
    sa.Table(
        "ssd_cla_episodes",
        md,
        sa.Column("clae_cla_episode_id", _ID, primary_key=True),
        sa.Column("clae_person_id", _ID),
        sa.Column("clae_cla_placement_id", _ID),
        sa.Column("clae_cla_episode_start_date", dt),
        sa.Column("clae_cla_episode_start_reason", sa.Unicode(100)),
        sa.Column("clae_cla_primary_need_code", sa.Unicode(3)),
        sa.Column("clae_cla_episode_ceased_date", dt),
        sa.Column("clae_cla_episode_ceased_reason", sa.Unicode(255)),
        sa.Column("clae_cla_id", _ID),
    )
    sa.Table(
        "ssd_cla_placement",
        md,
        sa.Column("clap_cla_placement_id", _ID, primary_key=True),
        sa.Column("clap_cla_id", _ID),
        sa.Column("clap_person_id", _ID),
        sa.Column("clap_cla_placement_start_date", dt),
        sa.Column("clap_cla_placement_type", sa.Unicode(100)),
        sa.Column("clap_cla_placement_urn", _ID),
        sa.Column("clap_cla_placement_distance", sa.Float),
        sa.Column("clap_cla_placement_provider", _ID),
        sa.Column("clap_cla_placement_postcode", sa.Unicode(8)),
        sa.Column("clap_cla_placement_end_date", dt),
        sa.Column("clap_cla_placement_change_reason", sa.Unicode(100)),
    )
    sa.Table(
        "ssd_address",
        md,
        sa.Column("addr_table_id", _ID, primary_key=True),
        sa.Column("addr_person_id", _ID),
        sa.Column("addr_address_type", _ID),
        sa.Column("addr_address_start_date", dt),
        sa.Column("addr_address_end_date", dt),
        sa.Column("addr_address_postcode", sa.Unicode(15)),
        sa.Column("addr_address_json", sa.Unicode(1000)),
    )
    sa.Table(
        "ssd_legal_status",
        md,
        sa.Column("lega_legal_status_id", _ID, primary_key=True),
        sa.Column("lega_person_id", _ID),
        sa.Column("lega_legal_status", sa.Unicode(100)),
        sa.Column("lega_legal_status_start_date", dt),
        sa.Column("lega_legal_status_end_date", dt),
    )
    sa.Table(
        "ssd_missing",
        md,
        sa.Column("miss_table_id", _ID, primary_key=True),
        sa.Column("miss_person_id", _ID),
        sa.Column("miss_missing_episode_start_date", dt),
        sa.Column("miss_missing_episode_type", sa.Unicode(100)),
        sa.Column("miss_missing_episode_end_date", dt),
        sa.Column("miss_missing_rhi_offered", sa.Unicode(10)),
        sa.Column("miss_missing_rhi_accepted", sa.Unicode(10)),
    )  # NVARCHAR(2) in SystemC; Eclipse keeps "Yes"
    sa.Table(
        "ssd_cin_assessments",
        md,
        sa.Column("cina_assessment_id", _ID, primary_key=True),
        sa.Column("cina_person_id", _ID),
        sa.Column("cina_referral_id", _ID),
        sa.Column("cina_assessment_start_date", dt),
    )
    sa.Table(
        "ssd_assessment_factors",
        md,
        sa.Column("cinf_table_id", _ID, primary_key=True),
        sa.Column("cinf_assessment_id", _ID, primary_key=True),
        sa.Column("cinf_assessment_factors_json", sa.UnicodeText),
    )
    return md


def _none(frame: pd.DataFrame) -> list[dict]:
    """Records with NaN / NaT as None, timestamps as datetime (what every driver takes)."""
    columns = {}
    for col in frame.columns:
        values = frame[col]
        if pd.api.types.is_datetime64_any_dtype(values):
            columns[col] = [None if pd.isna(v) else v.to_pydatetime() for v in values]
        else:
            columns[col] = [None if (not isinstance(v, str) and pd.isna(v)) else v for v in values.astype(object)]
    names = list(columns)
    return [dict(zip(names, row)) for row in zip(*columns.values())]


def ssd_rows_from_dataset(dataset, *, cin_only_people: int = 40) -> dict[str, pd.DataFrame]:
    """SSD table rows (keyed by table name) holding the same children, episodes and missing episodes as ``dataset``.

    ``dataset`` is a :class:`data.dataset.Dataset` of 903 files (pooled files: ``LA_CODE`` keeps children of
    different councils apart). ``pers_legacy_id`` holds the 903 CHILD; ``pers_person_id`` is a CMS number.
    ``cin_only_people`` adds children in need who were never looked after (listed, not used, by the extract).
    """
    from analysis.missing import missing_episodes

    def person_key(frame):
        child = frame["CHILD"].astype(str)
        return (frame["LA_CODE"].astype(str) + ":" + child) if "LA_CODE" in frame else child

    header = dataset.header.copy()
    header["_K"] = person_key(header)
    header = header.drop_duplicates("_K")
    episodes = dataset.episodes.copy()
    episodes["_K"] = person_key(episodes)
    missing = missing_episodes(dataset)
    missing["_K"] = person_key(missing)
    keys = pd.Index(pd.unique(pd.concat([header["_K"], episodes["_K"], missing["_K"]], ignore_index=True)))
    pid = pd.Series([str(100000 + i) for i in range(len(keys))], index=keys)
    system = pd.Series(np.array(SYSTEMS)[np.arange(len(keys)) % 3], index=keys)

    hd = header.set_index("_K")
    person = pd.DataFrame({"pers_legacy_id": [k.split(":")[-1] for k in keys], "pers_person_id": pid.to_numpy()})
    person["pers_sex"] = hd["SEX"].reindex(keys).to_numpy()
    person["pers_dob"] = pd.to_datetime(hd["DOB"].reindex(keys)).to_numpy()
    person["pers_ethnicity"] = hd["ETHNIC"].reindex(keys).to_numpy()
    person["pers_upn"] = hd["UPN"].reindex(keys).to_numpy()
    person["pers_is_mother"] = (
        pd.Series(hd["MOTHER"].reindex(keys).astype(str).to_numpy() == "1").map({True: "Y", False: None}).to_numpy()
    )
    cin = pd.DataFrame(
        {
            "pers_legacy_id": [f"CIN{i:05d}" for i in range(cin_only_people)],
            "pers_person_id": [str(900000 + i) for i in range(cin_only_people)],
            "pers_sex": "M",
            "pers_dob": pd.Timestamp("2012-01-01"),
        }
    )
    person = pd.concat([person, cin], ignore_index=True)

    ep = episodes.reset_index(drop=True)
    ep_sys = ep["_K"].map(system)
    ep_ids = [str(500000 + i) for i in range(len(ep))]
    pl_ids = [f"PL{500000 + i}" for i in range(len(ep))]
    cla = pd.DataFrame(
        {
            "clae_cla_episode_id": ep_ids,
            "clae_person_id": ep["_K"].map(pid).to_numpy(),
            "clae_cla_placement_id": pl_ids,
            "clae_cla_episode_start_date": ep["DECOM"].to_numpy(),
            "clae_cla_episode_start_reason": ep["RNE"].to_numpy(),
            "clae_cla_primary_need_code": ep["CIN"].to_numpy(),
            "clae_cla_episode_ceased_date": ep["DEC"].to_numpy(),
            "clae_cla_episode_ceased_reason": ep["REC"].to_numpy(),
        }
    )
    placement = pd.DataFrame(
        {
            "clap_cla_placement_id": pl_ids,
            "clap_person_id": cla["clae_person_id"],
            "clap_cla_placement_start_date": ep["DECOM"].to_numpy(),
            "clap_cla_placement_end_date": ep["DEC"].to_numpy(),
            "clap_cla_placement_type": ep["PLACE"].to_numpy(),
            "clap_cla_placement_urn": ep["URN"].to_numpy(),
            "clap_cla_placement_provider": ep["PLACE_PROVIDER"].to_numpy(),
            "clap_cla_placement_postcode": ep["PL_POST"].to_numpy(),
            "clap_cla_placement_change_reason": ep["REASON_PLACE_CHANGE"].to_numpy(),
            "clap_cla_placement_distance": 999.9,  # the SSD's "unknown": the app measures distances itself
        }
    )
    legal = pd.DataFrame(
        {
            "lega_legal_status_id": [f"LS{500000 + i}" for i in range(len(ep))],
            "lega_person_id": cla["clae_person_id"],
            "lega_legal_status": ep["LS"].to_numpy(),
            "lega_legal_status_start_date": ep["DECOM"].to_numpy(),
            "lega_legal_status_end_date": ep["DEC"].to_numpy(),
        }
    )
    # The home address current at each episode's start (the SSD's only home postcode).
    home_post = ep["HOME_POST"].astype(object)
    home_post = np.where(ep_sys == "eclipse", home_post.str.replace(" ", "", regex=False), home_post)
    has_home = ep["HOME_POST"].notna().to_numpy()
    address = pd.DataFrame(
        {
            "addr_table_id": [f"AD{500000 + i}" for i in range(len(ep))],
            "addr_person_id": cla["clae_person_id"],
            "addr_address_type": ep_sys.map(_HOME_TYPE).to_numpy(),
            "addr_address_start_date": ep["DECOM"].to_numpy(),
            "addr_address_end_date": ep["DEC"].to_numpy(),
            "addr_address_postcode": home_post,
        }
    )[has_home]
    mosaic = (ep_sys == "mosaic").to_numpy() & ep["PL_POST"].notna().to_numpy()
    placed_at = pd.DataFrame(
        {
            "addr_table_id": [f"AP{500000 + i}" for i in range(len(ep))],
            "addr_person_id": cla["clae_person_id"],
            "addr_address_type": "PLACEMENT",
            "addr_address_start_date": ep["DECOM"].to_numpy(),
            "addr_address_end_date": ep["DEC"].to_numpy(),
            "addr_address_postcode": ep["PL_POST"].to_numpy(),
        }
    )[mosaic]
    address = pd.concat([address, placed_at], ignore_index=True)

    mi = missing.reset_index(drop=True)
    mi_sys = mi["_K"].map(system)
    kind = [(_MISSING_TYPE[s].get(v) if isinstance(v, str) else None) for s, v in zip(mi_sys, mi["MISSING"])]

    def answer(s, value):
        yes, no, na = _ANSWER[s]
        return na if pd.isna(value) else (yes if bool(value) else no)

    accepted = [answer(s, v) for s, v in zip(mi_sys, mi["RHI_ACCEPTED"].astype(object))]
    offered = [answer(s, pd.notna(v) or None) for s, v in zip(mi_sys, mi["RHI_OFFERED"])]
    miss = pd.DataFrame(
        {
            "miss_table_id": [str(700000 + i) for i in range(len(mi))],
            "miss_person_id": mi["_K"].map(pid).to_numpy(),
            "miss_missing_episode_start_date": mi["MIS_START"].to_numpy(),
            "miss_missing_episode_end_date": mi["MIS_END"].to_numpy(),
            "miss_missing_episode_type": kind,
            "miss_missing_rhi_offered": offered,
            "miss_missing_rhi_accepted": accepted,
        }
    )

    # One assessment per child with a risk flag in the log: its factors as that child's system writes them.
    flag_cols = [c for c in _FLAG_FACTOR if c in mi]
    flagged = mi[["_K", *flag_cols]].copy()
    for col in flag_cols:
        flagged[col] = flagged[col].astype("boolean").fillna(False).astype(bool)
    by_child = flagged.groupby("_K")[flag_cols].any()
    by_child = by_child[by_child.any(axis=1)]
    asm_rows, fac_rows = [], []
    for n, (key, row) in enumerate(by_child.iterrows()):
        codes = sorted({_FLAG_FACTOR[c] for c in flag_cols if row[c]} | {"10A"}, key=lambda c: (len(c), c))
        person_id, s = pid[key], system[key]
        form = str(800000 + n)
        if s == "eclipse":
            asm_id, fac_id, table_id = f"{person_id}{form}", form, f"{person_id}{form}"
            text = json.dumps([c if c in codes else None for c in _ECLIPSE_SLOTS])
        else:
            asm_id = fac_id = form
            table_id = f"F{form}"
            text = json.dumps({c: "Yes" for c in codes}) if (s == "systemc" and n % 2) else json.dumps(codes)
        asm_rows.append({"cina_assessment_id": asm_id, "cina_person_id": person_id})
        fac_rows.append({"cinf_table_id": table_id, "cinf_assessment_id": fac_id, "cinf_assessment_factors_json": text})
    return {
        "ssd_person": person,
        "ssd_cla_episodes": cla,
        "ssd_cla_placement": placement,
        "ssd_address": address,
        "ssd_legal_status": legal,
        "ssd_missing": miss,
        "ssd_cin_assessments": pd.DataFrame(asm_rows, columns=["cina_assessment_id", "cina_person_id"]),
        "ssd_assessment_factors": pd.DataFrame(
            fac_rows, columns=["cinf_table_id", "cinf_assessment_id", "cinf_assessment_factors_json"]
        ),
    }


def build_ssd(url: str, dataset=None, *, schema: str | None = None, chunk: int = 20_000) -> dict[str, int]:
    """Create the SSD tables at ``url`` (dropping ours first) and fill them from ``dataset``.

    ``dataset`` defaults to the committed synthetic demo (``data/demo_data``). Returns rows written per table.
    """
    from data.readers import read_folder

    if dataset is None:
        dataset = read_folder(DEMO_FOLDER)
    rows = ssd_rows_from_dataset(dataset)
    md = ssd_metadata(schema)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            if schema:
                conn.execute(sa.schema.CreateSchema(schema, if_not_exists=True))
            md.drop_all(conn)
            md.create_all(conn)
            for name, frame in rows.items():
                table = md.tables[f"{schema}.{name}" if schema else name]
                records = _none(frame)
                for start in range(0, len(records), chunk):
                    conn.execute(table.insert(), records[start : start + chunk])
    finally:
        engine.dispose()
    return {name: len(frame) for name, frame in rows.items()}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--url",
        required=True,
        help="database to create the SSD tables in (sqlite:///file.db, postgresql+psycopg://...)",
    )
    parser.add_argument(
        "--from",
        dest="folder",
        type=Path,
        default=DEMO_FOLDER,
        help="folder of 903 files to fill it from (default: the synthetic Kent demo)",
    )
    parser.add_argument("--schema", default=None, help="schema to create the tables in (default: the connection's)")


def run(args: argparse.Namespace) -> int:
    from data.readers import read_folder
    from data.ssd.connection import describe_error

    dataset = read_folder(args.folder)
    if dataset.episodes.empty:
        print(f"error: no 903 episodes found in {args.folder}", file=sys.stderr)
        return 2
    try:
        counts = build_ssd(args.url, dataset, schema=args.schema)
    except sa.exc.SQLAlchemyError as exc:
        print(f"error: {describe_error(exc, args.url)}", file=sys.stderr)
        return 2
    print("wrote " + ", ".join(f"{n:,} rows to {t}" for t, n in counts.items()))
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m data ssd-demo`` (or ``python -m data.ssd.cli_demo``)."""
    parser = argparse.ArgumentParser(prog="python -m data ssd-demo", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
