"""Saddle-stitch imposition: the order on the sheets, and a real imposed PDF read back."""

from __future__ import annotations

from io import BytesIO

import pdfplumber
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from studyguide.booklet import impose, padded, reading_order, sheet_sides


def test_eight_pages_print_as_the_classic_booklet_order() -> None:
    # 1-based: sheet 1 front 8|1, back 2|7; sheet 2 front 6|3, back 4|5.
    assert sheet_sides(8) == [(7, 0), (1, 6), (5, 2), (3, 4)]


def test_six_pages_are_padded_with_blanks_at_the_end() -> None:
    assert padded(6) == 8
    assert sheet_sides(6) == [(None, 0), (1, None), (5, 2), (3, 4)]


@given(st.integers(min_value=1, max_value=200))
def test_any_page_count_folds_into_a_booklet_that_reads_in_order(pages: int) -> None:
    sides = sheet_sides(pages)
    assert len(sides) % 2 == 0 and padded(pages) % 4 == 0 and padded(pages) - pages < 4
    assert reading_order(sides) == [*range(pages), *[None] * (padded(pages) - pages)]


def numbered_pdf(pages: int, width: float = 420.0, height: float = 595.0) -> bytes:
    """A PDF whose page i shows the word 'pageI' (drawn with pdfplumber-readable text)."""
    from weasyprint import HTML

    body = "".join(f'<p style="break-after: page">page{i + 1}</p>' for i in range(pages))
    return HTML(string=f"<style>@page {{ size: {width}pt {height}pt; margin: 20pt }}</style>{body}").write_pdf()


def test_imposed_pdf_puts_each_page_on_the_right_half_of_the_right_side() -> None:
    data, sheets = impose(numbered_pdf(6))
    assert sheets == 2
    reader = PdfReader(BytesIO(data))
    assert len(reader.pages) == 4
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == (840.0, 595.0)  # two pages side by side, landscape
    found = []
    with pdfplumber.open(BytesIO(data)) as pdf:
        for side in pdf.pages:
            halves = (side.crop((0, 0, side.width / 2, side.height)), side.crop((side.width / 2, 0, side.width, side.height)))
            found.append(tuple((half.extract_text() or "").strip() for half in halves))
    assert found == [("", "page1"), ("page2", ""), ("page6", "page3"), ("page4", "page5")]


def test_imposition_is_reproducible() -> None:
    source = numbered_pdf(5)
    assert impose(source)[0] == impose(source)[0]
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    one = BytesIO()
    writer.write(one)
    assert len(PdfReader(BytesIO(impose(one.getvalue())[0])).pages) == 2  # a one-page handout: one sheet
