"""The e-book: the parts' citeproc'd ASTs merged into one document → pandoc's EPUB 3 writer.

The ASTs already carry citations and notes, so pandoc only writes: notes come out as EPUB 3
footnotes (<aside epub:type="footnote">), the navigation document from the level-1/2 headings.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from . import yamlio
from .config import Book, Part
from .content import read_text
from .errors import Collector, StudyguideError
from .fonts import font_files
from .fsutil import atomic_write_text
from .pandoc import merge_asts, part_outputs, run
from .render import locate, render
from .resources import document_problems, report

TEMPLATES = ("epub/metadata.yaml.j2", "epub/epub.css.j2", "shared/cover.svg.j2")


def write_epub(book: Book, edition: str, parts: list[Part], out: Path) -> None:
    work = book.paths.epub_work(edition)
    templates = book.paths.template_dirs
    context = {"book": book.metadata(), "edition": edition}
    metadata_text = render(templates, TEMPLATES[0], **context)
    where = locate(templates, TEMPLATES[0]) or TEMPLATES[0]
    metadata = yamlio.load(metadata_text, where, what="renders to invalid YAML")
    if not isinstance(metadata, dict):
        raise StudyguideError.at(where, None, "renders to YAML that is not a mapping")
    fonts = [f for family in {book.fonts["body"], book.fonts["heading"]} for f in font_files(family)]
    fonts.sort(key=lambda f: (f.family, f.style))
    atomic_write_text(work / "metadata.yaml", metadata_text)
    atomic_write_text(work / "epub.css", render(templates, "epub/epub.css.j2", fonts=fonts, **context))
    atomic_write_text(work / "cover.svg", render(templates, "shared/cover.svg.j2", **context))
    asts = [json.loads(part_outputs(book, p, edition).ast.read_text(encoding="utf-8")) for p in parts]
    check_embedded(book, [(p, ast) for p, ast in zip(parts, asts, strict=True)])
    # book.yaml's values are plain text: passed as MetaString, never read as Markdown (a title
    # '![x](/etc/passwd)' would otherwise make the EPUB writer embed that file).
    document = merge_asts(asts, plain_meta(metadata))
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    args = [
        "--from=json", "--to=epub3", f"--output={tmp}",
        f"--css={work / 'epub.css'}", f"--epub-cover-image={work / 'cover.svg'}", "--split-level=1",
        "--toc-depth=2", "--epub-title-page=true", *[f"--epub-embed-font={f.path}" for f in fonts],
    ]
    try:
        run(args, book, stdin=json.dumps(document).encode("utf-8"))
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)


def plain_meta(metadata: dict[str, Any]) -> dict[str, Any]:
    """pandoc JSON metadata from plain data, every string as literal text (MetaString)."""
    return {str(k): meta_value(v) for k, v in metadata.items()}


def meta_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {"t": "MetaMap", "c": {str(k): meta_value(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"t": "MetaList", "c": [meta_value(v) for v in value]}
    if isinstance(value, bool):
        return {"t": "MetaBool", "c": value}
    return {"t": "MetaString", "c": "" if value is None else str(value)}


def check_embedded(book: Book, documents: list[tuple[Part, dict[str, Any]]]) -> None:
    """Everything pandoc's EPUB writer would fetch into the book must be a file inside the project.

    The EPUB stage cannot run under pandoc's --sandbox (see pandoc.SANDBOX), so this is its
    sandbox: the same AST walk as the part stage (resources.document_problems: images, links, every
    URL attribute of raw HTML, CSS url() and @import, SVG files), run again on the ASTs it merges,
    so that nothing that reached an AST some other way is embedded. Each part's source is searched
    for the line.
    """
    problems = Collector()
    for part, ast in documents:
        found = document_problems(ast, book.root)
        if found:
            try:
                text = read_text(part.source)
            except StudyguideError:
                text = ""
            report(found, part.source, text, problems)
    problems.raise_if_errors()
