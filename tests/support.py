"""Test helpers: copy the small test project and run the real doit on it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MINI = REPO / "tests" / "fixtures" / "mini"


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def ran(self) -> list[str]:
        """Names of the tasks that ran (the reporter prints '▶ name')."""
        return [line.split("▶", 1)[1].strip() for line in self.stdout.splitlines() if "▶" in line]


def make_project(dest: Path) -> Path:
    """A fresh copy of the mini project with the repository's dodo.py (templates: the package's theme)."""
    shutil.copytree(MINI, dest)
    shutil.copy(REPO / "dodo.py", dest / "dodo.py")
    return dest


def override(project: Path, name: str) -> Path:
    """Copy a theme template into the project's templates/ (an override) and return the copy."""
    from studyguide.paths import THEME

    copy = project / "templates" / name
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(THEME / name, copy)
    return copy


def doit(project: Path, *args: str) -> Run:
    env = os.environ | {"PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-m", "doit", *args], cwd=project, capture_output=True, text=True, env=env)
    return Run(proc.returncode, proc.stdout, proc.stderr)


