"""Briefing packs: disclosure-controlled, self-contained HTML and an offline PDF that renders."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.disclosure import SUPPRESSED, is_safe
from data.dataset import Dataset
from reports.briefing import build_briefing
from reports.pack import CLASSIFICATION, TextBlock

ROOT = Path(__file__).resolve().parents[1]
PERIOD = (date(2025, 4, 1), date(2026, 3, 31))
KENT = "E10000016"
MEDWAY = "E06000035"
FLAGS = ("CSE", "CCE", "GANG", "COUNTY_LINES", "TRAFFICKED", "SUBSTANCE", "RHI_ACCEPTED")
# Placement groups of 1..7 children: small groups that must come out as "c".
GROUP_SIZES = {"U1": 1, "U4": 7, "K2": 2, "H5": 3, "P1": 4, "A3": 5, "U6": 6}
PROVIDER = {"U1": "PR1", "U4": "PR1", "K2": "PR4", "H5": "PR4", "P1": "PR0", "A3": "PR1", "U6": "PR5"}


def _make_dataset(index, *, seed: int = 7) -> Dataset:
    """Synthetic children on real Kent and Medway postcodes, with three places where children are found."""
    rng = np.random.default_rng(seed)
    kent = index.units_in(KENT).reset_index(drop=True)
    medway = index.units_in(MEDWAY).reset_index(drop=True)
    places = [code for code, n in GROUP_SIZES.items() for _ in range(n)]
    n_children = len(places) * 2
    places = places + list(rng.choice(["U4", "U6"], n_children - len(places)))
    children = [f"C{1000 + i}" for i in range(n_children)]
    home = kent.sample(n_children, random_state=seed)["postcode"].to_numpy()
    placed = np.where(
        rng.random(n_children) < 0.75,
        kent.sample(n_children, random_state=seed + 1)["postcode"].to_numpy(),
        medway.sample(n_children, random_state=seed)["postcode"].to_numpy(),
    )
    places = np.array(places)
    episodes = pd.DataFrame(
        {
            "CHILD": children,
            "DECOM": pd.Timestamp("2024-06-01") + pd.to_timedelta(rng.integers(0, 300, n_children), unit="D"),
            "RNE": "S",
            "LS": "C2",
            "CIN": "N1",
            "PLACE": places,
            "PLACE_PROVIDER": [PROVIDER.get(p, "PR1") for p in places],
            "DEC": pd.Series(pd.NaT, index=range(n_children), dtype="datetime64[ns]"),
            "REC": "",
            "REASON_PLACE_CHANGE": "",
            "HOME_POST": home,
            "PL_POST": placed,
            "URN": np.where(places == "K2", "SC100001", ""),
        }
    )
    header = pd.DataFrame(
        {
            "CHILD": children,
            "SEX": "1",
            "DOB": pd.Timestamp("2009-01-01") + pd.to_timedelta(rng.integers(0, 2500, n_children), unit="D"),
        }
    )
    centres = kent.sample(3, random_state=seed + 2)[["easting", "northing"]].to_numpy()
    rows = []
    for i, child in enumerate(children[:40]):
        spot = centres[i % 3]
        for k in range(1 + i % 7):  # 1..7 episodes per child
            start = pd.Timestamp(PERIOD[0]) + pd.Timedelta(
                days=int(rng.integers(0, 360)), hours=int(rng.integers(0, 24))
            )
            end = start + pd.Timedelta(hours=float(rng.choice([5, 30, 60, 200])))
            dx, dy = rng.normal(0, 120, 2)
            nearest = ((kent["easting"] - spot[0] - dx) ** 2 + (kent["northing"] - spot[1] - dy) ** 2).argmin()
            row = {
                "CHILD": child,
                "MISSING": "M" if rng.random() < 0.7 else "A",
                "MIS_START": start,
                "MIS_END": end,
                "FROM_POST": placed[i],
                "FOUND_POST": kent.iloc[nearest]["postcode"],
                "FOUND_LAT": np.nan,
                "FOUND_LON": np.nan,
                "RHI_OFFERED": end + pd.Timedelta(hours=float(rng.choice([10, 50, 100]))),
                "RHI_DONE": end + pd.Timedelta(hours=30) if rng.random() < 0.7 else pd.NaT,
                "RHI_ACCEPTED": bool(rng.random() < 0.8),
                "CSE": bool(rng.random() < 0.3),
                "CCE": bool(rng.random() < 0.2),
                "GANG": bool(rng.random() < 0.1),
                "COUNTY_LINES": False,
                "TRAFFICKED": False,
                "SUBSTANCE": bool(rng.random() < 0.2),
                "NOTES": f"secret note about {child}",
            }
            rows.append(row)
            if k % 2 == 0:  # the year before, for "changes since the previous period"
                earlier = dict(row, MIS_START=start - pd.Timedelta(days=365), MIS_END=end - pd.Timedelta(days=365))
                earlier["RHI_OFFERED"] = earlier["MIS_END"] + pd.Timedelta(hours=30)
                rows.append(earlier)
    log = pd.DataFrame(rows)
    for col in FLAGS:
        log[col] = log[col].astype("boolean")
    return Dataset(
        header=header,
        episodes=episodes,
        missing_log=log,
        synthetic=True,
        la_code=KENT,
        label="Synthetic test set: Kent",
    )


@pytest.fixture(scope="module")
def dataset(postcode_index):
    return _make_dataset(postcode_index)


@pytest.fixture(scope="module")
def mase(dataset, postcode_index):
    return build_briefing(dataset, la="Kent", period=PERIOD, audience="mase", index=postcode_index)


@pytest.fixture(scope="module")
def panel(dataset, postcode_index):
    return build_briefing(dataset, la="886", period=PERIOD, audience="panel", index=postcode_index)


def _visible_text(html: str) -> str:
    """The page without embedded images (base64 could contain any letters)."""
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)


# ---------------------------------------------------------------- content
def test_mase_pack_has_every_section(mase):
    titles = [s.title for s in mase.sections]
    assert titles == [
        "Missing from care: period summary",
        "Hotspots: where children were found",
        "Where children are found",
        "Journeys and links between hotspots",
        "Emerging hot spots",
        "Repeat missing and return home interviews",
        "Changes since the previous period",
    ]
    assert all(s.available for s in mase.sections), [(s.title, s.blocks) for s in mase.sections if not s.available]
    assert mase.authority_name == "Kent" and mase.previous_period == (date(2024, 4, 1), date(2025, 3, 31))
    profiles = next(b for b in mase.tables() if b.title == "Hotspot profiles").frame
    assert len(profiles) >= 1 and "% CSE risk" in profiles.columns and "Trend" in profiles.columns
    # Each hotspot by its app number and its name, never "Hotspot 3" numbered differently from the app.
    assert profiles["Hotspot"].str.fullmatch(r"\d+\. .+, [A-Z]{1,2}\d[A-Z\d]? \d.* \(.+\)").all(), profiles["Hotspot"]
    assert profiles["Hotspot"].iloc[0].startswith("1. ")
    assert any(b.title == "Hotspot map" for b in mase.figures())


def test_panel_pack_has_every_section(panel):
    assert [s.title for s in panel.sections] == [
        "Placement distance: headline figures",
        "Where our children are placed",
        "Placements by type and provider",
        "Placement costs",
        "Children's homes",
        "Missing from care: summary",
    ]
    assert all(s.available for s in panel.sections)


@pytest.mark.parametrize("pack", ["mase", "panel"])
def test_no_small_number_reaches_any_table(pack, request):
    briefing = request.getfixturevalue(pack)
    for block in briefing.tables():
        assert block.count_columns, block.title
        assert is_safe(block.frame, block.count_columns), block.title
        for col in block.count_columns:
            for value in block.frame[col]:
                # Counts are whole numbers; percentages ("12.5%") and medians ("19.5") are checked
                # through the counts they are built on.
                if re.fullmatch(r"[0-9,]+", str(value)):
                    number = int(str(value).replace(",", ""))
                    assert number == 0 or number > 5, (block.title, col, value)
                else:
                    assert value in (SUPPRESSED, "x", "") or re.search(r"[.%]", str(value)), value


def test_small_placement_groups_are_suppressed_with_a_second_cell(panel):
    table = next(b for b in panel.tables() if b.title == "By placement type").frame.set_index("Placement type")
    children = table["Children"]
    # Adoption (5), parents (4), supported (3), relatives (1) are 1-5; homes (2) fold into "Children's homes".
    for group in (
        "Placed for adoption",
        "With parents",
        "Supported and independent living",
        "Foster with relatives or friends",
    ):
        assert children[group] == SUPPRESSED
    assert children["All"] != SUPPRESSED
    column = children.drop("All")
    assert (column == SUPPRESSED).sum() != 1  # the total cannot give one back
    # A percentage built on a suppressed count is suppressed too.
    assert table.loc["Placed for adoption", "% outside"] == SUPPRESSED
    # Costs: with any group suppressed the total cost is not shown.
    costs = next(b for b in panel.tables() if b.title == "Cost of current placements").frame
    assert costs.iloc[-1]["Annual cost"] == SUPPRESSED


def test_repeat_missing_groups_are_suppressed(mase):
    table = next(b for b in mase.tables() if b.title.startswith("Children by number of episodes")).frame
    total = table.iloc[-1]
    assert total["Children"] == "40"
    counts = table["Children"].iloc[:-1]
    assert (counts == SUPPRESSED).sum() != 1


def test_every_table_and_figure_is_labelled(mase, panel):
    for briefing in (mase, panel):
        for block in [*briefing.tables(), *briefing.figures()]:
            assert block.definition and block.period and block.denominator, block.title


# ---------------------------------------------------------------- HTML
@pytest.mark.parametrize("pack", ["mase", "panel"])
def test_html_is_self_contained_and_carries_no_child_data(pack, request, dataset):
    briefing = request.getfixturevalue(pack)
    html = briefing.html
    assert not re.search(r"https?://", html, re.I)
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:)""", html, re.I)
    assert "<script" not in html.lower() and "@import" not in html and "url(" not in html
    assert "data:image/png;base64," in html
    text = _visible_text(html)
    assert html.count(CLASSIFICATION) >= 3  # top, bottom, front page
    assert "SYNTHETIC DATA" in text
    assert "shown as c" in text and ">c<" in text
    for child in dataset.episodes["CHILD"]:
        assert child not in text
    assert "secret note" not in text
    postcodes = (
        set(dataset.episodes["HOME_POST"]) | set(dataset.episodes["PL_POST"]) | set(dataset.missing_log["FOUND_POST"])
    )
    assert not any(pc in text for pc in postcodes)


