from __future__ import annotations

from studyguide.errors import Collector
from studyguide.notes.split import read_notes


def _read(tmp_path, text):
    path = tmp_path / "n.txt"
    path.write_text(text, encoding="utf-8")
    diag = Collector()
    return read_notes(path, diag), diag


def test_numbering_styles_and_header(tmp_path):
    text = "# source: x2020y\n# author: A. Person\n\n1 Plain.\n\n[2] Bracketed.\n\n3. Dotted.\n\n⁴ Superscript.\n"
    nf, diag = _read(tmp_path, text)
    assert [n.number for n in nf.notes] == ["1", "2", "3", "4"]
    assert [n.text for n in nf.notes] == ["Plain.", "Bracketed.", "Dotted.", "Superscript."]
    assert nf.header == {"source": "x2020y", "author": "A. Person"}
    assert not diag.diagnostics


def test_wrapped_note_keeps_lines_starting_with_numbers(tmp_path):
    nf, _ = _read(tmp_path, "1 Memcon, A and B, August 17,\n1961, fond 52,\n   opis 1.\n2 Next.\n")
    assert nf.notes[0].text == "Memcon, A and B, August 17, 1961, fond 52, opis 1."
    assert nf.notes[1].line == 4


def test_out_of_order_and_stray_text_are_errors(tmp_path):
    _, diag = _read(tmp_path, "Stray text.\n\n1 One.\n\n3 Three.\n")
    assert [str(d).split(": ", 1)[1] for d in diag.errors] == [
        "error: text before the first numbered note"
        " (start each note with its number: '12 Text', '[12] Text', '12. Text' or '¹² Text')",
        "error: note 3: numbering out of order (expected note 2)",
    ]
    assert [d.line for d in diag.errors] == [1, 5]


def test_empty_file_is_an_error(tmp_path):
    _, diag = _read(tmp_path, "# only a comment\n")
    assert "no numbered notes" in str(diag.errors[0])
