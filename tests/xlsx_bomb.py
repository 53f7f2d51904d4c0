"""Hand-made workbooks for the memory tests: one long shared string referenced by many cells.

Run as ``python tests/xlsx_bomb.py CHARS ROWS`` it reads such a workbook with the app's reader and
prints the outcome and the process's peak memory (VmHWM, MB) as JSON. Not ru_maxrss: Linux carries that
across exec from the parent, so under a 1.5 GB pytest worker it reports the worker's size.
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WB = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Episodes" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WB_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)


def _peak_kb() -> int:
    """This process's peak resident memory in KB (its own memory map's high-water mark)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def shared_string_workbook(chars: int, rows: int) -> bytes:
    """An .xlsx: CHILD, DECOM, NOTES; every row's NOTES is the same shared string of ``chars`` characters."""
    strings = (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{rows}" uniqueCount="1"><si><t>{"A" * chars}</t></si></sst>'
    )
    body = [
        '<row r="1"><c r="A1" t="inlineStr"><is><t>CHILD</t></is></c><c r="B1" t="inlineStr"><is><t>DECOM</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>NOTES</t></is></c></row>'
    ]
    for r in range(2, rows + 2):
        body.append(
            f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="inlineStr"><is><t>01/04/2023</t></is></c>'
            f'<c r="C{r}" t="s"><v>0</v></c></row>'
        )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(body)}</sheetData></worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for part, text in (
            ("[Content_Types].xml", _CT),
            ("_rels/.rels", _RELS),
            ("xl/workbook.xml", _WB),
            ("xl/_rels/workbook.xml.rels", _WB_RELS),
            ("xl/sharedStrings.xml", strings),
            ("xl/worksheets/sheet1.xml", sheet),
        ):
            z.writestr(part, text)
    return buffer.getvalue()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from data.readers import InputFile, read_inputs

    content = shared_string_workbook(int(sys.argv[1]), int(sys.argv[2]))
    dataset = read_inputs([InputFile("notes.xlsx", content)])
    print(
        json.dumps(
            {
                "bytes": len(content),
                "episodes": len(dataset.episodes),
                "errors": [i.reason for i in dataset.quality.file_errors()],
                "peak_mb": _peak_kb() / 1024,
            }
        )
    )
