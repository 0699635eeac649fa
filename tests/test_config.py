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
