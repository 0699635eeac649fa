"""`studyguide init`: a new project builds and passes the release checks straight away."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from studyguide.errors import StudyguideError
from studyguide.project import init_project
from tests.support import doit


def test_init_writes_a_project_and_refuses_a_folder_in_use(tmp_path: Path) -> None:
    written = {p.relative_to(tmp_path / "book").as_posix() for p in init_project(tmp_path / "book", title="A Book")}
    assert {"book.yaml", "dodo.py", ".gitignore", "README.md", "bib/hand.bib", "bib/notes/sources.txt",
            "content/01-first-chapter.md"} <= written
    assert 'title: "A Book"' in (tmp_path / "book" / "book.yaml").read_text(encoding="utf-8")
    code = [line for line in (tmp_path / "book" / "dodo.py").read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(code) == 2
    with pytest.raises(StudyguideError, match="exists and is not empty"):
        init_project(tmp_path / "book")


@pytest.mark.slow
def test_a_new_book_builds_and_passes_doit_check(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "studyguide.cli", "init", str(tmp_path / "mybook")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    project = tmp_path / "mybook"
    build = doit(project)
    assert build.returncode == 0, build.stdout + build.stderr
    assert (project / "build/pdf/student/a4/book.pdf").is_file() and (project / "build/epub/teacher/book.epub").is_file()
    check = doit(project, "check")
    assert check.returncode == 0 and "0 failed" in check.stdout, check.stdout + check.stderr
    (project / "dodo.py").unlink()  # the package's task loader needs no dodo.py
    listing = subprocess.run([sys.executable, "-m", "studyguide.cli", "list", "-C", str(project)],
                             capture_output=True, text=True)
    assert listing.returncode == 0 and "pdf" in listing.stdout, listing.stdout + listing.stderr
