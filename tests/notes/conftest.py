"""Paths of the project's notes files and a once-per-session import of the three sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from studyguide.notes import Report, import_notes

ROOT = Path(__file__).resolve().parents[2]
NOTES = [ROOT / "bib" / "notes" / f"{name}.txt" for name in ("radchenko", "essay2017", "nguyen2019")]
HAND = ROOT / "bib" / "hand.bib"
NAMES = ROOT / "bib" / "names.yaml"


@pytest.fixture(scope="session")
def imported(tmp_path_factory) -> tuple[Report, Path, Path]:
    out = tmp_path_factory.mktemp("import")
    report = import_notes(NOTES, out / "notes.bib", out / "concordance.json", HAND, NAMES)
    return report, out / "notes.bib", out / "concordance.json"
