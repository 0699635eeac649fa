"""The labelled corpus: records never cross splits, labels sit on the text, provenance is kept."""

from __future__ import annotations

import json
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"


def rows(split: str) -> list[dict]:
    return [json.loads(line) for line in (CORPUS / split / "notes.jsonl").read_text(encoding="utf-8").splitlines()]


def test_no_record_is_in_two_splits():
    records = {s: {c["record"] for r in rows(s) for c in r["citations"]} for s in ("train", "dev", "heldout")}
    assert records["train"] and records["dev"] and records["heldout"]
    assert not records["train"] & records["heldout"] and not records["train"] & records["dev"]
    assert not records["dev"] & records["heldout"]


def test_spans_are_inside_the_text_and_labelled():
    for split in ("train", "dev"):
        for r in rows(split)[:500]:
            for a, b, label in r["spans"]:
                assert 0 <= a < b <= len(r["text"]) and label


def test_every_note_type_is_held_out():
    kinds = {c["type"] if c["kind"] == "full" else c["kind"] for r in rows("heldout") for c in r["citations"]}
    systems = {c.get("system") for r in rows("heldout") for c in r["citations"]} - {None}
    assert {"book", "chapter", "article", "newspaper", "magazine", "thesis", "report", "webpage", "archival",
            "interview", "short", "ibid"} <= kinds
    assert {"russian", "russian_first", "frus", "nara", "library", "uk", "chinese", "vietnamese", "easteuro",
            "wilson"} <= systems


def test_real_notes_carry_their_provenance():
    real = [json.loads(line) for line in (CORPUS / "real" / "real.jsonl").read_text(encoding="utf-8").splitlines()]
    assert real and all(r["source"].startswith("https://") and r["citations"] for r in real)
    assert (CORPUS / "biblatex-examples.bib").exists()
