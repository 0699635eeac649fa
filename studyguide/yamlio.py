"""The one YAML loader: safe types only, no aliases, bounded nesting and size, errors with lines.

PyYAML's ``safe_load`` still expands aliases: a one-kilobyte "billion laughs" document
(``a1: &a1 [*a0, *a0, …]`` nine levels deep) becomes 10^9 nodes once the values are built or
walked, and the build runs out of memory. No file of a study guide needs anchors or aliases, so
they are refused at the anchor's line instead of capped: an author who copied one gets a clear
message. Deep nesting is refused too (the composer recurses, and so does every later walk).

Every YAML text of the build goes through :func:`load` (book.yaml, front matter, data files, the
names table, and the rendered EPUB metadata).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import StudyguideError, yaml_problem

MAX_DEPTH = 50
MAX_YAML_BYTES = 8 * 1024 * 1024


class _Refused(yaml.YAMLError):
    def __init__(self, mark: Any, problem: str, hint: str):
        super().__init__(problem)
        self.problem_mark, self.problem, self.hint = mark, problem, hint


Refused = _Refused  # what BoundedLoader raises (yamlfile reads it too)


class BoundedLoader(yaml.SafeLoader):
    """SafeLoader without aliases and with a nesting limit (subclass it to add constructors)."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(event.start_mark, f"YAML aliases are not allowed ('*{event.anchor}')",
                           "write the value out in full")
        event = self.peek_event()
        if getattr(event, "anchor", None):
            raise _Refused(event.start_mark, f"YAML anchors are not allowed ('&{event.anchor}')",
                           "write the value out in full")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(event.start_mark, f"the YAML is nested more than {MAX_DEPTH} levels deep",
                               "flatten the structure")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load(text: str, path: Path | str, *, line_offset: int = 1, what: str = "malformed YAML",
         loader: type[BoundedLoader] = BoundedLoader) -> Any:
    """Parse ``text`` (read from ``path``; its first line is line ``line_offset`` of the file)."""
    if len(text) > MAX_YAML_BYTES:
        raise StudyguideError.at(path, None, f"the YAML is too large (over {MAX_YAML_BYTES // (1024 * 1024)} MB)")
    try:
        return yaml.load(text, Loader=loader)
    except _Refused as exc:
        raise StudyguideError.at(path, exc.problem_mark.line + line_offset, exc.problem, exc.hint) from None
    except yaml.YAMLError as exc:
        line, problem, hint = yaml_problem(exc, line_offset=line_offset)
        raise StudyguideError.at(path, line, f"{what}: {problem}", hint) from None
    except RecursionError:
        raise StudyguideError.at(path, None, "the YAML is nested too deeply", "flatten the structure") from None
