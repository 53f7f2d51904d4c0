"""A briefing pack as PDF (reportlab, A4), with the same content as the HTML page.

The classification is drawn at the top and bottom of every page, and "SYNTHETIC DATA" across
every page when the data are synthetic. Built-in PDF fonts only, so nothing is fetched.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from reports.pack import (
    CLASSIFICATION,
    SUPPRESSION_NOTE,
    SYNTHETIC_NOTE,
    FigureBlock,
    TableBlock,
    TextBlock,
)

__all__ = ["render_pdf"]

_MARGIN = 16 * mm


def _styles():
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontSize=20, leading=24, alignment=0),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], spaceBefore=10, keepWithNext=True),
        "h3": ParagraphStyle("h3", parent=base["Heading3"], spaceBefore=6, spaceAfter=3, keepWithNext=True),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontSize=9.5, leading=12),
        "label": ParagraphStyle(
            "label", parent=base["BodyText"], fontSize=8, leading=10, textColor=colors.HexColor("#333333"), spaceAfter=8
        ),
        "cell": ParagraphStyle("cell", parent=base["BodyText"], fontSize=7.5, leading=9),
        "head": ParagraphStyle("head", parent=base["BodyText"], fontSize=7.5, leading=9, fontName="Helvetica-Bold"),
        "note": ParagraphStyle(
            "note",
            parent=base["BodyText"],
            fontSize=9.5,
            leading=12,
            backColor="#f0f0f0",
            borderPadding=4,
            spaceBefore=6,
            spaceAfter=6,
        ),
        "banner": ParagraphStyle(
            "banner",
            parent=base["BodyText"],
            fontSize=11,
            leading=14,
            fontName="Helvetica-Bold",
            backColor="#ffe08a",
            borderPadding=5,
            alignment=1,
            spaceAfter=8,
        ),
    }


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _label(block, styles) -> Paragraph:
    return Paragraph(
        f"<b>Definition:</b> {escape(block.definition)}<br/><b>Period:</b> {escape(block.period)}<br/>"
        f"<b>Denominator:</b> {escape(block.denominator)}",
        styles["label"],
    )


def _table(block: TableBlock, styles, width: float):
    frame = block.frame
    data = [[_p(c, styles["head"]) for c in frame.columns]]
    data += [[_p(v, styles["cell"]) for v in row] for row in frame.itertuples(index=False)]
    # Wide text columns (definitions, names) get more room than number columns.
    # Short columns (numbers) get what they need; long text columns share the rest.
    needs = []
    for col in frame.columns:
        longest_value = max([len(str(v)) for v in frame[col].tolist()] or [0])
        longest_word = max(len(w) for w in str(col).split() or [""])
        needs.append(max(longest_value, longest_word, 3) * 1.9 * mm + 6)
    short = [n <= 30 * mm for n in needs]
    fixed = sum(n for n, s in zip(needs, short) if s)
    flexible = [n for n, s in zip(needs, short) if not s]
    rest = max(width - fixed, 30 * mm * len(flexible))
    widths = [n if s else rest * n / sum(flexible) for n, s in zip(needs, short)]
    if sum(widths) > width:
        widths = [w * width / sum(widths) for w in widths]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return [_p(block.title, styles["h3"]), table, _label(block, styles)]


def _figure(block: FigureBlock, styles, width: float):
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(block.png)) as img:
        w, h = img.size
    draw_w = min(width, 160 * mm)
    draw_h = draw_w * h / w
    if draw_h > 170 * mm:
        draw_h = 170 * mm
        draw_w = draw_h * w / h
    image = Image(io.BytesIO(block.png), width=draw_w, height=draw_h)
    return [_p(block.title, styles["h3"]), image, _label(block, styles)]


def render_pdf(briefing) -> bytes:
    """The pack as PDF bytes."""
    styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=22 * mm,
        bottomMargin=20 * mm,
        title=f"{briefing.title}: {briefing.authority_name}",
        author="care-map",
        subject=CLASSIFICATION,
    )
    width = A4[0] - 2 * _MARGIN

    def on_page(canvas, _doc):
        canvas.saveState()
        page_w, page_h = A4
        if briefing.synthetic:
            canvas.setFont("Helvetica-Bold", 48)
            canvas.setFillColor(colors.Color(0.85, 0.6, 0.0, alpha=0.18))
            canvas.translate(page_w / 2, page_h / 2)
            canvas.rotate(45)
            canvas.drawCentredString(0, 0, "SYNTHETIC DATA")
            canvas.rotate(-45)
            canvas.translate(-page_w / 2, -page_h / 2)
        canvas.setFillColor(colors.black)
        if briefing.synthetic:
            canvas.setFont("Helvetica-Bold", 9)
            canvas.setFillColor(colors.HexColor("#8a6100"))
            canvas.drawString(_MARGIN, page_h - 12 * mm, "SYNTHETIC DATA")
            canvas.setFillColor(colors.black)
        canvas.setFont("Helvetica-Bold", 10)
        canvas.drawCentredString(page_w / 2, page_h - 12 * mm, CLASSIFICATION)
        canvas.drawCentredString(page_w / 2, 10 * mm, CLASSIFICATION)
        canvas.setFont("Helvetica", 8)
        canvas.drawRightString(page_w - _MARGIN, 10 * mm, f"Page {canvas.getPageNumber()}")
        canvas.drawString(_MARGIN, 10 * mm, f"{briefing.authority_name}, {briefing.period_text}")
        canvas.restoreState()

    story = []
    if briefing.synthetic:
        story.append(_p(SYNTHETIC_NOTE, styles["banner"]))
    story.append(_p(briefing.title, styles["title"]))
    produced = briefing.produced.strftime("%d %B %Y %H:%M UTC")
    front = [
        ("Authority", f"{briefing.authority_name} ({briefing.authority_code})"),
        ("Period", briefing.period_text),
        ("Date produced", produced),
        ("Classification", CLASSIFICATION),
        ("Data sources", "; ".join(briefing.sources)),
    ]
    front_table = Table(
        [[_p(k, styles["head"]), _p(v, styles["body"])] for k, v in front], colWidths=[35 * mm, width - 35 * mm]
    )
    front_table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [
        Spacer(1, 6 * mm),
        front_table,
        Spacer(1, 6 * mm),
        _p(SUPPRESSION_NOTE, styles["note"]),
        _p(
            "Aggregate figures only: no child is named or identified, and no address finer than a postcode "
            "sector is shown. Maps show areas and hotspot outlines, never where a child lives.",
            styles["note"],
        ),
    ]
    # The first section follows the front matter on page 1 (a page break left it two-thirds empty). Each block
    # (heading, table or map, definition) is kept on one page, and a section's heading with its first block,
    # so no heading is left at the foot of a page.
    for section in briefing.sections:
        heading = [_p(section.title, styles["h2"])]
        for block in section.blocks:
            if isinstance(block, TableBlock):
                parts = _table(block, styles, width)
            elif isinstance(block, FigureBlock):
                parts = _figure(block, styles, width)
            elif isinstance(block, TextBlock):
                parts = [_p(block.text, styles["body"])]
            else:
                continue
            if isinstance(block, TextBlock) and heading:
                heading += parts  # a section's opening note stays with its heading and the table after it
                continue
            story.append(KeepTogether(heading + parts))
            heading = []
        story += heading
        story.append(Spacer(1, 4 * mm))
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
