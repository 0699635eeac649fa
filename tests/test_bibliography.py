"""studyguide.bibliography and studyguide.bibfix: .bib -> CSL JSON by pandoc's reader, plus our corrections.

Renderings go through citeproc with the Chicago notes style the build uses (``tests/bibrender.py``:
one pandoc run for many entries): the bibliography entry, a first note and a short note.
Set ``UPDATE_GOLDEN=1`` to rewrite ``tests/golden/bibliography/cases.json`` (then read the diff).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studyguide import bibfix, bibliography, sandbox
from studyguide.errors import StudyguideError
from tests.bibrender import pandoc_csl, problems, render
from tests.support import REPO

FIXTURES = Path(__file__).parent / "fixtures" / "bib"
EXAMPLES = FIXTURES / "biblatex-examples.bib"  # biblatex's example database, LPPL 1.3c (see fixtures/bib/README.md)
CASES = [FIXTURES / "cases.bib", FIXTURES / "bibtex-cases.bib"]
GOLDEN = Path(__file__).parent / "golden" / "bibliography" / "cases.json"

# Entries of biblatex-examples.bib that we convert differently from pandoc, and why. Empty: on this
# BibLaTeX file every correction of ours either does not apply or agrees with pandoc; the test
# below fails if that stops being true, and an entry must then be listed here with its reason.
EXAMPLES_DELIBERATE: dict[str, str] = {}
# Entries of the examples left out of the CSL JSON: a @set has no text of its own (pandoc's item
# for it prints "n.d."); its members are cited instead.
EXAMPLES_LEFT_OUT = {"set": "@set", "stdmodel": "@set"}

# Golden cases where our rendering deliberately differs from pandoc's own, and why.
CASES_DELIBERATE = {
    "memcon": "archive, archive_location, archive_place (the guide's archival notes): pandoc drops them",
    "monthword": "month = {September}: pandoc drops a month written as a word; and pandoc's sentence case "
                 "lowers 'J.', 'U.S.' and 'I', which Chicago's title case does not give back",
    "publisherand": "BibTeX publisher 'Hill and Wang' is one name; pandoc's BibLaTeX reading splits it ('Hill; Wang')",
    "king": "publisher 'Harper and Row' (BibTeX file): one name, not 'Harper; Row'",
    "concat": "publisher dtv # { and Others} (BibTeX file) is one name; and year = {1918--1922}, which pandoc drops",
    "emph": "pandoc lowers 'De' in the emphasized title inside the title ('On de Anima')",
}


# ---- reading and merging --------------------------------------------------------------------

GENERATED = """@book{chen2001mao,
  author = {Chen, Jian},
  title = {{Mao}'s {China} and the {Cold War}},
  date = {2000},
  familyfirst = {Chen, Jian}
}

@unpublished{memcon1961khrushchevho,
  type = {Memcon, Khrushchev and Hồ Chí Minh},
  date = {1961-08-17},
  archive = {Russian State Archive of Contemporary History},
  archive_original = {Rossiiskii gosudarstvennyi arkhiv noveishei istorii},
  archive_location = {fond 52, opis 1, delo 555},
  archive_place = {Moscow}
}
"""
HAND = """% corrections
@book{chen2001mao,
  date = {2001},
  publisher = {University of North Carolina Press}
}

@online{extra2020page, title = {A Page \\& More}, url = {https://example.org}}
"""


@pytest.fixture
def bibs(tmp_path):
    gen, hand = tmp_path / "gen.bib", tmp_path / "hand.bib"
    gen.write_text(GENERATED, encoding="utf-8")
    hand.write_text(HAND, encoding="utf-8")
    return gen, hand


def test_hand_fields_win_and_hand_entries_are_added(bibs):
    entries = bibliography.load(list(bibs))
    assert list(entries) == ["chen2001mao", "extra2020page", "memcon1961khrushchevho"]
    chen = entries["chen2001mao"].fields
    assert chen["date"] == "2001" and chen["publisher"] == "University of North Carolina Press"
    assert chen["author"] == "Chen, Jian"
    assert bibliography.keys(list(bibs)) == set(entries)


def test_csl_names_archive_dates(bibs):
    items = {i["id"]: i for i in bibliography.to_csl(bibliography.load(list(bibs)))}
    chen = items["chen2001mao"]
    assert chen["author"] == [{"family": "Chen", "given": "Jian", "static-ordering": True, "literal": "Chen Jian"}]
    assert chen["title"] == "Mao’s China and the Cold War"  # pandoc: LaTeX quote to ’, braces protect case
    assert chen["issued"] == {"date-parts": [[2001]]}  # hand.bib's date replaced the generated one
    assert chen["publisher"] == "University of North Carolina Press"
    memcon = items["memcon1961khrushchevho"]
    assert memcon["type"] == "manuscript" and memcon["genre"] == "Memcon, Khrushchev and Hồ Chí Minh"
    assert memcon["archive"] == ("Russian State Archive of Contemporary History"
                                 " (Rossiiskii gosudarstvennyi arkhiv noveishei istorii)")
    assert (memcon["archive_location"], memcon["archive-place"]) == ("fond 52, opis 1, delo 555", "Moscow")
    assert memcon["issued"] == {"date-parts": [[1961, 8, 17]]}
    assert items["extra2020page"]["title"] == "A page & more" and items["extra2020page"]["type"] == "webpage"


def test_write_csl_json_is_deterministic(bibs, tmp_path):
    bibliography.write_csl_json(list(bibs), tmp_path / "a.json")
    bibliography.write_csl_json(list(bibs), tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert len(json.loads((tmp_path / "a.json").read_text())) == 3


def _lines(diagnostics, tmp_path) -> list[str]:
    return [str(d).replace(str(tmp_path) + "/", "") for d in diagnostics]


def test_errors_carry_file_and_line(tmp_path):
    bad = tmp_path / "bad.bib"
    bad.write_text("@book{a, title = {A}}\n\n@book{a, title = {B}}\n\n"
                   "@book{b, title = {X} author = {Y}}\n\n@book{d, year = {1}, year = {2}}\n\n@book{c, title = {Z\n",
                   encoding="utf-8")
    with pytest.raises(StudyguideError) as info:
        bibliography.load([bad])
    lines = _lines(info.value.diagnostics, tmp_path)
    assert ("bad.bib:3: error: key 'a' defined twice, at lines 1 and 3, with different fields: title differ"
            " (keep one entry, or give the other its own key)") in lines
    assert "bad.bib:5: error: entry 'b': field 'title' swallows another field (missing comma?)" in lines
    assert "bad.bib:7: error: entry 'd' has a field defined twice: year (keep one of them)" in lines
    assert any(line.startswith("bad.bib:9: error: malformed entry") for line in lines)


def test_identical_duplicate_is_a_warning_naming_both_lines(tmp_path):
    bib = tmp_path / "dup.bib"
    entry = "@book{same,\n  author = {Roe, Richard},\n  title = {A Book},\n  year = {1970}\n}\n"
    bib.write_text(entry + "\n@book{other, title = {B}, year = {1}}\n\n" + entry.replace("  title", "  title "), encoding="utf-8")
    entries = bibliography.load([bib])
    assert set(entries) == {"same", "other"}
    assert _lines(entries.warnings, tmp_path) == [
        "dup.bib:9: warning: key 'same' defined twice, identically, at lines 1 and 9 "
        "(the copy at line 1 is used; delete the other)"]
    out = tmp_path / "refs.json"
    assert _lines(bibliography.write_csl_json([bib], out), tmp_path) == _lines(entries.warnings, tmp_path)
    assert sorted(i["id"] for i in json.loads(out.read_text())) == ["other", "same"]


def test_differing_duplicates_are_errors_and_the_rest_of_the_file_is_named_too(tmp_path):
    bib = tmp_path / "dup.bib"
    bib.write_text("@book{x, title = {One}, year = {1}}\n@book{x, title = {Two}, year = {2}}\n"
                   "@article{x, title = {One}, year = {1}}\n@book{, title = {No key}}\n", encoding="utf-8")
    with pytest.raises(StudyguideError) as info:
        bibliography.load([bib])
    assert _lines(info.value.diagnostics, tmp_path) == [
        "dup.bib:2: error: key 'x' defined twice, at lines 1 and 2, with different fields: title, year differ "
        "(keep one entry, or give the other its own key)",
        "dup.bib:3: error: key 'x' defined twice, at lines 1 and 3, with different fields: entry type differ "
        "(keep one entry, or give the other its own key)",
        "dup.bib:4: error: @book entry without a key (write a key after the opening brace)"]
    # measuring a foreign file: the same problems as warnings, the first definition kept
    kept = bibliography.load([bib], keep_going=True)
    assert list(kept) == ["x"] and kept["x"].fields["title"] == "One" and len(kept.warnings) == 3


def test_entries_pandoc_would_refuse_the_whole_file_for_are_read(tmp_path):
    """Mendeley writes @newspaper_article and JabRef users comment out fields with '%'; pandoc's
    reader stops at the first such entry and converts nothing."""
    bib = tmp_path / "mendeley.bib"
    bib.write_text("@newspaper_article{amsden2015,\n  author = {Amsden, David},\n  title = {A Piece},\n"
                   "  journal = {The New York Times},\n  year = {2015},\n  note = {ID: TN_12345}\n}\n"
                   "@book{b,\n  title = {B},\n  %  author = {Commented, Out},\n  year = {2001}\n}\n", encoding="utf-8")
    items = {i["id"]: i for i in bibliography.to_csl(bibliography.load([bib]))}
    assert set(items) == {"amsden2015", "b"} and "note" not in items["amsden2015"]
    rendered, stderr = render(list(items.values()))
    assert "not found" not in stderr  # a note "ID: …" would give the item another id
    assert rendered["amsden2015"].first.startswith("David Amsden, “A Piece,”")


@pytest.mark.parametrize(("text", "dialect"), [
    ("@book{a, title = {T}, publisher = {Hill and Wang}, year = {1985}}", "bibtex"),
    ("@book{a, title = {T}, publisher = {Hill and Wang}, date = {1985}}", "biblatex"),
    ("@comment{jabref-meta: databaseType:bibtex;}\n@book{a, title = {T}, publisher = {Hill and Wang}, date = {1985}}",
     "bibtex"),
])
def test_a_publisher_with_and_is_one_name_in_a_bibtex_file(tmp_path, text, dialect):
    bib = tmp_path / "p.bib"
    bib.write_text(text, encoding="utf-8")
    entries = bibliography.load([bib])
    assert entries["a"].dialect == dialect
    publisher = bibliography.to_csl(entries)[0]["publisher"]
    assert publisher == ("Hill and Wang" if dialect == "bibtex" else "Hill; Wang")


def test_pandoc_prints_family_first_names_and_archive(bibs):
    items = bibliography.to_csl(bibliography.load(list(bibs)))
    rendered, _ = render(items)
    assert rendered["chen2001mao"].first.startswith("Chen Jian, Mao’s China and the Cold War")
    assert rendered["memcon1961khrushchevho"].first.startswith(
        "Memcon, Khrushchev and Hồ Chí Minh, August 17, 1961, fond 52, opis 1, delo 555, p. 12, Russian State Archive")


# ---- biblatex's example database ----------------------------------------------------------------

@pytest.fixture(scope="module")
def examples():
    ours = bibliography.to_csl(bibliography.load([EXAMPLES]))
    theirs = [i for i in pandoc_csl(EXAMPLES) if i["id"] not in EXAMPLES_LEFT_OUT]
    keys = [i["id"] for i in ours]
    return render(ours, keys)[0], render(theirs, keys)[0], {i["id"] for i in pandoc_csl(EXAMPLES)}


def test_every_example_renders_without_latex_or_markup(examples):
    ours, _, all_keys = examples
    assert len(all_keys) == 92
    assert set(ours) == all_keys - set(EXAMPLES_LEFT_OUT)
    bad = {key: problems(r) for key, r in ours.items() if problems(r)}
    assert not bad, bad
    assert all(r.bib for r in ours.values()), [k for k, r in ours.items() if not r.bib]


def test_examples_equal_pandocs_rendering_except_where_listed(examples):
    ours, theirs, _ = examples
    differ = {key for key in ours if ours[key] != theirs[key]}
    assert differ == set(EXAMPLES_DELIBERATE), {k: (ours[k], theirs[k]) for k in differ ^ set(EXAMPLES_DELIBERATE)}


def test_examples_short_notes_use_short_titles(examples):
    ours, _, _ = examples
    assert ours["westfahl:space"].short == "Westfahl, “The True Frontier,” 13."  # title before the subtitle
    assert ours["ctan"].short == "“CTAN,” 13."  # shorttitle


# ---- golden cases, one per fault measured on real files --------------------------------------------

@pytest.fixture(scope="module")
def cases():
    ours = bibliography.to_csl(bibliography.load(CASES))
    rendered = render(ours)[0]
    theirs = [i for path in CASES for i in pandoc_csl(path) if i["id"] in rendered]
    return ours, rendered, render(theirs, list(rendered))[0]


def test_cases_match_their_golden_rendering(cases):
    _, rendered, _ = cases
    shown = {key: {"bib": r.bib, "first": r.first, "short": r.short} for key, r in sorted(rendered.items())}
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(shown, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert shown == json.loads(GOLDEN.read_text(encoding="utf-8"))
    bad = {key: problems(r) for key, r in rendered.items() if problems(r)}
    assert not bad, bad


def test_cases_equal_pandoc_except_where_listed(cases):
    _, ours, theirs = cases
    differ = {key for key in ours if ours[key] != theirs[key]}
    assert differ == set(CASES_DELIBERATE), {k: (ours[k], theirs[k]) for k in differ ^ set(CASES_DELIBERATE)}


def test_each_fault_is_mended(cases):
    items, r, _ = cases
    items = {i["id"]: i for i in items}
    assert r["accents"].first.startswith("Hans Müller and Jean Café, Über das Café")
    assert r["emph"].short == "Nussbaum, On De Anima, 13." and "<i>De Anima</i>" in items["emph"]["title"]
    assert r["frontierchapter"].bib == ("Westfahl, Gary. “The True Frontier: Confronting and Avoiding the Realities of "
                                        "Space.” In Space and Beyond: The Frontier Theme in Science Fiction, edited by "
                                        "Gary Westfahl. Greenwood, 2000.")  # crossref, then the parent's xdata
    assert "greenwood" not in r  # an @xdata block is not a citable item
    assert "by Immanuel Kant" in r["kantpart"].bib and "Kants Werke: Akademie Textausgabe, vol. 5" in r["kantpart"].bib
    assert r["arxiv"].bib.startswith("Itzhaki, Nissan. “Some Remarks. A Preprint.”")  # titleaddon
    assert "arxiv.org/abs/hep-th/9603067" in r["arxiv"].bib  # eprint
    assert (items["patent"]["type"], items["periodical"]["type"]) == ("patent", "article-journal")
    assert "Patent EU-29702195U" in r["patent"].bib
    assert "pair" not in r  # a @set
    assert r["thesis"].bib == "Doe, Jane. “A Study of Archives.” PhD thesis, University of Somewhere, 1999."
    assert r["misc"].bib == "Roe, Richard. A Leaflet. Printed by the author, 1971."  # in the bibliography
    assert "http://example.org/~smith/paper.html" in r["tildeurl"].first
    assert "“The ‘Industrial Versailles’: Reparations Reconsidered,”" in r["tildeurl"].first
    assert r["concat"].bib == "Lee, Anna. Collected Papers. Deutscher Taschenbuch-Verlag and Others, 1918–1922."
    assert r["forthcoming"].bib == "Lee, Anna. “A Paper to Come.” Journal of Examples, forthcoming."
    assert r["king"].first.startswith("Martin Luther King Jr., Why We Can’t Wait (Harper and Row, 1964)")
    assert r["others"].first.startswith("John Smith et al.,")
    assert r["monthword"].bib == ("Adams, Carol. “A Report on the Henry J. Kaiser Family Foundation and U.S. Policy, "
                                  "Part I.” Journal of Examples, September 1985.")
    assert r["publisherand"].bib == "Baker, Tom. A History. Hill and Wang, 1985."
    assert r["shortfield"].short == "Olsen, Soviet–Vietnam Relations, 13."
    assert r["colon"].short == "Gaiduk, Confronting Vietnam, 13."
    assert r["memcon"].first == ("Memcon, Khrushchev and Hồ Chí Minh, August 17, 1961, fond 52, opis 1, delo 555, p. 12, "
                                 "Russian State Archive of Contemporary History (Rossiiskii gosudarstvennyi arkhiv "
                                 "noveishei istorii), Moscow.")


def test_deliberate_differences_are_explained():
    assert all(len(reason) > 20 for reason in [*EXAMPLES_DELIBERATE.values(), *CASES_DELIBERATE.values()])


# ---- case restoration ---------------------------------------------------------------------------

_WORDS = st.lists(st.sampled_from(["the", "The", "J.", "U.S.", "Part", "I", "A", "war", "<i>De", "Anima</i>",
                                   "Soviet–Vietnam", "Relations", "and", "of", "China,", "X."]), min_size=1, max_size=12)


@given(_WORDS)
def test_restore_case_only_changes_letter_case(words):
    as_written = " ".join(words)
    lowered = words[0] + "".join(" " + w.lower() for w in words[1:])
    restored = bibfix.restore_case(lowered, as_written)
    assert restored.lower() == as_written.lower()
    for ours, written in zip(restored.split(" "), as_written.split(" "), strict=True):
        assert ours in (written, written.lower())
        if re.search(r"\w\.", written) and any(c.isupper() for c in written):
            assert ours == written  # initials and abbreviations keep their capitals


def test_restore_case_leaves_a_differently_worded_field_alone():
    assert bibfix.restore_case("a history of u.s. policy", "A History of the U.S. Policy") == "a history of u.s. policy"


# ---- the guide ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def guide(tmp_path_factory):
    from studyguide.config import load_book
    from studyguide.notes import import_notes

    book = load_book(REPO)
    sandbox.trust_caller()  # the harness imports the guide's notes into a temporary folder outside it
    out = tmp_path_factory.mktemp("guidebib")
    import_notes(list(book.notes), out / "notes.bib", out / "concordance.json", book.hand_bib, book.names)
    items = bibliography.to_csl(bibliography.load([out / "notes.bib", book.hand_bib]))
    return items, render(items)[0]


def test_the_guides_archive_fields_print_in_its_notes(guide):
    items, rendered = guide
    archival = [i for i in items if "archive" in i]
    assert len(archival) >= 5
    for item in archival:
        first = rendered[item["id"]].first
        assert item["archive"] in first, (item["id"], first)
        for variable in ("archive_location", "archive-place"):
            if variable in item:
                assert item[variable] in first, (item["id"], variable, first)


def test_the_guides_later_notes_use_short_titles(guide):
    _, rendered = guide
    assert rendered["olsen2006soviet"].short == "Olsen, Soviet–Vietnam Relations, 13."  # as Radchenko's note 5 has it
    assert rendered["gaiduk2003confronting"].short == "Gaiduk, Confronting Vietnam, 13."
    bad = {key: problems(r) for key, r in rendered.items() if problems(r)}
    assert not bad, bad
