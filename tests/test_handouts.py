"""Per-chapter handouts and booklets, built from the mini project and read back."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from tests.support import doit

pytestmark = pytest.mark.slow

HANDOUT = "build/pdf/{edition}/a4/handouts/{slug}.pdf"
MM = 72 / 25.4


def text(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


def test_every_chapter_has_a_handout_and_a_booklet_in_each_edition(built: Path) -> None:
    found = sorted(str(p.relative_to(built / "build/pdf")) for p in (built / "build/pdf").glob("*/*/handouts/*.pdf"))
    assert found == sorted(f"{e}/a4/handouts/{c}{b}.pdf" for e in ("student", "teacher") for c in ("01-alpha", "02-beta")
                           for b in ("", "-booklet"))
    listing = doit(built, "list", "--all").stdout
    assert "handouts:teacher:a4:02-beta:booklet" in listing


def test_handout_opens_with_its_title_block(built: Path) -> None:
    first = PdfReader(built / HANDOUT.format(edition="student", slug="02-beta")).pages[0].extract_text()
    assert "A Small Test Guide" in first
    assert re.search(r"chapter 2 · student edition · may 1, 2024", first, re.I), first
    assert "Beta Chapter" in first and "Name" in first


def test_handout_notes_start_at_one_and_it_lists_only_the_sources_it_cites(built: Path) -> None:
    beta = " ".join(text(built / HANDOUT.format(edition="student", slug="02-beta")).split())
    assert "1. Chen Jian, Mao’s China and the Cold War (" in beta  # a full first note, numbered 1
    sources = beta.split("Sources cited in this chapter", 1)[1]
    assert "Chen Jian. Mao’s China and the Cold War" in sources
    assert "Khrushchev" not in sources  # cited in chapter 1 only


def test_teacher_handout_adds_the_model_answers(built: Path) -> None:
    teacher = text(built / HANDOUT.format(edition="teacher", slug="01-alpha"))
    student = text(built / HANDOUT.format(edition="student", slug="01-alpha"))
    assert "Review questions" in student and "What did Hồ ask of Khrushchev?" in student
    assert "Model answer:" in teacher and "quokka" in teacher
    assert "Model answer:" not in student and "quokka" not in student


def test_nothing_is_printed_in_the_outer_ten_millimetres(built: Path) -> None:
    """Photocopiers and home printers clip the edge of the sheet: text and rules keep 10 mm clear."""
    for pdf in sorted((built / "build/pdf").glob("*/*/handouts/*.pdf")):
        with pdfplumber.open(pdf) as document:
            for number, page in enumerate(document.pages, 1):
                for thing in page.chars + page.rects + page.lines + page.curves + page.images:
                    assert thing["x0"] >= 10 * MM and thing["x1"] <= page.width - 10 * MM, (pdf.name, number, thing)
                    assert thing["top"] >= 10 * MM and thing["bottom"] <= page.height - 10 * MM, (pdf.name, number, thing)


def test_booklet_is_imposed_on_landscape_sheets_of_the_papers_size(built: Path) -> None:
    handout = PdfReader(built / HANDOUT.format(edition="teacher", slug="01-alpha"))
    booklet = PdfReader(built / HANDOUT.format(edition="teacher", slug="01-alpha-booklet"))
    a4 = handout.pages[0].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)
    for side in booklet.pages:
        assert (round(float(side.mediabox.width)), round(float(side.mediabox.height))) == (842, 595)
    assert len(booklet.pages) % 2 == 0  # both sides of every sheet
    cover = " ".join(booklet.pages[0].extract_text().split())
    assert "A Small Test Guide" in cover and "Alpha Chapter" in cover


def test_a_handout_over_its_page_budget_is_named_with_its_page_count(project: Path) -> None:
    assert doit(project, "handouts").returncode == 0
    pages = len(PdfReader(project / HANDOUT.format(edition="teacher", slug="01-alpha")).pages)
    config = project / "book.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"handout_page_budget: {pages - 1}\n", encoding="utf-8")
    result = doit(project, "handouts")
    assert result.returncode == 0
    expected = (f"build/pdf/teacher/a4/handouts/01-alpha.pdf: warning: {pages} pages, over the handout page budget "
                f"of {pages - 1} (handout_page_budget in book.yaml)")
    assert expected in result.stderr
    assert expected in result.stdout.split("warnings:", 1)[1]  # repeated in the build's summary
