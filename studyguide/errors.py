"""One exception family for every mistake a user can make.

Messages follow the compiler convention ``path:line: error: message (hint)`` so that editors can
jump to the spot. Checks collect every problem they find and raise once, so an author fixes all of
them in one pass instead of one per build.
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Diagnostic:
    """One problem at one place. ``line`` is 1-based; ``None`` when the whole file is meant."""

    path: str
    line: int | None
    message: str
    hint: str | None = None
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}: {self.severity}: {self.message}{hint}"


class StudyguideError(Exception):
    """A user's mistake: reported as one line per diagnostic, never as a traceback."""

    def __init__(self, diagnostics: Diagnostic | Iterable[Diagnostic]):
        self.diagnostics = [diagnostics] if isinstance(diagnostics, Diagnostic) else list(diagnostics)
        super().__init__("\n".join(map(str, self.diagnostics)))

    @classmethod
    def at(cls, path: str | Path, line: int | None, message: str, hint: str | None = None) -> StudyguideError:
        return cls(Diagnostic(display_path(path), line, message, hint))


@dataclass
class Collector:
    """Gathers diagnostics from a check, then raises them all at once."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, path: str | Path, line: int | None, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(display_path(path), line, message, hint))

    def warning(self, path: str | Path, line: int | None, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(display_path(path), line, message, hint, "warning"))

    def extend(self, error: StudyguideError) -> None:
        self.diagnostics.extend(error.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise StudyguideError(self.diagnostics)


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The hint for a misspelt name: the closest candidate, if any is close enough."""
    pool = list(candidates)
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if not close:
        # A prefix of a real key ('chen2001' for 'chen2001mao') is the commonest slip.
        prefixed = sorted(c for c in pool if c.startswith(word))
        close = prefixed[:1]
    return f"did you mean '{close[0]}'?" if close else None


def display_path(path: str | Path) -> str:
    """Paths in messages are relative to the working directory when possible, with forward slashes."""
    import os

    p = Path(path)
    # The path as named (symlinks not followed: a link that leads outside is shown where it is).
    for candidate, base in ((Path(os.path.abspath(p)), Path(os.path.abspath(Path.cwd()))),
                            (p.resolve(), Path.cwd().resolve())):
        with contextlib.suppress(ValueError, OSError):
            return candidate.relative_to(base).as_posix()
    return p.as_posix()


def yaml_problem(exc: Exception, line_offset: int = 1) -> tuple[int | None, str, str | None]:
    """(line, problem, hint) of a PyYAML error: where it broke, and where the unclosed thing began.

    ``line_offset`` is the file line of the YAML text's first line (front matter starts on line 2).
    """
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    hint = None
    if context and context_mark is not None and (mark is None or context_mark.line != mark.line):
        hint = f"{context.removeprefix('while ').replace('parsing ', '').replace('scanning ', '')} " \
               f"that starts at line {context_mark.line + line_offset}"
    return (mark.line + line_offset if mark else None), problem, hint
