"""The sandbox: content reaches only files inside the project.

The catalogue (test_catalogue.py) feeds each forbidden reference through doit: images, raw HTML
img/link, Markdown links and template CSS pointing at /etc/passwd, ../../secret or the network.
Here: what pandoc's --sandbox does and does not restrict (so the comment in studyguide/pandoc.py
stays true), that the part stage uses it, the EPUB stage's own check of what it embeds, and a URL
built by a template variable, which only the WeasyPrint fetcher can see.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from studyguide import pandoc as pandoc_stage
from studyguide.config import load_book
from studyguide.epub import check_embedded
from studyguide.errors import StudyguideError
from tests.support import doit, override


def pandoc(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([pandoc_stage.pandoc_binary(), *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture
def outside(tmp_path: Path) -> tuple[Path, Path]:
    """A project folder and, next to it, a bibliography the content must not be able to read."""
    project = tmp_path / "project"
    project.mkdir()
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps([{"id": "secret", "type": "book", "title": "The Secret Title"}]), encoding="utf-8")
    (project / "c.md").write_text(f"---\nbibliography: {secret}\n---\n\nText [@secret].\n", encoding="utf-8")
    return project, secret


def test_sandbox_stops_pandoc_from_fetching_a_resource_outside(tmp_path: Path) -> None:
    (tmp_path / "secret.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'><desc>SECRET</desc></svg>")
    project = tmp_path / "project"
    project.mkdir()
    (project / "c.md").write_text("![x](../secret.svg)\n", encoding="utf-8")
    args = ["c.md", "--to=html5", "--embed-resources", "--standalone", "--metadata=title:x"]
    assert "data:image/svg+xml" in pandoc(args, project).stdout  # the control: without the sandbox it is embedded
    boxed = pandoc([*args, *pandoc_stage.SANDBOX], project)
    assert "data:image/svg+xml" not in boxed.stdout and "Could not fetch resource" in boxed.stderr


def test_sandbox_does_not_stop_citeproc_reading_front_matter_files_so_the_build_refuses_them(
        outside: tuple[Path, Path]) -> None:
    from studyguide.content import read_source

    project, _ = outside
    boxed = pandoc(["c.md", *pandoc_stage.SANDBOX, "--citeproc", "--to=html5"], project)
    assert "The Secret Title" in boxed.stdout  # pandoc 3.9: the sandbox lets citeproc read it
    (project / "c.md").write_text((project / "c.md").read_text(encoding="utf-8").replace("---\n\n", 'title: "C"\n---\n\n'))
    with pytest.raises(StudyguideError) as error:
        read_source(project / "c.md")
    assert str(error.value).endswith(":2: error: front matter may not set 'bibliography': it names a file for pandoc to "
                                     "read (the build supplies the bibliography and the citation style)")


def test_sandbox_does_not_restrict_lua_filters(tmp_path: Path) -> None:
    """Why the filters may keep using io.open (and why their paths must never come from content)."""
    (tmp_path / "secret.txt").write_text("lua can read me", encoding="utf-8")
    (tmp_path / "f.lua").write_text(
        'function Pandoc(doc) local f = io.open("secret.txt") local text = f:read("a") f:close()\n'
        '  io.open("written.txt", "w"):write(text):close() return doc end\n', encoding="utf-8")
    (tmp_path / "c.md").write_text("text\n", encoding="utf-8")
    result = pandoc(["c.md", *pandoc_stage.SANDBOX, "--lua-filter=f.lua", "--to=html5"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "written.txt").read_text(encoding="utf-8") == "lua can read me"


def test_the_part_stage_runs_pandoc_sandboxed(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []

    class Stop(Exception):
        pass

    def capture(args: list[str], *rest: Any, **kwargs: Any) -> str:
        seen.append(args)
        raise Stop

    monkeypatch.setattr(pandoc_stage, "run", capture)
    book = load_book(built)
    with pytest.raises(Stop):
        pandoc_stage.build_part(book, book.chapters()[0], "student", built / "build/bib/bibliography.json")
    assert "--sandbox" in seen[0]


def image(src: str) -> dict[str, Any]:
    return {"t": "Image", "c": [["", [], []], [], [src, ""]]}


def raw(html: str) -> dict[str, Any]:
    return {"t": "RawInline", "c": ["html", html]}


@pytest.mark.parametrize(("node", "message"), [
    (image("/etc/passwd"), "'/etc/passwd' is outside the project"),
    (image("../../secret.png"), "'../../secret.png' is outside the project"),
    (image("https://example.com/a.png"), "'https://example.com/a.png' is a network or external resource"),
    (raw('<img src="file:///etc/passwd">'), "'file:///etc/passwd' is outside the project"),
    (raw("<link rel=stylesheet href=/etc/passwd>"), "raw HTML element <link> is not allowed in a chapter"),
    (raw('<video src="#clip" poster="file:///etc/passwd"></video>'), "'file:///etc/passwd' is outside the project"),
    (raw('<span style="background: url(/etc/passwd)">x</span>'), "'/etc/passwd' is outside the project"),
    (raw('<img src="data:image/svg+xml,%3Csvg%3E%3Cimage href=%22file:///etc/passwd%22/%3E%3C/svg%3E">'),
     "the SVG refers to 'file:///etc/passwd'"),
])
def test_the_epub_stage_refuses_to_embed_anything_outside(built: Path, node: dict[str, Any], message: str) -> None:
    book = load_book(built)
    ast = {"blocks": [{"t": "Para", "c": [{"t": "Str", "c": "x"}, node]}]}
    with pytest.raises(StudyguideError) as error:
        check_embedded(book, [(book.chapters()[0], ast)])
    assert [d.message for d in error.value.diagnostics] == [message]


def test_the_epub_stage_embeds_files_inside_the_project_and_web_links(built: Path) -> None:
    book = load_book(built)
    (built / "build" / "figures").mkdir(exist_ok=True)
    (built / "build" / "figures" / "ok.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    ast = {"blocks": [{"t": "Para", "c": [image("build/figures/ok.svg"), raw('<a href="https://example.com/">web</a>')]}]}
    check_embedded(book, [(book.chapters()[0], ast)])
    (built / "build" / "figures" / "ok.svg").unlink()


@pytest.mark.slow
def test_a_url_built_by_a_template_variable_is_refused_by_the_pdf_fetcher(project: Path) -> None:
    css = override(project, "print/book.css.j2")
    css.write_text("@import url(\"{{ '/etc' }}/passwd\");\n" + css.read_text(encoding="utf-8"), encoding="utf-8")
    result = doit(project, "pdf")
    assert result.returncode != 0
    assert any(line.endswith("print/book.html.j2: error: '/etc/passwd' is outside the project")
               for line in result.stderr.splitlines()), result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not list((project / "build" / "pdf").rglob("*.pdf"))


# --- the path authority, the YAML loader and faults (issue #18) ----------------------------------------

def test_confine_follows_symlinks_and_names_who_wrote_the_path(tmp_path: Path) -> None:
    from studyguide import sandbox

    project = tmp_path / "project"
    (project / "content").mkdir(parents=True)
    (tmp_path / "secret.md").write_text("secret", encoding="utf-8")
    (project / "content" / "link.md").symlink_to(tmp_path / "secret.md")
    (project / "content" / "ok.md").write_text("ok", encoding="utf-8")
    sandbox.set_root(project)
    assert sandbox.confine("content/ok.md") == (project / "content" / "ok.md").resolve()
    for path in ("content/link.md", "../secret.md", str(tmp_path / "secret.md"), "/etc/passwd"):
        with pytest.raises(StudyguideError) as error:
            sandbox.confine(path, sandbox.NamedBy("content/book.yaml", 9), shown=path)
        assert str(error.value).startswith(f"content/book.yaml:9: error: '{path}' is outside the project"), error.value
    # the package's own files and the fonts may be read, not written
    assert sandbox.confine(sandbox.PACKAGE / "filters" / "prepare.lua")
    with pytest.raises(StudyguideError):
        sandbox.confine(sandbox.PACKAGE / "filters" / "prepare.lua", write=True)


def test_a_named_pipe_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    import os

    from studyguide.content import read_text

    os.mkfifo(tmp_path / "pipe.yaml")
    with pytest.raises(StudyguideError) as error:
        read_text(tmp_path / "pipe.yaml")  # would block for ever if it were opened
    assert "is a named pipe, not a regular file" in str(error.value)


@pytest.mark.parametrize(("text", "message"), [
    ("a: &x [1]\nb: *x\n", "1: error: YAML anchors are not allowed ('&x')"),
    ("a: *x\n", "1: error: YAML aliases are not allowed ('*x')"),
    ("a: " + "[" * 60 + "]" * 60 + "\n", "the YAML is nested more than 50 levels deep"),
    ("a: [1\n", "malformed YAML"),
])
def test_the_yaml_loader_refuses_aliases_deep_nesting_and_says_where(tmp_path: Path, text: str, message: str) -> None:
    from studyguide import yamlio

    with pytest.raises(StudyguideError) as error:
        yamlio.load(text, tmp_path / "x.yaml")
    assert message in str(error.value)
    assert yamlio.load("a: [1, 2]\nb: {c: d}\n", tmp_path / "x.yaml") == {"a": [1, 2], "b": {"c": "d"}}


def test_a_failed_write_keeps_the_old_file_and_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    from studyguide import fsutil

    target = tmp_path / "build" / "book.pdf"
    target.parent.mkdir()
    target.write_bytes(b"%PDF old")

    def full(*args: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fsutil.os, "fsync", full)
    with pytest.raises(StudyguideError) as error:
        fsutil.atomic_write_bytes(target, b"%PDF new")
    assert str(error.value).startswith("build/book.pdf: error: cannot write the file (No space left on device)") or \
        "book.pdf: error: cannot write the file (No space left on device)" in str(error.value)
    assert target.read_bytes() == b"%PDF old"
    assert sorted(p.name for p in target.parent.iterdir()) == ["book.pdf"]


def test_written_files_follow_the_umask(tmp_path: Path) -> None:
    import os

    from studyguide.fsutil import atomic_write_bytes

    old = os.umask(0o022)
    try:
        atomic_write_bytes(tmp_path / "a.pdf", b"x")
    finally:
        os.umask(old)
    assert (tmp_path / "a.pdf").stat().st_mode & 0o777 == 0o644


def test_pandoc_missing_is_named_with_how_to_install(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pandoc_stage, "pandoc_binary", lambda: "/nonexistent/pandoc")
    book = load_book(built)
    with pytest.raises(StudyguideError) as error:
        pandoc_stage.run(["--version"], book)
    assert "cannot run pandoc" in str(error.value) and "pypandoc-binary" in str(error.value)


def test_the_bundled_pandoc_is_used_not_the_first_on_path() -> None:
    assert "pypandoc" in pandoc_stage.pandoc_binary()


def test_the_filters_take_their_paths_from_the_build_not_from_metadata(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    (tmp_path / "c.md").write_text(f"---\nsources-out: {victim}\nast-out: {victim}\n---\n\nText.\n", encoding="utf-8")
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("STUDYGUIDE_")}
    for name in ("sources.lua", "dump.lua"):
        subprocess.run([pandoc_stage.pandoc_binary(), "c.md", f"--lua-filter={pandoc_stage.filter_path(name)}",
                        "--to=html5"], cwd=tmp_path, capture_output=True, env=env)
    assert victim.read_text(encoding="utf-8") == "precious"


def test_a_second_build_in_the_same_project_waits_then_refuses_with_a_clear_line(project: Path) -> None:
    import fcntl
    import os

    (project / "build").mkdir(exist_ok=True)
    with open(project / "build" / ".lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        env = os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parent.parent), "STUDYGUIDE_LOCK_WAIT": "1"}
        env.pop("STUDYGUIDE_PROJECT_LOCK", None)
        result = subprocess.run([sys.executable, "-m", "doit", "list"], cwd=project, capture_output=True, text=True,
                                env=env)
    assert result.returncode != 0
    assert "build/.lock: error: another build is still running in this project" in result.stderr
    assert "Traceback" not in result.stderr


def test_pathological_lines_are_refused_at_once_with_their_line(tmp_path: Path) -> None:
    from studyguide.content import read_source

    for body, message in [("[" * 60_000, "characters long"), ("> " * 40 + "deep", "block quotes nested 40 deep"),
                          (" " * 200 + "- deep", "indented 200 columns")]:
        (tmp_path / "c.md").write_text(f'---\ntitle: "C"\n---\n\nText.\n\n{body}\n', encoding="utf-8")
        with pytest.raises(StudyguideError) as error:
            read_source(tmp_path / "c.md")
        assert ":7: error: " in str(error.value) and message in str(error.value), error.value


def test_content_scans_stay_linear_on_hostile_lines(tmp_path: Path) -> None:
    """Inputs that made the old regular expressions backtrack for minutes (no timing: a hang fails)."""
    from studyguide.content import figure_refs, find_citations, read_source

    for line in ("<a " * 15_000, "[" * 45_000, ".figure-ref " * 4_000, "{ #" + "a" * 45_000, "![" * 20_000):
        (tmp_path / "c.md").write_text(f'---\ntitle: "C"\n---\n\n{line}\n', encoding="utf-8")
        with contextlib.suppress(StudyguideError):
            read_source(tmp_path / "c.md")
        figure_refs(line)
        find_citations(line)


def test_a_very_large_part_builds_with_a_warning_that_its_layout_will_be_slow(
        built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """More footnotes (citations in a notes style counted) or more bytes than the limits: one warning
    each, once per part (not once per edition), and the part is still built."""
    import shutil

    project = tmp_path / "mini"
    shutil.copytree(built, project)
    chapter = project / "content/02-beta.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nOne.^[A.] Two.^[B.] Three.^[C.]\n", encoding="utf-8")
    monkeypatch.setattr(pandoc_stage, "WARN_FOOTNOTES", 3)
    monkeypatch.setattr(pandoc_stage, "WARN_PART_BYTES", 200)
    monkeypatch.chdir(project)  # paths are shown relative to where the build runs
    book = load_book(project)
    part = next(p for p in book.parts if p.source == chapter)
    size = len(chapter.read_bytes()) / 1_000_000
    warned = {edition: [str(d) for d in pandoc_stage.build_part(book, part, edition, project / "build/bib/bibliography.json")]
              for edition in ("student", "teacher")}
    assert warned["student"] == [
        "content/02-beta.md: warning: 4 footnotes in one part (more than 3): the PDF layout will be slow, "
        "minutes rather than seconds (split the part into several chapters)",
        f"content/02-beta.md: warning: the part is {size:.1f} MB (more than 0.0002 MB): the build will be slow, "
        "minutes rather than seconds (split the part into several chapters)"]
    assert warned["teacher"] == []
    assert "Three." in (project / "build/parts/teacher/02-beta.html").read_text(encoding="utf-8")


def test_a_full_disk_under_pandoc_is_reported_on_the_file_it_builds(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pandoc writing to a full disk (here /dev/full, which refuses every write with ENOSPC) gives
    the atomic writes' line on the output it builds, not pandoc's message on book.yaml."""
    monkeypatch.chdir(built)
    book = load_book(built)
    with pytest.raises(StudyguideError) as error:
        pandoc_stage.run(["--from=markdown", "--to=html5", "--output=/dev/full"], book, stdin=b"Some text.\n",
                         output=built / "build/epub/student/book.epub")
    assert str(error.value) == ("build/epub/student/book.epub: error: cannot write the file (No space left on device) "
                                "(the file built before is unchanged; free disk space or make the folder writable)")
