"""The print edition: part fragments + Jinja print templates → one HTML document → WeasyPrint PDF.

WeasyPrint fetches images and stylesheets through a URL fetcher restricted to the project (and the
system font directories): content can never embed /etc/passwd or a network resource. A refused or
missing resource is collected and reported after layout, because WeasyPrint itself only logs it.

Every PDF is written as PDF/UA-1 (WeasyPrint's ``pdf_variant``): tagged, with the document's title
and language, headings, lists, tables and figures with their alt text in the structure tree.
WeasyPrint 70 leaves the Scope of table header cells, the Note role of footnotes and the
language of a span out of the tags; ``complete_tags`` adds them (see docs/accessibility.md).
The book also writes which printed page each paragraph anchor lands on (``page_map_of``), for the
EPUB's page list.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from .config import PAPERS, Book, Part
from .errors import Collector, StudyguideError
from .fonts import FONT_DIRS
from .fsutil import atomic_write_bytes
from .pandoc import part_outputs
from .render import locate, render

TEMPLATES = ("print/book.html.j2", "print/book.css.j2")
PDF_VARIANT = "pdf/ua-1"  # tagged PDF for assistive technology; WeasyPrint checks title and language
PAGE_ANCHOR = "page-anchor"  # the class of the empty span prepare.lua puts at the start of each paragraph


@dataclass
class Heading:
    level: int
    id: str
    text: str
    label: str = ""


class _Headings(HTMLParser):
    """Collects h1/h2 ids and texts of a fragment for the table of contents."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[Heading] = []
        self._current: Heading | None = None
        self._in_label = False
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag in ("h1", "h2") and "unlisted" not in classes:
            self._current = Heading(int(tag[1]), attributes.get("id") or "", "")
        elif self._current and tag == "span" and "part-label" in classes:
            self._in_label = True
        elif self._current and tag == "span" and "footnote" in classes:
            self._skip_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._in_label:
            self._in_label = False
        elif tag == "span" and self._skip_depth:
            self._skip_depth -= 1
        elif self._current and tag == f"h{self._current.level}":
            self._current.text = " ".join(self._current.text.split())
            self.found.append(self._current)
            self._current = None

    def handle_data(self, data: str) -> None:
        if not self._current or self._skip_depth:
            return
        if self._in_label:
            self._current.label += data
        else:
            self._current.text += data


def headings(html: str) -> list[Heading]:
    parser = _Headings()
    parser.feed(html)
    return parser.found


@dataclass
class RenderedPart:
    part: Part
    html: str
    headings: list[Heading] = field(default_factory=list)

    @property
    def title(self) -> Heading:
        return self.headings[0]


def load_parts(book: Book, parts: list[Part], edition: str) -> list[RenderedPart]:
    loaded = []
    for part in parts:
        html = part_outputs(book, part, edition).html.read_text(encoding="utf-8")
        loaded.append(RenderedPart(part, html, headings(html)))
    return loaded


def write_book(book: Book, edition: str, paper: str, out: Path) -> int:
    """Lay out one edition of the whole book on one paper size; write it atomically; return its pages."""
    templates = book.paths.template_dirs
    parts = load_parts(book, book.parts_for(edition), edition)
    html = render(templates, TEMPLATES[0], book=book.metadata(), edition=edition, paper=PAPERS[paper],
                  paper_name=paper, parts=parts)
    css = render(templates, TEMPLATES[1], book=book.metadata(), paper=PAPERS[paper])
    data, pages, page_map = render_pdf(book, html, css, locate(templates, TEMPLATES[0]) or Path(TEMPLATES[0]),
                                       with_page_map=True)
    atomic_write_bytes(out, data)
    atomic_write_bytes(page_map_path(out), json.dumps(page_map, ensure_ascii=False, indent=0).encode("utf-8"))
    return pages


def page_map_path(book_pdf: Path) -> Path:
    """The JSON sidecar of a book PDF: its printed page labels and where each paragraph anchor lands."""
    return book_pdf.with_suffix(".pages.json")


def folio(page: Any) -> str:
    """The page number printed on a laid-out page: the text of its bottom margin boxes ('' if none).

    Read from the layout rather than recomputed, so roman front matter, the restart at the first
    chapter and any change in the print CSS are followed as printed.
    """
    from weasyprint.formatting_structure import boxes

    def text(box: Any) -> str:
        if isinstance(box, boxes.TextBox):
            return box.text
        return "".join(text(child) for child in getattr(box, "children", ()))

    return " ".join(text(box).strip() for box in page._page_box.children
                    if isinstance(box, boxes.MarginBox) and box.at_keyword.startswith("@bottom")).strip()


