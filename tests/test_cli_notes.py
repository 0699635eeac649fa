"""`studyguide notes`: outputs, exit codes, and the exact error messages (tests/golden/errors)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from studyguide.cli import main
from tests.notes.conftest import HAND, NAMES, NOTES

ERRORS = Path(__file__).resolve().parent / "golden" / "errors"


def test_notes_command_writes_bib_and_concordance(tmp_path, capsys):
    code = main(["notes", *map(str, NOTES), "--bib", str(tmp_path / "o.bib"), "--concordance", str(tmp_path / "o.json"),
                 "--hand", str(HAND), "--names", str(NAMES)])
    assert code == 0
    assert len(json.loads((tmp_path / "o.json").read_text())) == 79
    assert "@unpublished{memcon1961khrushchevho," in (tmp_path / "o.bib").read_text()
    err = capsys.readouterr().err
    assert "note 3: skipped (not a citation" in err and "79 notes" in err


@pytest.mark.parametrize("case", sorted(p.stem for p in ERRORS.glob("*.txt")))
def test_error_messages(case, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ERRORS)
    code = main(["notes", f"{case}.txt", "--bib", str(tmp_path / "o.bib"), "--concordance", str(tmp_path / "o.json"),
                 "--names", str(NAMES), "--strict"])
    assert code == 1
    assert capsys.readouterr().err == (ERRORS / f"{case}.err").read_text(encoding="utf-8")
    assert not (tmp_path / "o.bib").exists(), "nothing is written when a note cannot be parsed"


def test_by_default_what_parses_is_written_and_the_rest_awaits_review(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ERRORS)
    code = main(["notes", "unparseable.txt", "--bib", str(tmp_path / "o.bib"), "--concordance", str(tmp_path / "o.json"),
                 "--names", str(NAMES)])
    assert code == 0
    err = capsys.readouterr().err
    assert "unparseable.txt:3: warning: note 2: " in err and "awaits review" in err
    bib = (tmp_path / "o.bib").read_text()
    assert "@book{gaiduk2003confronting," in bib, "the good note is imported"
    assert "keywords = {review}" in " ".join(bib.split())
    notes = [e["note"] for e in json.loads((tmp_path / "o.json").read_text())]
    assert notes == ["1", "2", "3", "4", "5"]
    report = (tmp_path / "o.review.txt").read_text()
    assert "unparseable.txt:3: note 2:" in report and "note text: Xyzzy plugh." in report
    items = json.loads((tmp_path / "o.review.json").read_text())
    assert {i["note"] for i in items if i["blocking"]} >= {"2"}


def test_console_script_has_no_traceback(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("1 Xyzzy.\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "studyguide.cli", "notes", str(bad), "--bib", str(tmp_path / "o.bib"),
                          "--concordance", str(tmp_path / "o.json")], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0 and "Traceback" not in run.stderr
    assert run.stderr.startswith("bad.txt:1: warning: note 1: ")
    strict = subprocess.run([sys.executable, "-m", "studyguide.cli", "notes", str(bad), "--strict", "--bib",
                             str(tmp_path / "s.bib"), "--concordance", str(tmp_path / "s.json")],
                            capture_output=True, text=True, cwd=tmp_path)
    assert strict.returncode == 1 and strict.stderr.startswith("bad.txt:1: error: note 1: ")
    assert "Traceback" not in strict.stderr and not (tmp_path / "s.bib").exists()


@pytest.mark.parametrize("option", ["--bib", "--concordance"])
def test_an_output_that_is_an_input_is_refused_and_the_input_kept(option, tmp_path, monkeypatch, capsys):
    """`studyguide notes x.txt --bib x.txt` (DEF-22 M14) once replaced the notes with BibTeX."""
    notes = tmp_path / "x.txt"
    notes.write_text("1 Ann Lee, *The Long Telegram* (Boston, 2001), 4.\n", encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(notes)  # the same file under another name
    monkeypatch.chdir(tmp_path)
    outputs = {"--bib": "o.bib", "--concordance": "o.json"} | {option: "link.txt"}
    code = main(["notes", "x.txt", *(arg for pair in outputs.items() for arg in pair)])
    assert code == 1
    assert capsys.readouterr().err == (f"x.txt: error: {option} names this input file: it would be overwritten "
                                       "(write it to another file: generated files go under build/bib/)\n")
    assert notes.read_text(encoding="utf-8") == "1 Ann Lee, *The Long Telegram* (Boston, 2001), 4.\n"
    assert not (tmp_path / "o.bib").exists() and not (tmp_path / "o.json").exists()
