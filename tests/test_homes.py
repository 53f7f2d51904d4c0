"""Children's homes from a register or from episodes, and how many of our children each holds."""

import numpy as np
import pandas as pd

from analysis import homes as hm
from analysis.placements import add_placement_location, placements_on

REGISTER = pd.DataFrame(
    {
        "NAME": ["Canterbury House", "Taunton Lodge", "Nowhere", "Medway View"],
        "URN": ["SC123456", "1234567", "", "SC999999"],
        "POSTCODE": ["CT1 1AA", "TA1 1AA", "zz", "ME4 4AA"],
        "SECTOR": ["PRIVATE", "VOLUNTARY", "LA", "LA"],
    }
)


def test_register_geocoded_with_authority_and_boundary_distance(postcode_index):
    out = hm.homes_from_register(REGISTER, "Kent", index=postcode_index)
    assert out["NAME"].tolist() == REGISTER["NAME"].tolist()
    assert out["LA_NAME"].tolist() == ["Kent", "Somerset", "", "Medway"]
    assert out["WITHIN_LA"].tolist() == ["Y", "N", "", "N"]
    assert out.loc[2, "LOCATION_NOTE"] == "not a postcode" and np.isnan(out.loc[2, "LAT"])
    assert out.loc[0, "EASTING"] == 615886 and 51 < out.loc[0, "LAT"] < 52
    miles = out["MILES_FROM_BOUNDARY"]
    if miles.notna().any():  # boundaries available
        assert 0 < miles[0] < 15  # Canterbury is a few miles inside Kent's coast/border
        assert miles[1] > 100  # Taunton is far outside
        assert miles[3] < 5  # Chatham is next to the Medway/Kent border


def test_register_without_authority_leaves_within_blank(postcode_index):
    out = hm.homes_from_register(REGISTER, index=postcode_index)
    assert (out["WITHIN_LA"] == "").all() and out["MILES_FROM_BOUNDARY"].isna().all()


def _episodes():
    return pd.DataFrame(
        {
            "CHILD": ["a", "b", "c", "d", "e", "f"],
            "DECOM": ["01/01/2024"] * 6,
            "DEC": ["", "", "", "", "", "01/01/2025"],
            "LS": ["C2"] * 6,
            "PLACE": ["K2", "K2", "K1", "U4", "K2", "K2"],
            "PLACE_PROVIDER": ["PR4", "PR4", "PR1", "PR4", "PR5", "PR4"],
            "URN": ["SC123456", "XXXXXXX", "", "1", " sc123456", "SC777777"],
            "HOME_POST": ["ME14 1NG"] * 6,
            "PL_POST": ["CT1 1AA", "TA1 1AA", "ta11aa", "CT1 1AA", "CT1 1AA", "LS1 1AA"],
        }
    )


def test_infer_homes_from_childrens_home_episodes():
    homes = hm.infer_homes(_episodes())
    assert "CHILD" not in homes.columns
    by_name = homes.set_index("NAME")
    assert set(by_name.index) == {"Home URN SC123456", "Home at TA1 1AA", "Home URN SC777777"}
    assert by_name.loc["Home URN SC123456", "EPISODES"] == 2  # URN compared without case or spaces
    assert by_name.loc["Home at TA1 1AA", "EPISODES"] == 2  # blank / XXXXXXX URN: grouped by postcode
    assert by_name.loc["Home at TA1 1AA", "TYPE"] in ("Children's home", "Secure children's home")
    assert homes["INFERRED"].all()
    assert hm.infer_homes(_episodes().iloc[3:4]).empty


def test_home_usage_counts_children_without_identifying_them(postcode_index):
    snap = placements_on(add_placement_location(_episodes(), "Kent", index=postcode_index), "2024-06-01")
    register = REGISTER.assign(CHILD="should not survive")
    usage = hm.home_usage(register, snap)
    assert "CHILD" not in usage.columns
    assert not usage.astype(str).isin(list("abcdef")).any().any()
    counts = dict(zip(usage["NAME"], usage["OUR_CHILDREN"]))
    assert counts["Canterbury House"] == 2  # by URN (a, e)
    assert counts["Taunton Lodge"] == 2  # by postcode (b with XXXXXXX, c with blank URN)
    assert counts["Medway View"] == 0
    assert counts["Not matched to a listed home"] == 1  # f in Leeds
    assert usage["OUR_CHILDREN"].sum() == 5  # every child in a children's home, d (foster) not
