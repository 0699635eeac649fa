"""File-system helpers shared by every stage.

Targets are written to a temporary file in the same directory and renamed into place, so a build
killed half-way never leaves a truncated file under a target's name (os.replace is atomic on POSIX).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Written:
    """A target a task wrote, as the build summary reports it (doit keeps the task's values)."""

    output: str
    pages: int = 0  # 0 for an EPUB; for a booklet, the printed sides
    warnings: tuple[str, ...] = ()

    def values(self) -> dict[str, object]:
        return {"output": self.output, "pages": self.pages, "warnings": list(self.warnings)}


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))
