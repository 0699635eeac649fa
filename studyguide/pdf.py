"""The print edition: part fragments + Jinja print templates → one HTML document → WeasyPrint PDF.

WeasyPrint fetches images and stylesheets through a URL fetcher restricted to the project (and the
system font directories): content can never embed /etc/passwd or a network resource. A refused or
missing resource is collected and reported after layout, because WeasyPrint itself only logs it.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from . import sandbox
from .config import PAPERS, Book, Part
from .errors import Collector, StudyguideError
from .fsutil import atomic_write_bytes
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


def write_book(book: Book, edition: str, paper: str, out: Path) -> int:
    """Lay out one edition of the whole book on one paper size; write it atomically; return its pages."""
    from .fonts import font_files

    for family in {book.fonts["body"], book.fonts["heading"]}:
        font_files(family)  # a missing font is an error here too, not a silent fallback in the PDF
    templates = book.paths.template_dirs
    parts = load_parts(book, book.parts_for(edition), edition)
    html = render(templates, TEMPLATES[0], book=book.metadata(), edition=edition, paper=PAPERS[paper],
                  paper_name=paper, parts=parts)
    css = render(templates, TEMPLATES[1], book=book.metadata(), paper=PAPERS[paper])
    data, pages = render_pdf(book, html, css, locate(templates, TEMPLATES[0]) or Path(TEMPLATES[0]))
    atomic_write_bytes(out, data)
    return pages


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


def render_pdf(book: Book, html: str, css: str, source_name: Path) -> tuple[bytes, int]:
    """Lay out the document; return the PDF and its page count."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    os.environ["SOURCE_DATE_EPOCH"] = str(book.source_date_epoch)
    fetcher = restricted_fetcher(book.root, source_name)
    fonts = FontConfiguration()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    # The documents' base is a fixed name that the fetcher maps to the project root: links to
    # local files then carry no trace of the folder the project sits in (PDFs built in two
    # checkouts stay identical), and a folder name with '#', '%' or '?' cannot garble a URL.
    document = HTML(string=html, base_url=VIRTUAL_ROOT_URL, url_fetcher=fetcher).render(
        stylesheets=[CSS(string=css, font_config=fonts, url_fetcher=fetcher, base_url=VIRTUAL_ROOT_URL)],
        font_config=fonts,
    )
    fetcher.raise_if_any()
    data = document.write_pdf()
    if not data:
        raise StudyguideError.at(source_name, None, "WeasyPrint produced no PDF")
    return data, len(document.pages)
