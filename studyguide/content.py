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

from . import sandbox, yamlio
from .errors import Collector, StudyguideError, did_you_mean
from .sandbox import NamedBy

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
# pandoc: a key starts with a letter, digit or _, and may contain internal punctuation :.#$%&-+?<>~/
CITATION_KEY = re.compile(r"(?<![\w@.])-?@(\{[^}\s]+\}|[\w][\w:.#$%&\-+?<>~/]*)")
FENCED_CODE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
INLINE_CODE = re.compile(r"`[^`\n]*`")
RAW_NOT_PROSE = re.compile(r"<(style|script)\b[^>]*+>.*?</\1\s*>|<!--.*?-->", re.S | re.I)
EMAIL_OR_HANDLE = re.compile(r"\S+@\S+")
# A citation group starts with '[' and, after optional prefix words, '@key' or '-@key'.
CITATION_START = re.compile(r"(?:^|[\s;])-?@[\w{]")
BARE_AT = re.compile(r"(?:^|[\s;\[])-?@(?![\w{])")
# {#id ...} attributes: on headings, fenced divs, bracketed spans and images.
EXPLICIT_ID = re.compile(r"\{[^{}\n]*+\}")
ANCHOR = re.compile(r"(?<![\w-])#([\w:.-]++)")
PARAGRAPH = re.compile(r"(?:[^\n]*\S[^\n]*+(?:\n|$))+")
OPEN_BRACKET = re.compile(r"\[")
BRACKET = re.compile(r"[\[\]]")
# Front-matter keys that make pandoc/citeproc read a file; pandoc's --sandbox does not stop these.
FILE_KEYS = {"bibliography", "csl", "citation-abbreviations", "references-file"}
# An attribute block {…}; the figure-ref ones name their chart with chart="id" (the first one counts,
# as in pandoc's reading). Possessive quantifiers: a line of unclosed braces stays linear.
ATTRIBUTES = re.compile(r"\{[^{}\n]*+\}")
CHART_ATTR = re.compile(r"""(?<![\w-])chart\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s}]+))""")
CHART_ID = re.compile(r"[\w-]+")


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


CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
BOM = "\ufeff"
# Lines that open a YAML block in pandoc's reading: '---' alone, not followed by a blank line.
YAML_OPEN = re.compile(r"^---[ \t]*$")
YAML_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")
CODE_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")


def read_text(path: Path, named_by: NamedBy | None = None) -> str:
    """A source file as text: confined to the project, a regular file, UTF-8 (a byte-order mark is
    dropped, as Windows editors write one), with no control characters (invalid in XHTML/EPUB)."""
    data = sandbox.read_bytes(path, named_by)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise StudyguideError.at(path, line, f"not valid UTF-8 (byte 0x{exc.object[exc.start]:02x})",
                                 hint="save the file as UTF-8") from None
    bad = CONTROL_CHARACTER.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise StudyguideError.at(path, line, f"control character U+{ord(bad.group()):04X} in the text",
                                 hint="delete it; it is invalid in an e-book")
    return text


# Limits on what pandoc and WeasyPrint are asked to do (see README, Sandbox): past them they run
# for many minutes or exhaust memory (a megabyte of '[' on one line: pandoc > 8 GB; 5,000 nested
# lists: 5.7 GB; 200 nested block quotes: WeasyPrint's layout overflows Python's stack).
MAX_LINE_CHARACTERS = 50_000
MAX_QUOTE_DEPTH = 30
MAX_INDENT_COLUMNS = 160


def check_limits(path: Path, body: str, first_line: int, collector: Collector) -> None:
    """Lines too long, block quotes nested too deep, or indentation that means lists nested too deep."""
    lines = body.split("\n")
    code = code_lines(lines)
    for index, line in enumerate(lines):
        number = first_line + index
        if len(line) > MAX_LINE_CHARACTERS:
            collector.error(path, number, f"the line is {len(line):,} characters long (the limit is "
                            f"{MAX_LINE_CHARACTERS:,})", hint="break it into paragraphs")
            return
        if index in code:
            continue
        stripped = line.lstrip(" \t>")
        prefix = line[: len(line) - len(stripped)]
        if prefix.count(">") > MAX_QUOTE_DEPTH:
            collector.error(path, number, f"block quotes nested {prefix.count('>')} deep (the limit is "
                            f"{MAX_QUOTE_DEPTH})", hint="flatten the quotation")
            return
        if len(prefix.expandtabs(4)) > MAX_INDENT_COLUMNS and stripped:
            collector.error(path, number, f"the line is indented {len(prefix.expandtabs(4))} columns (lists "
                            f"nested too deep; the limit is {MAX_INDENT_COLUMNS} columns)", hint="flatten the list")
            return