def test_html_escapes_input_text(postcode_index, dataset):
    hostile = Dataset(
        episodes=dataset.episodes,
        header=dataset.header,
        missing_log=dataset.missing_log,
        synthetic=False,
        label='<script>alert("x")</script>',
    )
    html = build_briefing(hostile, la=KENT, period=PERIOD, audience="mase", index=postcode_index).html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "SYNTHETIC DATA" not in html


# ---------------------------------------------------------------- PDF
def test_pdf_renders_offline_with_classification_on_every_page(panel, tmp_path):
    pdf = panel.to_pdf()
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "pack.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 3
    assert all(CLASSIFICATION in page for page in pages)
    assert all("SYNTHETIC DATA" in page for page in pages)
    assert "shown as c" in text and "C1000" not in text
    subprocess.run(
        ["/usr/bin/pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")], check=True, timeout=120
    )
    from PIL import Image

    images = sorted(tmp_path.glob("page*.png"))
    assert len(images) == len(pages)
    for image in images:
        with Image.open(image) as img:
            pixels = np.asarray(img.convert("L"), dtype=float)
        assert pixels.std() > 5 and (pixels < 128).mean() > 0.005, image.name


def test_mase_pdf_has_the_map(mase, tmp_path):
    pdf = mase.to_pdf()
    path = tmp_path / "mase.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["/usr/bin/pdfimages", "-list", str(path)], capture_output=True, text=True, timeout=60)
    if listing.returncode == 0:
        assert len(listing.stdout.strip().splitlines()) >= 3  # header lines + at least one image
    assert b"/Image" in pdf or b"/XObject" in pdf


