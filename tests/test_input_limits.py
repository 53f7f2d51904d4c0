"""Issue 15: files a council might load, read without crash, silent loss, blow-up or impossible values."""
from __future__ import annotations

import pandas as pd

from data.quality import SET_ASIDE
from data.readers import InputFile, read_inputs
from tests.test_readers import assert_accounting


def _csv(text: str, name: str = "file.csv") -> InputFile:
    return InputFile(name, text.encode("utf-8"))


# --------------------------------------------------------------------------- impossible times
def test_times_outside_the_day_are_set_aside_with_row_column_and_value():
    text = ("CHILD,DECOM,DEC,PLACE\n"
            "1,31/03/2023 99:00,,U4\n"
            "2,01/05/2023 25:61,,U4\n"
            "3,01/05/2023 23:59:59,,U4\n"
            "4,01/05/2023,31/03/2024 24:00,U4\n"
            "5,2023-05-01T12:60,,U4\n")
    ds = read_inputs([_csv(text, "eps.csv")])
    issues = ds.quality.to_frame().set_index("row")
    for row, column, value in ((2, "DECOM", "31/03/2023 99:00"), (3, "DECOM", "01/05/2023 25:61"),
                               (5, "DEC", "31/03/2024 24:00"), (6, "DECOM", "2023-05-01T12:60")):
        assert issues.loc[row, "severity"] == SET_ASIDE
        assert issues.loc[row, "column"] == column and issues.loc[row, "value"] == value
        assert "00:00-23:59:59" in issues.loc[row, "reason"]
    assert ds.episodes["CHILD"].tolist() == ["3"]
    assert ds.episodes["DECOM"].tolist() == [pd.Timestamp("2023-05-01 23:59:59")]
    assert_accounting(ds)
