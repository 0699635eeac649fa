from __future__ import annotations

import pytest

from studyguide.notes.model import Person
from studyguide.notes.names import NameTable, split_names
from tests.notes.conftest import NAMES

TABLE = NameTable.load(NAMES)


@pytest.mark.parametrize(("text", "surname_first", "person"), [
    ("Chen Jian", False, Person("Chen", "Jian", family_first=True)),
    ("Chen Jian", True, Person("Chen", "Jian", family_first=True)),
    ("Qiang Zhai", True, Person("Zhai", "Qiang")),  # a surname-first list does not override the table
    ("Lien-Hang T. Nguyen", False, Person("Nguyen", "Lien-Hang T.")),
    ("Nguyen, Lien-Hang", False, Person("Nguyen", "Lien-Hang")),
    ("Nguyen Vu Tung", False, Person("Nguyen", "Vu Tung", family_first=True)),
    ("Premier Zhou Enlai", False, Person("Zhou", "Enlai", family_first=True)),
    ("Lê Duẩn", False, Person("Lê", "Duẩn", family_first=True)),
    ("Sergey Radchenko", False, Person("Radchenko", "Sergey")),
    ("Westad et al. (eds.)", False, Person("Westad")),
    ("Arnold van Gennep", False, Person("van Gennep", "Arnold")),
])
def test_person(text, surname_first, person):
    assert TABLE.person(text, surname_first=surname_first) == person


def test_display_and_bibtex_order():
    chen = Person("Chen", "Jian", family_first=True)
    assert (chen.display(), chen.bibtex()) == ("Chen Jian", "Chen, Jian")
    assert Person("Alpha History", literal=True).bibtex() == "{Alpha History}"


def test_split_names():
    assert split_names("Brezhnev, Kosygin, and Võ Nguyên Giáp") == (["Brezhnev", "Kosygin", "Võ Nguyên Giáp"], False)
    assert split_names("Frank McCulloch & Janos Radvanyi") == (["Frank McCulloch", "Janos Radvanyi"], False)
    assert split_names("Brezhnev et al.") == (["Brezhnev"], True)


def test_bad_table_is_a_user_error(tmp_path):
    from studyguide.errors import StudyguideError
    bad = tmp_path / "names.yaml"
    bad.write_text("family_first: 3\n")
    with pytest.raises(StudyguideError, match="must be a list"):
        NameTable.load(bad)
