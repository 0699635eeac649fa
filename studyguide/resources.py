"""What a part refers to, found in the parsed document: pandoc's AST, an HTML parser, tinycss2, XML.

Regular expressions over Markdown text miss every spelling they were not written for (a second
URL attribute, a tag split over two lines, a reference-style image, a raw ``{=html}`` block, a
``style`` attribute). So the part's AST, as pandoc parsed it, is walked instead:

* ``Image`` targets are embedded: each must be a file inside the project (no network, nothing
  outside); an SVG image is parsed too (defusedxml: no DTD, no entities) and must be
  self-contained (no ``href`` to another file, no ``@import``, no ``url()`` except ``#id`` and
  ``data:``);
* ``Link`` targets may point to the web, but a local file must lie inside the project;
* ``RawInline``/``RawBlock`` HTML is parsed with :mod:`html.parser`: every element must be on the
  allow-list :data:`ALLOWED_ELEMENTS` (docs/authoring.md), no ``on…`` event attribute, and every
  URL-bearing attribute (:data:`URL_ATTRIBUTES`, ``srcset`` split at its commas) and every CSS
  ``url()``/``@import`` (``style`` attributes and ``<style>`` blocks, parsed with tinycss2) is
  checked like an image.

The walk is iterative (a chapter of 200 nested block quotes must not exhaust Python's stack).
The AST has no line numbers; the line reported is where the offending text first occurs in the
source after the previous finding, which is where the author wrote it.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_to_bytes

import tinycss2

from . import sandbox
from .errors import Collector, display_path
from .sandbox import NamedBy

URL_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
# Attributes whose value is a URL the reader's software may fetch (HTML, SVG, MathML).
URL_ATTRIBUTES = frozenset({
    "src", "href", "data", "poster", "srcset", "xlink:href", "background", "action", "formaction", "cite",
    "longdesc", "usemap", "manifest", "codebase", "archive", "lowsrc", "dynsrc", "icon", "profile", "ping",
})
# Raw HTML a chapter may use: text-level and structural markup, tables, figures, media with checked
# sources, inline SVG drawings and <style>. Not: script, forms, meta/base/link (they steer the
# reader or fetch), frames and plugins (iframe, object, embed), which EPUB 3 forbids or flags.
ALLOWED_ELEMENTS = frozenset({
    "a", "abbr", "address", "article", "aside", "audio", "b", "bdi", "bdo", "blockquote", "br", "caption",
    "cite", "code", "col", "colgroup", "data", "dd", "del", "details", "dfn", "div", "dl", "dt", "em",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "img", "ins",
    "kbd", "li", "main", "mark", "nav", "ol", "p", "picture", "pre", "q", "rp", "rt", "ruby", "s", "samp",
    "section", "small", "source", "span", "strong", "style", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "time", "tr", "track", "u", "ul", "var", "video", "wbr",
    # SVG drawn inline (html.parser lower-cases names)
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan", "title",
    "desc", "defs", "use", "symbol", "lineargradient", "radialgradient", "stop", "clippath", "mask", "pattern",
    "marker", "image",
    # MathML
    "math", "mi", "mn", "mo", "mrow", "msup", "msub", "mfrac", "msqrt", "mroot", "mtext", "mspace", "mtable",
    "mtr", "mtd", "semantics", "annotation",
})
FORBIDDEN_HINT = "see 'Raw HTML' in docs/authoring.md for the elements a chapter may use"


@dataclass(frozen=True)
class Reference:
    """A URL the document uses: the text that names it, and how it is used."""

    target: str
    what: str  # "image", "file", "stylesheet" (embedded) or "" (a link)
    needle: str  # text to look for in the source, for the line


@dataclass(frozen=True)
class Problem:
    message: str
    hint: str | None
    needle: str


# --- the AST walk --------------------------------------------------------------------------------

def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every element of a pandoc JSON AST in document order, without recursion."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            if "t" in current:
                yield current
            stack.extend(reversed(list(current.values())))
        elif isinstance(current, list):
            stack.extend(reversed(current))


def document_problems(ast: dict[str, Any], root: Path, base: Path | None = None,
                      elements: list[dict[str, Any]] | None = None) -> list[Problem]:
    """Everything in a part's AST that may not be used (images, links, raw HTML).

    ``elements``: the AST's elements already walked (the part stage walks each AST once for its checks)."""
    problems: list[Problem] = []
    for element in walk(ast.get("blocks", [])) if elements is None else elements:
        kind = element.get("t")
        if kind == "Image":
            target = element["c"][2][0]
            problems += reference_problems(Reference(target, "image", target), root)
        elif kind == "Link":
            target = element["c"][2][0]
            problems += reference_problems(Reference(target, "", target), root)
        elif kind in ("RawInline", "RawBlock") and element["c"][0] in ("html", "html5", "html4"):
            problems += html_problems(element["c"][1], root)
        attributes = element_attributes(element)
        if attributes:
            problems += attribute_problems(attributes, root)
    return problems


