"""The e-book: the parts' citeproc'd ASTs merged into one document → pandoc's EPUB 3 writer.

The ASTs already carry citations and notes, so pandoc only writes: notes come out as EPUB 3
footnotes (<aside epub:type="footnote">), the navigation document from the level-1/2 headings.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from .config import Book, Part
from .content import HTML_ATTR, resource_problem
from .errors import Collector, StudyguideError
from .fonts import font_files
from .fsutil import atomic_write_text
from .pandoc import merge_asts, part_outputs, run
from .render import locate, render

TEMPLATES = ("epub/metadata.yaml.j2", "epub/epub.css.j2", "shared/cover.svg.j2")


def write_epub(book: Book, edition: str, parts: list[Part], out: Path) -> None:
    work = book.paths.epub_work(edition)
    templates = book.paths.template_dirs
    context = {"book": book.metadata(), "edition": edition}
    metadata_text = render(templates, TEMPLATES[0], **context)
    try:
        yaml.safe_load(metadata_text)
    except yaml.YAMLError as exc:
        where = locate(templates, TEMPLATES[0]) or TEMPLATES[0]
        raise StudyguideError.at(where, None, f"renders to invalid YAML: {exc}") from None
    fonts = [f for family in {book.fonts["body"], book.fonts["heading"]} for f in font_files(family)]
    fonts.sort(key=lambda f: (f.family, f.style))
    atomic_write_text(work / "metadata.yaml", metadata_text)
    atomic_write_text(work / "epub.css", render(templates, "epub/epub.css.j2", fonts=fonts, **context))
    atomic_write_text(work / "cover.svg", render(templates, "shared/cover.svg.j2", **context))
    asts = [json.loads(part_outputs(book, p, edition).ast.read_text(encoding="utf-8")) for p in parts]
    check_embedded(book, [(p, ast) for p, ast in zip(parts, asts, strict=True)])
    document = merge_asts(asts, {})
    tmp = out.with_name(f".{out.name}.tmp")
    args = [
        "--from=json", "--to=epub3", f"--output={tmp}", f"--metadata-file={work / 'metadata.yaml'}",
        f"--css={work / 'epub.css'}", f"--epub-cover-image={work / 'cover.svg'}", "--split-level=1",
        "--toc-depth=2", "--epub-title-page=true", *[f"--epub-embed-font={f.path}" for f in fonts],
    ]
    try:
        run(args, book, stdin=json.dumps(document).encode("utf-8"))
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)


def check_embedded(book: Book, documents: list[tuple[Part, dict[str, Any]]]) -> None:
    """Everything pandoc's EPUB writer would fetch into the book must be a file inside the project.

    The EPUB stage cannot run under pandoc's --sandbox (see pandoc.SANDBOX), so this is its
    sandbox: the writer embeds the targets of Image elements and the src of raw HTML tags, and
    both are checked here before pandoc runs. The parts were checked with their lines already
    (content.check_resources); this catches whatever reached an AST some other way.
    """
    problems = Collector()

    def walk(part: Part, node: Any) -> None:
        if isinstance(node, dict):
            if node.get("t") == "Image":
                _check(part, node["c"][2][0], "image")
            elif node.get("t") in ("RawInline", "RawBlock") and node["c"][0] == "html":
                for match in HTML_ATTR.finditer(node["c"][1]):
                    if match.group(1).lower() != "a":
                        _check(part, next(v for v in match.group(2, 3, 4) if v is not None), "file")
            for value in node.values():
                walk(part, value)
        elif isinstance(node, list):
            for value in node:
                walk(part, value)

    def _check(part: Part, target: str, what: str) -> None:
        problem = resource_problem(re.sub(r"\s+", "", target), book.root, what)
        if problem:
            problems.error(part.source, None, *problem)

    for part, ast in documents:
        walk(part, ast.get("blocks", []))
    problems.raise_if_errors()
