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

from . import sandbox
from .config import PAPERS, Book, Part
from .errors import Collector, StudyguideError, display_path
from .fsutil import atomic_write_bytes, atomic_write_text
from .layout import FATAL, LayoutCheck, Repairs, fault_diagnostics, keep_only_part, lay_out_book_repaired, lay_out_repaired
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


def edition_label(book: Book, edition: str) -> str:
    """How covers, title pages and running heads name an edition: its label in book.yaml."""
    return book.edition(edition).label


def write_book(book: Book, edition: str, paper: str, out: Path) -> tuple[int, str]:
    """Lay out one edition of the whole book on one paper size; write it atomically.

    Returns its pages and the one-line layout report."""
    from .fonts import font_files

    for family in {book.fonts["body"], book.fonts["heading"]}:
        font_files(family)  # a missing font is an error here too, not a silent fallback in the PDF
    templates = book.paths.template_dirs
    parts = load_parts(book, book.parts_for(edition), edition)
    label = edition_label(book, edition)
    html = render(templates, TEMPLATES[0], book=book.metadata(), edition=edition, paper=PAPERS[paper],
                  paper_name=paper, parts=parts, edition_label=label)
    css = render(templates, TEMPLATES[1], book=book.metadata(), paper=PAPERS[paper], edition=edition,
                 edition_label=label)
    data, pages, check, page_map = render_pdf(book, html, css, locate(templates, TEMPLATES[0]) or Path(TEMPLATES[0]),
                                              out, parts)
    atomic_write_bytes(out, data)
    atomic_write_bytes(page_map_path(out), json.dumps(page_map, ensure_ascii=False, indent=0).encode("utf-8"))
    return pages, check.summary()


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


VIRTUAL_ROOT = Path("/studyguide-project")
VIRTUAL_ROOT_URL = VIRTUAL_ROOT.as_uri() + "/"


def restricted_fetcher(root: Path, document: Path) -> Any:
    """A WeasyPrint URL fetcher that reads only files inside the project or the font directories."""
    from weasyprint.urls import URLFetcher

    class RestrictedFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(allowed_protocols={"file", "data"})
            self.root = Path(os.path.realpath(root))
            self.document = document
            self.refused: list[str] = []
            self.missing: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            parsed = urlparse(url)
            if parsed.scheme not in ("file", "data"):
                self.refused.append(f"'{url}' is a network resource; only files inside the project may be used")
                raise ValueError("refused")
            if parsed.scheme == "file":
                path = Path(unquote(parsed.path))
                if path.is_relative_to(VIRTUAL_ROOT):
                    path = self.root / path.relative_to(VIRTUAL_ROOT)
                    url = path.as_uri()
                if not sandbox.is_inside(path, root=self.root):  # symlinks followed (realpath)
                    self.refused.append(f"'{path}' is outside the project")
                    raise ValueError("refused")
                real = Path(os.path.realpath(path))
                if not real.is_file():
                    shown = real.relative_to(self.root).as_posix() if real.is_relative_to(self.root) else str(real)
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


def layout_report_path(book: Book, out: Path) -> Path:
    """build/layout/…/NAME.json: the layout check of one PDF, which `doit check` reads back."""
    return book.build / "layout" / out.relative_to(book.build).with_suffix(".json")


def render_pdf(book: Book, html: str, css: str, source_name: Path, out: Path,
               parts: list[RenderedPart], record: bool = True) -> tuple[bytes, int, LayoutCheck, dict[str, Any]]:
    """Lay out the document, check the layout, repair it if need be; return the PDF, pages, check.

    The check reads the pages WeasyPrint has just laid out (``layout.check_document``). A lost or
    deferred note, an empty box fragment or a stranded heading is repaired by laying the document
    out again with a little CSS on the paragraph or box concerned (``layout.Repairs``: keep the
    call's line with its note, then keep the block whole, then start it on a new page), and checked
    again; what is still wrong after the last step stops the build, one line per fault, and no PDF
    is written. The check (and its measures) is saved next to the build for ``doit check``.
    """
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    complete_tags()
    os.environ["SOURCE_DATE_EPOCH"] = str(book.source_date_epoch)
    fetcher = restricted_fetcher(book.root, source_name)
    fonts = FontConfiguration()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    # The documents' base is a fixed name that the fetcher maps to the project root: links to
    # local files then carry no trace of the folder the project sits in (PDFs built in two
    # checkouts stay identical), and a folder name with '#', '%' or '?' cannot garble a URL.
    base = VIRTUAL_ROOT_URL
    stylesheets = [CSS(string=css, font_config=fonts, url_fetcher=fetcher, base_url=base)]
    shown = display_path(out)
    known = {r.part.slug: (_source_name(book, r.part), _part_title(r)) for r in parts}

    def lay_out(repairs: Repairs, only: str | None = None) -> Any:
        source = HTML(string=html, base_url=base, url_fetcher=fetcher)
        if only is not None:
            keep_only_part(source.etree_element, only)
        repairs.apply(source.etree_element)
        extra_css = repairs.css()
        extra = [CSS(string=extra_css, font_config=fonts)] if extra_css else []
        document = source.render(stylesheets=stylesheets + extra, font_config=fonts)
        fetcher.raise_if_any()
        return document

    if len(known) > 1:  # a book: its parts are repaired each on its own
        document, check, repairs = lay_out_book_repaired(lay_out, lambda repairs, slug: lay_out(repairs, slug), known)
    else:
        document, check, repairs = lay_out_repaired(lay_out, known)
    if record:  # (the preview lays out a handout in memory and writes nothing under build/)
        atomic_write_text(layout_report_path(book, out), json.dumps(check.as_dict(shown) | {
            "repair_css": repairs.css(),
            "figures_moved": {f"{slug}#{block}": count for (slug, block), count in sorted(repairs.moves.items())},
        }, indent=1, ensure_ascii=False))
    fatal = [f for f in check.faults if f.kind in FATAL]
    if fatal:
        raise StudyguideError(fault_diagnostics(fatal, shown))
    data = document.write_pdf(pdf_variant=PDF_VARIANT)
    if not data:
        raise StudyguideError.at(source_name, None, "WeasyPrint produced no PDF")
    return data, len(document.pages), check, page_map_of(document)


def _source_name(book: Book, part: Part) -> str:
    """A part's source as messages show it: relative to the project, like every other diagnostic."""
    source = part.source.resolve()
    root = book.root.resolve()
    return source.relative_to(root).as_posix() if source.is_relative_to(root) else display_path(source)


def _part_title(rendered: RenderedPart) -> str:
    if not rendered.headings:
        return rendered.part.slug
    heading = rendered.title
    return f"{heading.label.strip()} {heading.text}".strip() if heading.label else heading.text
