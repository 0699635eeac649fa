"""doit task generators. They only declare: targets, file dependencies and config; the work is
done by the stage functions they name, so ``doit list`` and a no-op ``doit`` stay fast.

Naming follows the pipeline: notes → bibliography → back (generated Markdown) → part (pandoc, per
edition) → pdf / epub → check.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from functools import wraps
from pathlib import Path
from typing import Any

from doit.exceptions import TaskFailed

from . import backmatter, epub, figures, handouts, pdf
from . import pandoc as pandoc_stage
from .config import Book, Part, defined_figures
from .content import book_citations, figure_refs, read_text
from .errors import StudyguideError, display_path
from .fsutil import Written
from .notes.review import review_paths
from .paths import FILTERS, PACKAGE
from .render import template_dependencies

# Every path handed to doit goes through Paths.rel (relative to the project root): doit's database
# then holds no absolute path, and a copied, moved or renamed project stays up to date.


def code(book: Book, *modules: str) -> list[str]:
    """The package's own files a stage runs, so that changing the code rebuilds its outputs."""
    return book.paths.rels(PACKAGE / m for m in modules)


def templates_used(book: Book, *names: str) -> list[str]:
    """The template files (project overrides or theme) the named templates use, for file_dep."""
    found = {path for name in names for path in template_dependencies(book.paths.template_dirs, name)}
    return book.paths.rels(sorted(found))


