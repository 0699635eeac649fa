"""Release-gate checks: content inside the print-safe margin; every bibliography entry cited or vouched for.

The margin check is fed PDFs that WeasyPrint lays out here, one good and several bad (a long
unbreakable URL, a rule 3 mm from the edge, a full-bleed cover); the uncited check is fed the mini
project with a hand-written bibliography, so each test can fail for the one reason it names.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from studyguide.checks import all_page_margins, check_page_margins, check_uncited
from studyguide.config import load_book
from tests.support import MINI, doit

PAGE = "@page {{ size: A4; margin: {margin}; }} body {{ font-family: 'Noto Serif'; font-size: 11pt; }}"


def make_pdf(path: Path, body: str, margin: str = "20mm", css: str = "") -> Path:
    from weasyprint import CSS, HTML

    HTML(string=f"<html><body>{body}</body></html>").write_pdf(
        path, stylesheets=[CSS(string=PAGE.format(margin=margin) + css)])
    return path


def test_a_page_that_keeps_its_margins_passes(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "good.pdf", "<h1>Title</h1>" + "<p>Plain text that wraps normally. </p>" * 40
                   + "<hr><p>https://example.com/a/short/url</p>")
    assert check_page_margins(pdf) == []


def test_a_long_unbreakable_string_is_reported_with_its_page_edge_and_text(tmp_path: Path) -> None:
    """WeasyPrint breaks a URL after '/', so the overflowing run is the longest unbreakable segment."""
    word = "https://example.com/" + "Unbreakable" * 20
    pdf = make_pdf(tmp_path / "url.pdf", "<p>First page.</p><p style='break-before: page'>See " + word + ".</p>")
    problems = check_page_margins(pdf)
    assert len(problems) == 1, problems
    assert re.fullmatch(rf"{re.escape(str(pdf))}: page 2: content reaches \d+\.\d mm beyond the right edge "
                        r"\(text 'UnbreakableUnbreakab…'\)", problems[0]), problems


def test_a_rule_drawn_3_mm_from_the_edge_is_reported(tmp_path: Path) -> None:
    body = "<p>Text.</p><div style='position: fixed; left: -17mm; top: 40mm; width: 50mm; border-top: 1pt solid black'></div>"
    problems = check_page_margins(make_pdf(tmp_path / "rule.pdf", body))
    assert len(problems) == 1, problems
    assert re.search(r": page 1: content reaches 3\.\d mm from the left edge \((rect|line|curve)\)$", problems[0]), problems


def test_text_in_a_narrow_page_margin_is_reported(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "narrow.pdf", "<p style='margin: 0 0 0 2mm'>Hello margin</p>", margin="70mm 5mm",
                   css="body { margin: 0 }")
    assert check_page_margins(pdf) == [f"{pdf}: page 1: content reaches 7.0 mm from the left edge (text 'Hello')"]


def test_full_bleed_artwork_passes_only_on_a_bleed_page(tmp_path: Path) -> None:
    cover = ("<div style='position: fixed; left: -20mm; top: -20mm; width: 210mm; height: 297mm; background: #123'>"
             "</div><p>Cover text well inside.</p>")
    pdf = make_pdf(tmp_path / "cover.pdf", cover)
    assert check_page_margins(pdf, bleed_pages=(1,)) == []
    assert {p.split("(")[-1] for p in check_page_margins(pdf)} == {"rect)"}


def test_the_margins_of_many_pdfs_are_checked_in_parallel_with_the_same_results(tmp_path: Path) -> None:
    good = make_pdf(tmp_path / "good.pdf", "<p>Plain text.</p>")
    narrow = make_pdf(tmp_path / "narrow.pdf", "<p style='margin: 0 0 0 2mm'>Hello margin</p>", margin="70mm 5mm",
                      css="body { margin: 0 }")
    pdfs = [good, narrow, good]
    assert all_page_margins(pdfs) == {pdf: check_page_margins(pdf) for pdf in pdfs}
    assert all_page_margins([narrow])[narrow] and all_page_margins([]) == {}


# --- every entry cited or listed ---------------------------------------------------------------------

CITED = ["chen2001mao", "memcon1961khrushchevho"]  # what the mini chapters cite


def mini_with_bibliography(tmp_path: Path, keys: list[str], uncited: str | None) -> Path:
    project = tmp_path / "mini"
    shutil.copytree(MINI, project)
    config = project / "book.yaml"
    text = re.sub(r"\n  uncited: .*\n", "\n", config.read_text(encoding="utf-8"))
    if uncited is not None:
        text += f"  uncited: {uncited}\n"
    config.write_text(text, encoding="utf-8")
    csl = project / "build" / "bib" / "bibliography.json"
    csl.parent.mkdir(parents=True)
    csl.write_text(json.dumps([{"id": k, "type": "book", "title": k} for k in keys]), encoding="utf-8")
    return project


def test_every_entry_cited_or_listed_passes(tmp_path: Path) -> None:
    project = mini_with_bibliography(tmp_path, [*CITED, "minisource"], "[minisource]")
    assert check_uncited(load_book(project)) == []


def test_an_entry_neither_cited_nor_listed_is_reported(tmp_path: Path) -> None:
    project = mini_with_bibliography(tmp_path, [*CITED, "minisource", "forgotten1999"], "[minisource]")
    assert check_uncited(load_book(project)) == [
        "forgotten1999: neither cited nor listed under bibliography.uncited in book.yaml"]


def test_an_unknown_key_in_the_uncited_list_is_an_error_with_the_nearest_key(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    project = mini_with_bibliography(tmp_path, [*CITED, "minisource"], "[minisorce]")
    monkeypatch.chdir(project)
    problems = check_uncited(load_book(project))
    assert problems == [
        "book.yaml:17: error: 'uncited' lists 'minisorce', which is not in the bibliography "
        "(did you mean 'minisource'?)",
        "minisource: neither cited nor listed under bibliography.uncited in book.yaml"]


def test_listing_a_cited_key_as_uncited_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = mini_with_bibliography(tmp_path, [*CITED, "minisource"], "[minisource, chen2001mao]")
    monkeypatch.chdir(project)
    assert check_uncited(load_book(project)) == ["book.yaml:17: error: 'uncited' lists 'chen2001mao', but it is cited"]


def test_uncited_must_be_a_list_of_keys(tmp_path: Path) -> None:
    from studyguide.errors import StudyguideError

    project = mini_with_bibliography(tmp_path, CITED, "{a: 1}")
    with pytest.raises(StudyguideError, match="bibliography: field 'uncited' must be a list, not a mapping"):
        load_book(project)


@pytest.mark.slow
def test_doit_check_passes_on_the_built_mini_project(built: Path) -> None:
    result = doit(built, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "check: 20 passed, 0 failed" in result.stdout  # the layout check of every PDF is one of them


@pytest.mark.slow  # builds the whole project and runs Ace on both EPUBs
def test_doit_check_fails_on_an_unlisted_uncited_entry_and_reports_briefly(project: Path) -> None:
    config = project / "book.yaml"
    config.write_text(re.sub(r"\n  uncited: .*\n", "\n", config.read_text(encoding="utf-8")), encoding="utf-8")
    result = doit(project, "check")
    assert result.returncode != 0
    report = [line for line in result.stdout.splitlines() if re.match(r"\s+(ok  |FAIL) ", line)]
    failed = [line for line in report if "FAIL" in line]
    assert failed == ["  FAIL every entry cited or listed as uncited: build/bib/bibliography.json"], result.stdout
    # one line per check: 2 book-wide, 2 per EPUB (EPUBCheck, Ace), 4 per PDF (with pdfua), 3 for handouts,
    # 2 for booklets, 1 for the layout of every PDF
    assert len(report) == 20, report
    assert "minisource: neither cited nor listed under bibliography.uncited in book.yaml" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
