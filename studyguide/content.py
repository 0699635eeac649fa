"""Reading a part's Markdown: front matter, citation keys with their lines, and validation.

pandoc is the authority on what a citation is, but it reports no line numbers; so keys are found
with pandoc's own key grammar on the source text (for the line) and cross-checked against the keys
in pandoc's AST (for completeness).

pandoc never rejects a citation: it reads ``[@chen2001mao, 207`` (bracket never closed) as running
text with an author-in-text citation, and ``[@]`` as literal text, so a slip prints as garbage in
the book instead of stopping the build. The build therefore calls a citation *malformed* when

* a citation bracket (``[`` followed, after optional prefix words, by ``@key`` or ``-@key``) is not
  closed by ``]`` before the paragraph ends or before another ``[`` opens, or
* inside brackets, an ``@`` is not followed by a key (``[@]``, ``[@ chen2001mao]``, ``[see @, 12]``).

Explicit anchors (``{#id}`` on a heading, div or span) must be unique in a part: pandoc only warns
about a duplicate and writes both, which makes the EPUB invalid. Two headings with the same *text*
are fine: pandoc gives the second automatic id a ``-1`` suffix, and every id is prefixed with the
part's slug, so ids stay unique in the merged book.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Collector, StudyguideError, did_you_mean

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
# pandoc: a key starts with a letter, digit or _, and may contain internal punctuation :.#$%&-+?<>~/
CITATION_KEY = re.compile(r"(?<![\w@.])-?@(\{[^}\s]+\}|[\w][\w:.#$%&\-+?<>~/]*)")
FENCED_CODE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
INLINE_CODE = re.compile(r"`[^`\n]*`")
EMAIL_OR_HANDLE = re.compile(r"\S+@\S+")
# A citation group starts with '[' and, after optional prefix words, '@key' or '-@key'.
CITATION_START = re.compile(r"(?:^|[\s;])-?@[\w{]")
BARE_AT = re.compile(r"(?:^|[\s;\[])-?@(?![\w{])")
# {#id ...} attributes: on headings, fenced divs, bracketed spans and images.
EXPLICIT_ID = re.compile(r"\{[^{}\n]*?(?<![\w-])#([\w:.-]+)[^{}\n]*\}")
# Front-matter keys that make pandoc/citeproc read a file; pandoc's --sandbox does not stop these.
FILE_KEYS = {"bibliography", "csl", "citation-abbreviations", "references-file"}
FIGURE_REF = re.compile(r"""\.figure-ref[^}]*chart=["']?([\w-]+)""")


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
    front = None
    if match:
        from . import yamlfile

        front = yamlfile.load(path, match.group(1), line_offset=2, what="malformed front matter")
        loaded = front.value
        if loaded is not None and not isinstance(loaded, dict):
            raise StudyguideError.at(path, 2, "front matter must be a mapping such as 'title: ...'")
        meta = loaded or {}
        body = text[match.end():]
        body_line = text[: match.end()].count("\n") + 1
    elif text.startswith("---"):
        raise StudyguideError.at(path, 1, "malformed front matter: no closing '---' line")
    for key in FILE_KEYS & set(meta):
        line = next((n for n, text in enumerate(match.group(1).splitlines(), 2) if text.startswith(f"{key}:")), 2)
        raise StudyguideError.at(path, line, f"front matter may not set '{key}': it names a file for pandoc to read",
                                 hint="the build supplies the bibliography and the citation style")
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise StudyguideError.at(path, 1 if match else None, "front matter needs a 'title' (a string)")
    if front is not None:  # the rest of its shape: the one schema (unknown keys, types), with lines
        from . import schema

        shape_problems = Collector()
        if schema.validate(schema.FrontMatter, front, shape_problems) is None:
            raise StudyguideError(shape_problems.errors)
    if not body.strip():
        raise StudyguideError.at(path, body_line, "the part is empty: it has a title but no text")
    problems = Collector()
    check_citation_syntax(path, body, body_line, problems)
    check_anchors(path, body, body_line, problems)
    problems.raise_if_errors()
    source = Source(path, meta, body, body_line)
    source.citations = find_citations(body, body_line)
    return source


def _blank_code(body: str) -> str:
    """The text with code blocks and code spans replaced by spaces, so line and column numbers stay."""
    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group())

    return INLINE_CODE.sub(blank, FENCED_CODE.sub(blank, body))