# Where each element keeps its Attr ([id, classes, [[key, value], …]]) in pandoc's JSON.
ATTR_AT = {"Div": 0, "Span": 0, "Code": 0, "CodeBlock": 0, "Figure": 0, "Table": 0, "Link": 0, "Image": 0,
           "Header": 1}


def element_attributes(element: dict[str, Any]) -> list[tuple[str, str]]:
    """The key-value attributes of a parsed element (pandoc turns ``<span style=…>`` into a Span)."""
    at = ATTR_AT.get(element.get("t", ""))
    if at is None:
        return []
    try:
        return [(str(k), str(v)) for k, v in element["c"][at][2]]
    except (IndexError, TypeError, ValueError):
        return []


def attribute_problems(attributes: list[tuple[str, str]], root: Path) -> list[Problem]:
    problems: list[Problem] = []
    for name, value in attributes:
        lower = name.lower()
        if lower.startswith("on"):
            problems.append(Problem(f"attribute '{name}' is not allowed (no scripts in a book)", FORBIDDEN_HINT, name))
        elif lower == "style":
            for url in css_urls(value, declarations=True):
                problems += reference_problems(Reference(url, "file", url), root)
        elif lower in URL_ATTRIBUTES - {"cite", "ping", "href"}:
            problems += reference_problems(Reference(value, "file", value), root)
    return problems


def reference_problems(ref: Reference, root: Path) -> list[Problem]:
    target = ref.target.strip()
    problem = resource_problem(target, root, ref.what)
    if problem:
        return [Problem(*problem, ref.needle)]
    data_svg = _data_svg(target)
    if data_svg is not None:
        return [Problem(m, h, ref.needle) for m, h, _ in svg_problems_text(data_svg)]
    if ref.what == "image" and not URL_SCHEME.match(target) and target.lower().endswith(".svg"):
        path = _local_path(target, root)
        return [Problem(m, h, ref.needle) for m, h, _ in svg_problems(path)]
    return []


def _local_path(target: str, root: Path) -> Path:
    local = re.sub(r"^file:(//[^/]*)?", "", target, flags=re.I)
    local = unquote(local.split("#", 1)[0].split("?", 1)[0])
    return Path(local) if local.startswith("/") else root / local


def resource_problem(target: str, root: Path, what: str = "file", *, system: bool = False
                     ) -> tuple[str, str | None] | None:
    """Why ``target`` may not be used (message, hint), or None. Paths are taken relative to ``root``.

    ``what`` names what the target is embedded as ("image", "file", "stylesheet"); an empty ``what``
    is a link, which may point to the web and need not exist. Percent-escapes are decoded (pandoc
    writes ``<images/my file.png>`` as ``images/my%20file.png``). ``system`` also admits the
    read-only places (fonts, the package): for templates, not for content.
    """
    embedded = bool(what)
    target = target.strip()
    if not target or target.startswith("#") or target.lower().startswith("data:"):
        return None
    if URL_SCHEME.match(target) and not target.lower().startswith("file:"):
        if not embedded:
            return None  # a web link: the reader follows it, nothing is fetched into the book
        return (f"'{target}' is a network or external resource", "copy the file into the project and link it by path")
    path = _local_path(target, root)
    if not sandbox.is_inside(path, project_only=not system, root=root.resolve()):
        return (f"'{target}' is outside the project", sandbox.OUTSIDE_HINT)
    if embedded and not path.is_file():
        return (f"missing {what} '{target}'", None)
    return None


