"""Cutting one note into the citations it holds and stripping the prose that leads into them.

A note may cite several works: "A; B", "A; and B", "Ibid. For details, see B", or, in a
reference-list style, "… Press, 2007. On …, Franklin, H. Bruce. MIA …" and "… 223–44, Demmer,
Amanda. “The Last …”". Cuts are made only outside quotations, brackets and italics.
"""

from __future__ import annotations

import re
from itertools import pairwise

from studyguide.notes.text import clean, top_level

NAME_WORD = r"[A-ZÀ-ÖØ-ÞĐ][\w’'\-]+"
# "Family, Given." / "Family, Given I." / "Family, I. Given." followed by a title.
INVERTED_NAME = re.compile(
    rf"(?P<family>{NAME_WORD}(?:[ -]{NAME_WORD})?),\s(?P<given>(?:[A-Z]\.\s?)*{NAME_WORD}(?:\s{NAME_WORD})*)"
    rf"(?P<initial>\s[A-Z]\.|\.)(?=\s+[“\"*\w])"
)
LEADIN_START = re.compile(r"(?:See|For|On|Cited in|An?\s|This\s|Ibid)\b", re.I)
_TERMS = r"(?:see(?:\s+also)?|cited\s+in|can\s+be\s+found\s+in|based\s+(?:mostly\s+|largely\s+)?on(?:\s+the\s+work\s+of)?)"
LEADIN = re.compile(
    rf"^(?:(?:For|On)\b[^“”\"*;:()<>]{{0,160}}?,\s*(?:see(?:\s+also)?\s+)?"
    rf"|[^“”\"*;:()<>]{{0,160}}?\b{_TERMS}\s+)",
    re.I,
)


def split_citations(text: str) -> list[str]:
    """The citation chunks of a note, in order, lead-ins still attached."""
    pieces: list[str] = []
    for part in _cut(text, ";"):
        part = re.sub(r"^and\s+", "", part.strip())
        pieces.extend(_cut_sentences(part))
    return [p for p in (clean(p) for p in pieces) if p]


def strip_leadin(chunk: str) -> tuple[str, str]:
    """Split 'For details, see X' into ('For details, see', 'X'). Ibid. is never a lead-in."""
    if re.match(r"^ibid\b", chunk, re.I):
        return "", chunk
    m = LEADIN.match(chunk)
    if not m or not chunk[m.end():].strip():
        return "", chunk
    return clean(m.group(0)), clean(chunk[m.end():])


def _cut(text: str, sep: str) -> list[str]:
    cuts = [i for i, c in top_level(text) if c == sep]
    bounds = [-1, *cuts, len(text)]
    return [text[a + 1:b] for a, b in pairwise(bounds)]


_ABBREVIATION_END = re.compile(r"(?:\b[A-Z]|\bp|\bpp|\bvol|\bno|\bed|\beds|\bet al|\bVol|\bNo|\bPg)$")
_ABBREVIATION_WINDOW = 16  # characters before a '.' that decide whether it ends an abbreviation (longest: "et al" + 1)
_NUMBER_END = re.compile(r"[\d)]\n?$")


def _cut_sentences(text: str) -> list[str]:
    """Cut after '.' before a lead-in or an inverted name, and after ',' before an inverted name
    that follows a number (the end of a reference: '…(2015): 223–44, Demmer, Amanda.').

    Linear in the note's length: each '.' or ',' looks only at a few characters before it and
    matches the patterns in place (no copy of the text before or after it, which made a long note
    quadratic: 'Smith, John. ' × 10,000 took 15 s)."""
    pieces, start = [], 0
    for i, c in top_level(text):
        if c not in ".," or i + 2 > len(text) or text[i + 1] != " ":
            continue
        if c == ".":
            end = i
            while end and text[end - 1].isspace():  # the text before the '.', trailing spaces stripped
                end -= 1
            if _ABBREVIATION_END.search(text[max(0, end - _ABBREVIATION_WINDOW):end]):
                continue  # an initial or an abbreviation, not the end of a sentence
            if LEADIN_START.match(text, i + 2) or INVERTED_NAME.match(text, i + 2):
                pieces.append(text[start:i + 1])
                start = i + 2
        elif _NUMBER_END.search(text[max(0, i - 2):i]) and INVERTED_NAME.match(text, i + 2):
            pieces.append(text[start:i])
            start = i + 2
    pieces.append(text[start:])
    return pieces
