from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studyguide.notes.segment import split_citations, strip_leadin


@pytest.mark.parametrize(("note", "chunks"), [
    ("See A, *T* (P, 2000); B, *U* (Q, 2001).", ["See A, *T* (P, 2000)", "B, *U* (Q, 2001)."]),
    ("Ibid. For details, see A, *T*, 7.", ["Ibid.", "For details, see A, *T*, 7."]),
    ("Nguyen, L. “X,” In Y; and Chen Jian. “Z,” in the same volume.",
     ["Nguyen, L. “X,” In Y", "Chen Jian. “Z,” in the same volume."]),
    ("Martini, Edwin A. Invisible. Amherst: P, 2007. Allen, Michael J. Until. Chapel Hill: P, 2012.",
     ["Martini, Edwin A. Invisible. Amherst: P, 2007.", "Allen, Michael J. Until. Chapel Hill: P, 2012."]),
    ("J 39, no. 2 (2015): 223–44, Demmer, Amanda. “The Last,” diss.",
     ["J 39, no. 2 (2015): 223–44", "Demmer, Amanda. “The Last,” diss."]),
    ("A. N. Artizov (ed.), *N* (Moscow, 2007).", ["A. N. Artizov (ed.), *N* (Moscow, 2007)."]),
    ("“A; B,” *J* 3 (1999).", ["“A; B,” *J* 3 (1999)."]),
])
def test_split(note, chunks):
    assert split_citations(note) == chunks


@pytest.mark.parametrize(("chunk", "leadin"), [
    ("See X, *T*", "See"), ("For relevant documentation, see X, *T*", "For relevant documentation, see"),
    ("Cited in X, *T*", "Cited in"), ("On …, Franklin, H. Bruce. MIA.", "On …"), ("Ibid., 7.", ""),
    ("This section is based mostly on the work of Brantly Womack. (2006).", "This section is based mostly on the work of"),
    ("Memcon, A and B, June 1, 1960", ""),
])
def test_leadin(chunk, leadin):
    assert strip_leadin(chunk)[0] == leadin


# --- the linear sentence cut gives what the obvious (quadratic) one gives --------------------------

def _cut_sentences_by_slicing(text: str) -> list[str]:
    """The rule of segment._cut_sentences written the obvious way (the text before and after each
    '.' or ',' sliced off and searched; quadratic in a note's length, as the importer once was)."""
    import re

    from studyguide.notes.segment import INVERTED_NAME, LEADIN_START
    from studyguide.notes.text import top_level

    pieces, start = [], 0
    for i, c in top_level(text):
        if c not in ".," or i + 2 > len(text) or text[i + 1] != " ":
            continue
        rest = text[i + 2:]
        if c == ".":
            if re.search(r"(?:\b[A-Z]|\bp|\bpp|\bvol|\bno|\bed|\beds|\bet al|\bVol|\bNo|\bPg)$", text[:i].rstrip()):
                continue
            if LEADIN_START.match(rest) or INVERTED_NAME.match(rest):
                pieces.append(text[start:i + 1])
                start = i + 2
        elif re.search(r"[\d)]$", text[:i]) and INVERTED_NAME.match(rest):
            pieces.append(text[start:i])
            start = i + 2
    pieces.append(text[start:])
    return pieces


_PIECES = st.sampled_from(["Smith, John. ", "Demmer, Amanda. ", "See ", "For details, see ", "Ibid. ", "et al. ",
                           "p. ", "pp. ", "vol. ", " A. ", "2015): 223–44, ", "5, ", ") ", ". ", ", ", "  ", "\n",
                           "*T*", "“Q.”", "(P, 2000)", "; ", "This ", "An ", "ed. ", "No. "])
_NOTE = st.lists(st.one_of(_PIECES, st.text(st.sampled_from(list("aZ9 .,;()*“”\"\n")), max_size=4)),
                 max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(_NOTE)
def test_the_linear_cut_equals_the_obvious_one(note):
    from studyguide.notes.segment import _cut_sentences

    assert _cut_sentences(note) == _cut_sentences_by_slicing(note)