def code_lines(lines: list[str]) -> set[int]:
    """Indexes of the lines inside fenced code blocks (fence lines included), in one pass."""
    inside: set[int] = set()
    fence: str | None = None
    for index, line in enumerate(lines):
        match = CODE_FENCE.match(line)
        if fence is None:
            if match:
                fence = match.group(1)
                inside.add(index)
        else:
            inside.add(index)
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence) \
                    and not line.strip().strip(fence[0]):
                fence = None
    return inside


def check_metadata_blocks(path: Path, body: str, first_line: int, collector: Collector) -> None:
    """A YAML block after the front matter is an error at its line.

    pandoc reads metadata blocks anywhere in a file and merges them, so a block in the body could
    set what the front matter may not (``citation-abbreviations``, ``csl`` …). Only the front
    matter at the top of the file may set metadata. pandoc's rule is followed: a ``---`` line after
    a blank line, not followed by a blank line, closed by ``---`` or ``...``, whose content is a
    YAML mapping (a horizontal rule or a setext heading is not).
    """
    lines = body.split("\n")
    code = code_lines(lines)
    index = 0
    while index < len(lines):
        if index in code or not YAML_OPEN.match(lines[index]) or (index > 0 and lines[index - 1].strip()) \
                or index + 1 >= len(lines) or not lines[index + 1].strip():
            index += 1
            continue
        end = next((j for j in range(index + 1, len(lines)) if YAML_CLOSE.match(lines[j])), None)
        if end is None:
            break
        block = "\n".join(lines[index + 1:end])
        try:
            loaded = yamlio.load(block, path, line_offset=first_line + index + 1)
        except StudyguideError:
            loaded = {}
        if isinstance(loaded, dict):
            collector.error(path, first_line + index, "a metadata block ('---' … '---') after the front matter",
                            hint="only the front matter at the top of the file may set metadata; "
                                 "a horizontal rule needs a blank line after '---'")
            index = end + 1
        else:
            index += 1


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
    check_limits(path, body, body_line, problems)
    problems.raise_if_errors()  # the other checks need not scan a pathological file
    check_metadata_blocks(path, body, body_line, problems)
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

    # <style> and <script> bodies and HTML comments are not prose: '@media' there is no citation.
    return INLINE_CODE.sub(blank, RAW_NOT_PROSE.sub(blank, FENCED_CODE.sub(blank, body)))


def check_citation_syntax(path: Path, body: str, first_line: int, collector: Collector) -> None:
    """Report malformed citations (see the module docstring for what counts as malformed)."""
    text = _blank_code(body)
    line_of = _line_index(text, first_line)
    # Paragraphs end at a blank line; a bracket must close within its paragraph.
    for paragraph in PARAGRAPH.finditer(text):
        chunk = paragraph.group()
        offset = paragraph.start()
        for opening in OPEN_BRACKET.finditer(chunk):
            stop = BRACKET.search(chunk, opening.end())
            inside = chunk[opening.end(): stop.start() if stop else len(chunk)]
            closed = bool(stop) and stop.group() == "]"
            if "@" not in inside or (not CITATION_START.search(inside) and not BARE_AT.search(" " + inside)):
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
        for match in (a for block in EXPLICIT_ID.finditer(line) for a in ANCHOR.finditer(block.group())):
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
    """The charts a part shows (``::: {.figure-ref chart="name"}``), each with its line.

    The name is returned as written; a name that is not a chart id (``../../x``) is reported by
    config.check_sources, and prepare.lua refuses it too.
    """
    found = []
    for number, line in enumerate(_blank_code(text).splitlines(), first_line):
        if ".figure-ref" not in line:
            continue
        for block in ATTRIBUTES.finditer(line):
            attributes = block.group()
            if not re.search(r"(?<![\w-])\.figure-ref(?![\w-])", attributes):
                continue
            chart = CHART_ATTR.search(attributes)
            if chart:
                found.append((next(v for v in chart.groups() if v is not None), number))
    return found


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


def book_citations(sources: list[Path]) -> list[tuple[Path, CitationUse]]:
    """Every citation in the given files (chapters and data files), in reading order."""
    return [(source, use) for source in sources for use in find_citations(read_text(source))]


def check_citations(path: Path, uses: list[CitationUse], known: set[str], collector: Collector) -> None:
    for use in uses:
        if use.key not in known:
            collector.error(path, use.line, f"unknown citation key '{use.key}'", did_you_mean(use.key, known))


def ast_citation_keys(ast: dict[str, Any], elements: list[dict[str, Any]] | None = None) -> set[str]:
    """Keys of every Cite element in a pandoc JSON AST (walked without recursion, unless ``elements``
    holds its elements already)."""
    from .resources import walk

    nodes = walk(ast.get("blocks", [])) if elements is None else elements
    return {c["citationId"] for node in nodes if node.get("t") == "Cite" for c in node["c"][0]}
