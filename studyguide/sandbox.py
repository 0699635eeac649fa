"""The sandbox: every file the build opens is resolved here, where it is opened, and must lie inside.

Checking a path where it is *written* (in book.yaml, in a chapter) misses what the file system does
to it later: a symlink, a ``..`` that a library joins without normalising, an absolute path. So each
file the build reads or writes goes through :func:`confine` right before it is opened. It follows
every symlink (``os.path.realpath``) and refuses a target outside

* the project root (read and write), and, for reading only,
* the system font directories (WeasyPrint and the EPUB embed the fonts) and
* the installed studyguide package (its filters, default templates and styles).

A refusal is a :class:`~studyguide.errors.StudyguideError` at the ``path:line`` of whoever named the
file (the book.yaml line, the chapter line), so the author sees where the bad reference is written.

:func:`open_check` refuses what is not a regular file (a named pipe would block the build for
ever, a device would stream without end) before anything opens it, and files above a size limit.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .errors import StudyguideError, display_path
from .fonts import FONT_DIRS

PACKAGE = Path(__file__).resolve().parent
# No source file of a book is anywhere near this; a bigger one is a mistake (or an attack on memory).
MAX_SOURCE_BYTES = 32 * 1024 * 1024
OUTSIDE_HINT = "only files inside the project may be used"

_root: Path | None = None


def set_root(root: Path | str) -> Path:
    """Declare the project root for this process (load_book does, before any task runs)."""
    global _root
    _root = Path(os.path.realpath(root))
    return _root


def clear_root() -> None:
    global _root, _trusted
    _root, _trusted = None, False


def root_is_set() -> bool:
    return _root is not None


_trusted = False  # see trust_caller()


def trust_caller() -> None:
    """No project root: the caller (a test harness, a command given explicit paths) is trusted, and
    paths are taken as given, relative to the working folder. ``set_root`` confines again."""
    global _root, _trusted
    _root, _trusted = None, True


def _unconfined() -> bool:
    return _root is None and _trusted


def project_root() -> Path:
    return _root if _root is not None else Path(os.path.realpath("."))


@dataclass(frozen=True)
class NamedBy:
    """Where a path is written: the file and line blamed when the path is refused."""

    path: Path | str
    line: int | None = None


def _bases(project_only: bool, root: Path) -> list[Path]:
    if project_only:
        return [root]
    return [root, PACKAGE, *(Path(os.path.realpath(d)) for d in FONT_DIRS)]


def is_inside(path: Path | str, *, project_only: bool = False, root: Path | None = None) -> bool:
    """Whether ``path`` (symlinks followed) lies inside the project (or, unless ``project_only``,
    in the read-only places: the fonts and the package)."""
    resolved = Path(os.path.realpath(path))
    if _unconfined():
        return True
    return any(resolved.is_relative_to(base) for base in _bases(project_only, root or project_root()))


def confine(path: Path | str, named_by: NamedBy | None = None, *, write: bool = False,
            shown: str | None = None, root: Path | None = None) -> Path:
    """The real path of ``path`` (relative paths are taken from the project root), or an error.

    ``shown`` is how the path is quoted in the message (what the author wrote); by default the
    path as given.
    """
    base = root or project_root()
    given = Path(path)
    resolved = Path(os.path.realpath(given if given.is_absolute() else base / given))
    if root is None and _unconfined():
        return resolved
    if not any(resolved.is_relative_to(b) for b in _bases(write, base)):  # writes: the project only
        where = named_by or NamedBy(given if given.is_absolute() else base / given)
        what = shown if shown is not None else display_path(path)
        lexical = Path(os.path.abspath(given if given.is_absolute() else base / given))
        # A symlink inside the project that leads outside: say so, or the message puzzles.
        what_real = " (a symbolic link that leads out of it)" if resolved != lexical and lexical.is_relative_to(base) else ""
        raise StudyguideError.at(where.path, where.line, f"'{what}' is outside the project{what_real}", OUTSIDE_HINT)
    return resolved


def open_check(path: Path, named_by: NamedBy | None = None) -> Path:
    """Refuse a path that is not a regular file, or too big, before it is opened (stat, not open)."""
    where = named_by or NamedBy(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise StudyguideError.at(where.path, where.line, "file not found") from None
    except OSError as exc:
        raise StudyguideError.at(where.path, where.line, f"cannot read the file ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a named pipe" if stat.S_ISFIFO(info.st_mode) else "a folder" if stat.S_ISDIR(info.st_mode) else \
            "a device or socket"
        raise StudyguideError.at(where.path, where.line, f"the file is {kind}, not a regular file",
                                 "sources must be ordinary files")
    if info.st_size > MAX_SOURCE_BYTES:
        raise StudyguideError.at(where.path, where.line,
                                 f"the file is too large ({info.st_size // (1024 * 1024)} MB; the limit is "
                                 f"{MAX_SOURCE_BYTES // (1024 * 1024)} MB)", "split it into smaller files")
    return path


def read_bytes(path: Path | str, named_by: NamedBy | None = None) -> bytes:
    """Read a source file: confined (when a project is loaded; the ``studyguide notes`` command reads
    the files its user names), a regular file, within the size limit."""
    real = confine(path, named_by) if root_is_set() else Path(os.path.realpath(path))
    open_check(real, named_by or NamedBy(path))
    try:
        return real.read_bytes()
    except OSError as exc:
        where = named_by or NamedBy(path)
        raise StudyguideError.at(where.path, where.line, f"cannot read the file ({exc.strerror})") from None
