"""Naming children's services authorities: GSS codes, DfE codes, names, and the 2023 reorganisation."""

import pytest

from geo.authorities import UnknownAuthorityError, authorities, authority_for_district, resolve_authority


def test_153_authorities():
    table = authorities()
    assert len(table) == 153
    assert table["code"].is_unique and table["dfe_code"].is_unique


@pytest.mark.parametrize("value", ["E10000016", "e10000016", "886", "Kent", "KENT", "  kent "])
def test_kent_by_code_or_name_any_case(value):
    a = resolve_authority(value)
    assert (a.code, a.dfe_code, a.name) == ("E10000016", "886", "Kent")


@pytest.mark.parametrize(
    "value, code",
    [
        ("Croydon", "E09000008"),
        ("306", "E09000008"),
        ("Cumberland", "E06000063"),
        ("Westmorland and Furness", "E06000064"),
        ("North Yorkshire", "E06000065"),
        ("Somerset", "E06000066"),
        ("Barnsley", "E08000038"),
        ("E08000016", "E08000038"),  # the retired Barnsley code still resolves
        ("E08000019", "E08000039"),  # and Sheffield's
        ("Durham", "E06000047"),
    ],
)
def test_reorganised_and_recoded_authorities(value, code):
    assert resolve_authority(value).code == code


def test_unknown_authority_lists_close_matches():
    with pytest.raises(UnknownAuthorityError) as info:
        resolve_authority("Kentt")
    assert "Kent" in str(info.value)
    assert "Did you mean" in str(info.value)


def test_nonsense_authority_says_what_to_give():
    with pytest.raises(UnknownAuthorityError, match="GSS code"):
        resolve_authority("zzzzqqqq")


def test_districts_map_to_their_upper_tier():
    assert authority_for_district("E07000110").name == "Kent"  # Maidstone
    assert authority_for_district("E06000065").name == "North Yorkshire"
    assert authority_for_district("E07000026").name == "Cumberland"  # old Allerdale code
    assert authority_for_district("W06000015") is None
    assert authority_for_district(None) is None
