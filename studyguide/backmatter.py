"""Back matter generated from data files (timeline, who's who, glossary, questions …).

Each data file is validated against its schema (schema.DATA_SHAPES), then by the checks of this
module (what a shape cannot say), with the line of every bad field, then rendered to Markdown
through ``back/NAME.md.j2`` (the book's template or the theme's); the Markdown then takes the same
pandoc path as a chapter, so citations in data files become footnotes and bibliography entries
like any other.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import yaml

from . import yamlio
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

    class LineLoader(yamlio.BoundedLoader):
        pass

    def construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[str, Any]:
        mapping = loader.construct_mapping(node, deep=True)
        mapping["__line__"] = node.start_mark.line + 1
        # The line of each field too, so that a field of the wrong type is reported where it is.
        mapping["__lines__"] = {k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
        return mapping

    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return yamlio.load(text, path, loader=LineLoader)


# questions.yaml is a mapping of lists; each nested list is checked like a list-shaped data file.
# Mark schemes: `levels` maps each kind of question (essay, interpret, compare, opvl, synthesis …)
# to its bands; a question names its `kind` and may list `indicative` content for the answer key.
QUESTION_SCHEMAS: dict[str, dict[str, tuple[type | tuple[type, ...], bool]]] = {
    "essay": {"question": (str, True), "answer": (str, True), "chapters": (list, False), "indicative": (list, False)},
    "dbq": {"title": (str, True), "documents": (list, True), "questions": (list, True), "chapters": (list, False),
            "intro": (str, False)},
    "documents": {"label": (str, True), "source": (str, True), "text": (str, True), "cite": (str, True),
                  "form": (str, False)},
    "questions": {"question": (str, True), "answer": (str, True), "kind": (str, False), "indicative": (list, False)},
    "levels": {"level": (int, True), "marks": (str, True), "descriptor": (str, True)},
}
DOCUMENT_FORMS = ("quotation", "excerpt")  # a short quotation, or a longer excerpt printed as a block


def validate(name: str, path: Path, data: Any) -> None:
    if name == "questions":
        _validate_questions(path, data)
        return
    schema = SCHEMAS.get(name)
    if schema is None:
        return
    problems = Collector()
    if not isinstance(data, list) or not data:
        raise StudyguideError.at(path, 1, f"{name} data must be a non-empty list of entries")
    _validate_list(name, path, data, schema, problems)
    problems.raise_if_errors()


def _validate_questions(path: Path, data: Any) -> None:
    """Essay questions and document sets (each set with its documents and questions)."""
    problems = Collector()
    if not isinstance(data, dict) or not isinstance(data.get("essay"), list):
        raise StudyguideError.at(path, 1, "questions data must be a mapping with an 'essay' list and a 'dbq' list")
    _validate_list("essay", path, data["essay"], QUESTION_SCHEMAS["essay"], problems)
    sets = data.get("dbq", [])
    if not isinstance(sets, list):
        problems.error(path, data.get("__lines__", {}).get("dbq", 1), "'dbq' must be a list of document sets")
        sets = []
    _validate_list("dbq", path, sets, QUESTION_SCHEMAS["dbq"], problems)
    for item in sets:
        for inner in ("documents", "questions"):
            if isinstance(item, dict) and isinstance(item.get(inner), list):
                _validate_list(inner[:-1], path, item[inner], QUESTION_SCHEMAS[inner], problems)
    _validate_mark_schemes(path, data, sets, problems)
    problems.raise_if_errors()


def _validate_mark_schemes(path: Path, data: dict[str, Any], sets: list[Any], problems: Collector) -> None:
    """`levels` (optional) maps kinds of question to bands; every `kind` used must have bands there,
    and a document's `form` must be one the templates know."""
    levels = data.get("levels", {})
    if not isinstance(levels, dict):
        problems.error(path, data.get("__lines__", {}).get("levels", 1),
                       "'levels' must map each kind of question to a list of levels")
        levels = {}
    for kind, bands in levels.items():
        if kind.startswith("__"):
            continue
        if not isinstance(bands, list) or not bands:
            problems.error(path, levels.get("__lines__", {}).get(kind), f"levels for '{kind}' must be a non-empty list")
            continue
        _validate_list("level", path, bands, QUESTION_SCHEMAS["levels"], problems)
    known = sorted(k for k in levels if not k.startswith("__"))
    if levels and "essay" not in levels:
        problems.error(path, data.get("__lines__", {}).get("levels", 1), "levels has no bands for 'essay' questions")
    asked = [q for s in sets if isinstance(s, dict) and isinstance(s.get("questions"), list) for q in s["questions"]]
    for question in asked:
        if isinstance(question, dict) and isinstance(question.get("kind"), str) and question["kind"] not in levels:
            problems.error(path, question.get("__lines__", {}).get("kind", question.get("__line__")),
                           f"question kind '{question['kind']}' has no levels", f"known kinds: {', '.join(known) or 'none'}")
    for item in sets:
        for document in item.get("documents", []) if isinstance(item, dict) and isinstance(item.get("documents"), list) else []:
            form = document.get("form") if isinstance(document, dict) else None
            if isinstance(form, str) and form not in DOCUMENT_FORMS:
                problems.error(path, document.get("__lines__", {}).get("form", document.get("__line__")),
                               f"document form '{form}' is not one of {', '.join(DOCUMENT_FORMS)}")


def _validate_list(name: str, path: Path, data: list[Any], schema: dict[str, tuple[type | tuple[type, ...], bool]],
                   problems: Collector) -> None:
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
                kinds = kind if isinstance(kind, tuple) else (kind,)
                expected = " or ".join(_KIND_NAMES.get(k, k.__name__) for k in kinds)
                found = _KIND_NAMES.get(type(item[field]), type(item[field]).__name__)
                hint = f'put the value in quotes: {field}: "{item[field]}"' if str in kinds and \
                    isinstance(item[field], int | float | bool | dt.date) else None
                problems.error(path, item.get("__lines__", {}).get(field, line),
                               f"{name} entry: field '{field}' must be {expected}, not {found}", hint)


# What a YAML value is, in an author's words (YAML reads 1961 as a number and 1961-08-02 as a date).
_KIND_NAMES: dict[type, str] = {str: "text", int: "a whole number", float: "a number", bool: "true or false",
                                list: "a list", dict: "a mapping", type(None): "empty", dt.date: "a date"}


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

        shape = DEFAULT_DATA.get(part.slug, part.data.stem)
        load_valid(part.data, shape)  # the shape first: types, unknown keys, keys given twice (schema.py)
        data = load_data(part.data)
        validate(shape, part.data, data)  # then what the shape cannot say (a question's kind has levels …)
        data = strip_lines(data)
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