def check_citation_syntax(path: Path, body: str, first_line: int, collector: Collector) -> None:
    """Report malformed citations (see the module docstring for what counts as malformed)."""
    text = _blank_code(body)
    line_of = _line_index(text, first_line)
    # Paragraphs end at a blank line; a bracket must close within its paragraph.
    for paragraph in re.finditer(r"(?:[^\n]*\S[^\n]*(?:\n|$))+", text):
        chunk, offset = paragraph.group(), paragraph.start()
        for opening in re.finditer(r"\[", chunk):
            after = chunk[opening.end():]
            stop = re.search(r"[\[\]]", after)
            inside = after[: stop.start()] if stop else after
            closed = bool(stop) and after[stop.start()] == "]"
            if not CITATION_START.search(inside) and not BARE_AT.search(" " + inside):
                continue
            line = line_of(offset + opening.start())
            if not closed:
                collector.error(path, line, "malformed citation: the bracket '[' is never closed",
                                hint="add ']' after the last key or locator")
            elif BARE_AT.search(" " + inside):
                collector.error(path, line, f"malformed citation: '@' without a key in '[{inside.strip()}]'",
                                hint="write the key right after '@', or '\\@' for a literal at sign")


def check_anchors(path: Path, body: str, first_line: int, collector: Collector) -> None:
    """Explicit ``{#id}`` anchors must be unique within a part (pandoc writes duplicates as they are)."""
    seen: dict[str, int] = {}
    for number, line in enumerate(_blank_code(body).splitlines(), first_line):
        for match in EXPLICIT_ID.finditer(line):
            anchor = match.group(1)
            if anchor in seen:
                collector.error(path, number, f"duplicate anchor '#{anchor}' (first at line {seen[anchor]})",
                                hint="give each heading or div its own id")
            else:
                seen[anchor] = number


def _line_index(text: str, first_line: int) -> Any:
    starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def line_of(offset: int) -> int:
        import bisect

        return bisect.bisect_right(starts, offset) - 1 + first_line

    return line_of


def figure_refs(text: str, first_line: int = 1) -> list[tuple[str, int]]:
    """The charts a part shows (``::: {.figure-ref chart="name"}``), each with its line."""
    return [(m.group(1), number) for number, line in enumerate(_blank_code(text).splitlines(), first_line)
            for m in FIGURE_REF.finditer(line)]


def find_citations(body: str, first_line: int = 1) -> list[CitationUse]:
    """Every citation key with its line. Code is blanked out first, keeping line numbers."""
    text = _blank_code(body)
    uses = []
    for number, line in enumerate(text.splitlines(), first_line):
        for match in CITATION_KEY.finditer(line):
            key = match.group(1)
            key = key[1:-1] if key.startswith("{") else key.rstrip(":.#$%&-+?<>~/")
            uses.append(CitationUse(key, number))
    return uses


IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)]*)?\)")
# src/href/data/poster of any raw HTML tag, quoted or not; <a href> is a link, the others embed.
HTML_ATTR = re.compile(r"""<(\w+)\b[^>]*?\b(?:src|href|data|poster|srcset)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.I)
LINK = re.compile(r"(?<![!\]])\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)]*)?\)")
URL_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def check_resources(path: Path, body: str, first_line: int, root: Path, collector: Collector) -> None:
    """Images and embedded files must be files inside the project: no network, nothing outside.

    A link (``[text](target)``, ``<a href>``) may point to the web, since following it embeds nothing;
    but a link to a local file must stay inside the project too (``../../secret`` or ``/etc/passwd``
    would put a path of the author's machine into the book).
    """
    root = root.resolve()
    for number, line in enumerate(_blank_code(body).splitlines(), first_line):
        targets = [(m.group(1), "image") for m in IMAGE.finditer(line)] + [(m.group(1), "") for m in LINK.finditer(line)]
        for match in HTML_ATTR.finditer(line):
            value = next(v for v in match.group(2, 3, 4) if v is not None)
            tag = match.group(1).lower()
            targets.append((value, "" if tag == "a" else "image" if tag == "img" else "file"))
        for target, what in targets:
            problem = resource_problem(target, root, what)
            if problem:
                collector.error(path, number, *problem)


def resource_problem(target: str, root: Path, what: str = "file",
                     allowed: tuple[Path, ...] = ()) -> tuple[str, str | None] | None:
    """Why ``target`` may not be used (message, hint), or None. Paths are taken relative to ``root``.

    ``what`` names what the target is embedded as ("image", "file", "stylesheet"); an empty ``what``
    is a link, which may point to the web and need not exist.
    """
    embedded = bool(what)
    target = local = target.strip()
    if not target or target.startswith("#") or target.lower().startswith("data:"):
        return None
    if target.lower().startswith("file:"):
        local = re.sub(r"^file:(//[^/]*)?", "", target, flags=re.I)
    elif URL_SCHEME.match(target):
        if not embedded:
            return None  # a web link: the reader follows it, nothing is fetched into the book
        return (f"'{target}' is a network or external resource", "copy the file into the project and link it by path")
    local = local.split("#", 1)[0].split("?", 1)[0]
    resolved = Path(local).resolve() if local.startswith("/") else (root / local).resolve()
    if not any(resolved.is_relative_to(base) for base in (root, *allowed)):
        return (f"'{target}' is outside the project", "only files inside the project may be used")
    if embedded and not resolved.is_file():
        return (f"missing {what} '{target}'", None)
    return None


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
