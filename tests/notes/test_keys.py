from __future__ import annotations

import pytest

from studyguide.notes.keys import assign_keys, base_key, title_word
from studyguide.notes.model import Person, Work
from studyguide.notes.names import NameTable
from tests.notes.conftest import NAMES

TABLE = NameTable.load(NAMES)


@pytest.mark.parametrize(("title", "word"), [
    ("The Sino-Soviet Split", "sinosoviet"), ("Soviet–Vietnam Relations", "soviet"), ("Mao’s China", "mao"),
    ("Don’t forget China’s role", "dont"), ("L’histoire Du Monde", "histoire"), ("On the Volume", "volume"),
    ("“Hiding Behind the Label”: Refugees", "hiding"), ("Les relations politiques", "relations"),
    ("How effective was it?", "how"), ("Mao Zedong Nianpu [Mao Zedong Chronology]", "mao"),
])
def test_title_word(title, word):
    assert title_word(title) == word


def test_base_keys():
    memcon = Work("archival", doc_kind="memcon", date="1961-08-17",
                  participants=[Person("Khrushchev"), Person("Hồ", "Chí Minh", family_first=True)])
    assert base_key(memcon, TABLE) == "memcon1961khrushchevho"
    issuer = Work("archival", doc_kind="instructions", date="1964-08-07",
                  participants=[Person("Central Committee of the CCP", literal=True)])
    assert base_key(issuer, TABLE) == "instructions1964ccp"
    site = Work("webpage", authors=[Person("Alpha History", literal=True)], title="Dien Bien Phu")
    assert base_key(site, TABLE) == "alphahistorydien"
    periodical = Work("magazine", title="China Vows", container="Peking Review", date="1964-08-14")
    assert base_key(periodical, TABLE) == "peking1964china"


def test_collisions_are_lettered_in_date_order():
    def memcon(date):
        return Work("archival", doc_kind="memcon", date=date, participants=[Person("Brezhnev"), Person("Lê", "Duẩn")])
    late, early = memcon("1973-08-04"), memcon("1973-07-10")
    keys = assign_keys([late, early], TABLE, {})
    assert (keys[id(early)], keys[id(late)]) == ("memcon1973brezhnevlea", "memcon1973brezhnevleb")


def test_hand_entries_give_keys_by_title_or_url():
    page = Work("webpage", authors=[Person("Alpha History", literal=True)], title="Chinese And Soviet Involvement In Vietnam")
    treaty = Work("webpage", url="https://example.org/treaty/")
    hand = {"llewellyn2018chinese": {"title": "{Chinese} and {Soviet} Involvement in {Vietnam}", "author": "Llewellyn, J."},
            "treaty1978friendship": {"url": "http://example.org/treaty"}}
    keys = assign_keys([page, treaty], TABLE, hand)
    assert (keys[id(page)], keys[id(treaty)]) == ("llewellyn2018chinese", "treaty1978friendship")
