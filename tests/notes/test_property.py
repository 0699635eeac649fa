"""Random and mutated notes never crash the importer: they parse, or they give a diagnostic."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studyguide.errors import Collector, StudyguideError
from studyguide.notes import import_notes
from studyguide.notes.importer import parse_file
from studyguide.notes.names import NameTable
from tests.notes.conftest import NAMES, NOTES

TABLE = NameTable.load(NAMES)
REAL = [line for p in NOTES for line in p.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
CHARS = st.text(st.sampled_from(list("abcXYZ019 ,.;:()[]<>*“”\"'’–-&/\n¹²³ÀồĐ")), max_size=8)
PIECES = st.sampled_from(["fond 5", "Memcon, ", "Ibid.", " (eds.), ", "See ", " [hereafter cited as X]",
                          " http://x.y/z", " *Title* ", "“Title,” ", "August 17, 1961", "Family, Given. "])
ALPHABET = st.lists(st.one_of(CHARS, PIECES), max_size=12).map("".join)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _parse(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.txt"
    path.write_text(text, encoding="utf-8")
    diag = Collector()
    notes_file = parse_file(path, TABLE, diag)
    for note in notes_file.notes:
        assert note.citations or note.error or note.skipped
        assert not note.error.startswith("internal error"), note.error


@SETTINGS
@given(st.lists(ALPHABET, min_size=1, max_size=4))
def test_random_notes(tmp_path, bodies):
    _parse(tmp_path, "\n\n".join(f"{i} {b}" for i, b in enumerate(bodies, start=1)))


@SETTINGS
@given(st.sampled_from(REAL), st.integers(0, 400), st.integers(0, 60), ALPHABET)
def test_mutated_real_notes(tmp_path, line, at, cut, insert):
    body = line.split(" ", 1)[1] if " " in line else line
    at = min(at, len(body))
    _parse(tmp_path, "1 " + body[:at] + insert + body[at + cut:])


@SETTINGS
@given(st.lists(st.sampled_from(REAL), min_size=1, max_size=6), st.booleans())
def test_whole_import_raises_only_user_errors(tmp_path, lines, keep_going):
    text = "\n\n".join(f"{i} {ln.split(' ', 1)[1] if ' ' in ln else ln}" for i, ln in enumerate(lines, start=1))
    (tmp_path / "n.txt").write_text(text, encoding="utf-8")
    try:
        report = import_notes([tmp_path / "n.txt"], tmp_path / "o.bib", tmp_path / "o.json", None, NAMES, keep_going)
    except StudyguideError as exc:
        assert exc.diagnostics and all(d.path and d.line for d in exc.diagnostics)
    else:
        assert len(report.concordance) + len(report.skipped) == len(lines)


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from(list("ab7 *{}.,"))))
def test_hidden_asterisks_come_back_and_only_inside_italics(text):
    from studyguide.notes.importer import _STAR, _restore_asterisks, hide_literal_asterisks

    hidden = hide_literal_asterisks(text)
    assert _restore_asterisks(hidden) == text
    for i, c in enumerate(hidden):
        if c == _STAR:  # between two word characters, with an italic span open before it and closing after
            assert text[i - 1].isalnum() and text[i + 1].isalnum()
            assert hidden[:i].count("*") % 2 == 1 and "*" in hidden[i:]
