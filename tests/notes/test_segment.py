from __future__ import annotations

import pytest

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
