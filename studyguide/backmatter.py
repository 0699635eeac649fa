"""Back matter generated from data files (timeline, who's who, glossary, questions …).

Each data file is validated against its schema (schema.DATA_SHAPES), with the line of every bad field, then rendered
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
from .errors import Collector, StudyguideError, yaml_problem
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
        # The line of each field too, so that a field of the wrong type is reported where it is.
        mapping["__lines__"] = {k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
        return mapping

    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    try:
        return yaml.load(text, Loader=LineLoader)
    except yaml.YAMLError as exc:
        line, problem, hint = yaml_problem(exc)
        raise StudyguideError.at(path, line, f"malformed YAML: {problem}", hint) from None


def load_valid(path: Path, shape_name: str) -> Any:
    """A data file read with its lines and checked against its shape (schema.DATA_SHAPES); plain values.

    Every problem is reported at its line, all at once; aliases and keys given twice are refused.
    """
    from . import schema, yamlfile

    doc = yamlfile.load(path)
    shape = schema.DATA_SHAPES.get(shape_name)
    if shape is not None:
        problems = Collector()
        if schema.validate(shape, doc, problems, top=shape_name) is None:
            raise StudyguideError(problems.errors)
    return doc.value


def strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k not in ("__line__", "__lines__")}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value


def write_generated(book: Book, part: Part, bibliography_json: Path, concordance_json: Path | None,
                    cited: list[str]) -> None:
    data: Any = None
    if part.data is not None:
        from .config import DEFAULT_DATA

        data = load_valid(part.data, DEFAULT_DATA.get(part.slug, part.data.stem))
    entries = {e["id"]: e for e in json.loads(bibliography_json.read_text(encoding="utf-8"))}
    concordance = json.loads(concordance_json.read_text(encoding="utf-8")) if concordance_json else []
    text = render(
        book.paths.template_dirs, f"back/{part.slug}.md.j2", book=book.metadata(), data=data,
        part={"slug": part.slug, "title": part.title, "intro": part.intro}, notes_titles=book.notes_titles,
        entries=entries, concordance=concordance, cited=cited,
        figures=sorted(f.stem for f in book.paths.figures.glob("*.json")), chapters=[
            {"number": p.number, "slug": p.slug, "source": p.source} for p in book.chapters()],
    )
    atomic_write_text(part.source, text)
