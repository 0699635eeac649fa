"""Jinja templates: a strict environment, dependency discovery, and errors with file and line.

Undefined variables are errors (StrictUndefined): a typo in a template must stop the build, not
print an empty string into a book. Template dependencies (extends/include/import) are found with
``jinja2.meta`` so that doit rebuilds an output when any template it uses changes.

Templates are looked up along a search path: the project's ``templates/`` first, then the default
theme shipped in the package (``studyguide/theme``), the theme model of MkDocs and Nikola. A project
file of the same name replaces the theme's; includes and extends resolve across both. An override
that only changes a block can extend the theme's own file as ``theme/NAME``
(``{% extends "theme/print/cover.html.j2" %}``).
"""

from __future__ import annotations

import re
import traceback
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

from . import sandbox
from .errors import StudyguideError
from .paths import THEME

THEME_PREFIX = "theme/"  # names under it always mean the theme's file, even when the project overrides it
SearchPath = Path | tuple[Path, ...]  # hashable: environments are cached per search path


def search_dirs(templates: SearchPath) -> tuple[Path, ...]:
    """The folders a template name is looked up in, in order (a single folder for tests)."""
    return (templates,) if isinstance(templates, Path) else tuple(templates)


def locate(templates: SearchPath, name: str) -> Path | None:
    """The file a template name resolves to: the first folder that has it (``theme/…``: the theme's)."""
    if name.startswith(THEME_PREFIX):
        path = THEME / name.removeprefix(THEME_PREFIX)
        return path if path.is_file() else None
    for folder in search_dirs(templates):
        if (folder / name).is_file():
            return folder / name
    return None

# Templates whose output is markup are autoescaped: the test is on the name without '.j2'
# (jinja2.select_autoescape looks at the last suffix only, which is '.j2' for every template).
MARKUP_SUFFIXES = frozenset({"html", "xhtml", "svg", "xml"})


def autoescape(name: str | None) -> bool:
    """Whether a template's output is HTML/XML/SVG (``book.html.j2``, ``cover.svg.j2`` …)."""
    if not name:
        return False
    return name.removesuffix(".j2").rsplit(".", 1)[-1].lower() in MARKUP_SUFFIXES


class ConfinedLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that opens no template outside the project or the package (a template
    that is a symlink to /etc/hostname is refused before it is read)."""

    def get_source(self, environment: jinja2.Environment, template: str) -> Any:
        for folder in self.searchpath:
            candidate = Path(folder) / template
            if candidate.exists() or candidate.is_symlink():
                real = sandbox.confine(candidate)
                sandbox.open_check(real)
                break
        return super().get_source(environment, template)


def css_string(value: Any) -> str:
    """Text for the inside of a CSS double-quoted string ("War & Peace", 'The "Long" Telegram')."""
    out = []
    for char in str(value):
        if char in ('"', "\\") or ord(char) < 0x20 or char == "\x7f":
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return "".join(out)


@cache
def environment(templates: SearchPath) -> jinja2.Environment:
    loader = jinja2.ChoiceLoader([
        jinja2.PrefixLoader({THEME_PREFIX.rstrip("/"): ConfinedLoader(str(THEME))}),
        ConfinedLoader([str(d) for d in search_dirs(templates)]),
    ])
    env = jinja2.Environment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["roman"] = roman
    env.filters["css_string"] = css_string
    env.filters["split_lines"] = str.splitlines
    env.filters["human_date"] = human_date
    env.filters["oneline"] = lambda text: " ".join(str(text).split())
    env.filters["short_title"] = short_title
    env.filters["sort_folded"] = sort_folded
    return env


def template_dependencies(templates: SearchPath, name: str) -> list[Path]:
    """The file of the template and, recursively, of every template it extends, includes or imports,
    each as found along the search path (the project's override, else the theme's)."""
    env = environment(templates)
    seen: dict[str, Path | None] = {}
    pending = [name]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        path = seen[current] = locate(templates, current)
        if path is None or not sandbox.is_inside(path):
            continue  # reported when rendering
        try:
            ast = env.parse(path.read_text(encoding="utf-8"), current, str(path))
        except (jinja2.TemplateSyntaxError, UnicodeDecodeError, OSError):
            continue  # reported when rendering, with its line
        pending.extend(ref for ref in jinja2.meta.find_referenced_templates(ast) if ref)
    return [p for p in seen.values() if p is not None]


def check_template_resources(templates: SearchPath, name: str) -> None:
    """Refuse a template (or one it includes) that embeds a file outside the project or from the network.

    Only literal URLs are checked here, with their lines (CSS parsed with tinycss2, HTML and SVG with
    html.parser); a URL built from variables is checked when the document is laid out (WeasyPrint's
    restricted URL fetcher). Relative URLs in the EPUB templates point inside the EPUB container,
    not into the project, so only absolute and network URLs are checked there.
    """
    from .errors import Collector
    from .resources import LineFinder, resource_problem, template_references

    root = search_dirs(templates)[0].resolve().parent  # the project's templates/ lies in the project root
    epub_dirs = [(folder / "epub").resolve() for folder in (*search_dirs(templates), THEME)]
    problems = Collector()
    for path in template_dependencies(templates, name):
        if not path.is_file():
            continue
        sandbox.confine(path)
        inside_epub = any(path.resolve().is_relative_to(folder) for folder in epub_dirs)
        text = path.read_text(encoding="utf-8")
        finder = LineFinder(text)
        for ref in template_references(text, css=".css" in path.name):
            target = ref.target.strip()
            if "{{" in target or "{%" in target or (inside_epub and not re.match(r"^(/|[a-z][\w+.-]*:)", target, re.I)):
                continue
            problem = resource_problem(target, root, ref.what, system=True)
            if problem:
                problems.error(path, finder.line(ref.needle), *problem)
    problems.raise_if_errors()


def render(templates: SearchPath, name: str, /, **context: Any) -> str:
    """Render a template; any template mistake becomes a one-line ``file:line: error``."""
    env = environment(templates)
    check_template_resources(templates, name)
    shown = locate(templates, name) or search_dirs(templates)[0] / name
    try:
        return env.get_template(name).render(**context)
    except UnicodeDecodeError:
        raise StudyguideError.at(shown, None, "a template is not valid UTF-8") from None
    except jinja2.TemplateNotFound as exc:
        raise StudyguideError.at(shown, None, f"template '{exc.name}' not found") from None
    except jinja2.TemplateSyntaxError as exc:
        path = exc.filename or str(locate(templates, exc.name or name) or shown)
        raise StudyguideError.at(path, exc.lineno, f"template syntax error: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        path, line = _template_frame(exc, shown)
        raise StudyguideError.at(path, line, f"undefined template variable: {exc.message}") from None
    except StudyguideError:
        raise
    except Exception as exc:
        path, line = _template_frame(exc, shown)
        raise StudyguideError.at(path, line, f"template error: {type(exc).__name__}: {exc}") from None


def _template_frame(exc: BaseException, fallback: Path) -> tuple[str, int | None]:
    """The innermost traceback frame that belongs to a template file (Jinja rewrites them so)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".j2", ".html", ".xml", ".svg", ".css", ".md", ".yaml")):
            return frame.filename, frame.lineno
    return str(fallback), None


