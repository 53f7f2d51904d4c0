"""The SSD tables and columns this app reads, and the stored values each case-management system writes.

Names follow the SSD's SQL Server DDL (v1.4.5; ../shared/reference/ssd.md). ``required`` columns must exist
for the table to be used at all; an absent ``optional`` column is read as blank and named in the
data-quality report.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CHILD_ID_COLUMNS",
    "DEFAULT_HOME_ADDRESS_TYPES",
    "FACTOR_FLAGS",
    "MISSING_TYPE_VALUES",
    "RHI_NOT_APPLICABLE",
    "RHI_VALUES",
    "SSD_TABLES",
    "SSDTable",
]


@dataclass(frozen=True)
class SSDTable:
    name: str
    key: str  # the column that names a row in the data-quality report
    required: tuple[str, ...]
    optional: tuple[str, ...]
    needed: bool = True  # False: the table may be absent (the figures it feeds are then blank)

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.required, *self.optional)


SSD_TABLES = {
    "person": SSDTable(
        "ssd_person",
        "pers_person_id",
        ("pers_person_id",),
        ("pers_legacy_id", "pers_sex", "pers_dob", "pers_ethnicity", "pers_upn", "pers_is_mother"),
    ),
    "episodes": SSDTable(
        "ssd_cla_episodes",
        "clae_cla_episode_id",
        ("clae_cla_episode_id", "clae_person_id", "clae_cla_episode_start_date"),
        (
            "clae_cla_placement_id",
            "clae_cla_episode_ceased_date",
            "clae_cla_episode_start_reason",
            "clae_cla_episode_ceased_reason",
            "clae_cla_primary_need_code",
        ),
    ),
    "placement": SSDTable(
        "ssd_cla_placement",
        "clap_cla_placement_id",
        ("clap_cla_placement_id",),
        (
            "clap_cla_placement_postcode",
            "clap_cla_placement_type",
            "clap_cla_placement_provider",
            "clap_cla_placement_urn",
            "clap_cla_placement_change_reason",
        ),
        needed=False,
    ),
    "address": SSDTable(
        "ssd_address",
        "addr_table_id",
        ("addr_person_id", "addr_address_postcode", "addr_address_start_date"),
        ("addr_table_id", "addr_address_type", "addr_address_end_date"),
        needed=False,
    ),
    "legal_status": SSDTable(
        "ssd_legal_status",
        "lega_legal_status_id",
        ("lega_person_id", "lega_legal_status", "lega_legal_status_start_date"),
        ("lega_legal_status_id", "lega_legal_status_end_date"),
        needed=False,
    ),
    "missing": SSDTable(
        "ssd_missing",
        "miss_table_id",
        ("miss_person_id", "miss_missing_episode_start_date"),
        (
            "miss_table_id",
            "miss_missing_episode_end_date",
            "miss_missing_episode_type",
            "miss_missing_rhi_offered",
            "miss_missing_rhi_accepted",
        ),
        needed=False,
    ),
    "assessments": SSDTable(
        "ssd_cin_assessments",
        "cina_assessment_id",
        ("cina_assessment_id", "cina_person_id"),
        (),
        needed=False,
    ),
    "factors": SSDTable(
        "ssd_assessment_factors",
        "cinf_table_id",
        ("cinf_assessment_id", "cinf_assessment_factors_json"),
        ("cinf_table_id",),
        needed=False,
    ),
}

# The SSD has no home postcode column; these address types count as the child's home (a setting).
# Mosaic writes MAIN, Eclipse Home, and the SSD's own category list Primary Address.
DEFAULT_HOME_ADDRESS_TYPES = ("MAIN", "Home", "Primary Address")
CHILD_ID_COLUMNS = ("pers_person_id", "pers_legacy_id")

# Stored values, upper-cased, by what they mean. SystemC copies the CMS's own value, Mosaic maps to
# M/A, Eclipse keeps the form's answer.
MISSING_TYPE_VALUES = {"M": "M", "MISSING": "M", "A": "A", "ABSENT": "A", "AWAY": "A"}
RHI_VALUES = {"Y": "Y", "YES": "Y", "N": "N", "NO": "N"}
RHI_NOT_APPLICABLE = {"NA", "N/A"}  # SystemC keeps 'NA': known, and read as blank

# CIN assessment factor codes (DfE CIN census) to the missing-team log's risk flags.
# 10A (going missing) is the episode itself, so it sets no flag; 1A/2A are the child's own alcohol/drug misuse.
FACTOR_FLAGS = {"11A": "CSE", "12A": "TRAFFICKED", "13A": "GANG", "24A": "CCE", "1A": "SUBSTANCE", "2A": "SUBSTANCE"}
