"""A briefing pack as one self-contained HTML page: inline CSS, maps as base64 PNG, no external reference.

Every piece of text is escaped. The classification is printed at the top and bottom of every
printed page (fixed header and footer repeat on each page when a browser prints).
"""

from __future__ import annotations

import base64
import html

from reports.pack import (
    CLASSIFICATION,
    SUPPRESSION_NOTE,
    SYNTHETIC_NOTE,
    FigureBlock,
    TableBlock,
    TextBlock,
)

__all__ = ["render_html"]

_CSS = """
@page { size: A4; margin: 22mm 15mm 20mm 15mm; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; color: #111; margin: 0 auto; max-width: 900px;
       padding: 40px 16px; }
.classification { position: fixed; left: 0; right: 0; text-align: center; font-weight: bold; letter-spacing: .08em;
                  background: #fff; padding: 4px 0; font-size: 10pt; }
.classification.top { top: 0; border-bottom: 1px solid #999; }
.classification.bottom { bottom: 0; border-top: 1px solid #999; }
.synthetic { background: #ffe08a; border: 2px solid #a67c00; padding: 8px; font-weight: bold; text-align: center;
             margin: 12px 0; }
.front { page-break-after: always; }
.front h1 { font-size: 22pt; margin-top: 30px; }
.front dl { display: grid; grid-template-columns: 12em 1fr; gap: 4px 12px; }
.front dt { font-weight: bold; }
.note { border-left: 4px solid #555; padding: 6px 10px; background: #f3f3f3; }
h2 { border-bottom: 2px solid #333; padding-bottom: 2px; margin-top: 28px; page-break-after: avoid; }
h3 { margin-bottom: 4px; page-break-after: avoid; }
table { border-collapse: collapse; margin: 6px 0; font-size: 9.5pt; page-break-inside: avoid; }
th, td { border: 1px solid #999; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #e8e8e8; }
td.num { text-align: right; }
.label { font-size: 9pt; color: #333; margin: 2px 0 14px 0; }
.label b { color: #000; }
figure { margin: 8px 0; page-break-inside: avoid; }
figure img { max-width: 100%; height: auto; border: 1px solid #ccc; }
.unavailable { color: #7a3b00; font-style: italic; }
"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _label(block) -> str:
    return (
        f'<p class="label"><b>Definition:</b> {_e(block.definition)}<br>'
        f"<b>Period:</b> {_e(block.period)}<br><b>Denominator:</b> {_e(block.denominator)}</p>"
    )


def _looks_numeric(value: str) -> bool:
    text = str(value).replace(",", "").replace("%", "").replace("£", "").replace("+", "").replace("-", "").strip()
    return text in ("c", "x") or text.replace(".", "", 1).isdigit() or text.endswith("points")


def _table(block: TableBlock) -> str:
    frame = block.frame
    head = "".join(f"<th>{_e(c)}</th>" for c in frame.columns)
    rows = []
    for values in frame.itertuples(index=False):
        cells = "".join(f'<td class="num">{_e(v)}</td>' if _looks_numeric(v) else f"<td>{_e(v)}</td>" for v in values)
        rows.append(f"<tr>{cells}</tr>")
    return (
        f"<h3>{_e(block.title)}</h3><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>{_label(block)}"
    )


def _figure(block: FigureBlock) -> str:
    data = base64.b64encode(block.png).decode("ascii")
    return (
        f'<h3>{_e(block.title)}</h3><figure><img alt="{_e(block.title)}" '
        f'src="data:image/png;base64,{data}"></figure>{_label(block)}'
    )


def render_html(briefing) -> str:
    """The pack as one HTML document (str)."""
    classification = _e(CLASSIFICATION)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # No network: forbid every external fetch even if a future edit slips one in.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
        "style-src 'unsafe-inline'\">",
        f"<title>{_e(briefing.title)}: {_e(briefing.authority_name)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f'<div class="classification top">{classification}</div>',
        f'<div class="classification bottom">{classification}</div>',
    ]
    if briefing.synthetic:
        parts.append(f'<div class="synthetic">{_e(SYNTHETIC_NOTE)}</div>')
    produced = briefing.produced.strftime("%d %B %Y %H:%M UTC")
    sources = "".join(f"<li>{_e(s)}</li>" for s in briefing.sources)
    parts += [
        '<section class="front">',
        f"<h1>{_e(briefing.title)}</h1>",
        "<dl>",
        f"<dt>Authority</dt><dd>{_e(briefing.authority_name)} ({_e(briefing.authority_code)})</dd>",
        f"<dt>Period</dt><dd>{_e(briefing.period_text)}</dd>",
        f"<dt>Date produced</dt><dd>{_e(produced)}</dd>",
        f"<dt>Classification</dt><dd>{classification}</dd>",
        f"<dt>Data sources</dt><dd><ul>{sources}</ul></dd>",
        "</dl>",
        f'<p class="note">{_e(SUPPRESSION_NOTE)}</p>',
        '<p class="note">Aggregate figures only: no child is named or identified, and no address finer than '
        "a postcode sector is shown. Maps show areas and hotspot outlines, never where a child lives.</p>",
        "</section>",
    ]
    for section in briefing.sections:
        parts.append(f"<section><h2>{_e(section.title)}</h2>")
        for block in section.blocks:
            if isinstance(block, TableBlock):
                parts.append(_table(block))
            elif isinstance(block, FigureBlock):
                parts.append(_figure(block))
            elif isinstance(block, TextBlock):
                css = ' class="unavailable"' if not section.available else ""
                parts.append(f"<p{css}>{_e(block.text)}</p>")
        parts.append("</section>")
    if briefing.synthetic:
        parts.append(f'<div class="synthetic">{_e(SYNTHETIC_NOTE)}</div>')
    parts.append("</body></html>")
    return "\n".join(parts)