def _data_svg(target: str) -> str | None:
    """The text of a ``data:image/svg+xml`` URL (an SVG may nest references of its own)."""
    match = re.match(r"data:image/svg\+xml(;[^,]*)?,(.*)\Z", target.strip(), re.I | re.S)
    if not match:
        return None
    try:
        raw = base64.b64decode(match.group(2)) if "base64" in (match.group(1) or "") else unquote_to_bytes(match.group(2))
    except ValueError:
        return ""
    return raw.decode("utf-8", "replace")


# --- raw HTML ------------------------------------------------------------------------------------

class _HTMLReferences(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.references: list[Reference] = []
        self.forbidden: list[tuple[str, str]] = []
        self._style: list[str] | None = None
        self._raw = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or f"<{tag}"
        if tag not in ALLOWED_ELEMENTS:
            self.forbidden.append((f"raw HTML element <{tag}> is not allowed in a chapter", raw))
            return
        for name, value in attrs:
            if name.startswith("on"):
                self.forbidden.append((f"raw HTML attribute '{name}' is not allowed (no scripts in a book)", raw))
            if value is None:
                continue
            if name in URL_ATTRIBUTES:
                what = "" if (tag == "a" and name == "href") or name in ("cite", "ping") else \
                    "image" if tag == "img" else "file"
                values = [c.strip().split()[0] for c in value.split(",") if c.strip()] if name == "srcset" else [value]
                self.references += [Reference(v, what, raw) for v in values]
            elif name == "style":
                self.references += [Reference(url, "file", raw) for url in css_urls(value, declarations=True)]
        if tag == "style":
            self._style, self._raw = [], raw

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "style":
            self._style = None

    def handle_data(self, data: str) -> None:
        if self._style is not None:
            self._style.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "style" and self._style is not None:
            self.references += [Reference(url, "stylesheet", self._raw) for url in css_urls("".join(self._style))]
            self._style = None

    def handle_decl(self, decl: str) -> None:
        self.forbidden.append((f"raw HTML declaration <!{decl.split()[0] if decl.split() else ''}> is not allowed",
                               f"<!{decl}"))

    def handle_pi(self, data: str) -> None:
        self.forbidden.append(("raw HTML processing instruction is not allowed", f"<?{data}"))


def html_problems(html: str, root: Path) -> list[Problem]:
    parser = _HTMLReferences()
    parser.feed(html)
    parser.close()
    if parser._style is not None:  # an unclosed <style>: its text so far
        parser.handle_endtag("style")
    problems = [Problem(message, FORBIDDEN_HINT, needle) for message, needle in parser.forbidden]
    for ref in parser.references:
        problems += reference_problems(ref, root)
    return problems


# --- CSS -------------------------------------------------------------------------------------------

def css_urls(css: str, *, declarations: bool = False) -> list[str]:
    """Every ``url(…)`` and ``@import`` target of a stylesheet (or of a ``style`` attribute)."""
    return [url for url, _ in css_references(css, declarations=declarations)]


def css_references(css: str, *, declarations: bool = False) -> list[tuple[str, str]]:
    """(target, "stylesheet" for an @import or "file" for a url()) of a stylesheet, parsed with tinycss2."""
    nodes = tinycss2.parse_blocks_contents(css) if declarations else tinycss2.parse_stylesheet(css)
    found: list[tuple[str, str]] = []
    stack: list[Any] = list(reversed(nodes))
    while stack:
        node = stack.pop()
        kind = getattr(node, "type", None)
        if kind == "url":
            found.append((node.value, "file"))
        elif kind == "function" and node.lower_name in ("url", "src"):
            found += [(a.value, "file") for a in node.arguments if getattr(a, "type", None) == "string"][:1]
        elif kind == "at-rule" and node.lower_at_keyword == "import":
            for token in node.prelude:
                if getattr(token, "type", None) in ("string", "url"):
                    found.append((token.value, "stylesheet"))
                    break
                if getattr(token, "type", None) == "function" and token.lower_name == "url":
                    found += [(a.value, "stylesheet") for a in token.arguments if getattr(a, "type", None) == "string"][:1]
                    break
            continue
        for attribute in ("prelude", "content", "arguments", "value"):
            children = getattr(node, attribute, None)
            if isinstance(children, list):
                stack.extend(reversed(children))
    return found


def template_references(text: str, css: bool) -> list[Reference]:
    """The literal URLs of a template's text: CSS parsed with tinycss2, HTML/SVG with html.parser
    (no allow-list here: templates are the book's own layout, not content)."""
    if css:
        return [Reference(url, what, url) for url, what in css_references(text)]
    parser = _HTMLReferences()
    parser.feed(text)
    parser.close()
    if parser._style is not None:
        parser.handle_endtag("style")
    return parser.references


# --- SVG files -----------------------------------------------------------------------------------

def svg_problems(path: Path) -> list[tuple[str, str | None, int | None]]:
    """(message, hint, line) for an SVG file that is not self-contained or not safe XML."""
    try:
        data = sandbox.read_bytes(path)
    except Exception as exc:  # a StudyguideError (outside, a pipe): reported by the caller's check
        return [(str(getattr(exc, "diagnostics", [exc])[0].message if hasattr(exc, "diagnostics") else exc), None, None)]
    return svg_problems_text(data.decode("utf-8", "replace"), shown=f"the SVG file '{display_path(path)}'")


def svg_problems_text(text: str, shown: str = "the SVG") -> list[tuple[str, str | None, int | None]]:
    from xml.sax.handler import ContentHandler

    import defusedxml.sax
    from defusedxml import DefusedXmlException

    found: list[tuple[str, str | None, int | None]] = []
    hint = "an SVG image must be self-contained: embed what it shows, or refer to '#id' within it"

    class Handler(ContentHandler):
        def setDocumentLocator(self, locator: Any) -> None:
            self.locator = locator

        def startElement(self, name: str, attrs: Any) -> None:
            line = self.locator.getLineNumber() if hasattr(self, "locator") else None
            for attribute in attrs.getNames():
                value = attrs.getValue(attribute)
                urls = [value] if attribute.split(":")[-1] in ("href", "src") else \
                    css_urls(value, declarations=True) if attribute == "style" else \
                    re.findall(r"url\(\s*['\"]?([^'\")]+)", value)
                for url in urls:
                    if url.strip() and not url.strip().startswith("#") and not url.strip().lower().startswith("data:"):
                        found.append((f"{shown} refers to '{url.strip()}'", hint, line))
            self._style = name.split(":")[-1] == "style"
            self._text: list[str] = []

        def characters(self, content: str) -> None:
            if getattr(self, "_style", False):
                self._text.append(content)

        def endElement(self, name: str) -> None:
            if getattr(self, "_style", False):
                line = self.locator.getLineNumber() if hasattr(self, "locator") else None
                for url in css_urls("".join(self._text)):
                    found.append((f"{shown} refers to '{url}'", hint, line))
                self._style = False

        def processingInstruction(self, target: str, data: str) -> None:
            if target == "xml-stylesheet":
                found.append((f"{shown} links a stylesheet ({data})", hint, None))

    try:
        defusedxml.sax.parseString(text.encode("utf-8"), Handler(), forbid_dtd=True)
    except DefusedXmlException:
        found.append((f"{shown} declares a DTD or entities", "remove the <!DOCTYPE …> and <!ENTITY …> lines", None))
    except Exception as exc:
        found.append((f"{shown} is not well-formed XML ({exc})", None, None))
    return found


# --- lines ---------------------------------------------------------------------------------------

class LineFinder:
    """The source line of a finding: where its text first occurs after the previous finding."""

    def __init__(self, text: str, first_line: int = 1):
        self.text, self.first_line, self.cursor = text, first_line, 0

    def line(self, needle: str) -> int | None:
        candidates = [n for n in (needle, unquote(needle), needle.split("\n", 1)[0].strip()) if n]
        for start in (self.cursor, 0):
            for candidate in candidates:
                at = self.text.find(candidate, start)
                if at >= 0:
                    self.cursor = at
                    return self.text.count("\n", 0, at) + self.first_line
        return None


def report(problems: list[Problem], path: Path, source_text: str, collector: Collector,
           first_line: int = 1) -> None:
    """Add each problem with its line; one refused element per line (a <form>'s <input> is no news)."""
    finder = LineFinder(source_text, first_line)
    refused_lines: set[int | None] = set()
    for problem in problems:
        line = finder.line(problem.needle)
        if problem.message.startswith("raw HTML element"):
            if line in refused_lines:
                continue
            refused_lines.add(line)
        collector.error(path, line, problem.message, problem.hint)


def check_svg_file(path: Path, named_by: NamedBy, collector: Collector) -> None:
    for message, hint, line in svg_problems(path):
        collector.error(path if line else named_by.path, line if line else named_by.line, message, hint)
