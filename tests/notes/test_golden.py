"""Golden tests, one per note type: tests/golden/notes/NAME.txt (a small notes file) and NAME.json
(the concordance and the BibTeX fields of every entry it produced). UPDATE_GOLDEN=1 rewrites the
.json files; review the diff before committing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import bibtexparser
import pytest

from studyguide.notes import import_notes
from tests.notes.conftest import NAMES

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "notes"
CASES = sorted(p.stem for p in GOLDEN.glob("*.txt"))


def test_every_note_type_has_a_golden_case():
    assert set(CASES) >= {"book", "edited_volume", "chapter", "journal_article", "magazine", "newspaper",
                          "working_paper", "dissertation", "web_page", "memcon_fond_opis_delo", "polish_zespol",
                          "albanian", "prc_fma", "wilson_center_url", "ibid", "short_form", "hereafter", "multi_work"}


@pytest.mark.parametrize("case", CASES)
def test_golden(case, tmp_path, monkeypatch):
    monkeypatch.chdir(GOLDEN)
    import_notes([Path(f"{case}.txt")], tmp_path / "out.bib", tmp_path / "out.json", None, NAMES)
    entries = {e.key: {"type": e.entry_type, **{f.key: f.value for f in e.fields}}
               for e in bibtexparser.parse_string((tmp_path / "out.bib").read_text(encoding="utf-8")).entries}
    actual = {"concordance": json.loads((tmp_path / "out.json").read_text(encoding="utf-8")), "entries": entries}
    expected_path = GOLDEN / f"{case}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        expected_path.write_text(json.dumps(actual, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert actual == json.loads(expected_path.read_text(encoding="utf-8"))
