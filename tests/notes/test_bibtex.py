"""The importer's .bib writer: whatever a note's title says comes back from the build's reading of
the .bib (bibtexparser, then pandoc's BibLaTeX reader) as the same text.

The one change allowed is letter case in an English title: pandoc sentence-cases it and the citation
style title-cases it again (that is the bibliography's design, not a loss). Straight quotes, backquotes
and double hyphens are left out of the alphabet: LaTeX, and so pandoc, prints them as typographic
quotes and dashes, which the guide wants (the notes use the typographic characters themselves).
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from studyguide import bibliography
from studyguide.notes.bibtex import entry_for, write_bibtex
from studyguide.notes.model import Person, Work
from studyguide.notes.names import NameTable
from tests.notes.conftest import NAMES

TABLE = NameTable.load(NAMES)
# Every printable character (letters, digits, punctuation, symbols, spaces) but the ligature-makers.
# (Unicode super- and subscript digits are left out: pandoc's reader turns '¹' into <sup>1</sup>, which
# prints the same; found by this test in CI, 2026-12-02)
SUPERSCRIPTS = "\u00b9\u00b2\u00b3" + "".join(map(chr, range(0x2070, 0x20a0)))
PRINTABLE = st.characters(categories=("L", "M", "N", "P", "S", "Zs"), exclude_characters="'\"`-\u00a0" + SUPERSCRIPTS)
TEXT = st.text(PRINTABLE, min_size=1, max_size=40).map(lambda t: " ".join(t.split())).filter(bool)
# The LaTeX specials, Jinja's delimiters and unbalanced braces, often, so that every example has some.
SPECIAL = st.sampled_from(["{", "}", "{{ x }}", "{% if y %}", "\\", "$", "%", "&", "#", "_", "~", "^", "{Cold War}",
                           "Mao", "U.S.", "\\{", "@", "<b>", "=", "},", "title = {"])
TITLE = st.lists(st.one_of(TEXT, SPECIAL), min_size=1, max_size=6).map(lambda parts: " ".join(" ".join(parts).split()))


def read_back(tmp_path: Path, works: list[Work]) -> dict[str, dict]:
    """CSL JSON items, by key, of ``works`` written by the importer and read as the build reads them."""
    path = tmp_path / "notes.bib"
    entries = [entry_for(f"k{i}", work, TABLE) for i, work in enumerate(works)]
    path.write_text(write_bibtex(entries, "% test\n\n"), encoding="utf-8")
    return {item["id"]: item for item in bibliography.to_csl(bibliography.load([path]))}


@settings(max_examples=40, deadline=None)
@given(st.lists(TITLE, min_size=1, max_size=8))
def test_any_printable_title_reads_back_unchanged(tmp_path_factory, titles):
    tmp_path = tmp_path_factory.mktemp("bib")
    works = [Work("book", title=t, authors=[Person("Lee", "Ann")], date="2001") for t in titles]
    works += [Work("book", title=t, authors=[Person("Lee", "Ann")], date="2001", language="french") for t in titles]
    items = read_back(tmp_path, works)
    for i, title in enumerate(titles):
        assert items[f"k{i}"]["title"].casefold() == title.casefold(), (title, items[f"k{i}"])
        assert items[f"k{i + len(titles)}"]["title"] == title, (title, items[f"k{i + len(titles)}"])


@settings(max_examples=20, deadline=None)
@given(TEXT, TITLE.filter(lambda t: "and" not in t.split()))  # BibLaTeX's publisher is a list split at "and"
def test_names_publishers_and_urls_read_back_unchanged(tmp_path_factory, name, text):
    tmp_path = tmp_path_factory.mktemp("bib")
    url = "https://example.org/a{b}/c?d=1&e=50%25#f"
    work = Work("webpage", title="T", authors=[Person(name, literal=True)], publisher=text, url=url,
                date="2001", language="french")
    item = read_back(tmp_path, [work])["k0"]
    assert item["author"] == [{"literal": name}], item
    assert item["publisher"] == text, item
    assert item["URL"] == url.replace("{", "%7B").replace("}", "%7D")
