"""Reading a notes file: its header and its numbered notes, in any of the sources' numbering styles.

Styles: ``12 Text`` (Radchenko), ``[12] Text`` (web essay), ``12. Text`` (Nguyen) and superscript
numerals ``⁹ Text``. A note runs until the next note; it may wrap over several lines. A line that
starts with a number only opens a new note after a blank line or when the number is the next one
expected, so a wrapped line that happens to start with "1964, fond 52" stays in its note.
"""

from __future__ import annotations

import re
from pathlib import Path

from studyguide.errors import Collector, display_path
from studyguide.notes.model import Note, NotesFile
from studyguide.notes.text import clean

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
NUMBER_RE = re.compile(r"^\s*(?:\[(?P<b>\d{1,4})\]\s*|(?P<p>\d{1,4})\.?(?:\s+|$)|(?P<s>[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,4})\s*)(?P<text>.*)$")
HEADER_RE = re.compile(r"^#\s*(?P<key>[A-Za-z][\w-]*)\s*:\s*(?P<value>.*)$")


def read_notes(path: Path, diag: Collector) -> NotesFile:
    """Parse ``path``; problems go to ``diag`` (file:line) and the notes that could be read are kept."""
    shown = display_path(path)
    from studyguide.content import read_text
    from studyguide.errors import StudyguideError

    try:  # through the sandbox: inside the project, a regular file, UTF-8 (bad bytes get their line)
        lines = read_text(Path(path)).splitlines()
    except StudyguideError as exc:
        diag.extend(exc)
        return NotesFile(shown, {}, [])
    header: dict[str, str] = {}
    notes: list[Note] = []
    buffer: list[str] = []
    in_header = True
    blank_before = True

    def flush() -> None:
        if notes and buffer:
            notes[-1].text = clean(" ".join(buffer))
        buffer.clear()

    for lineno, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if line.lstrip().startswith("#"):
            m = HEADER_RE.match(line.strip())
            if in_header and m:
                header[m["key"].lower()] = m["value"].strip()
            continue
        if not line.strip():
            blank_before = True
            continue
        in_header = False
        m = NUMBER_RE.match(line)
        number = None
        if m:
            number = int((m["b"] or m["p"] or m["s"]).translate(_SUPERSCRIPT))
            expected = int(notes[-1].number) + 1 if notes else None
            if not (blank_before or number == expected):
                number = None
        if number is not None and m:
            flush()
            expected = int(notes[-1].number) + 1 if notes else 1
            if notes and number != expected:
                diag.error(path, lineno, f"note {number}: numbering out of order (expected note {expected})")
            notes.append(Note(shown, lineno, str(number), ""))
            buffer.append(m["text"])
        elif notes:
            buffer.append(line)
        else:
            diag.error(path, lineno, "text before the first numbered note",
                       "start each note with its number: '12 Text', '[12] Text', '12. Text' or '¹² Text'")
        blank_before = False
    flush()
    for note in notes:
        if not note.text:
            diag.error(path, note.line, f"note {note.number}: empty note")
    if not notes and not diag.errors:
        diag.error(path, None, "no numbered notes found")
    return NotesFile(shown, header, notes)
