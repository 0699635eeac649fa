"""The three sources' notes: every note accounted for, the agreed keys, stable output."""

from __future__ import annotations

import json
from collections import Counter

from studyguide.notes import import_notes
from tests.notes.conftest import HAND, NAMES, NOTES

# The keys writers cite (agreed before the importer existed); the importer must produce exactly these.
EXPECTED_KEYS = [
    "allen2012until", "alphahistorydien", "alphahistoryviet", "artizov2007nikita", "artizov2016leonid",
    "chanda1986brother", "chanda2018vietnam", "chen2001mao", "chen2006china", "demmer2017last", "demmer2018forging",
    "diiorio2001china", "doc1991trade", "doc1991volume", "franklin1993mia", "franklin2013missing",
    "gaiduk1996soviet", "gaiduk2003confronting", "goscha2006vietnam", "grosser2017histoire",
    "hershberg2012marigold", "historyvietnamization", "instructions1964ccp", "jespersen1995politics",
    "letter1967questions", "llewellyn2018chinese", "luthi2008sinosoviet", "marange2007relations",
    "martini2007invisible", "mcculloch1968study", "memcon1961khrushchevho", "memcon1962maokapo",
    "memcon1963privalovduong", "memcon1963tovmasianho", "memcon1963tovmasianung",
    "memcon1964khrushchevradhakrishnan", "memcon1964maoduhamel", "memcon1964maopham", "memcon1964zhouyala",
    "memcon1965brezhnevlea", "memcon1965brezhnevleb", "memcon1965kosyginmao", "memcon1965zhoukosygin",
    "memcon1965zhoupham", "memcon1966maoho", "memcon1967maopham", "memcon1968brezhnevphama",
    "memcon1968brezhnevphamb", "memcon1970maole", "memcon1971brezhnevkosygin", "memcon1973brezhnevlea",
    "memcon1973brezhnevleb", "memcon1973maole", "menetreymonchau2006changing", "morgan2014dont",
    "nguyen2006sinovietnamese", "nguyen2008america", "nguyen2012hanoi", "note1964tarkajurgas", "olsen2006soviet",
    "path2020vietnam", "peking1964china", "radchenko2009two", "report1965le", "rohn2012how", "speech1965suslov",
    "speech1969lea", "speech1969leb", "stur2015hiding", "thayer2012review", "treaty1978friendship",
    "westad1998brothers", "womack2006china", "xia2006negotiating", "zhai2000china", "zhonggong2013mao",
]


def test_every_note_is_accounted_for(imported):
    report, _, concordance = imported
    data = json.loads(concordance.read_text(encoding="utf-8"))
    per_file = Counter(entry["file"].rsplit("/", 1)[-1] for entry in data)
    assert per_file == {"radchenko.txt": 49, "essay2017.txt": 16, "nguyen2019.txt": 14}
    assert all(entry["citations"] for entry in data)
    assert [s.split(": ", 1)[1] for s in report.skipped] == [
        "note 3: skipped (not a citation: explanatory prose on the Viet Minh and the Viet Cong, not transcribed)"]
    assert [e["note"] for e in data[:49]] == [str(i) for i in range(1, 50)]


def test_keys_are_the_agreed_ones(imported):
    report, _, _ = imported
    assert sorted(report.keys) == sorted(EXPECTED_KEYS)


def test_concordance_samples(imported):
    _, _, concordance = imported
    data = {(e["file"].rsplit("/", 1)[-1], e["note"]): e["citations"] for e in json.loads(concordance.read_text())}
    assert data[("radchenko.txt", "15")] == [{"key": "memcon1964maoduhamel", "locator": ""},
                                            {"key": "chen2001mao", "locator": "209–10"}]
    assert data[("radchenko.txt", "28")] == [{"key": "artizov2016leonid", "locator": "100"}]  # bare Ibid. repeats the page
    assert data[("radchenko.txt", "41")] == [{"key": "speech1969leb", "locator": "18"}]  # list 18 of listy 7–48
    assert data[("radchenko.txt", "18")] == [{"key": "memcon1964zhouyala", "locator": ""}]
    assert data[("essay2017.txt", "9")] == [{"key": "llewellyn2018chinese", "locator": ""}]
    assert data[("nguyen2019.txt", "8")] == [{"key": "marange2007relations", "locator": "153"}]
    assert data[("nguyen2019.txt", "7")][1] == {"key": "grosser2017histoire", "locator": "chp. 11"}
    assert data[("nguyen2019.txt", "14")] == [{"key": "treaty1978friendship", "locator": ""}]


def test_same_input_same_bytes(imported, tmp_path):
    _, bib, concordance = imported
    import_notes(NOTES, tmp_path / "a.bib", tmp_path / "a.json", HAND, NAMES)
    assert (tmp_path / "a.bib").read_bytes() == bib.read_bytes()
    assert (tmp_path / "a.json").read_bytes() == concordance.read_bytes()


def test_archival_fields_survive(imported):
    import bibtexparser
    _, bib, _ = imported
    entry = bibtexparser.parse_string(bib.read_text()).entries_dict["memcon1961khrushchevho"]
    fields = {f.key: f.value for f in entry.fields}
    assert fields["archive_location"] == "fond 52, opis 1, delo 555, listy 125–150"
    assert fields["archive"] == "Russian State Archive of Contemporary History"
    assert fields["archive_abbrev"] == "RGANI" and fields["archive_place"] == "Moscow"
    assert fields["participants"] == "Khrushchev and Hồ, Chí Minh" and fields["familyfirst"] == "Hồ, Chí Minh"
