"""Per-chapter handouts: what a teacher takes to the photocopier.

A handout is one chapter of one edition on its own: a title block (guide, chapter, edition, date),
the chapter with its notes numbered from 1, its key terms and review questions (the teacher's copy
adds the model answers and teaching notes, as the chapter's edition already does), and the list of
the sources the chapter cites. The same chapter fragment the book uses is laid out again, so a
handout never differs from the book's text.

Each handout also comes as a saddle-stitch booklet: laid out at half size and imposed two-up
(``booklet.impose``), ready to print double-sided and fold.
"""

from __future__ import annotations

from pathlib import Path

from .booklet import impose
from .config import PAPERS, Book, Part
from .errors import Diagnostic, display_path
from .fsutil import Written, atomic_write_bytes
from .layout import LayoutCheck
from .pandoc import part_outputs
from .pdf import edition_label, load_parts, render_pdf
from .render import locate, render

# a booklet page: exactly half the sheet (A5 is 148 mm wide, half of A4 148.5 mm; half of A5 is A6)
HALF_PAPERS = {"a4": "148.5mm 210mm", "letter": "5.5in 8.5in", "a5": "105mm 148mm"}
TEMPLATES = ("print/handout.html.j2", "print/handout.css.j2")


def handout_path(book: Book, edition: str, paper: str, part: Part, booklet: bool = False) -> Path:
    return book.paths.handout(edition, paper, part.slug, booklet)


def layout(book: Book, part: Part, edition: str, paper: str, booklet: bool,
           record: bool = True) -> tuple[bytes, int, LayoutCheck]:
    """Lay out one chapter's handout at full size, or at half size for a booklet (checked and repaired);
    ``record`` saves the layout check under build/layout/ for `doit check` (the preview does not)."""
    [rendered] = load_parts(book, [part], edition)
    sources_file = part_outputs(book, part, edition).sources
    sources = sources_file.read_text(encoding="utf-8") if sources_file and sources_file.exists() else ""
    size = HALF_PAPERS[paper] if booklet else PAPERS[paper]
    templates = book.paths.template_dirs
    context = {"book": book.metadata(), "edition": edition, "paper": size, "paper_name": paper, "booklet": booklet,
               "edition_label": edition_label(book, edition)}
    html = render(templates, TEMPLATES[0], rendered=rendered, sources=sources, **context)
    css = render(templates, TEMPLATES[1], **context)
    out = handout_path(book, edition, paper, part, booklet)
    data, pages, check, _ = render_pdf(book, html, css, locate(templates, TEMPLATES[0]) or Path(TEMPLATES[0]), out,
                                       [rendered], record=record)
    return data, pages, check


def write_handout(book: Book, part: Part, edition: str, paper: str) -> Written:
    """Write the chapter's handout; warn when it runs over the book's page budget."""
    out = handout_path(book, edition, paper, part)
    data, pages, check = layout(book, part, edition, paper, booklet=False)
    atomic_write_bytes(out, data)
    warnings: tuple[str, ...] = ()
    if pages > book.handout_page_budget:
        warnings = (str(Diagnostic(
            display_path(out), None, f"{pages} pages, over the handout page budget of {book.handout_page_budget}",
            hint=f"handout_page_budget in {book.paths.rel(book.config)}", severity="warning")),)
    return Written(display_path(out), "handout", pages, warnings, check.summary())


def write_booklet(book: Book, part: Part, edition: str, paper: str) -> Written:
    """Write the chapter's booklet: half-size pages imposed two-up on the edition's paper."""
    out = handout_path(book, edition, paper, part, booklet=True)
    data, _, check = layout(book, part, edition, paper, booklet=True)
    imposed, sheets = impose(data)
    atomic_write_bytes(out, imposed)
    return Written(display_path(out), "booklet", 2 * sheets, layout=check.summary())
