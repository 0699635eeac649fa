"""Interrupted builds: no truncated file under a target's name, and the next doit finishes the job.

doit is started on a fresh copy of the mini project, killed (SIGINT, or SIGKILL to its whole
process group, pandoc included) once a PDF or EPUB task is running, and the build folder is
inspected: every PDF that exists opens with pypdf, every EPUB is a zip with ``mimetype`` first, no
temporary file is left under a target's name. The next doit must succeed and produce every target.
A separate test kills a process while it is inside ``fsutil.atomic_write_bytes`` (a large write,
so the moment is certain), and another damages doit's own database the way a kill can.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.support import REPO, doit

pytestmark = pytest.mark.slow

BOOKS = ["build/pdf/student/a4/book.pdf", "build/pdf/teacher/a4/book.pdf",
         "build/epub/student/book.epub", "build/epub/teacher/book.epub"]


def start_doit(project: Path) -> subprocess.Popen[str]:
    env = os.environ | {"PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "doit"], cwd=project, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)


def kill_when(proc: subprocess.Popen[str], marker: str, sig: signal.Signals, delay: float) -> str:
    """Read doit's output until a task starting with ``marker`` runs, wait ``delay``, then signal its group."""
    assert proc.stdout is not None
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if f"▶ {marker}" in line:
            time.sleep(delay)
            os.killpg(proc.pid, sig)
            break
    else:
        pytest.fail("the build finished before the task started:\n" + "".join(seen))
    rest, _ = proc.communicate(timeout=120)
    return "".join(seen) + rest


def assert_nothing_truncated(project: Path) -> None:
    for pdf in (project / "build" / "pdf").rglob("*.pdf"):
        assert len(PdfReader(pdf).pages) > 0, pdf
    for epub in (project / "build" / "epub").rglob("*.epub"):
        with zipfile.ZipFile(epub) as book:
            assert book.testzip() is None, epub
            first = book.infolist()[0]
            assert first.filename == "mimetype" and book.read(first) == b"application/epub+zip", epub
    for folder in ("pdf", "epub"):
        for path in (project / "build" / folder).rglob("*"):
            if path.is_file() and path.suffix in (".pdf", ".epub"):
                assert not path.name.startswith("."), f"temporary file under a target's name: {path}"


def assert_rebuilt(project: Path, reference: Path) -> None:
    """The next doit succeeds and every output the reference build has exists and is valid."""
    again = doit(project)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Traceback" not in again.stdout + again.stderr
    expected = sorted(str(p.relative_to(reference)) for f in ("pdf", "epub") for p in (reference / "build" / f).rglob("*.*")
                      if p.suffix in (".pdf", ".epub"))
    found = sorted(str(p.relative_to(project)) for f in ("pdf", "epub") for p in (project / "build" / f).rglob("*.*")
                   if p.suffix in (".pdf", ".epub"))
    assert found == expected and set(BOOKS) <= set(found)
    assert_nothing_truncated(project)
    leftovers = [p for p in (project / "build").rglob("*.tmp")]
    assert not leftovers, leftovers


@pytest.mark.parametrize(("marker", "sig", "delay"), [
    ("pdf:", signal.SIGINT, 0.3),
    ("pdf:", signal.SIGKILL, 0.6),
    ("epub:", signal.SIGKILL, 0.05),
    ("epub:", signal.SIGINT, 0.05),
], ids=["pdf-sigint", "pdf-sigkill", "epub-sigkill", "epub-sigint"])
def test_a_build_killed_while_writing_leaves_no_truncated_target(project: Path, built: Path, marker: str,
                                                                 sig: signal.Signals, delay: float) -> None:
    proc = start_doit(project)
    output = kill_when(proc, marker, sig, delay)
    assert proc.returncode != 0, output
    assert_nothing_truncated(project)
    assert_rebuilt(project, built)


WRITER = """
import sys
from studyguide.fsutil import atomic_write_bytes
atomic_write_bytes(sys.argv[1], b"%PDF-1.7 new " + b"x" * 400_000_000)
"""


def test_a_kill_inside_atomic_write_keeps_the_old_file_and_the_next_write_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "book.pdf"
    target.write_bytes(b"%PDF-1.7 old")
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], env=os.environ | {"PYTHONPATH": str(REPO)})
    deadline = time.monotonic() + 60
    while not [p for p in tmp_path.glob(".book.pdf.*.tmp") if p.stat().st_size > 0]:
        assert proc.poll() is None and time.monotonic() < deadline, "the write finished before it could be interrupted"
        time.sleep(0.005)
    proc.kill()
    proc.wait()
    assert target.read_bytes() == b"%PDF-1.7 old"
    assert list(tmp_path.glob(".book.pdf.*.tmp")), "the killed write left its temporary file"

    from studyguide.fsutil import atomic_write_bytes

    atomic_write_bytes(target, b"%PDF-1.7 next")
    assert target.read_bytes() == b"%PDF-1.7 next"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.pdf"]


@pytest.mark.parametrize("damage", [b"", b'{"notes": {"checker:'], ids=["empty", "cut-short"])
def test_a_damaged_doit_database_is_set_aside_and_the_build_recovers(project: Path, damage: bytes) -> None:
    """doit's json backend rewrites its file in place; a kill at that moment leaves it empty or cut short."""
    assert doit(project).returncode == 0
    db = project / "build" / ".doit.db"
    db.write_bytes(damage)
    result = doit(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "build/.doit.db: warning: doit's database was damaged" in result.stderr
    assert (project / "build" / ".doit.db.damaged").read_bytes() == damage
    assert doit(project).ran == []  # the new database is whole again
