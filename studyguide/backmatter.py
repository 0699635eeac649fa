"""Back matter generated from data files (timeline, who's who, glossary, questions …).

Each data file is validated against a small schema, with the line of every bad field, then rendered
to Markdown through ``templates/back/NAME.md.j2``; the Markdown then takes the same pandoc path as
a chapter, so citations in data files become footnotes and bibliography entries like any other.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from .config import Book, Part
from .content import read_text
from .errors import Collector, StudyguideError
from .fsutil import atomic_write_text
from .render import render

# field → (type, required) for each list-shaped data file
SCHEMAS: dict[str, dict[str, tuple[type | tuple[type, ...], bool]]] = {
    "timeline": {"date": (str, True), "event": (str, True), "chapter": (int, True), "cite": (str, True), "note": (str, False)},
    "people": {"name": (str, True), "sort": (str, True), "dates": (str, True), "role": (str, True),
               "significance": (str, True), "cite": (str, True), "group": (str, False)},
    "glossary": {"term": (str, True), "definition": (str, True), "cite": (str, False)},
}


def load_data(path: Path) -> Any:
    """Load YAML with a line number for every mapping, kept under the key '__line__'."""
    text = read_text(path)

    class LineLoader(yaml.SafeLoader):
        pass

    def construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[str, Any]:
        mapping = loader.construct_mapping(node, deep=True)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping

    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    try:
        return yaml.load(text, Loader=LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise StudyguideError.at(path, mark.line + 1 if mark else None, f"malformed YAML: {problem}") from None


def validate(name: str, path: Path, data: Any) -> None:
    schema = SCHEMAS.get(name)
    if schema is None:
        return
    problems = Collector()
    if not isinstance(data, list) or not data:
        raise StudyguideError.at(path, 1, f"{name} data must be a non-empty list of entries")
    for item in data:
        if not isinstance(item, dict):
            problems.error(path, None, f"each {name} entry must be a mapping, not {item!r}")
            continue
        line = item.get("__line__")
        for field, (kind, required) in schema.items():
            if field not in item:
                if required:
                    problems.error(path, line, f"{name} entry is missing the field '{field}'")
            elif not isinstance(item[field], kind) or isinstance(item[field], bool):
                expected = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
                problems.error(path, line, f"field '{field}' must be a {expected}, not {type(item[field]).__name__}")
    problems.raise_if_errors()


def strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value


def write_generated(book: Book, part: Part, bibliography_json: Path, concordance_json: Path | None,
                    cited: list[str]) -> None:
    data: Any = None
    if part.data is not None:
        data = load_data(part.data)
        validate(part.slug, part.data, data)
        data = strip_lines(data)
    entries = {e["id"]: e for e in json.loads(bibliography_json.read_text(encoding="utf-8"))}
    concordance = json.loads(concordance_json.read_text(encoding="utf-8")) if concordance_json else []
    text = render(
        book.root / "templates", f"back/{part.slug}.md.j2", book=book.metadata(), data=data,
        entries=entries, concordance=concordance, cited=cited,
        figures=sorted(f.stem for f in (book.build / "figures").glob("*.json")), chapters=[
            {"number": p.number, "slug": p.slug, "source": p.source} for p in book.chapters()],
    )
    atomic_write_text(part.source, text)
