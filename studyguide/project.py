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
