"""Column names and code lists of the inputs, named once.

903 codes follow the DfE SSDA903 guidance as the published validator reads it
(see docs/inputs.md and ../shared/reference/ssda903.md).
"""

from __future__ import annotations

from datetime import date

# ---------------------------------------------------------------- 903 collection year
# A return covers the year from 1 April to 31 March and is named by the year it ends in (2026: April 2025 to
# March 2026).
YEAR_START_MONTH, YEAR_START_DAY = 4, 1
YEAR_END_MONTH, YEAR_END_DAY = 3, 31


def collection_year(end_year: int) -> tuple[date, date]:
    """First and last day of the collection year that ends on 31 March ``end_year``."""
    return date(end_year - 1, YEAR_START_MONTH, YEAR_START_DAY), date(end_year, YEAR_END_MONTH, YEAR_END_DAY)


def collection_year_holding(on: date) -> tuple[date, date]:
    """First and last day of the collection year that holds the day ``on``."""
    return collection_year(on.year + 1 if (on.month, on.day) >= (YEAR_START_MONTH, YEAR_START_DAY) else on.year)


# ---------------------------------------------------------------- 903 tables
HEADER_COLUMNS = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
EPISODES_COLUMNS = [
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
]
MISSING_COLUMNS = ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"]
UASC_COLUMNS = ["CHILD", "SEX", "DOB", "DUC"]

# Date columns per table (dd/mm/yyyy in the return; ISO in pooled multi-council files).
DATE_COLUMNS = {
    "header": ["DOB", "MC_DOB"],
    "episodes": ["DECOM", "DEC"],
    "missing": ["DOB", "MIS_START", "MIS_END"],
    "uasc": ["DOB", "DUC"],
    "missing_log": ["MIS_START", "MIS_END", "RHI_OFFERED", "RHI_DONE"],
}

# Columns that pooled (multi-council) files add.
POOLED_COLUMNS = ["LA", "YEAR"]

# Where each row came from, for the data-quality report.
SOURCE_FILE = "SOURCE_FILE"
SOURCE_ROW = "SOURCE_ROW"  # 1-based line number as a spreadsheet shows it (header is row 1)

# ---------------------------------------------------------------- missing-team log
MISSING_LOG_REQUIRED = ["CHILD", "MIS_START"]
RISK_FLAGS = ["CSE", "CCE", "GANG", "COUNTY_LINES", "TRAFFICKED", "SUBSTANCE"]
# The exploitation risks the briefing packs report (a MASE panel's questions), in this order.
PACK_RISK_FLAGS = ["CSE", "GANG", "CCE"]
RISK_FLAG_LABELS = {
    "CSE": "child sexual exploitation",
    "CCE": "child criminal exploitation",
    "GANG": "gang affiliation",
    "COUNTY_LINES": "county lines",
    "TRAFFICKED": "trafficking",
    "SUBSTANCE": "substance misuse",
}
MISSING_LOG_COLUMNS = [
    "CHILD",
    "MISSING",
    "MIS_START",
    "MIS_END",
    "FROM_POST",
    "FOUND_POST",
    "FOUND_LAT",
    "FOUND_LON",
    "RHI_OFFERED",
    "RHI_DONE",
    "RHI_ACCEPTED",
    *RISK_FLAGS,
    "NOTES",
]
# Free text that must never leave the analyst's own view.
ANALYST_ONLY_COLUMNS = ["NOTES"]

# ---------------------------------------------------------------- homes register and costs
HOMES_COLUMNS = ["NAME", "URN", "POSTCODE", "SECTOR", "TYPE", "PLACES", "OFSTED_RATING", "PROVIDER"]
HOME_SECTORS = ["LA", "PRIVATE", "VOLUNTARY"]
OFSTED_RATINGS = ["Outstanding", "Good", "Requires improvement", "Inadequate", "Not yet inspected"]
COSTS_COLUMNS = ["PLACEMENT_GROUP", "WEEKLY_COST"]

# ---------------------------------------------------------------- 903 code lists
MISSING_CODES = {"M": "missing", "A": "away from placement without authorisation"}

PLACE_CODES = {
    "A3": "Placed for adoption with consent with current foster carer",
    "A4": "Placed for adoption with consent not with current foster carer",
    "A5": "Placed for adoption with placement order with current foster carer",
    "A6": "Placed for adoption with placement order not with current foster carer",
    "H5": "Semi-independent living not subject to children's homes regulations",
    "K1": "Secure children's home",
    "K2": "Children's home",
    "K3": "Registered supported accommodation",
    "P1": "Placed with own parent(s)",
    "P2": "Independent living",
    "P3": "Residential employment",
    "R1": "Residential care home",
    "R2": "NHS/health establishment",
    "R3": "Family centre or mother and baby unit",
    "R5": "Young offender institution",
    "S1": "Residential school",
    "T0": "Temporary move",
    "T1": "Temporary: hospital",
    "T2": "Temporary: holiday",
    "T3": "Temporary: while foster carer on holiday",
    "T4": "Temporary accommodation of 7 days or less",
    "U1": "Foster with relative or friend: long term",
    "U2": "Foster with relative or friend: fostering for adoption",
    "U3": "Foster with relative or friend: other",
    "U4": "Foster with other carer: long term",
    "U5": "Foster with other carer: fostering for adoption",
    "U6": "Foster with other carer: other",
    "Z1": "Other placement",
    "Z11": "Other placement (2025/26 code)",
    "Z12": "Other placement (2025/26 code)",
    "Z13": "Other placement (2025/26 code)",
    "Z14": "Other placement (2025/26 code)",
}

