"""Render every note's keys and locators through Chicago notes and compare with the original."""

from __future__ import annotations

import json

from studyguide import bibliography
from studyguide.errors import Collector
from studyguide.notes.split import read_notes
from tests.notes.conftest import HAND, NOTES
from tests.notes.roundtrip import abbreviation_names, render, score

THRESHOLD = 0.95  # share of all facts; 0.97 when the test was written
NOTE_FLOOR = 0.7  # no single note may lose more than this


def test_round_trip(imported, tmp_path, capsys):
    _, bib, concordance_path = imported
    csl = tmp_path / "bib.json"
    bibliography.write_csl_json([bib, HAND], csl)
    concordance = json.loads(concordance_path.read_text(encoding="utf-8"))
    originals, abbrevs = {}, {}
    for path in NOTES:
        nf = read_notes(path, Collector())
        originals.update({(nf.path, n.number): n.text for n in nf.notes})
        abbrevs.update(abbreviation_names(path.read_text(encoding="utf-8")))
    rendered = render(concordance, csl, tmp_path)
    assert all(rendered), "pandoc rendered every note"
    overall, per_note = score(concordance, originals, rendered, abbrevs)
    with capsys.disabled():
        print(f"\nround trip: {overall:.3f} of facts found; worst notes:")
        for share, name, missing in per_note[:8]:
            print(f"  {share:.2f} {name}: missing {', '.join(missing)}")
    assert overall >= THRESHOLD
    assert per_note[0][0] >= NOTE_FLOOR, per_note[0]
