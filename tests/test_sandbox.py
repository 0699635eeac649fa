"""The sandbox: content reaches only files inside the project.

The catalogue (test_catalogue.py) feeds each forbidden reference through doit: images, raw HTML
img/link, Markdown links and template CSS pointing at /etc/passwd, ../../secret or the network.
Here: what pandoc's --sandbox does and does not restrict (so the comment in studyguide/pandoc.py
stays true), that the part stage uses it, the EPUB stage's own check of what it embeds, and a URL
built by a template variable, which only the WeasyPrint fetcher can see.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from studyguide import pandoc as pandoc_stage
from studyguide.config import load_book
from studyguide.epub import check_embedded
from studyguide.errors import StudyguideError
from tests.support import doit


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
    css = project / "templates" / "print" / "book.css.j2"
    css.write_text("@import url(\"{{ '/etc' }}/passwd\");\n" + css.read_text(encoding="utf-8"), encoding="utf-8")
    result = doit(project, "pdf")
    assert result.returncode != 0
    assert "templates/print/book.html.j2: error: '/etc/passwd' is outside the project" in result.stderr.splitlines()
    assert "Traceback" not in result.stdout + result.stderr
    assert not list((project / "build" / "pdf").rglob("*.pdf"))
