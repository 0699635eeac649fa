"""A book project as doit sees it: its DOIT_CONFIG and its task creators, from the package.

A project's ``dodo.py`` is two lines::

    from studyguide.project import dodo
    globals().update(dodo(__file__))

so that every book runs the same engine; nothing of the build lives in the project.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from .errors import StudyguideError
from .paths import Paths

_LOCK: Any = None


def doit_config(paths: Paths) -> dict[str, Any]:
    """doit's settings for a project (relative paths: doit runs in the project root)."""
    from .reporter import StudyguideReporter

    return {
        "default_tasks": ["pdf", "epub", "handouts"],
        "reporter": StudyguideReporter,
        "verbosity": 2,
        "dep_file": paths.rel(paths.doit_db),
        "backend": "json",
    }


def dodo(dodo_file: str | Path | None = None) -> dict[str, Any]:
    """The globals of a project's dodo.py: DOIT_CONFIG and one ``task_*`` creator per task group.

    A mistake in book.yaml (or in what doit needs before it can plan) prints its diagnostics and
    exits with status 1, before doit reports anything of its own.
    """
    from .config import load_book
    from .fsutil import lock_project, recover_doit_db
    from .tasks import all_tasks

    root = Path(dodo_file).resolve().parent if dodo_file else Path.cwd()
    paths = Paths.of(root)
    # doit's json backend cannot create the database's folder (`doit clean` on a fresh checkout
    # crashed), and rewrites the file in place: one cut short by a killed build is set aside.
    paths.build.mkdir(exist_ok=True)
    # One build at a time per project: a second doit waits for the first (build/.lock); held
    # for the life of the doit process (the module keeps the open file).
    global _LOCK
    _LOCK = lock_project(paths.build)
    if damaged := recover_doit_db(paths.doit_db):
        print(damaged, file=sys.stderr)
    try:
        book = load_book(root)
    except StudyguideError as error:
        print(error, file=sys.stderr)
        sys.exit(1)
    return {"DOIT_CONFIG": doit_config(paths), **all_tasks(book)}


def run_doit(root: Path | str, arguments: list[str]) -> int:
    """Run doit on a project with the package's task loader (doit's own DoitMain): no dodo.py needed."""
    import os

    from doit.cmd_base import ModuleTaskLoader
    from doit.doit_cmd import DoitMain

    root = Path(root).resolve()
    if not any((root / name).is_file() for name in ("book.yaml", "content/book.yaml")):
        raise StudyguideError.at(root / "book.yaml", None, "no book here",
                                 hint="run in a book's folder, give -C DIR, or start one with: studyguide init DIR")
    os.chdir(root)  # doit's paths (database, file_dep, targets) are relative to the project
    return DoitMain(ModuleTaskLoader(dodo(root / "dodo.py"))).run(arguments)


SKELETON = Path(__file__).resolve().parent / "skeleton"
# Files of the skeleton that are renamed when written (a package cannot ship a file named .gitignore
# reliably) and files whose $placeholders are filled in.
RENAMED = {"gitignore": ".gitignore"}
FILLED = {"book.yaml", "README.md"}


def init_project(folder: Path | str, title: str | None = None, author: str = "The Author") -> list[Path]:
    """Write a new, working book project into ``folder`` (which must not exist or be empty)."""
    import datetime as dt
    import string
    import uuid

    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise StudyguideError.at(folder, None, "the folder exists and is not empty", hint="choose a new folder")
    today = dt.date.today()
    values = {"title": (title or folder.resolve().name.replace("-", " ").replace("_", " ").title()).replace('"', "'"),
              "author": author.replace('"', "'"), "date": today.isoformat(), "year": str(today.year),
              "uuid": str(uuid.uuid4())}
    written = []
    for source in sorted(p for p in SKELETON.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        relative = source.relative_to(SKELETON)
        target = folder / RENAMED.get(relative.as_posix(), relative.as_posix())
        target.parent.mkdir(parents=True, exist_ok=True)
        text = source.read_text(encoding="utf-8")
        if relative.as_posix() in FILLED:
            text = string.Template(text).safe_substitute(values)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written
