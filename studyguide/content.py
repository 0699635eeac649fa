"""Reading a part's Markdown: front matter, citation keys with their lines, and validation.

pandoc is the authority on what a citation is, but it reports no line numbers; so keys are found
with pandoc's own key grammar on the source text (for the line) and cross-checked against the keys
in pandoc's AST (for completeness).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Collector, StudyguideError, did_you_mean

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
# pandoc: a key starts with a letter, digit or _, and may contain internal punctuation :.#$%&-+?<>~/
CITATION_KEY = re.compile(r"(?<![\w@.])-?@(\{[^}\s]+\}|[\w][\w:.#$%&\-+?<>~/]*)")
FENCED_CODE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
INLINE_CODE = re.compile(r"`[^`\n]*`")
EMAIL_OR_HANDLE = re.compile(r"\S+@\S+")


@dataclass(frozen=True)
class CitationUse:
    key: str
    line: int


@dataclass
class Source:
    """A part's Markdown split into front matter and body, with where the body starts."""

    path: Path
    meta: dict[str, Any]
    body: str
    body_line: int  # 1-based line of the body's first line in the file
    citations: list[CitationUse] = field(default_factory=list)


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StudyguideError.at(path, None, "file not found") from None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise StudyguideError.at(path, line, f"not valid UTF-8 (byte 0x{exc.object[exc.start]:02x})",
                                 hint="save the file as UTF-8") from None


def read_source(path: Path) -> Source:
    """Parse front matter and find the citations; raise for malformed front matter or an empty part."""
    text = read_text(path)
    meta: dict[str, Any] = {}
    body, body_line = text, 1
    match = FRONT_MATTER.match(text)
    if match:
        try:
            loaded = yaml.safe_load(match.group(1))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 2 if mark else 1
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise StudyguideError.at(path, line, f"malformed front matter: {problem}") from None
        if loaded is not None and not isinstance(loaded, dict):
            raise StudyguideError.at(path, 2, "front matter must be a mapping such as 'title: ...'")
        meta = loaded or {}
        body = text[match.end():]
        body_line = text[: match.end()].count("\n") + 1
    elif text.startswith("---"):
        raise StudyguideError.at(path, 1, "malformed front matter: no closing '---' line")
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise StudyguideError.at(path, 1 if match else None, "front matter needs a 'title' (a string)")
    if not body.strip():
        raise StudyguideError.at(path, body_line, "the part is empty: it has a title but no text")
    source = Source(path, meta, body, body_line)
    source.citations = find_citations(body, body_line)
    return source


def find_citations(body: str, first_line: int = 1) -> list[CitationUse]:
    """Every citation key with its line. Code is blanked out first, keeping line numbers."""
    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group())

    text = INLINE_CODE.sub(blank, FENCED_CODE.sub(blank, body))
    uses = []
    for number, line in enumerate(text.splitlines(), first_line):
        for match in CITATION_KEY.finditer(line):
            key = match.group(1)
            key = key[1:-1] if key.startswith("{") else key.rstrip(":.#$%&-+?<>~/")
            uses.append(CitationUse(key, number))
    return uses


IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)]*)?\)")
HTML_SRC = re.compile(r"""<(?:img|link|script|iframe|source)\b[^>]*\b(?:src|href)\s*=\s*["']([^"']+)["']""", re.I)


def check_resources(path: Path, body: str, first_line: int, root: Path, collector: Collector) -> None:
    """Images and embedded files must be files inside the project: no network, nothing outside."""
    for number, line in enumerate(body.splitlines(), first_line):
        for match in [*IMAGE.finditer(line), *HTML_SRC.finditer(line)]:
            target = match.group(1)
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
                collector.error(path, number, f"'{target}' is a network or external resource",
                                hint="copy the file into the project and link it by path")
                continue
            resolved = (root / target).resolve() if not target.startswith("/") else Path(target).resolve()
            if not resolved.is_relative_to(root.resolve()):
                collector.error(path, number, f"'{target}' is outside the project")
            elif not resolved.is_file():
                collector.error(path, number, f"missing image '{target}'")


def book_citations(sources: list[Path]) -> list[tuple[Path, CitationUse]]:
    """Every citation in the given files (chapters and data files), in reading order."""
    return [(source, use) for source in sources for use in find_citations(read_text(source))]


def check_citations(path: Path, uses: list[CitationUse], known: set[str], collector: Collector) -> None:
    for use in uses:
        if use.key not in known:
            collector.error(path, use.line, f"unknown citation key '{use.key}'", did_you_mean(use.key, known))


def ast_citation_keys(ast: dict[str, Any]) -> set[str]:
    """Keys of every Cite element in a pandoc JSON AST."""
    keys: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("t") == "Cite":
                keys.update(c["citationId"] for c in node["c"][0])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(ast.get("blocks", []))
    return keys
