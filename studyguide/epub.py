"""The e-book: the parts' citeproc'd ASTs merged into one document → pandoc's EPUB 3 writer.

The ASTs already carry citations and notes, so pandoc only writes: notes come out as EPUB 3
footnotes (<aside epub:type="footnote">), the navigation document from the level-1/2 headings.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from .config import Book, Part
from .errors import StudyguideError
from .fonts import font_files
from .fsutil import atomic_write_text
from .pandoc import merge_asts, part_outputs, run
from .render import render


def write_epub(book: Book, edition: str, parts: list[Part], out: Path) -> None:
    work = out.parent / "src"
    templates = book.root / "templates"
    context = {"book": book.metadata(), "edition": edition}
    metadata_text = render(templates, "epub/metadata.yaml.j2", **context)
    try:
        yaml.safe_load(metadata_text)
    except yaml.YAMLError as exc:
        raise StudyguideError.at(templates / "epub/metadata.yaml.j2", None, f"renders to invalid YAML: {exc}") from None
    fonts = [f for family in {book.fonts["body"], book.fonts["heading"]} for f in font_files(family)]
    fonts.sort(key=lambda f: (f.family, f.style))
    atomic_write_text(work / "metadata.yaml", metadata_text)
    atomic_write_text(work / "epub.css", render(templates, "epub/epub.css.j2", fonts=fonts, **context))
    atomic_write_text(work / "cover.svg", render(templates, "shared/cover.svg.j2", **context))
    asts = [json.loads(part_outputs(book, p, edition).ast.read_text(encoding="utf-8")) for p in parts]
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
