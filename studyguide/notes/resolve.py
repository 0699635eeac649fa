"""Linking citations to works: "Ibid.", short forms, and the same work cited again in full.

Chicago notes cite a work in full once and then by a short form ("Olsen, *Soviet–Vietnam
Relations*, 127"; "Memcon, Zhou Enlai and Mohamed Yala, August 6, 1964."); the web essay by
author and year ("Tim DiIorio. (2001)."); the reference-list style by name and page ("Céline
Marangé, p. 153."). Works cited in full in several notes or sources become one work, so that one
work gets one key. Resolution runs over all files in input order.
"""

from __future__ import annotations

from dataclasses import fields

from studyguide.notes.archive import location_base
from studyguide.notes.model import Citation, Note, Person, Ref, Work
from studyguide.notes.text import alnum

_IMPRINT = ("place", "publisher")


class ResolveError(Exception):
    """A short form or Ibid. that points at nothing."""


def families(work: Work) -> list[str]:
    return [alnum(p.family) for p in work.lead_names]


def same_work(a: Work, b: Work) -> bool:
    """Whether two full citations describe one work (spelling and punctuation aside)."""
    if (a.type == "archival") != (b.type == "archival"):
        return False
    if a.type == "archival":
        if a.title or b.title:
            return alnum(a.title) == alnum(b.title) and a.date == b.date
        base_a, base_b = location_base(a.archive_location)[0], location_base(b.archive_location)[0]
        if (not a.date or not b.date) and base_a and base_a == base_b and alnum(a.archive) == alnum(b.archive):
            return True  # the same file cited again by its archive and location alone
        if a.date != b.date or set(families(a)) != set(families(b)):
            return False
        return not base_a or not base_b or base_a == base_b
    if a.url and a.url == b.url:
        return True
    fa, fb = families(a), families(b)
    return bool(a.title) and alnum(a.title) == alnum(b.title) and (not fa or not fb or fa[0] == fb[0])


def merge(into: Work, other: Work) -> None:
    """Fill what ``into`` lacks from ``other``; place and publisher travel together."""
    if not into.publisher and other.publisher:
        into.place, into.publisher = other.place, other.publisher
    for f in fields(Work):
        if f.name in _IMPRINT or f.name in ("raw", "review"):
            continue
        if not getattr(into, f.name) and getattr(other, f.name):
            setattr(into, f.name, getattr(other, f.name))


def matches_ref(ref: Ref, work: Work) -> bool:
    """Whether a short form can mean ``work``: same lead family name, title beginning, year, date."""
    if ref.archival is not None:
        short = ref.archival
        if work.type != "archival" or short.date != work.date:
            return False
        if short.title:  # a titled document cited by its title's first words and its date
            return bool(work.title) and alnum(work.title).startswith(alnum(short.title))
        mine, theirs = set(families(short)), set(families(work))
        if mine and theirs:
            return mine <= theirs
        return alnum(short.description) == alnum(work.description)
    if not (ref.names or ref.title):
        return False  # a short form that names nothing can mean nothing
    if ref.names:
        fam = families(work)
        if not fam or alnum(ref.names[0]) not in (fam[0], alnum(work.lead_names[0].display())):
            return False
    if ref.title and not alnum(work.title).startswith(alnum(ref.title)):
        return False
    return not ref.year or work.year == ref.year


def resolve(notes: list[Note]) -> tuple[list[Work], list[tuple[Note, str]]]:
    """Set ``citation.target`` for every citation; return the distinct works (first-cited first)
    and the problems found, as (note, reason)."""
    works: list[Work] = []
    problems: list[tuple[Note, str]] = []
    previous: list[Citation] = []
    last_path = None
    broken = ""  # a note that could not be read: an Ibid. right after it may mean its work
    for note in notes:
        if note.path != last_path:
            previous, last_path, broken = [], note.path, ""
        if note.error:
            previous, broken = [], f"note {note.number}"
            continue
        current: list[Citation] = []
        for cit in note.citations:
            try:
                if cit.ref is not None and cit.ref.kind == "ibid" and not current and broken:
                    raise ResolveError(f"'Ibid.' right after {broken}, which could not be read")
                cit.target = _target(cit, works, previous, current)
            except ResolveError as exc:
                problems.append((note, str(exc)))
                cit.target = _stand_in(cit, works, str(exc))
                cit.confidence, cit.doubts = 0.0, [*cit.doubts, str(exc)]
            current.append(cit)
        if current:
            previous, broken = current, ""
    return works, problems


def _stand_in(cit: Citation, works: list[Work], reason: str) -> Work:
    """The entry of a citation that points at nothing: a short form becomes a work of its own
    (later short forms of it find it), an Ibid. a placeholder; both wait for review."""
    ref = cit.ref
    if ref is not None and ref.kind == "short":
        if ref.archival is not None:
            work = ref.archival
        else:
            work = Work("book", authors=[Person(n) for n in ref.names], title=ref.title, date=ref.year)
    else:
        work = Work("misc", title=cit.text)
    work.raw = cit.text
    work.review = f"needs review: {reason}"
    works.append(work)
    return work


DOUBT = 0.8  # the importer's review threshold: an Ibid. of a doubtful citation is doubtful too


def _target(cit: Citation, works: list[Work], previous: list[Citation], current: list[Citation]) -> Work:
    if cit.ref is not None and cit.ref.kind == "ibid":
        chain = current or previous
        if not chain or chain[-1].target is None:
            raise ResolveError("'Ibid.' with no citation before it")
        if chain[-1].confidence < DOUBT:
            cit.confidence = min(cit.confidence, chain[-1].confidence)
            cit.doubts = [*cit.doubts, "'Ibid.' of a citation read with low confidence"]
        if not cit.locator:  # a bare "Ibid." repeats the page as well as the work
            cit.locator = chain[-1].locator
        return chain[-1].target
    if cit.ref is not None:
        for work in reversed(works):
            if matches_ref(cit.ref, work):
                return work
        what = cit.ref.archival.description if cit.ref.archival else " ".join([*cit.ref.names, cit.ref.title, cit.ref.year])
        raise ResolveError(f"short form '{what.strip()}' matches no work cited in full before it")
    work = cit.work
    assert work is not None
    for known in works:
        if same_work(known, work):
            if known.type == "archival" and not cit.locator:
                base_old, leaf_old = location_base(known.archive_location)
                base_new, leaf_new = location_base(work.archive_location)
                if base_old == base_new and leaf_new and leaf_new != leaf_old:
                    cit.locator = leaf_new
            merge(known, work)
            return known
    works.append(work)
    return work
