"""YAML with the line of every value: what the schema needs to report ``path:line: error:``.

PyYAML's composer already knows where each node starts; this module keeps that. A document is
composed into nodes (no Python objects yet), then turned into plain values while recording the
line of every mapping key, list item and scalar under its *location*, the tuple of keys and
indexes that leads to it (``("bibliography", "notes", 0)``) — the same tuple pydantic reports in
a validation error's ``loc``. Composing first also lets us refuse what plain ``yaml.safe_load``
accepts silently: a key given twice (the last one would win) and aliases (``*name``), which cost
nothing to write and can expand a 1 KB file into gigabytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import yamlio
from .errors import Collector, StudyguideError, yaml_problem

Location = tuple[str | int, ...]


@dataclass
class Located:
    """A YAML document's plain value and the 1-based line of every location in it."""

    path: Path
    value: Any
    lines: dict[Location, int] = field(default_factory=dict)
    # the line of the *key* of a mapping entry (where "unknown key" and "wrong type" point)
    key_lines: dict[Location, int] = field(default_factory=dict)

    def line(self, location: Location) -> int | None:
        """The line of a location, or of the nearest enclosing one that has a line."""
        loc = tuple(location)
        while loc:
            if loc in self.key_lines:
                return self.key_lines[loc]
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), 1)

    def sub(self, prefix: Location) -> Located:
        """The part of the document under ``prefix``, with locations relative to it."""
        value: Any = self.value
        for step in prefix:
            value = value[step]
        n = len(prefix)

        def cut(table: dict[Location, int]) -> dict[Location, int]:
            return {loc[n:]: line for loc, line in table.items() if loc[:n] == tuple(prefix)}

        return Located(self.path, value, cut(self.lines), cut(self.key_lines))


def load(path: Path, text: str | None = None, line_offset: int = 1, what: str = "malformed YAML") -> Located:
    """Read a YAML file (or ``text`` taken from it, starting at ``line_offset``) with its lines."""
    from .content import read_text

    if text is None:
        text = read_text(path)
    if len(text) > yamlio.MAX_YAML_BYTES:
        raise StudyguideError.at(path, None, f"the YAML is too large (over {yamlio.MAX_YAML_BYTES // (1024 * 1024)} MB)")
    # The one bounded loader's composer (yamlio): no anchors or aliases (refused at the first, so a
    # 'billion laughs' file gives one line), a nesting limit.
    loader = yamlio.BoundedLoader(text)
    try:
        node = loader.get_single_node()
    except yamlio.Refused as exc:
        raise StudyguideError.at(path, exc.problem_mark.line + line_offset, exc.problem, exc.hint) from None
    except yaml.YAMLError as exc:
        line, problem, hint = yaml_problem(exc, line_offset)
        raise StudyguideError.at(path, line, f"{what}: {problem}", hint) from None
    except RecursionError:
        raise StudyguideError.at(path, None, "the YAML is nested too deeply", "flatten the structure") from None
    finally:
        loader.dispose()
    located = Located(path, None, {(): line_offset})
    if node is None:
        return located
    problems = Collector()
    located.value = _value(node, (), located, loader, problems, line_offset - 1, set())
    problems.raise_if_errors()
    return located


def _value(node: yaml.Node, loc: Location, out: Located, loader: yaml.SafeLoader, problems: Collector,
           offset: int, seen: set[int]) -> Any:
    out.lines[loc] = node.start_mark.line + 1 + offset
    if id(node) in seen:  # the composer hands back the anchored node itself for an alias
        problems.error(out.path, out.key_lines.get(loc, out.lines[loc]), "YAML aliases ('*name') are not allowed",
                       hint="write the value out in full")
        return None
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        first: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                problems.error(out.path, key_node.start_mark.line + 1 + offset, "YAML merge keys ('<<') are not allowed")
                continue
            key = loader.construct_object(key_node, deep=True) if isinstance(key_node, yaml.ScalarNode) else None
            line = key_node.start_mark.line + 1 + offset
            if not isinstance(key, str | int | float | bool):
                problems.error(out.path, line, "a key must be a plain word or text")
                continue
            if key in first:
                problems.error(out.path, line, f"'{key}' is given twice (first at line {first[key]})",
                               hint="keep one of them")
                continue
            first[key] = line
            out.key_lines[(*loc, key)] = line
            result[key] = _value(value_node, (*loc, key), out, loader, problems, offset, seen)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_value(item, (*loc, index), out, loader, problems, offset, seen) for index, item in enumerate(node.value)]
    try:
        return loader.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError) as exc:  # e.g. a date like 2026-13-01
        problems.error(out.path, out.lines[loc], f"malformed YAML value: {getattr(exc, 'problem', None) or exc}")
        return None
