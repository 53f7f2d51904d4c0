"""The disclosure rule in one place: linked cells, groups of 1-5 revealed by subtraction, parts of a whole,
two-way tables, and no other module writing the rule again."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from disclosure_attack import Relation, Shown, attack

from analysis.disclosure import (
    SUPPRESSED,
    hidden_mask,
    suppress_crosstab,
    suppress_parts,
    suppress_table,
)

ROOT = Path(__file__).resolve().parents[1]


def _repeat_frame() -> pd.DataFrame:
    """The MASE pack's repeat-missing table of the issue: one child had 14 episodes."""
    frame = pd.DataFrame(
        {
            "band": ["1 episode", "2 episodes", "3-4 episodes", "5-9 episodes", "10 or more episodes", "Total"],
            "children": [30, 12, 9, 7, 1, 59],
            "episodes": [30, 24, 31, 45, 14, 144],
        }
    )
    return frame.set_index("band", drop=False)


# ---------------------------------------------------------------- the rule
def test_episodes_of_a_hidden_number_of_children_are_hidden_with_it():
    frame = _repeat_frame()
    naive = suppress_table(frame, ["children", "episodes"], total_row="Total")
    assert naive.loc["10 or more episodes", "children"] == SUPPRESSED
    assert naive.loc["10 or more episodes", "episodes"] == "14"  # the issue: 14 episodes, so one child
    assert attack([Shown("pack", "repeat", naive.rename(columns=str.capitalize))])

    safe = suppress_table(frame, ["children", "episodes"], total_row="Total", linked_columns={"episodes": "children"})
    assert safe.loc["10 or more episodes", "episodes"] == SUPPRESSED
    # The episodes column then needs a second hidden cell, or 144 less the shown ones would give 14 back.
    assert (safe["episodes"] == SUPPRESSED).sum() >= 2
    assert attack([Shown("pack", "repeat", safe.rename(columns=str.capitalize))]) == []


def test_hidden_cells_that_add_up_to_1_to_5_get_company():
    # Two primary cells of 1 and 2 beside 40: "43 less 40" says the two hold 3 children.
    values = np.array([1.0, 2.0, 40.0, 43.0])
    line = [[(0,), (1,), (2,), (3,)]]
    mask = hidden_mask(values, line)
    assert mask.tolist() == [True, True, True, False]
    # Hidden cells adding up to 6 or more are enough.
    values = np.array([3.0, 4.0, 40.0, 47.0])
    assert hidden_mask(values, line).tolist() == [True, True, False, False]


def test_a_percentage_with_a_numerator_of_1_to_5_is_hidden_even_when_its_count_is_not_shown():
    frame = pd.DataFrame(
        {"Hotspot": ["1", "2"], "episodes": [25, 40], "out": [2, 12], "known": [25, 40], "pct": [8.0, 30.0]}
    ).set_index("Hotspot", drop=False)
    safe = suppress_table(frame, ["episodes"], percent_columns={"pct": "out/known"})
    assert safe["pct"].tolist() == [SUPPRESSED, "30.0"]


def test_parts_of_a_whole_shown_elsewhere_are_suppressed_together_and_published_figures_stay():
    counts = pd.Series([7, 3, 0, 10, 8], index=list("abcde"))
    shown = suppress_parts(
        counts, groups=pd.Series(["LA", "LA", "PRIVATE", "PRIVATE", "PRIVATE"], index=counts.index), rest=8
    )
    assert shown.tolist() == ["c", "c", "0", "10", "8"]
    # A home that is counted but not shown is hidden already: it protects a small one in its group.
    shown = suppress_parts(
        pd.Series([7, 3, 9]), groups=pd.Series(["A", "A", "A"]), unshown=pd.Series([False, False, True])
    )
    assert shown.tolist() == ["7", "c", "c"]


