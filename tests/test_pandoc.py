"""The part stage: several small parts in one pandoc process give the same files as one run each."""

from __future__ import annotations

from pathlib import Path

import pytest

from studyguide.config import load_book
from studyguide.errors import StudyguideError
from studyguide.pandoc import build_part, build_parts, part_outputs
from tests.support import doit, make_project

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    project = make_project(tmp_path / "mini")
    assert doit(project, "part").returncode == 0  # notes, bibliography, back matter, every part one by one
    monkeypatch.chdir(project)
    return project


@pytest.mark.parametrize("edition", ["student", "teacher"])
def test_a_batch_writes_byte_for_byte_what_one_run_per_part_writes(project: Path, edition: str) -> None:
    book = load_book(project)
    parts = [p for p in book.parts_for(edition) if p.kind != "chapter"]  # front matter + the generated bibliography
    assert {p.kind for p in parts} == {"front", "generated"}
    files = [f for part in parts for f in part_outputs(book, part, edition).all]
    one_run_each = {f: f.read_bytes() for f in files}
    for f in files:
        f.unlink()
    build_parts(book, parts, edition, book.paths.csl_json)
    assert {f: f.read_bytes() for f in files} == one_run_each
    assert b'class="csl-entry"' in one_run_each[part_outputs(book, parts[-1], edition).html]  # the bibliography's list


def test_a_batch_reports_an_unclosed_box_like_one_run(project: Path) -> None:
    book = load_book(project)
    parts = [p for p in book.parts_for("student") if p.kind != "chapter"]
    intro = parts[0].source
    intro.write_text(intro.read_text(encoding="utf-8") + "\n::: summary\nNever closed.\n", encoding="utf-8")
    with pytest.raises(StudyguideError) as alone:
        build_part(book, parts[0], "student", book.paths.csl_json)
    before = part_outputs(book, parts[1], "student").html.read_bytes()
    with pytest.raises(StudyguideError) as batched:
        build_parts(book, parts, "student", book.paths.csl_json)
    assert [str(d) for d in batched.value.diagnostics] == [str(d) for d in alone.value.diagnostics]
    assert "content/front/intro.md" in str(alone.value) and "is never closed" in str(alone.value)
    assert part_outputs(book, parts[1], "student").html.read_bytes() == before  # nothing replaced
