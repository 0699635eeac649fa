"""The print edition: part fragments + Jinja print templates → one HTML document → WeasyPrint PDF.

WeasyPrint fetches images and stylesheets through a URL fetcher restricted to the project (and the
system font directories): content can never embed /etc/passwd or a network resource. A refused or
missing resource is collected and reported after layout, because WeasyPrint itself only logs it.
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
from .errors import Collector, StudyguideError, display_path
from .fonts import FONT_DIRS
from .fsutil import atomic_write_bytes, atomic_write_text
from .layout import FATAL, LayoutCheck, fault_diagnostics, lay_out_repaired
from .pandoc import part_outputs
from .render import locate, render

TEMPLATES = ("print/book.html.j2", "print/book.css.j2")


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
    """How covers, title pages and running heads name an edition: 'edition_labels' in book.yaml
    if the book has them, else from the edition's own name ('teacher' → 'Teacher edition')."""
    labels = getattr(book, "edition_labels", None) or {}
    return labels.get(edition) or f"{edition.capitalize()} edition"


def write_book(book: Book, edition: str, paper: str, out: Path) -> tuple[int, str]:
    """Lay out one edition of the whole book on one paper size; write it atomically.

    Returns its pages and the one-line layout report."""
    templates = book.paths.template_dirs
    parts = load_parts(book, book.parts_for(edition), edition)
    label = edition_label(book, edition)
    html = render(templates, TEMPLATES[0], book=book.metadata(), edition=edition, paper=PAPERS[paper],
                  paper_name=paper, parts=parts, edition_label=label)
    css = render(templates, TEMPLATES[1], book=book.metadata(), paper=PAPERS[paper], edition=edition,
                 edition_label=label)
    data, pages, check = render_pdf(book, html, css, locate(templates, TEMPLATES[0]) or Path(TEMPLATES[0]), out, parts)
    atomic_write_bytes(out, data)
    return pages, check.summary()


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


def layout_report_path(book: Book, out: Path) -> Path:
    """build/layout/…/NAME.json: the layout check of one PDF, which `doit check` reads back."""
    return book.build / "layout" / out.relative_to(book.build).with_suffix(".json")


def render_pdf(book: Book, html: str, css: str, source_name: Path, out: Path,
               parts: list[RenderedPart]) -> tuple[bytes, int, LayoutCheck]:
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

    os.environ["SOURCE_DATE_EPOCH"] = str(book.source_date_epoch)
    fetcher = restricted_fetcher(book.root, source_name)
    fonts = FontConfiguration()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    base = str(book.root) + "/"
    stylesheets = [CSS(string=css, font_config=fonts, url_fetcher=fetcher, base_url=base)]
    shown = display_path(out)
    known = {r.part.slug: (_source_name(book, r.part), _part_title(r)) for r in parts}

    def lay_out(extra_css: str) -> Any:
        extra = [CSS(string=extra_css, font_config=fonts)] if extra_css else []
        document = HTML(string=html, base_url=base, url_fetcher=fetcher).render(
            stylesheets=stylesheets + extra, font_config=fonts)
        fetcher.raise_if_any()
        return document

    document, check, repairs = lay_out_repaired(lay_out, known)
    report = layout_report_path(book, out)
    atomic_write_text(report, json.dumps(check.as_dict(shown) | {"repair_css": repairs.css()}, indent=1,
                                         ensure_ascii=False))
    fatal = [f for f in check.faults if f.kind in FATAL]
    if fatal:
        raise StudyguideError(fault_diagnostics(fatal, shown))
    data = document.write_pdf()
    if not data:
        raise StudyguideError.at(source_name, None, "WeasyPrint produced no PDF")
    return data, len(document.pages), check


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
