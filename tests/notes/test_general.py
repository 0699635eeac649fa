"""The general reader (CRF labeller + assembly) on forms the sources never use, and the import's
promises: never silently wrong, never all-or-nothing. The notes here are written for these tests
(none comes from the held-out corpus)."""

from __future__ import annotations

import json

import pytest

from studyguide.errors import Collector
from studyguide.notes import import_notes
from studyguide.notes.classify import Context
from studyguide.notes.general import read
from studyguide.notes.importer import THRESHOLD, parse_file
from studyguide.notes.names import NameTable
from studyguide.notes.resolve import resolve
from tests.notes.conftest import NAMES

CTX = Context(NameTable.load(NAMES))


def work_of(chunk: str):
    reading = read(chunk, CTX)
    assert len(reading.citations) == 1
    return reading.citations[0]


def test_chapter_in_an_edited_book():
    c = work_of("Anna Kowalska, “Warsaw’s Channel to Hanoi,” in *The Polish Road to Peace*, ed. Jan Nowak "
                "(Boston: Beacon Press, 2011), 88.")
    w = c.work
    assert (w.type, w.title, w.container) == ("chapter", "Warsaw’s Channel to Hanoi", "The Polish Road to Peace")
    assert [p.family for p in w.authors] == ["Kowalska"] and [p.family for p in w.container_editors] == ["Nowak"]
    assert (w.publisher, w.date, c.locator) == ("Beacon Press", "2011", "88")


def test_editor_before_the_title_is_not_an_author():
    w = work_of("Hans Becker, ed., *Diplomats in a Divided World* (London: Verso, 2004), 12.").work
    assert [p.family for p in w.editors] == ["Becker"] and not w.authors


def test_archive_first_russian_citation():
    w = work_of("RGASPI, f. 17, op. 3, d. 1045, l. 12.").work
    assert (w.type, w.archive) == ("archival", "RGASPI")
    assert w.archive_location.startswith("f. 17, op. 3, d. 1045")


def test_article_with_volume_and_issue_without_italics():
    w = work_of("Maria Rossi, \"Hanoi and the Bloc,\" Journal of Cold War Studies 12, no. 4 (2010): 55.").work
    assert (w.type, w.container, w.volume, w.issue, w.date) == ("article", "Journal of Cold War Studies", "12", "4", "2010")


def test_ibid_and_short_form():
    assert read("Ibid., 14.", CTX).citations[0].ref.kind == "ibid"
    c = read("Rossi, “Hanoi and the Bloc,” 57.", CTX).citations[0]
    assert c.ref.kind == "short" and c.ref.names == ["Rossi"] and c.locator == "57"


def _import(tmp_path, text, hand=None):
    notes = tmp_path / "n.txt"
    notes.write_text(text, encoding="utf-8")
    names = tmp_path / "names.yaml"  # inside the test's project root (the sandbox refuses files outside it)
    names.write_bytes(NAMES.read_bytes())
    report = import_notes([notes], tmp_path / "o.bib", tmp_path / "o.json", hand, names)
    return report, json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))


def test_ibid_after_an_unreadable_note_never_attaches_to_an_earlier_work(tmp_path):
    text = ("1 Maria Rossi, *Hanoi and the Bloc* (Boston: Beacon Press, 2010), 5.\n\n"
            "2 %%% ### ???\n\n3 Ibid., 7.\n")
    report, concordance = _import(tmp_path, text)
    first = concordance[0]["citations"][0]["key"]
    assert concordance[2]["citations"][0]["key"] != first
    assert any(i["note"] == "3" and ("could not be read" in i["why"] or "low confidence" in i["why"])
               for i in report.review_items)


def test_short_form_without_full_citation_gets_its_own_entry_for_review(tmp_path):
    report, concordance = _import(tmp_path, "1 Lindqvist, *Border Wars*, 44.\n")
    key = concordance[0]["citations"][0]["key"]
    assert key in report.review and concordance[0]["citations"][0]["locator"] == "44"
    assert "keywords = {review}" in " ".join((tmp_path / "o.bib").read_text().split())


def test_a_hand_entry_settles_a_review(tmp_path):
    report, concordance = _import(tmp_path, "1 Lindqvist, *Border Wars*, 44.\n")
    key = concordance[0]["citations"][0]["key"]
    hand = tmp_path / "hand.bib"
    hand.write_text(f"@book{{{key},\n  author = {{Lindqvist, Sven}},\n  title = {{Border Wars}},\n  date = {{1999}}\n}}\n")
    report, _ = _import(tmp_path, "1 Lindqvist, *Border Wars*, 44.\n", hand)
    assert key not in report.review
    assert all(not i["blocking"] for i in report.review_items)


def test_what_parses_is_kept_beside_what_does_not(tmp_path):
    _, concordance = _import(tmp_path, "1 Maria Rossi, *Hanoi and the Bloc* (Boston: Beacon Press, 2010), 5; "
                                       "%%% ### ???.\n")
    keys = [c["key"] for c in concordance[0]["citations"]]
    assert any(k.startswith("rossi2010") for k in keys)


@pytest.mark.parametrize("italics", [True, False])
def test_the_review_report_lists_every_citation_below_the_threshold(tmp_path, italics):
    star = "*" if italics else ""
    text = (f"1 See Maria Rossi, {star}Hanoi and the Bloc{star} (Boston: Beacon Press, 2010), 5.\n\n"
            "2 Zork, quux, frobnicate 17 and so on.\n\n"
            "3 Memcon, Kosygin and Pham Van Dong, February 7, 1965, f. 5, op. 50, d. 721, l. 3, RGANI.\n\n"
            f"4 Rossi, {star}Hanoi{star}, 9.\n\n5 Ibid.\n")
    path = tmp_path / "n.txt"
    path.write_text(text, encoding="utf-8")
    notes = parse_file(path, NameTable.load(NAMES), Collector())
    resolve(notes.notes)
    low = {(n.number, c.text) for n in notes.notes for c in n.citations if c.confidence < THRESHOLD}
    low |= {(n.number, n.text) for n in notes.notes if n.error}
    report = import_notes([path], tmp_path / "o.bib", tmp_path / "o.json", None, NAMES)
    listed = {(i["note"], i["text"]) for i in report.review_items}
    assert low <= listed
    assert all(i["confidence"] < THRESHOLD for i in report.review_items)
    assert (tmp_path / "o.review.txt").read_text().count(": note ") == len(report.review_items)
