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



def test_the_prepare_filter_takes_hidden_classes_box_titles_and_quote_marks_from_the_book() -> None:
    """prepare.lua knows no edition, box or quotation mark of its own: book.yaml's settings decide."""
    import json
    import os
    import subprocess

    from studyguide.pandoc import filter_path, pandoc_binary

    source = '---\ntitle: T\n---\n\n::: aside\nSee "this".\n:::\n\n::: secret\nHidden.\n:::\n'
    args = [pandoc_binary(), "--from=markdown", "--to=html5", f"--lua-filter={filter_path('prepare.lua')}"]
    # the build passes them in the filter's environment, never as document metadata (the sandbox rule)
    env = {**os.environ, "STUDYGUIDE_HIDE_CLASSES": json.dumps(["secret"]),
           "STUDYGUIDE_BOX_TITLES": json.dumps({"aside": "By the way"}), "STUDYGUIDE_QUOTE_MARKS": "«»‹›"}
    html = subprocess.run(args, input=source, capture_output=True, text=True, check=True, env=env).stdout
    assert "By the way" in html and "«this»" in html and "Hidden" not in html
