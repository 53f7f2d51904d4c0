"""Exports are safe to open in a spreadsheet and come back through pandas unchanged in meaning."""

import io

import openpyxl
import pandas as pd
import pytest

from reports.export import neutralise_formulas, to_safe_csv, to_safe_xlsx

PAYLOADS = ["=1+1", "+44 1234", "-2+3", "@SUM(A1:A2)", "\t=cmd", "\r=cmd", ' =HYPERLINK("x")']


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_cells_are_quoted_in_csv(payload):
    csv = to_safe_csv(pd.DataFrame({"NAME": [payload], "N": [3]}))
    back = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig", keep_default_na=False)
    assert back.loc[0, "NAME"].startswith("'")
    assert back.loc[0, "N"] == 3


def test_numbers_and_plain_text_are_untouched():
    frame = pd.DataFrame({"NAME": ["Oak House", "Café Ñ"], "N": [-5, 7], "SHARE": [0.25, -0.5]})
    back = pd.read_csv(io.BytesIO(to_safe_csv(frame)), encoding="utf-8-sig")
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)


def test_csv_has_a_byte_order_mark_for_excel():
    assert to_safe_csv(pd.DataFrame({"A": ["é"]})).startswith(b"\xef\xbb\xbf")


def test_column_names_are_neutralised_too():
    assert list(neutralise_formulas(pd.DataFrame({"=evil": [1]})).columns) == ["'=evil"]


def test_xlsx_cells_are_text_not_formulas():
    data = to_safe_xlsx({"hotspots": pd.DataFrame({"NAME": ["=1+1", "fine"], "N": [1, 2]})})
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].value == "'=1+1"
    assert sheet["A2"].data_type == "s"
    assert sheet["B3"].value == 2


def test_xlsx_sheet_names_are_made_valid_and_unique():
    data = to_safe_xlsx(
        {"a/b:c*?[x]": pd.DataFrame({"N": [1]}), "a_b_c__x_": pd.DataFrame({"N": [2]}), "": pd.DataFrame()}
    )
    names = openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    assert names == ["a_b_c___x_", "a_b_c__x_", "Sheet"]