def reported(function: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a user's mistake into a doit failure with the diagnostics and no traceback."""
    @wraps(function)
    def action(*args: Any, **kwargs: Any) -> Any:
        try:
            result = function(*args, **kwargs)
        except StudyguideError as exc:
            failure = TaskFailed(str(exc))
            failure.diagnostics = tuple(exc.diagnostics)  # for in-process callers (the preview shows them)
            return failure
        except OSError as exc:  # a full disk, a read-only folder: say which file, keep the traceback away
            where = display_path(exc.filename) if exc.filename else "build"
            return TaskFailed(f"{where}: error: cannot read or write the file ({exc.strerror or exc})")
        return None if result is None or result is True else result
    return action


# --- stages (module-level so that doit can pickle them for -n 2) ---------------------------------

@reported
def import_notes_action(book: Book) -> dict[str, Any]:
    from .notes import import_notes

    p = book.paths
    report = import_notes(list(book.notes), p.notes_bib, p.concordance, book.hand_bib, book.names)
    # The importer returns its warnings (the review report, also in notes.review.txt; it prints nothing):
    # show them now and in the build summary.
    warnings = tuple(report.diagnostics)
    for warning in warnings:
        print(warning, file=sys.stderr)
    return Written(display_path(p.notes_bib), "notes", warnings=warnings).values()


@reported
def bibliography_action(book: Book, bib_files: list[Path]) -> None:
    from .bibliography import write_csl_json

    for warning in write_csl_json(bib_files, book.paths.csl_json):
        print(warning, file=sys.stderr)


@reported
def generated_action(book: Book, part: Part) -> None:
    p = book.paths
    concordance = p.concordance if p.concordance.exists() else None
    # Only the bibliography lists what the book cites; the other parts need not scan the sources.
    cited = list(dict.fromkeys(use.key for _, use in book_citations(book.citing_files()))) if part.slug == "bibliography" else []
    backmatter.write_generated(book, part, p.csl_json, concordance, cited)


@reported
def part_action(book: Book, part: Part, edition: str) -> dict[str, Any]:
    warnings = tuple(map(str, pandoc_stage.build_part(book, part, edition, book.paths.csl_json)))
    for warning in warnings:
        print(warning, file=sys.stderr)
    return Written(display_path(pandoc_stage.part_outputs(book, part, edition).html), "part", warnings=warnings).values()


@reported
def parts_action(book: Book, parts: list[Part], edition: str) -> dict[str, Any]:
    warnings = tuple(map(str, pandoc_stage.build_parts(book, parts, edition, book.paths.csl_json)))
    for warning in warnings:
        print(warning, file=sys.stderr)
    return Written(display_path(pandoc_stage.part_outputs(book, parts[0], edition).html.parent), "part",
                   warnings=warnings).values()


SMALL_PARTS = "small-parts"  # the task name of one edition's batch of small parts


def part_groups(book: Book, edition: str) -> list[tuple[str, list[Part]]]:
    """The part tasks of one edition: (task name after 'part:EDITION:', its parts), in book order.

    A chapter is a task of its own, so editing one re-runs its pandoc only; so is the bibliography
    (it changes whenever a chapter cites a new work). The other parts (front and back matter, the
    generated reference sections) are small, and a pandoc start costs more than such a part's own
    work: they go through ONE pandoc process together (pandoc.build_parts), the task
    ``part:EDITION:small-parts``. Editing one of them re-runs that one process for all of them.
    """
    parts = book.parts_for(edition)
    small = [p for p in parts if p.kind != "chapter" and p.slug != "bibliography"]
    if len(small) < 2 or any(p.slug == SMALL_PARTS for p in parts):
        small = []
    groups: list[tuple[str, list[Part]]] = [(p.slug, [p]) for p in parts if p not in small]
    if small:
        groups.insert(0, (SMALL_PARTS, small))
    return groups


def part_task_names(book: Book, edition: str) -> list[str]:
    """The doit names of the tasks that write one edition's part fragments."""
    return [f"part:{edition}:{name}" for name, _ in part_groups(book, edition)]


@reported
def pdf_action(book: Book, edition: str, paper: str, out: Path) -> dict[str, Any]:
    pages, layout = pdf.write_book(book, edition, paper, out)
    return Written(display_path(out), "book", pages, layout=layout).values()


@reported
def handout_action(book: Book, part: Part, edition: str, paper: str, booklet: bool) -> dict[str, Any]:
    built = (handouts.write_booklet if booklet else handouts.write_handout)(book, part, edition, paper)
    for warning in built.warnings:
        print(warning, file=sys.stderr)
    return built.values()


@reported
def epub_action(book: Book, edition: str, out: Path) -> dict[str, Any]:
    epub.write_epub(book, edition, book.parts_for(edition), out)
    return Written(display_path(out), "book").values()


@reported
def figures_action(book: Book) -> None:
    figures.write_figures(book)


def figure_targets(book: Book) -> list[Path]:
    """The files the figures task writes."""
    return [f for name in sorted(defined_figures(book.root) or ()) for f in book.paths.figure(name)]


@reported
def check_action(book: Book) -> Any:
    from .checks import run_checks

    pdfs, epubs = book_outputs(book)
    titles = [h.title.text for h in pdf.load_parts(book, book.parts_for(book.editions[0]), book.editions[0])]

    def show(result: Any) -> None:
        mark = "ok  " if result.ok else "FAIL"
        print(f"  {mark} {result.name}: {result.target}")
        for problem in result.problems[:20]:
            print(f"         {problem}")
        for note in dict.fromkeys(result.notes):
            print(f"         note: {note}")

    results = run_checks(book, pdfs, epubs, titles, show, handout_files(book))
    from .checks import layout_report
    from .fsutil import atomic_write_text

    report = layout_report(book, pdfs + handout_files(book))
    atomic_write_text(book.build / "layout" / "REPORT.md", report + "\n")
    print(report)
    failed = [r for r in results if not r.ok]
    print(f"check: {len(results) - len(failed)} passed, {len(failed)} failed")
    return TaskFailed(f"{len(failed)} release check(s) failed") if failed else None


# --- task generators ------------------------------------------------------------------------------

def notes_tasks(book: Book) -> Iterator[dict[str, Any]]:
    p = book.paths
    deps = [*book.notes, *(x for x in (book.hand_bib, book.names) if x)]
    yield {
        "basename": "notes",
        "doc": "import the archive footnotes in bib/notes/ into BibTeX and a notes concordance",
        "actions": [(import_notes_action, [book])],
        "file_dep": p.rels(deps) + code(book, *[f"notes/{f.name}" for f in sorted((PACKAGE / "notes").glob("*.py"))],
                                        *[f"notes/data/{f.name}" for f in sorted((PACKAGE / "notes" / "data").glob("*"))]),
        "targets": p.rels([p.notes_bib, p.concordance, *review_paths(p.notes_bib)]),
        "clean": True,
    }
    bib_files = [p.notes_bib, *([book.hand_bib] if book.hand_bib else [])]
    yield {
        "basename": "bibliography",
        "doc": "merge generated and hand-edited BibTeX into CSL JSON for citeproc (keeps archive fields)",
        "actions": [(bibliography_action, [book, bib_files])],
        "file_dep": p.rels(bib_files) + code(book, "bibliography.py", "bibfix.py"),
        "targets": [p.rel(p.csl_json)],
        "clean": True,
    }


def figure_tasks(book: Book) -> Iterator[dict[str, Any]]:
    p = book.paths
    data = [f for f in (p.data_file("figures"), p.data_file("timeline"), p.data_file("maps")) if f.exists()]
    data += sorted((p.data / "geo").glob("*.geojson"))
    yield {
        "basename": "figures",
        "doc": "draw the charts, the timeline graphic and the maps (SVG) from data/figures.yaml and data/maps.yaml",
        "actions": [(figures_action, [book])],
        "file_dep": p.rels(data) + templates_used(book, *figures.TEMPLATES) + code(book, "figures.py", "maps.py"),
        "targets": p.rels(figure_targets(book)),
        "uptodate": [config_changed(book.fonts)],
        "clean": True,
    }


def back_tasks(book: Book) -> Iterator[dict[str, Any]]:
    p = book.paths
    yield {"basename": "back", "name": None, "doc": "render back matter (timeline, people, glossary …) from data/"}
    for part in (x for x in book.parts if x.kind == "generated"):
        deps = [p.csl_json]
        if part.data:
            deps.append(part.data)
        if part.slug == "concordance":
            deps.append(p.concordance)
        if part.slug == "bibliography":  # lists what the book cites
            deps += book.citing_files()
        yield {
            "basename": "back", "name": part.slug,
            "actions": [(generated_action, [book, part])],
            "file_dep": sorted(set(p.rels(deps) + templates_used(book, f"back/{part.slug}.md.j2")))
            + code(book, "backmatter.py", "render.py"),
            "targets": [p.rel(part.source)],
            "uptodate": [config_changed(book.metadata())],
            "clean": True,
        }


def part_tasks(book: Book) -> Iterator[dict[str, Any]]:
    p = book.paths
    filters = p.rels(sorted(FILTERS.glob("*.lua")))
    all_figures = figure_targets(book)
    shown: dict[Part, list[str]] = {}
    for part in book.parts:
        if part.kind == "generated":
            shown[part] = p.rels(all_figures)
        elif part.source.exists():
            names = [name for name, _ in figure_refs(read_text(part.source))]
            shown[part] = [p.rel(f) for n in names for f in p.figure(n)]
    style = [p.rel(book.csl_file)] if Path(book.csl_file).resolve().is_relative_to(book.root) else []
    yield {"basename": "part", "name": None, "doc": "run each chapter through pandoc + citeproc (per edition)"}
    for edition in book.editions:
        for name, group in part_groups(book, edition):
            outputs = [f for part in group for f in pandoc_stage.part_outputs(book, part, edition).all]
            shows = sorted({f for part in group for f in shown.get(part, [])})
            batch = name == SMALL_PARTS
            settings = ({"parts": [(part.slug, part.label, part.kind) for part in group]} if batch
                        else {"label": group[0].label, "kind": group[0].kind})
            yield {
                "basename": "part", "name": f"{edition}:{name}",
                "actions": [(parts_action, [book, group, edition]) if batch else (part_action, [book, group[0], edition])],
                "file_dep": [*p.rels(part.source for part in group), p.rel(p.csl_json), *filters, *shows,
                             *code(book, "pandoc.py", "content.py"), *style],
                "targets": p.rels(outputs),
                "uptodate": [config_changed({"language": book.language, "style": book.csl_style, **settings,
                                             **pandoc_stage.filter_settings(book, edition)})],
                "clean": True,
            }


def output_path(book: Book, kind: str, edition: str, paper: str | None = None, name: str = "book") -> Path:
    return book.paths.pdf(edition, str(paper), name) if kind == "pdf" else book.paths.epub(edition, name)


def book_tasks(book: Book) -> Iterator[dict[str, Any]]:
    p = book.paths
    print_templates = templates_used(book, *pdf.TEMPLATES)
    epub_templates = templates_used(book, *epub.TEMPLATES)
    yield {"basename": "pdf", "name": None, "doc": "lay out the print books with WeasyPrint (per edition and paper)"}
    yield {"basename": "epub", "name": None, "doc": "write the EPUB 3 books with pandoc (per edition)"}
    for edition in book.editions:
        part_files = [pandoc_stage.part_outputs(book, x, edition) for x in book.parts_for(edition)]
        for paper in book.papers:
            out = output_path(book, "pdf", edition, paper)
            yield {
                "basename": "pdf", "name": f"{edition}:{paper}",
                "actions": [(pdf_action, [book, edition, paper, out])],
                "file_dep": p.rels(f.html for f in part_files) + print_templates + code(book, "pdf.py", "layout.py"),
                "targets": p.rels([out, pdf.page_map_path(out)]),
                "uptodate": [config_changed(book.metadata())],
                "clean": True,
            }
        out = output_path(book, "epub", edition)
        yield {
            "basename": "epub", "name": edition,
            "actions": [(epub_action, [book, edition, out])],
            # The page map of the printed student book: its page numbers become the e-book's page list.
            "file_dep": [*p.rels(f.ast for f in part_files), p.rel(epub.page_map_file(book)), *epub_templates,
                         *code(book, "epub.py")],
            "targets": [p.rel(out)],
            "uptodate": [config_changed(book.metadata())],
            "clean": [clean_tree(out.parent)],
        }


def handout_tasks(book: Book) -> Iterator[dict[str, Any]]:
    """One handout and one booklet per chapter, edition and paper; each depends on its chapter only."""
    p = book.paths
    layout = templates_used(book, *handouts.TEMPLATES)
    yield {"basename": "handouts", "name": None,
           "doc": "per-chapter handouts and fold-and-staple booklets (per edition and paper)"}
    for edition in book.editions:
        for part in (x for x in book.parts_for(edition) if x.kind == "chapter"):
            fragments = p.rels(f for f in pandoc_stage.part_outputs(book, part, edition).all if f.suffix == ".html")
            for paper in book.papers:
                for booklet in handout_kinds(book):
                    out = handouts.handout_path(book, edition, paper, part, booklet)
                    yield {
                        "basename": "handouts", "name": f"{edition}:{paper}:{part.slug}" + (":booklet" if booklet else ""),
                        "actions": [(handout_action, [book, part, edition, paper, booklet])],
                        "file_dep": fragments + layout + code(book, "handouts.py", "booklet.py", "pdf.py", "layout.py"),
                        "targets": [p.rel(out)],
                        "uptodate": [config_changed(book.metadata() | {"budget": book.handout_page_budget})],
                        "clean": True,
                    }


def handout_kinds(book: Book) -> tuple[bool, ...]:
    """Which handouts each chapter gets (book.yaml: handouts, booklets): False = flat, True = booklet."""
    return tuple(kind for kind, wanted in ((False, book.handouts), (True, book.booklets)) if wanted)


def handout_files(book: Book) -> list[Path]:
    return [book.paths.handout(edition, paper, part.slug, booklet)
            for edition in book.editions for part in book.parts_for(edition) if part.kind == "chapter"
            for paper in book.papers for booklet in handout_kinds(book)]


def book_outputs(book: Book) -> tuple[list[Path], list[Path]]:
    """The books' PDFs (every edition and paper) and EPUBs (every edition)."""
    return ([output_path(book, "pdf", e, p) for e in book.editions for p in book.papers],
            [output_path(book, "epub", e) for e in book.editions])


def check_tasks(book: Book) -> Iterator[dict[str, Any]]:
    pdfs, epubs = book_outputs(book)
    outputs = pdfs + epubs + handout_files(book)
    yield {
        "basename": "check",
        "doc": "release gate: EPUBCheck, Ace, pdfua, fonts, bookmarks and citations on everything built",
        "actions": [(check_action, [book])],
        "file_dep": book.paths.rels(outputs),
        "uptodate": [False],
        "verbosity": 2,
    }


def config_changed(config: dict[str, Any]) -> Any:
    from doit.tools import config_changed as doit_config_changed

    return doit_config_changed(json.dumps(config, sort_keys=True, default=str))


def clean_tree(folder: Path) -> Callable[[], None]:
    def clean() -> None:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    return clean


def all_tasks(book: Book) -> dict[str, Callable[[], Iterator[dict[str, Any]]]]:
    """Task creators for dodo.py, keyed by doit's ``task_`` names."""
    creators = {
        "notes": lambda: notes_tasks(book),
        "figures": lambda: figure_tasks(book),
        "back": lambda: back_tasks(book),
        "part": lambda: part_tasks(book),
        "books": lambda: book_tasks(book),
        "handouts": lambda: handout_tasks(book),
        "check": lambda: check_tasks(book),
    }
    return {f"task_{re.sub(r'[^a-z_]', '_', name)}": creator for name, creator in creators.items()}