# ---------------------------------------------------------------- missing inputs
def test_sections_without_inputs_say_not_available(postcode_index, dataset):
    only_episodes = Dataset(episodes=dataset.episodes, header=dataset.header)
    pack = build_briefing(only_episodes, la=KENT, period=PERIOD, audience="mase", index=postcode_index)
    assert not any(s.available for s in pack.sections)
    assert "Not available" in pack.html
    with pytest.raises(ValueError):
        build_briefing(only_episodes, la=KENT, period=PERIOD, audience="cabinet", index=postcode_index)
    with pytest.raises(ValueError):
        build_briefing(only_episodes, la="Atlantis", period=PERIOD, audience="mase", index=postcode_index)


# ---------------------------------------------------------------- command line
def _cli(*args, tmp_path):
    env = {**os.environ, "CARE_MAP_AUDIT_LOG": str(tmp_path / "audit.log")}
    return subprocess.run(
        [sys.executable, "-m", "analysis", "briefing", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )


def _csv_only(fixtures_dir, tmp_path) -> Path:
    """The validator fixture's CSV export of the 903, without its XML one."""
    import shutil

    folder = tmp_path / "csv-only"
    folder.mkdir()
    for path in (fixtures_dir / "csc-validator-be-903").glob("*.csv"):
        shutil.copy(path, folder / path.name)
    return folder


def test_cli_refuses_a_folder_with_the_903_as_both_xml_and_csv(fixtures_dir, tmp_path):
    run = _cli(
        "--data",
        str(fixtures_dir / "csc-validator-be-903"),
        "--la",
        "Kent",
        "--period",
        "2019-04-01:2020-03-31",
        "--audience",
        "panel",
        "--out",
        str(tmp_path / "pack.html"),
        tmp_path=tmp_path,
    )
    assert run.returncode == 2 and run.stderr.count("\n") == 1
    assert "both as XML (fake_903.xml)" in run.stderr and "episodes.csv" in run.stderr
    assert not (tmp_path / "pack.html").exists()


def test_cli_builds_a_panel_pack_from_fixture_files(fixtures_dir, tmp_path):
    out = tmp_path / "pack.html"
    run = _cli(
        "--data",
        str(_csv_only(fixtures_dir, tmp_path)),
        "--la",
        "Kent",
        "--period",
        "2019-04-01:2020-03-31",
        "--audience",
        "panel",
        "--out",
        str(out),
        tmp_path=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    html = out.read_text(encoding="utf-8")
    assert CLASSIFICATION in html and not re.search(r"https?://", html)
    assert '"event": "briefing"' in (tmp_path / "audit.log").read_text()


@pytest.mark.parametrize(
    "args",
    [
        ["--la", "Kent", "--period", "2025-04-01", "--out", "x.html"],
        ["--la", "Kent", "--period", "2026-04-01:2025-03-31", "--out", "x.html"],
        ["--la", "Atlantis", "--period", "2025-04-01:2026-03-31", "--out", "x.html"],
        ["--la", "Kent", "--period", "2025-04-01:2026-03-31", "--out", "x.docx"],
    ],
)
def test_cli_errors_are_one_line(args, fixtures_dir, tmp_path):
    args = [a if a != "x.html" and a != "x.docx" else str(tmp_path / a) for a in args]
    run = _cli("--data", str(fixtures_dir / "csc-validator-be-903"), *args, tmp_path=tmp_path)
    assert run.returncode == 2
    assert run.stderr.startswith("error: ") and run.stderr.count("\n") == 1 and "Traceback" not in run.stderr


def test_pack_says_interviews_are_not_recorded_when_the_903_is_all_there_is(postcode_index):
    """903 files alone hold no return home interviews: the pack says so instead of a table of 0 %."""
    from data.readers import read_inputs

    root = Path(__file__).resolve().parents[1] / "data" / "demo_data"
    dataset = read_inputs(sorted(root.glob("202*_*.csv")), la="E10000016")
    pack = build_briefing(dataset, la="E10000016", period=PERIOD, audience="mase", index=postcode_index)
    section = next(s for s in pack.sections if s.title == "Repeat missing and return home interviews")
    assert not any(getattr(b, "title", "") == "Return home interviews" for b in section.blocks)
    assert any(isinstance(b, TextBlock) and "No return home interview is recorded" in b.text for b in section.blocks)


def test_pack_map_labels_do_not_overlap():
    """Three hotspots within a few hundred metres of each other (Margate's seafront): their numbers are moved
    apart, each at least the label spacing from the others; a lone one stays on its hotspot."""
    from reports.static_map import LABEL_SPACING, spread_labels

    spacing = LABEL_SPACING * 60_000  # a 60 km wide map
    anchors = np.array([[635_500, 170_800], [635_800, 170_900], [635_700, 170_500], [600_000, 140_000]])
    spots = np.array(spread_labels(anchors, spacing))
    gaps = [np.hypot(*(spots[i] - spots[j])) for i in range(4) for j in range(i + 1, 4)]
    assert min(gaps) >= spacing - 1e-6
    assert tuple(spots[0]) == tuple(anchors[0]) and tuple(spots[3]) == tuple(anchors[3])
    assert np.hypot(*(spots[1] - anchors[1])) <= 4 * spacing  # moved no further than it must


@pytest.mark.parametrize("pack", ["mase", "panel"])
def test_pdf_layout_fills_page_one_and_strands_no_heading(pack, request, tmp_path):
    """Page 1 carries the first section under the front matter, and no section heading is the last thing on a
    page (its first table or map follows it on the same page)."""
    briefing = request.getfixturevalue(pack)
    path = tmp_path / "pack.pdf"
    path.write_bytes(briefing.to_pdf())
    text = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    titles = [s.title for s in briefing.sections]
    assert titles[0] in pages[0]
    footer = ("OFFICIAL", "Page ", "SYNTHETIC DATA", briefing.authority_name)
    for number, page in enumerate(pages, start=1):
        lines = [ln.strip() for ln in page.splitlines() if ln.strip() and not ln.strip().startswith(footer)]
        assert lines and lines[-1] not in titles, (number, lines[-3:])
