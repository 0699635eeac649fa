"""Accessibility: tagged PDF/UA-1 output checked by pdfua, EPUBs checked by Ace by DAISY.

The PDF tests lay out small documents with WeasyPrint here (fast); each bad input fails the check
for the reason it names: no tags, a figure without alt text, a table header without scope. The
EPUB tests use the session's built mini project (conftest.built) and run Ace twice (about 40 s each): on the EPUB as built,
and on a copy broken on purpose with a skipped heading level and an image without alt text.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from studyguide import epub, pdf
from studyguide.checks import check_ace, check_pdfua, find_ace

SQUARE = ("data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'>"
          "<rect width='10' height='10'/></svg>")


def page(body: str) -> str:
    return f"<html lang='en'><head><title>A test</title></head><body><h1>Heading</h1><p>Text.</p>{body}</body></html>"


def write(path: Path, html: str, variant: str | None = "pdf/ua-1") -> Path:
    from weasyprint import HTML

    pdf.complete_tags()  # as studyguide's own layout does
    HTML(string=html).write_pdf(path, **({"pdf_variant": variant} if variant else {}))
    return path


def rules(problems: list[str]) -> set[str]:
    return {m.group(1) for p in problems if (m := re.match(r"pdfua \w+ (UA-[\d-]+)", p))}


# --- PDF ----------------------------------------------------------------------------------------------

def test_a_tagged_pdf_with_alt_text_and_header_scope_passes(tmp_path: Path) -> None:
    html = page(f"<img src=\"{SQUARE}\" alt='A black square'><table><thead><tr><th>Year</th><th>Tons</th></tr>"
                "</thead><tbody><tr><td>1965</td><td>20</td></tr></tbody></table>")
    problems, notes = check_pdfua(write(tmp_path / "good.pdf", html))
    assert problems == []
    assert all("UA-14-001" in n for n in notes)  # only the rule pdfua 0.1.3 cannot evaluate, explained


def test_an_untagged_pdf_fails(tmp_path: Path) -> None:
    problems, _ = check_pdfua(write(tmp_path / "untagged.pdf", page(""), variant=None))
    assert {"UA-01-005", "UA-01-002"} <= rules(problems)
    assert problems[-1].startswith("not a tagged PDF")


def test_a_figure_without_alt_text_fails(tmp_path: Path) -> None:
    problems, _ = check_pdfua(write(tmp_path / "noalt.pdf", page(f"<img src=\"{SQUARE}\">")))
    assert rules(problems) == {"UA-13-004"}, problems


def test_table_headers_get_a_scope_that_weasyprint_alone_leaves_out(tmp_path: Path) -> None:
    import pikepdf

    html = page("<table><thead><tr><th>Year</th></tr></thead><tbody><tr><th scope='row'>1965</th></tr>"
                "<tr><td>20</td></tr></tbody></table>")
    patched = write(tmp_path / "patched.pdf", html)
    assert check_pdfua(patched)[0] == []
    with pikepdf.open(patched) as document:
        scopes = [str(obj.A.Scope) for obj in document.objects
                  if isinstance(obj, pikepdf.Dictionary) and obj.get("/S") == "/TH"]
    assert sorted(scopes) == ["/Column", "/Row"]
    # WeasyPrint 70 by itself (a fresh interpreter, no patch): the header cells carry no scope.
    plain = tmp_path / "plain.pdf"
    subprocess.run([sys.executable, "-c", "import sys; from weasyprint import HTML; "
                    "HTML(string=sys.argv[1]).write_pdf(sys.argv[2], pdf_variant='pdf/ua-1')", html, str(plain)],
                   check=True, capture_output=True)
    assert "UA-15-003" in rules(check_pdfua(plain)[0])


# --- page numbers in the EPUB ------------------------------------------------------------------------

def test_a_page_where_no_paragraph_starts_shares_the_next_pages_marker() -> None:
    pages = [{"label": "1", "first": "a"}, {"label": "2", "first": None}, {"label": "3", "first": "c"},
             {"label": "4", "first": None}]
    # page 4 has no paragraph after it: it has nowhere to go and is left out
    assert epub.page_markers(pages) == {"a": ["1"], "c": ["2", "3"]}


def test_anchors_become_page_breaks_or_disappear() -> None:
    def anchor(name: str) -> dict:
        return {"t": "Span", "c": [[name, ["page-anchor"], []], []]}

    ast = {"blocks": [{"t": "Para", "c": [anchor("x"), {"t": "Str", "c": "One"}]},
                      {"t": "Para", "c": [anchor("y"), {"t": "Str", "c": "Two"}]}]}
    placed = epub.place_page_breaks(ast, {"y": ["7"]})
    assert placed["blocks"][0]["c"] == [{"t": "Str", "c": "One"}]
    raw = placed["blocks"][1]["c"][0]
    assert raw["t"] == "RawInline" and 'epub:type="pagebreak"' in raw["c"][1] and 'id="page-7"' in raw["c"][1]


# --- the mini project's EPUBs, and Ace ------------------------------------------------------------

def read(epub_file: Path, name: str) -> str:
    with zipfile.ZipFile(epub_file) as z:
        return z.read(name).decode("utf-8")


@pytest.mark.slow
def test_box_headings_never_skip_a_level(built: Path) -> None:
    chapter = read(built / "build/epub/student/book.epub", "EPUB/text/ch002.xhtml")
    levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", chapter)]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    assert re.search(r'<h2 class="box-title[^"]*">Overview</h2>', chapter)


@pytest.mark.slow
def test_each_edition_has_its_own_identifier_and_title(built: Path) -> None:
    opfs = [read(built / f"build/epub/{e}/book.epub", "EPUB/content.opf") for e in ("student", "teacher")]
    ids = [re.search(r"<dc:identifier[^>]*>([^<]+)<", o).group(1) for o in opfs]
    titles = [re.search(r'<dc:title id="epub-title-1">([^<]+)<', o).group(1) for o in opfs]
    assert ids[0] != ids[1] and all(i.startswith("urn:uuid:") for i in ids)
    assert titles == ["A Small Test Guide — Student edition", "A Small Test Guide — Teacher edition"]


@pytest.mark.slow
def test_the_page_list_follows_the_printed_student_book(built: Path) -> None:
    printed = json.loads((built / "build/pdf/student/a4/book.pages.json").read_text(encoding="utf-8"))["pages"]
    for edition in ("student", "teacher"):
        nav = read(built / f"build/epub/{edition}/book.epub", "EPUB/nav.xhtml")
        listed = re.findall(r'<a href="text/ch\d+\.xhtml#page-([^"]+)">', nav.split('epub:type="page-list"')[1])
        assert listed == [p["label"] for p in printed][:len(listed)] and len(listed) >= len(printed) - 1
    opf = read(built / "build/epub/student/book.epub", "EPUB/content.opf")
    assert "pageBreakMarkers" in opf and "dcterms:conformsTo" in opf and "<dc:source" in opf


def broken(source: Path, out: Path) -> Path:
    """The EPUB with a heading that skips from h1 to h3 and an image without alt text in chapter 1."""
    with zipfile.ZipFile(source) as z:
        files = {i.filename: z.read(i) for i in z.infolist()}
    name = "EPUB/text/ch002.xhtml"
    text = files[name].decode("utf-8")
    text = re.sub(r"<h2 class=\"box-title[^\"]*\">Overview</h2>", "<h3>Overview</h3>", text, count=1)
    text = text.replace("</h1>", '</h1>\n<p><img src="../media/file0.svg" /></p>', 1)
    files[name] = text.encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), files.pop("mimetype"))
        for key, data in files.items():
            z.writestr(key, data, compress_type=zipfile.ZIP_DEFLATED)
    out.write_bytes(buffer.getvalue())
    return out


@pytest.mark.slow
def test_ace_passes_the_built_epub_and_fails_a_broken_one(built: Path, tmp_path: Path) -> None:
    if isinstance(find_ace(built), str):
        pytest.fail(find_ace(built))  # setup.sh installs it; a missing Ace must not pass silently
    good = built / "build/epub/student/book.epub"
    assert check_ace(built, good) == []
    problems = check_ace(built, broken(good, tmp_path / "broken.epub"))
    assert any("heading-order" in p for p in problems), problems
    assert any("image-alt" in p for p in problems), problems


def test_footnotes_are_tagged_as_notes_and_a_span_keeps_its_language(tmp_path: Path) -> None:
    import pikepdf
    from weasyprint import CSS, HTML

    pdf.complete_tags()
    html = page("<p>Said by <span lang='vi'>Hồ Chí Minh</span>.<span class='fn'>A note.</span> "
                "Then.<span class='fn'>Two.</span></p>")
    out = tmp_path / "notes.pdf"
    HTML(string=html).write_pdf(out, stylesheets=[CSS(string=".fn { float: footnote }")], pdf_variant="pdf/ua-1")
    with pikepdf.open(out) as document:
        elements = [o for o in document.objects if isinstance(o, pikepdf.Dictionary) and "/S" in o and "/P" in o]
        notes = [str(o.ID) for o in elements if o.S == "/Note"]
        languages = [str(o.Lang) for o in elements if "/Lang" in o]
    assert len(notes) == 2 and len(set(notes)) == 2
    assert languages == ["vi"]
    assert check_pdfua(out)[0] == []


def test_the_page_map_reads_printed_folios_and_skips_anchors_a_repeated_table_header_brings_back() -> None:
    from weasyprint import CSS, HTML

    def anchor(n: int) -> str:
        return f"<span class='page-anchor' id='part-x-pg-{n}'></span>"

    rows = "".join(f"<tr><td>{anchor(n)}row {n}</td></tr>" for n in range(2, 80))
    html = (f"<html lang='en'><body><p>{anchor(1)}First.</p><table><thead><tr><th>{anchor(0)}Head</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></body></html>")
    css = CSS(string="@page { size: A6; @bottom-center { content: 'p. ' counter(page, lower-roman) } } "
                     "thead { display: table-header-group }")
    pages = pdf.page_map_of(HTML(string=html).render(stylesheets=[css]))["pages"]
    assert len(pages) > 2
    assert [p["label"] for p in pages] == [f"p. {n}" for n in ("i", "ii", "iii", "iv", "v", "vi", "vii")][:len(pages)]
    firsts = [p["first"] for p in pages]
    assert firsts[0] == "part-x-pg-1" and len(set(firsts)) == len(firsts)
    assert "part-x-pg-0" not in firsts[1:]