def page_map_of(document: Any) -> dict[str, Any]:
    """Each printed page in order: its label and the first paragraph anchor that starts on it.

    prepare.lua starts every paragraph with an empty span whose id contains ``-pg-``; WeasyPrint
    records every id's page while laying out. A page without a folio (the cover) is left out; a
    page on which no paragraph starts (one long paragraph, a full-page figure) has ``first`` None.
    """
    pages = []
    seen: set[str] = set()  # a table's repeated header row brings its anchors onto every page
    for page in document.pages:
        label = folio(page)
        fresh = [name for name in page.anchors if "-pg-" in name and name not in seen]
        seen.update(fresh)
        if label:
            pages.append({"label": label, "first": fresh[0] if fresh else None})
    return {"pages": pages}


def restricted_fetcher(root: Path, document: Path) -> Any:
    """A WeasyPrint URL fetcher that reads only files inside the project or the font directories."""
    from weasyprint.urls import URLFetcher

    class RestrictedFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(allowed_protocols={"file", "data"})
            self.root = root.resolve()
            self.document = document
            self.refused: list[str] = []
            self.missing: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            parsed = urlparse(url)
            if parsed.scheme not in ("file", "data"):
                self.refused.append(f"'{url}' is a network resource; only files inside the project may be used")
                raise ValueError("refused")
            if parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()
                allowed = [self.root, *[d.resolve() for d in FONT_DIRS]]
                if not any(path.is_relative_to(base) for base in allowed):
                    self.refused.append(f"'{path}' is outside the project")
                    raise ValueError("refused")
                if not path.is_file():
                    shown = path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path)
                    self.missing.append(f"missing file '{shown}'")
                    raise FileNotFoundError(path)
            return super().fetch(url, headers)

        def raise_if_any(self) -> None:
            problems = Collector()
            for message in self.refused + self.missing:
                problems.error(self.document, None, message)
            problems.raise_if_errors()

    return RestrictedFetcher()


def complete_tags() -> None:
    """Add three things WeasyPrint 70's PDF/UA tagging leaves out, by wrapping its box-tree builder.

    * every table header cell's tag gets a Scope (/Column, or /Row for ``<th scope="row">``):
      WeasyPrint reads ``scope`` only to link data cells to their headers;
    * a footnote (an element with ``float: footnote``) is tagged /Note with an ID, not NonStruct;
    * an element with a ``lang`` attribute (``<span lang="vi">``) gets /Lang, so a screen reader
      switches voice for Vietnamese or Chinese names.

    Each is one line of an upstream fix in ``weasyprint.pdf.tags._build_box_tree``; the wrapper is
    installed once (docs/accessibility.md has the reproduction).
    """
    import pydyf
    from weasyprint.formatting_structure.boxes import FootnoteAreaBox
    from weasyprint.pdf import tags

    if getattr(tags._build_box_tree, "studyguide_patch", False):
        return
    original = tags._build_box_tree

    def build(box: Any, *args: Any) -> Any:
        element_node = getattr(box, "element", None)
        if isinstance(box, FootnoteAreaBox):
            for child in box.children:  # each footnote laid out at the foot of this page
                child.studyguide_note = True
        for element in original(box, *args):
            if element_node is not None and element.get("P") is not None:
                if box.element_tag == "th" and "A" in element:
                    element["A"]["Scope"] = "/Row" if element_node.attrib.get("scope") == "row" else "/Column"
                if getattr(box, "studyguide_note", False):
                    element["S"] = "/Note"
                    element["ID"] = pydyf.String(f"note-{element.number}")  # unique in the file, reproducible
                lang = element_node.attrib.get("lang")
                if lang and box.element_tag != "html":
                    element["Lang"] = pydyf.String(lang)
            yield element

    build.studyguide_patch = True  # type: ignore[attr-defined]
    tags._build_box_tree = build


def render_pdf(book: Book, html: str, css: str, source_name: Path, with_page_map: bool = False) -> Any:
    """Lay out the document; return the tagged PDF and its page count (and the page map if asked)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    complete_tags()
    os.environ["SOURCE_DATE_EPOCH"] = str(book.source_date_epoch)
    fetcher = restricted_fetcher(book.root, source_name)
    fonts = FontConfiguration()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    document = HTML(string=html, base_url=str(book.root) + "/", url_fetcher=fetcher).render(
        stylesheets=[CSS(string=css, font_config=fonts, url_fetcher=fetcher, base_url=str(book.root) + "/")],
        font_config=fonts,
    )
    fetcher.raise_if_any()
    data = document.write_pdf(pdf_variant=PDF_VARIANT)
    if not data:
        raise StudyguideError.at(source_name, None, "WeasyPrint produced no PDF")
    if with_page_map:
        return data, len(document.pages), page_map_of(document)
    return data, len(document.pages)
