"""Fuzzing the build: mutated chapters, notes files and book.yaml never crash, hang or escape.

Each example restores the built mini project, mutates one of its inputs (byte flips, deletions,
insertions of Markdown/YAML/HTML syntax, and of references to a canary file *outside* the
project), runs the real doit under a Python audit hook and a time limit, and asserts the promise:

* exit 0 with every book present and well-formed (PDF header, EPUB zip), or a non-zero exit with
  at least one ``path[:line]: error:`` line;
* never a traceback, never a hang (the run is killed after LIMIT_SECONDS);
* a failed build leaves every earlier output byte-identical;
* nothing outside the project is opened by the build's Python process (the audit hook watches
  ``open`` events for the canary folder), and the canary's text is in no output.

The example count is small so that CI stays fast; the examples are derandomized (the same every run).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.support import REPO, make_project

pytestmark = pytest.mark.slow

LIMIT_SECONDS = 300
CANARY_TEXT = "CANARY-5e1f-OUTSIDE"
TARGETS = ["content/01-alpha.md", "bib/notes/mini.txt", "book.yaml"]
TOKENS = ["[", "]", "{", "}", "@", ":", ":::", "<", ">", "\n", "\n\n", "---\n", "::: answer\n", "&a ", "*a ",
          "![x](../outside/canary.png)", "<img src=\"../outside/canary.png\">", "../outside/canary.md"]
DIAGNOSTIC = re.compile(r"^\S+?(?::\d+)?: error: ", re.M)

# An audit hook that reports every open() of a file in the canary folder; RUNNER then runs doit.
HOOK = """
import os, runpy, sys
canary = os.path.realpath(os.environ["FUZZ_CANARY_DIR"])
def hook(event, args):
    if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.path.realpath(os.fsdecode(args[0]))
        if path.startswith(canary):
            os.write(2, ("FUZZ-OUTSIDE-OPENED " + path + "\\n").encode())
sys.addaudithook(hook)
"""
RUNNER = HOOK + """
sys.argv = ["doit"]
runpy.run_module("doit", run_name="__main__")
"""


def outputs(project: Path) -> dict[str, str]:
    found = sorted(p for folder in ("pdf", "epub") for p in (project / "build" / folder).rglob("*") if p.is_file())
    return {str(p.relative_to(project)): hashlib.sha256(p.read_bytes()).hexdigest() for p in found}


@pytest.fixture(scope="module")
def fuzz_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, Path]]:
    """(where examples run, the pristine built copy, the canary folder outside the project)."""
    base = tmp_path_factory.mktemp("fuzz")
    canary = base / "outside"
    canary.mkdir()
    for name in ("canary.png", "canary.md", "canary.txt"):
        (canary / name).write_text(CANARY_TEXT, encoding="utf-8")
    work = make_project(base / "mini")
    result = run_doit(work, canary)
    assert result.returncode == 0, result.stdout + result.stderr
    saved = base / "pristine"
    shutil.copytree(work, saved, symlinks=True)
    yield work, saved, canary


def run_doit(project: Path, canary: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PYTHONPATH": str(REPO), "FUZZ_CANARY_DIR": str(canary)}
    env.pop("STUDYGUIDE_PROJECT_LOCK", None)
    try:
        return subprocess.run([sys.executable, "-c", RUNNER], cwd=project, capture_output=True, text=True, env=env,
                              timeout=LIMIT_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the build did not finish within {LIMIT_SECONDS} s (a hang)")


mutation = st.tuples(st.sampled_from(["flip", "delete", "insert"]), st.floats(0, 1), st.sampled_from(TOKENS),
                     st.integers(0, 255))


def mutate(data: bytes, edits: list[tuple[str, float, str, int]]) -> bytes:
    for kind, where, token, byte in edits:
        at = min(int(where * len(data)), max(len(data) - 1, 0))
        if kind == "flip" and data:
            data = data[:at] + bytes([data[at] ^ (byte or 1)]) + data[at + 1:]
        elif kind == "delete" and data:
            data = data[:at] + data[at + 1 + byte % 8:]
        else:
            data = data[:at] + token.encode("utf-8") + data[at:]
    return data


@settings(max_examples=12, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(target=st.sampled_from(TARGETS), edits=st.lists(mutation, min_size=1, max_size=4))
def test_mutated_inputs_build_or_fail_cleanly(fuzz_base: tuple[Path, Path, Path], target: str,
                                              edits: list[tuple[str, float, str, int]]) -> None:
    work, saved, canary = fuzz_base
    shutil.rmtree(work)
    shutil.copytree(saved, work, symlinks=True)
    before = outputs(work)
    file = work / target
    file.write_bytes(mutate(file.read_bytes(), edits))

    result = run_doit(work, canary)
    event(f"{target}: exit {result.returncode}")
    log = result.stdout + result.stderr
    assert "Traceback" not in log, log
    assert "FUZZ-OUTSIDE-OPENED" not in log, log
    if result.returncode == 0:
        for pdf in (work / "build" / "pdf").rglob("*.pdf"):
            assert pdf.read_bytes().startswith(b"%PDF-"), pdf
        for epub in (work / "build" / "epub").rglob("*.epub"):
            with zipfile.ZipFile(epub) as book:
                assert book.testzip() is None
                assert not any(CANARY_TEXT.encode() in book.read(n) for n in book.namelist()), epub
        built = [p for p in (work / "build").rglob("*") if p.is_file() and p.stat().st_size < 50_000_000]
        assert not any(CANARY_TEXT.encode() in p.read_bytes() for p in built)
    else:
        assert DIAGNOSTIC.search(result.stderr), log
        assert outputs(work) == before, log


def test_the_audit_hook_sees_an_open_outside(tmp_path: Path) -> None:
    """The control: the fuzz test's hook does report a Python open() of a canary file."""
    (tmp_path / "canary.txt").write_text(CANARY_TEXT, encoding="utf-8")
    code = HOOK + f"\nopen({str(tmp_path / 'canary.txt')!r}).read()\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=os.environ | {"FUZZ_CANARY_DIR": str(tmp_path)})
    assert "FUZZ-OUTSIDE-OPENED" in result.stderr