def roman(number: int) -> str:
    numerals = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    out = ""
    for value, letters in numerals:
        while number >= value:
            out += letters
            number -= value
    return out


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def human_date(value: str) -> str:
    """'1954-07-21' → 'July 21, 1954'; '1950-01' → 'January 1950'; '1954' stays."""
    parts = str(value).split("-")
    if len(parts) == 3:
        return f"{MONTHS[int(parts[1]) - 1]} {int(parts[2])}, {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return str(value)


def sort_folded(items: list[dict[str, Any]], attribute: str) -> list[dict[str, Any]]:
    """Dictionary order: accents and case do not count ('détente' sorts with 'detente')."""
    import unicodedata

    def key(item: dict[str, Any]) -> str:
        text = unicodedata.normalize("NFKD", str(item[attribute]))
        return "".join(c for c in text if not unicodedata.combining(c)).casefold()

    return sorted(items, key=key)


def short_title(entry: dict[str, Any]) -> str:
    """'Chen Jian, *Mao's China and the Cold War*' from a CSL JSON entry, for tables.

    An untitled item (an archival memorandum, a letter) is described instead of left as “”: what it
    is (its genre), its date and its archive, e.g. 'Memcon, Khrushchev and Hồ Chí Minh, August 17,
    1961, Russian State Archive of Contemporary History, Moscow'.
    """
    names = entry.get("author") or entry.get("editor") or []
    who = ""
    if names:
        first = names[0]
        who = first.get("literal") or first.get("family", "")
    title = entry.get("title-short") or entry.get("title", "")
    if not title:
        return _describe_untitled(entry, who)
    italic = entry.get("type") in {"book", "thesis", "report"}
    shown = f"*{title}*" if italic else f"“{title}”"
    return f"{who}, {shown}" if who else shown


def _describe_untitled(entry: dict[str, Any], who: str) -> str:
    parts = [who] if who else []
    parts.append(entry.get("genre") or {"manuscript": "Document", "personal_communication": "Letter"}.get(
        entry.get("type", ""), "Untitled item"))
    issued = (entry.get("issued") or {}).get("date-parts") or []
    if issued and issued[0]:
        parts.append(human_date("-".join(f"{int(v):02d}" if i else str(v) for i, v in enumerate(issued[0]))))
    archive = entry.get("archive", "")
    # The archive's English name; the transliterated original in brackets adds length, not sense.
    archive = archive.split(" (")[0] if archive else ""
    parts += [p for p in (archive, entry.get("archive-place", "")) if p]
    return ", ".join(parts)
