"""The release gate in CI: the real guide builds from a clean copy and `doit check` passes on it.

This is the one test that builds the whole guide (two editions, two papers, 28 handouts and 28
booklets), so CI proves on every change that what a teacher would print passes every check:
EPUBCheck, embedded fonts covering every character, bookmarks, the 10 mm margin, citations.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.support import REPO, doit

pytestmark = pytest.mark.slow


def test_the_guide_builds_and_passes_the_release_gate(tmp_path: Path) -> None:
    guide = tmp_path / "guide"
    for folder in ("content", "data", "bib", "templates"):
        shutil.copytree(REPO / folder, guide / folder)
    for file in ("book.yaml", "dodo.py"):
        shutil.copy(REPO / file, guide / file)
    build = doit(guide, "-n", "2")
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    assert re.search(r"books: .*build/pdf/student/a4/book\.pdf \(\d+ pages\)", build.stdout)
    check = doit(guide, "check")
    assert check.returncode == 0, check.stdout[-5000:] + check.stderr[-3000:]
    summary = re.search(r"check: (\d+) passed, 0 failed", check.stdout)
    assert summary and int(summary.group(1)) >= 20, check.stdout[-3000:]
