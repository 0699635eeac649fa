"""The part stage: an edition's small parts in one pandoc process (filters/batch.lua).

The batch must write byte for byte what one run per part writes, take every setting and output path
from the build (a manifest in build/, named in STUDYGUIDE_BATCH_MANIFEST) and none from a
document, report a part's mistakes at that part, and leave a chapter's edit to its own task.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from studyguide import pandoc as pandoc_stage
from studyguide.config import load_book
from studyguide.errors import StudyguideError
from studyguide.pandoc import build_part, build_parts, part_outputs
from studyguide.tasks import SMALL_PARTS, part_groups
from tests.support import doit, make_project

PREFACE = """---
title: "Preface"
---

::: key-questions
- Why read the notes [@chen2001mao, 12]?
:::

A [link](#why) to the section below and a second citation [@memcon1961khrushchevho].

## Why {#why}

::: teacher-note
Teacher-only: quokka preface [@chen2001mao, 99].
:::

Text with a note.^[A plain footnote.]
"""

AFTERWORD = """---
title: "Afterword"
---

Closing words, cited again [@chen2001mao].
"""


def with_small_parts(project: Path) -> Path:
    """The mini project with three non-chapter parts (two front, one back) besides the bibliography."""
    (project / "content" / "front" / "preface.md").write_text(PREFACE, encoding="utf-8")
    (project / "content" / "back").mkdir()
    (project / "content" / "back" / "afterword.md").write_text(AFTERWORD, encoding="utf-8")
    config = project / "book.yaml"
    text = config.read_text(encoding="utf-8").replace("front: [front/intro.md]", "front: [front/intro.md, front/preface.md]")
    config.write_text(text.replace("generated: [bibliography]", "back: [back/afterword.md]\ngenerated: [bibliography]"),
                      encoding="utf-8")
    return project


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    project = with_small_parts(make_project(tmp_path / "mini"))
    result = doit(project, "part")  # notes, bibliography, back matter, every part task
    assert result.returncode == 0, result.stderr
    monkeypatch.chdir(project)
    return project


def test_the_small_parts_of_an_edition_are_one_task_chapters_and_the_bibliography_their_own(tmp_path: Path) -> None:
    book = load_book(with_small_parts(make_project(tmp_path / "mini")))
    groups = dict(part_groups(book, "student"))
    assert [p.slug for p in groups[SMALL_PARTS]] == ["intro", "preface", "afterword"]
    assert {name for name in groups if name != SMALL_PARTS} == {"01-alpha", "02-beta", "bibliography"}
    assert all(len(parts) == 1 for name, parts in groups.items() if name != SMALL_PARTS)
    # one small part alone is not worth a batch: it keeps its own task
    assert "intro" in dict(part_groups(load_book(make_project(tmp_path / "plain")), "student"))


@pytest.mark.slow
@pytest.mark.parametrize("edition", ["student", "teacher"])
def test_a_batch_writes_byte_for_byte_what_one_run_per_part_writes(project: Path, edition: str) -> None:
    book = load_book(project)
    parts = dict(part_groups(book, edition))[SMALL_PARTS]
    files = [f for part in parts for f in part_outputs(book, part, edition).all]
    batched = {f: f.read_bytes() for f in files}  # written by the doit task part:EDITION:small-parts
    for part in parts:
        build_part(book, part, edition, book.paths.csl_json)
    assert {f: f.read_bytes() for f in files} == batched
    preface = batched[part_outputs(book, parts[1], edition).html].decode("utf-8")
    assert 'id="part-preface"' in preface and 'href="#part-preface-why"' in preface  # its own slug
    assert ("quokka" in preface) == (edition == "teacher")  # its edition's hidden classes
    assert 'class="footnote"' in preface and "Chen Jian" in preface  # citeproc ran on it, then footnotes.lua
    assert b'id="part-intro"' in batched[part_outputs(book, parts[0], edition).html]


@pytest.mark.slow
def test_a_batch_reports_an_unclosed_box_at_its_part_like_one_run_and_replaces_nothing(project: Path) -> None:
    book = load_book(project)
    parts = dict(part_groups(book, "student"))[SMALL_PARTS]
    preface = parts[1].source
    preface.write_text(preface.read_text(encoding="utf-8") + "\n::: summary\nNever closed.\n", encoding="utf-8")
    with pytest.raises(StudyguideError) as alone:
        build_part(book, parts[1], "student", book.paths.csl_json)
    before = part_outputs(book, parts[0], "student").html.read_bytes()
    with pytest.raises(StudyguideError) as batched:
        build_parts(book, parts, "student", book.paths.csl_json)
    assert [str(d) for d in batched.value.diagnostics] == [str(d) for d in alone.value.diagnostics]
    assert "content/front/preface.md:19: error:" in str(alone.value) and "is never closed" in str(alone.value)
    assert part_outputs(book, parts[0], "student").html.read_bytes() == before  # nothing replaced


@pytest.mark.slow
def test_a_batch_names_the_part_pandoc_failed_on(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = load_book(project)
    parts = dict(part_groups(book, "student"))[SMALL_PARTS]
    # a figure reference whose chart is no chart id: prepare.lua stops pandoc (load_book would refuse it first)
    afterword = parts[2].source
    afterword.write_text(afterword.read_text(encoding="utf-8") + '\n::: {.figure-ref chart="../x"}\n:::\n', encoding="utf-8")
    with pytest.raises(StudyguideError) as failed:
        build_parts(book, parts, "student", book.paths.csl_json)
    assert str(failed.value).startswith("content/back/afterword.md: error: pandoc failed:"), str(failed.value)


def part_tasks_run(project: Path) -> list[str]:
    """The part tasks one ``doit part`` ran (its '✓ NAME (… s)' lines), sorted."""
    result = doit(project, "part")
    assert result.returncode == 0, result.stderr
    return sorted(word for line in result.stdout.splitlines() if line.strip().startswith("✓")
                  for word in line.split()[1:2] if word.startswith("part:"))


@pytest.mark.slow
def test_editing_a_chapter_reruns_its_own_part_task_only_and_a_small_part_the_batch(project: Path) -> None:
    chapter = project / "content" / "01-alpha.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("An overview paragraph", "An edited overview"),
                       encoding="utf-8")
    ran = part_tasks_run(project)
    assert ran == ["part:student:01-alpha", "part:teacher:01-alpha"]  # (back:bibliography re-reads the citations)
    preface = project / "content" / "front" / "preface.md"
    preface.write_text(preface.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    assert part_tasks_run(project) == [f"part:student:{SMALL_PARTS}", f"part:teacher:{SMALL_PARTS}"]


def batch_run(cwd: Path, env: dict[str, str], *metadata: str) -> subprocess.CompletedProcess[bytes]:
    args = [pandoc_stage.pandoc_binary(), f"--lua-filter={pandoc_stage.filter_path('batch.lua')}", "--to=html5",
            *(f"--metadata={m}" for m in metadata)]
    return subprocess.run(args, input=b"", cwd=cwd, capture_output=True, env=env)


def test_the_batch_takes_its_manifest_from_the_build_not_from_metadata(tmp_path: Path) -> None:
    """batch.lua reads the manifest named in the build's environment only: metadata naming one does nothing."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    (tmp_path / "c.md").write_text("Text.\n", encoding="utf-8")
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps({"parts": [{"source": "c.md", "html": str(victim), "env": {}}]}), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDYGUIDE_")}
    result = batch_run(tmp_path, env, f"batch-manifest:{forged}", f"STUDYGUIDE_BATCH_MANIFEST:{forged}")
    assert result.returncode != 0 and b"STUDYGUIDE_BATCH_MANIFEST is not set" in result.stderr
    assert victim.read_text(encoding="utf-8") == "precious"


def test_a_batched_part_sees_its_manifest_settings_whatever_its_environment_and_front_matter_say(tmp_path: Path) -> None:
    """Each part's STUDYGUIDE_* settings are its manifest entry's: neither the process environment
    (another part's) nor the part's own front matter reaches the filters."""
    (tmp_path / "a.md").write_text("---\npart-slug: forged\nSTUDYGUIDE_PART_SLUG: forged\n---\n\n# A {#x}\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("# B {#x}\n", encoding="utf-8")
    entries = [{"source": name, "html": str(tmp_path / f"{name}.html"),
                "env": {"STUDYGUIDE_PART_SLUG": slug, "STUDYGUIDE_AST_OUT": str(tmp_path / f"{name}.json")}}
               for name, slug in (("a.md", "first"), ("b.md", "second"))]
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"parts": entries}), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDYGUIDE_")}
    env |= {"STUDYGUIDE_BATCH_MANIFEST": str(manifest), "STUDYGUIDE_PART_SLUG": "environment",
            "STUDYGUIDE_EDITION": "teacher"}
    result = batch_run(tmp_path, env)
    assert result.returncode == 0, result.stderr
    first, second = ((tmp_path / f"{n}.html").read_text(encoding="utf-8") for n in ("a.md", "b.md"))
    assert 'id="part-first"' in first and 'id="part-first-x"' in first and "forged" not in first
    assert 'id="part-second"' in second and 'id="part-second-x"' in second
    assert "environment" not in first + second
    assert (tmp_path / "b.md.json").is_file()
