"""Jinja templates: a strict environment, dependency discovery, and errors with file and line.

Undefined variables are errors (StrictUndefined): a typo in a template must stop the build, not
print an empty string into a book. Template dependencies (extends/include/import) are found with
``jinja2.meta`` so that doit rebuilds an output when any template it uses changes.
"""

from __future__ import annotations

import re
import traceback
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

from .errors import StudyguideError


@cache
def environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html", "xhtml", "svg", "xml"], default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["roman"] = roman
    env.filters["split_lines"] = str.splitlines
    env.filters["human_date"] = human_date
    env.filters["oneline"] = lambda text: " ".join(str(text).split())
    env.filters["short_title"] = short_title
    env.filters["sort_folded"] = sort_folded
    return env


def template_dependencies(templates: Path, name: str) -> list[Path]:
    """The template and, recursively, every template it extends, includes or imports."""
    env = environment(templates)
    seen: dict[str, None] = {}
    pending = [name]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen[current] = None
        path = templates / current
        if not path.is_file():
            continue  # reported when rendering
        try:
            ast = env.parse(path.read_text(encoding="utf-8"), current, str(path))
        except jinja2.TemplateSyntaxError:
            continue  # reported when rendering, with its line
        pending.extend(ref for ref in jinja2.meta.find_referenced_templates(ast) if ref)
    return [templates / n for n in seen]


CSS_URL = re.compile(r"""(?:url\(\s*["']?([^"')\s]+)["']?\s*\)|@import\s+["']([^"']+)["'])""", re.I)
TAG_URL = re.compile(r"""<([\w:]+)\b[^>]*?\s(?:src|href|xlink:href)\s*=\s*["']([^"']+)["']""", re.I)


def check_template_resources(templates: Path, name: str) -> None:
    """Refuse a template (or one it includes) that embeds a file outside the project or from the network.

    Only literal URLs are checked here, with their lines; a URL built from variables is checked when
    the document is laid out (WeasyPrint's restricted URL fetcher). Relative URLs in the EPUB
    templates point inside the EPUB container, not into the project, so only absolute and network
    URLs are checked there.
    """
    from .content import resource_problem
    from .errors import Collector
    from .fonts import FONT_DIRS

    root = templates.resolve().parent
    problems = Collector()
    for path in template_dependencies(templates, name):
        if not path.is_file():
            continue
        inside_epub = path.resolve().is_relative_to((templates / "epub").resolve())
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            found = [(m.group(1) or m.group(2), "stylesheet" if m.group(2) else "file") for m in CSS_URL.finditer(line)]
            found += [(m.group(2), "" if m.group(1).lower() == "a" else "file") for m in TAG_URL.finditer(line)]
            for target, what in found:
                if "{{" in target or "{%" in target or (inside_epub and not re.match(r"^(/|[a-z][\w+.-]*:)", target, re.I)):
                    continue
                problem = resource_problem(target, root, what, FONT_DIRS)
                if problem:
                    problems.error(path, number, *problem)
    problems.raise_if_errors()


def render(templates: Path, name: str, /, **context: Any) -> str:
    """Render a template; any template mistake becomes a one-line ``file:line: error``."""
    env = environment(templates)
    check_template_resources(templates, name)
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateNotFound as exc:
        raise StudyguideError.at(templates / name, None, f"template '{exc.name}' not found") from None
    except jinja2.TemplateSyntaxError as exc:
        path = exc.filename or str(templates / (exc.name or name))
        raise StudyguideError.at(path, exc.lineno, f"template syntax error: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        path, line = _template_frame(exc, templates / name)
        raise StudyguideError.at(path, line, f"undefined template variable: {exc.message}") from None
    except StudyguideError:
        raise
    except Exception as exc:
        path, line = _template_frame(exc, templates / name)
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