def test_a_two_way_table_shows_one_set_of_figures_for_every_view():
    rng = np.random.default_rng(3)
    codes = [f"E{i}" for i in range(8)]
    rows = [(a, b, int(n)) for a in codes for b in codes if a != b for n in [rng.choice([0, 1, 3, 7, 12, 30])] if n]
    flows = pd.DataFrame(rows, columns=["from_code", "to_code", "children"])
    texts = suppress_crosstab(flows, row="from_code", column="to_code", count="children")
    assert (texts.cells[flows["children"] <= 5] == SUPPRESSED).all()
    # Each authority's flows out with its total, each one's flows in with its total, and the net table:
    # nothing can be worked out, across all of them together.
    tables = []
    for code in codes:
        for side, key, totals in (("out", "from_code", texts.rows), ("in", "to_code", texts.columns)):
            mine = flows[flows[key] == code]
            other = "to_code" if key == "from_code" else "from_code"
            frame = pd.DataFrame(
                {"Authority": [*mine[other], "All"], "Children": [*texts.cells[mine.index], totals.get(code, "0")]}
            )
            tables.append(Shown(f"focus {code}", f"{side} of {code}", frame))
    net = pd.DataFrame(
        {
            "Authority": [*codes, "All"],
            "Placed out": [*(texts.rows.get(c, "0") for c in codes), texts.total],
            "Placed in": [*(texts.columns.get(c, "0") for c in codes), texts.total],
        }
    )
    tables.append(Shown("all", "net", net))
    # The same pair seen from both ends is one figure.
    relations = [
        Relation(("out of " + a, b, "Children"), (("in of " + b, a, "Children"),))
        for a, b in zip(flows["from_code"], flows["to_code"])
    ]
    relations += [Relation(("net", c, "Placed out"), (("out of " + c, "All", "Children"),)) for c in codes]
    assert attack(tables, relations) == []
    # Suppressed one table at a time, the same views give figures away.
    naive = []
    for code in codes:
        mine = flows[flows["from_code"] == code]
        table = pd.DataFrame({"Authority": [*mine["to_code"], "All"], "n": [*mine["children"], mine["children"].sum()]})
        table.index = [*(f"r{i}" for i in range(len(mine))), "All"]
        safe = suppress_table(table, ["n"], total_row="All").rename(columns={"n": "Children"})
        naive.append(Shown(f"focus {code}", f"out of {code}", safe.reset_index(drop=True)))
    for code in codes:
        mine = flows[flows["to_code"] == code]
        table = pd.DataFrame(
            {"Authority": [*mine["from_code"], "All"], "n": [*mine["children"], mine["children"].sum()]}
        )
        table.index = [*(f"r{i}" for i in range(len(mine))), "All"]
        safe = suppress_table(table, ["n"], total_row="All").rename(columns={"n": "Children"})
        naive.append(Shown(f"focus {code}", f"in of {code}", safe.reset_index(drop=True)))
    pair_relations = [r for r in relations if r.total[0].startswith("out of ")]
    assert attack(naive, pair_relations)


def test_no_module_but_disclosure_writes_the_small_number_rule():
    """The threshold is compared with in analysis/disclosure.py only; everyone else calls it."""
    rule = re.compile(r"(<=|>=|<|>)\s*SMALL_NUMBER_MAX\b|\b1\s*<=\s*[\w\[\]().\"']+\s*<=|<=\s*5\b|>\s*5\b")
    offenders = []
    for folder in ("analysis", "reports", "maps", "ui", "app_pages"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "disclosure.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                code = line.split("#")[0]
                if rule.search(code):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, offenders


def test_the_receiving_authorities_map_shows_what_the_table_shows():
    """Three receiving authorities of 40, 7 and 3 children: the 3 is hidden, and the 7 with it (else 50 less
    the others gives 3). The map's tooltip must not show the 7 that the table hides."""
    from ui.panel import breakdown_table, receiving_texts

    summary = pd.DataFrame(
        {
            "PL_LA_NAME": ["Kent", "Medway", "Bexley", "All"],
            "children": [40, 7, 3, 50],
            "outside": [0, 7, 3, 10],
            "percent_outside": [0.0, 100.0, 100.0, 20.0],
            "over_20_miles": [5, 0, 3, 8],
            "percent_over_20_miles": [12.5, 0.0, 100.0, 16.0],
            "median_miles": [6.0, 9.0, 40.0, 7.0],
            "distance_unknown": [0, 0, 0, 0],
        }
    )
    table = breakdown_table(summary)
    snapshot = pd.DataFrame(
        {"PL_LA": ["E10000016", "E06000035", "E09000004"], "PL_LA_NAME": ["Kent", "Medway", "Bexley"]}
    )
    texts = receiving_texts(snapshot, table)
    assert texts.to_dict() == {"E10000016": "40", "E06000035": "c", "E09000004": "c"}
