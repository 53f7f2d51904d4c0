"""The journeys map: aggregates only, small numbers not drawn for panels, text escaped, payload small."""

import numpy as np
import pandas as pd

from analysis.journeys import JOURNEY_COLUMNS
from maps.common import map_html
from maps.journeys_map import MAX_JOURNEYS, journeys_map

HOSTILE = "<img src=x onerror=alert(1)>"


def _journeys(children):
    n = len(children)
    return pd.DataFrame(
        {
            "from_sector": [f"CT9 {i % 10}" for i in range(n)],
            "to_kind": "district",
            "to_id": "E06000035",
            "to_name": [HOSTILE] * n,
            "episodes": children,
            "children": children,
            "flag_episodes": 1,
            "flag_recorded": 2,
            "flag_share": 0.5,
            "median_miles": 3.2,
            "from_easting": 635000.0 + np.arange(n),
            "from_northing": 170000.0,
            "to_easting": 576757.0,
            "to_northing": 167750.0,
        }
    )[JOURNEY_COLUMNS]


def test_panel_map_draws_no_journey_or_link_of_one_to_five_children():
    journeys = _journeys([1, 5, 6, 40])
    spots = pd.DataFrame(
        {"hotspot_id": [0, 1, 2], "easting": [635000.0, 600000.0, 576000.0], "northing": [170000.0, 150000.0, 167000.0]}
    )
    links = pd.DataFrame(
        {"hotspot_a": [0, 0], "hotspot_b": [1, 2], "children": [7, 3], "episodes_a": [9, 3], "episodes_b": [8, 4]}
    )
    places = pd.DataFrame(
        {"label": ["CT9 1AA"], "note": ["seen with older males"], "easting": [635576.0], "northing": [170803.0]}
    )
    panel = journeys_map(journeys, hotspots=spots, links=links, places=places, suppress_small=True, flag_label="CSE")
    assert panel.journey_summary["journeys"]["drawn"] == 2 and panel.journey_summary["journeys"]["small"] == 2
    assert panel.journey_summary["links"]["drawn"] == 1
    html = map_html(panel)
    assert "children: 1;" not in html and "children: 5;" not in html and "children: 6;" in html
    assert "seen at both: 3" not in html and "seen at both: 7" in html
    assert "older males" not in html and "Place of concern" not in html  # never on a panel map
    analyst = map_html(journeys_map(journeys, hotspots=spots, links=links, places=places, flag_label="CSE"))
    assert "children: 1;" in analyst and "seen at both: 3" in analyst and "older males" in analyst


def test_text_is_escaped():
    html = map_html(journeys_map(_journeys([8]), flag_label="<b>flag</b>"))
    assert HOSTILE not in html and "\\u0026lt;img src=x" in html  # escaped, then JSON-encoded
    assert "<b>flag</b>" not in html and "&lt;b&gt;flag" in html


def test_payload_stays_small_with_many_journeys():
    m = journeys_map(_journeys(list(range(1, 6001))))
    assert m.journey_summary["journeys"]["drawn"] == MAX_JOURNEYS
    assert len(map_html(m).encode()) < 3_000_000
