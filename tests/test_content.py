from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studyguide.content import check_citations, find_citations, read_source
from studyguide.errors import Collector, StudyguideError


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("Text [@a; @b, 12] more.", ["a", "b"]),
        ("As @chen2001mao argues.", ["chen2001mao"]),
        ("Suppressed [-@zhai2000china, 135].", ["zhai2000china"]),
        ("Mail me at a@b.com.", []),
        ("`@notakey` in code", []),
        ("```\n@fenced\n```\nthen [@real]", ["real"]),
        ("Braced [@{odd:key}]", ["odd:key"]),
        ("End of sentence @key.", ["key"]),
    ],
)
def test_find_citations_handles_every_pandoc_form(text: str, keys: list[str]) -> None:
    assert [use.key for use in find_citations(text)] == keys


def test_citation_lines_count_from_the_body_start() -> None:
    uses = find_citations("one\n\ntwo [@x]\n", first_line=5)
    assert [(u.key, u.line) for u in uses] == [("x", 7)]


def test_unknown_key_message_names_file_line_and_nearest_key(tmp_path: Path) -> None:
    chapter = tmp_path / "03-struggle.md"
    chapter.write_text("---\ntitle: T\n---\n\nText [@chen2001].\n", encoding="utf-8")
    source = read_source(chapter)
    problems = Collector()
    check_citations(chapter, source.citations, {"chen2001mao", "zhai2000china"}, problems)
    with pytest.raises(StudyguideError) as caught:
        problems.raise_if_errors()
    assert str(caught.value).endswith(
        "03-struggle.md:5: error: unknown citation key 'chen2001' (did you mean 'chen2001mao'?)")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\ntitle: [unclosed\n---\nbody\n", ":3: error: malformed front matter"),
        ("---\ntitle: T\nno closing\n", ":1: error: malformed front matter: no closing '---' line"),
        ("---\nsubtitle: S\n---\nbody\n", ":1: error: front matter needs a 'title'"),
        ("---\ntitle: T\n---\n\n   \n", ":4: error: the part is empty"),
    ],
)
def test_front_matter_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "c.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StudyguideError, match=message):
        read_source(path)


def test_invalid_utf8_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "c.md"
    path.write_bytes(b"---\ntitle: T\n---\n\ncaf\xe9\n")
    with pytest.raises(StudyguideError, match=r"c\.md:5: error: not valid UTF-8"):
        read_source(path)


@given(st.text())
def test_citation_scan_never_crashes(text: str) -> None:
    for use in find_citations(text):
        assert use.key and use.line >= 1


@pytest.mark.parametrize(
    ("markdown", "message"),
    [
        ("![A map](https://example.org/map.png)", "'https://example.org/map.png' is a network or external resource"),
        ("![Secrets](/etc/passwd)", "'/etc/passwd' is outside the project"),
        ("![Up](../../secret.png)", "'../../secret.png' is outside the project"),
        ('<img src="images/missing.png">', "missing image 'images/missing.png'"),
    ],
)
def test_resources_outside_the_project_or_missing_are_refused(tmp_path: Path, markdown: str, message: str) -> None:
    from studyguide.content import check_resources

    problems = Collector()
    check_resources(tmp_path / "c.md", f"text\n\n{markdown}\n", 4, tmp_path, problems)
    assert [d.message for d in problems.errors] == [message]
    assert problems.errors[0].line == 6


def test_an_image_inside_the_project_is_accepted(tmp_path: Path) -> None:
    from studyguide.content import check_resources

    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "map.png").write_bytes(b"png")
    problems = Collector()
    check_resources(tmp_path / "c.md", "![A map](images/map.png)\n", 1, tmp_path, problems)
    assert not problems.diagnostics


def test_the_prepare_filter_takes_hidden_classes_box_titles_and_quote_marks_from_the_book() -> None:
    """prepare.lua knows no edition, box or quotation mark of its own: book.yaml's settings decide."""
    import json
    import subprocess

    from studyguide.pandoc import filter_path, pandoc_binary

    source = '---\ntitle: T\n---\n\n::: aside\nSee "this".\n:::\n\n::: secret\nHidden.\n:::\n'
    args = [pandoc_binary(), "--from=markdown", "--to=html5", f"--lua-filter={filter_path('prepare.lua')}",
            "--metadata=hide-classes:" + json.dumps(["secret"]), "--metadata=box-titles:" + json.dumps({"aside": "By the way"}),
            "--metadata=quote-marks:«»‹›"]
    html = subprocess.run(args, input=source, capture_output=True, text=True, check=True).stdout
    assert "By the way" in html and "«this»" in html and "Hidden" not in html