# PLACE codes valid in a return, by the year it is due (2026 = April 2025 to March 2026), as the
# DfE validator's rule 146 lists them: K3 from 2024/25 (its list writes "k3"); H5, P2 and Z1
# replaced by K3 and Z11-Z14 from 2025/26.
_PLACE_CODES_2024 = (
    "A3",
    "A4",
    "A5",
    "A6",
    "H5",
    "K1",
    "K2",
    "P1",
    "P2",
    "P3",
    "R1",
    "R2",
    "R3",
    "R5",
    "S1",
    "T0",
    "T1",
    "T2",
    "T3",
    "T4",
    "U1",
    "U2",
    "U3",
    "U4",
    "U5",
    "U6",
    "Z1",
)
_PLACE_CODES_2026 = tuple(c for c in _PLACE_CODES_2024 if c not in ("H5", "P2", "Z1")) + (
    "K3",
    "Z11",
    "Z12",
    "Z13",
    "Z14",
)


def place_codes_for_year(year: int) -> frozenset[str]:
    """PLACE codes valid in the return due in ``year`` (e.g. 2026 for 2025/26)."""
    if year <= 2024:
        return frozenset(_PLACE_CODES_2024)
    if year == 2025:
        return frozenset(_PLACE_CODES_2024 + ("K3",))
    return frozenset(_PLACE_CODES_2026)


# Placement type groups as panels read them (DfE publication groupings).
GROUP_FOSTER_RELATIVE = "Foster with relatives or friends"
GROUP_FOSTER_OTHER = "Other foster care"
GROUP_RESIDENTIAL = "Children's homes and secure"
GROUP_SUPPORTED = "Supported and independent living"
GROUP_PARENTS = "With parents"
GROUP_ADOPTION = "Placed for adoption"
GROUP_OTHER = "Other"
PLACEMENT_GROUPS = [
    GROUP_FOSTER_RELATIVE,
    GROUP_FOSTER_OTHER,
    GROUP_RESIDENTIAL,
    GROUP_SUPPORTED,
    GROUP_PARENTS,
    GROUP_ADOPTION,
    GROUP_OTHER,
]
PLACE_GROUP = {
    **{c: GROUP_FOSTER_RELATIVE for c in ("U1", "U2", "U3")},
    **{c: GROUP_FOSTER_OTHER for c in ("U4", "U5", "U6")},
    **{c: GROUP_RESIDENTIAL for c in ("K1", "K2", "R1", "R5", "S1")},
    **{c: GROUP_SUPPORTED for c in ("H5", "K3", "P2", "P3")},
    "P1": GROUP_PARENTS,
    **{c: GROUP_ADOPTION for c in ("A3", "A4", "A5", "A6")},
    **{c: GROUP_OTHER for c in ("R2", "R3", "T0", "T1", "T2", "T3", "T4", "Z1", "Z11", "Z12", "Z13", "Z14")},
}
# The cost table splits secure children's homes (K1) from other residential care: panels must see
# secure care's tiny share of children beside its large share of cost.
GROUP_SECURE = "Secure children's homes"
COST_GROUPS = [
    GROUP_FOSTER_RELATIVE,
    GROUP_FOSTER_OTHER,
    GROUP_RESIDENTIAL,
    GROUP_SECURE,
    GROUP_SUPPORTED,
    GROUP_PARENTS,
    GROUP_ADOPTION,
    GROUP_OTHER,
]
# ILLUSTRATIVE ONLY (pounds per child per week): round figures of the order councils report, not a
# published source. The app and the demo label them so; a council replaces them with its own.
ILLUSTRATIVE_WEEKLY_COSTS = dict(zip(COST_GROUPS, [420, 850, 6500, 9000, 2200, 150, 300, 1500]))

# Placements in children's homes (used to infer homes when no register is given).
CHILDRENS_HOME_PLACES = ("K1", "K2")
SECURE_PLACES = ("K1",)

PROVIDER_CODES = {
    "PR0": "Parent(s) or other person with parental responsibility",
    "PR1": "Own provision (by the local authority)",
    "PR2": "Other local authority provision",
    "PR3": "Other public provision",
    "PR4": "Private provision",
    "PR5": "Voluntary or third sector provision",
}
PROVIDER_GROUP = {
    "PR0": "Parents",
    "PR1": "Own provision",
    "PR2": "Other local authority",
    "PR3": "Other public",
    "PR4": "Private",
    "PR5": "Voluntary",
}

LEGAL_STATUS_CODES = ["C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4"]
# Short breaks: no postcodes expected, and not counted as children looked after at a snapshot.
SHORT_BREAK_LS = ("V3", "V4")
RNE_CODES = ["S", "L", "P", "T", "B", "U"]
REC_STILL_IN_CARE = "X1"
REC_CODES = [
    "X1",
    "E11",
    "E12",
    "E13",
    "E14",
    "E15",
    "E16",
    "E17",
    "E2",
    "E3",
    "E41",
    "E45",
    "E46",
    "E47",
    "E48",
    "E4A",
    "E4B",
    "E5",
    "E6",
    "E7",
    "E8",
    "E9",
]
CIN_CODES = [f"N{i}" for i in range(1, 9)]

# ---------------------------------------------------------------- derived placement columns
DISTANCE_BANDS = ["0-5", "5-10", "10-20", "20-50", "50-100", "over 100"]
DISTANCE_BAND_EDGES = [0, 5, 10, 20, 50, 100]  # miles; a band includes its lower edge
OVER_DISTANCE_MILES = 20  # DfE's statistical threshold, not the legal test
UNKNOWN_DISTANCE = 999.9  # the DfE sentinel for "cannot be measured"
