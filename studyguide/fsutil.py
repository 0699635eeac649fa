"""File-system helpers shared by every stage.

Targets are written to a temporary file in the same directory and renamed into place, so a build
killed half-way never leaves a truncated file under a target's name (os.replace is atomic on POSIX).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Written:
    """A target a task wrote, as the build summary reports it (doit keeps the task's values)."""

    output: str
    kind: str  # "book", "handout", "booklet" or "part"
    pages: int = 0  # 0 for an EPUB; for a booklet, the printed sides
    warnings: tuple[str, ...] = ()

    def values(self) -> dict[str, object]:
        return {"output": self.output, "kind": self.kind, "pages": self.pages, "warnings": list(self.warnings)}


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    # A build killed with SIGKILL cannot clean up: drop what an earlier write of this target left.
    for stale in target.parent.glob(f".{target.name}.*.tmp"):
        stale.unlink(missing_ok=True)
    fd, tmp = _create_temp(target)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
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
