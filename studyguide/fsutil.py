"""File-system helpers shared by every stage.

Targets are written to a temporary file in the same directory and renamed into place, so a build
killed half-way never leaves a truncated file under a target's name (os.replace is atomic on POSIX).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Written:
    """A target a task wrote, as the build summary reports it (doit keeps the task's values)."""

    output: str
    kind: str  # "book", "handout", "booklet" or "part"
    pages: int = 0  # 0 for an EPUB; for a booklet, the printed sides
    warnings: tuple[str, ...] = ()
    layout: str = ""  # a PDF's layout check in one line (studyguide.layout): notes, boxes, measures

    def values(self) -> dict[str, object]:
        return {"output": self.output, "kind": self.kind, "pages": self.pages, "warnings": list(self.warnings),
                "layout": self.layout}


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename; refuse paths outside.

    A failed write (a full disk, a read-only folder) leaves the file that was there byte for byte
    and raises a diagnostic that names the file. The file gets the usual mode (0666 less the
    umask, see _create_temp).
    """
    from . import sandbox
    from .errors import StudyguideError

    target = Path(path)
    if sandbox.root_is_set():  # in a build: build/ may not be a symlink that leads outside the project
        sandbox.confine(target.parent, write=True)
    tmp: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # A build killed with SIGKILL cannot clean up: drop what an earlier write of this target left
        # (safe: the project lock lets one build run at a time, and one build writes a target once).
        for stale in target.parent.glob(f".{target.name}.*.tmp"):
            stale.unlink(missing_ok=True)
        fd, tmp = _create_temp(target)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise StudyguideError.at(target, None, f"cannot write the file ({exc.strerror or exc})",
                                 "the file built before is unchanged; free disk space or make the folder writable"
                                 ) from None
    except BaseException:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise


def _create_temp(target: Path) -> tuple[int, str]:
    """A new, uniquely named file next to the target, with the permissions of an ordinary file.

    tempfile.mkstemp creates its file with mode 0600 whatever the umask, and os.replace keeps that
    mode: built PDFs were then unreadable to anyone else on a shared drive. os.open with 0o666 lets
    the umask decide (0644 under the usual 022), like any file the user creates.
    """
    for _ in range(100):
        tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666), str(tmp)
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name next to {target}")


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def recover_doit_db(path: Path) -> str | None:
    """Set a damaged doit database aside, so that the next build starts afresh instead of crashing.

    doit's json backend rewrites the whole file in place (open for writing, then write), so a build
    killed at that moment leaves it empty or cut short, and every later ``doit`` would stop with a
    JSON traceback. Without a database doit simply checks and rebuilds everything, which is safe
    because the outputs are reproducible. Returns the warning to print, or None if all is well.
    """
    import json

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        text = ""
    try:
        json.loads(text)
        return None
    except ValueError:
        pass
    os.replace(path, path.with_name(path.name + ".damaged"))
    return (f"{path.as_posix()}: warning: doit's database was damaged (a build interrupted while saving it?);"
            f" set aside as {path.name}.damaged, everything is checked and rebuilt")


LOCK_ENV = "STUDYGUIDE_PROJECT_LOCK"


def lock_project(build: Path, wait_seconds: float | None = None) -> Any:
    """Hold ``build/.lock`` for this process's life, so that two builds never race on one project.

    A second ``doit`` in the same project waits for the first (saying so), and gives up with a clear
    line after ``wait_seconds``. doit's worker processes (``-n 2``) inherit the lock: the variable
    LOCK_ENV marks the process tree that holds it. Returns the open lock file (keep it), or None.
    """
    import fcntl
    import sys
    import time

    if os.environ.get(LOCK_ENV):
        return None
    if wait_seconds is None:
        wait_seconds = float(os.environ.get("STUDYGUIDE_LOCK_WAIT", "600"))
    build.mkdir(parents=True, exist_ok=True)
    handle = open(build / ".lock", "a+")  # noqa: SIM115 - held open for the process's life
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"{(build / '.lock').as_posix()}: note: another build is running in this project; waiting for it",
              file=sys.stderr)
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    print(f"{(build / '.lock').as_posix()}: error: another build is still running in this project"
                          " (wait for it to finish, then run doit again)", file=sys.stderr)
                    sys.exit(1)
                time.sleep(0.2)
    os.environ[LOCK_ENV] = str(os.getpid())
    return handle
