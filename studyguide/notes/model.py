"""The data model of the notes importer: notes, the citations found in them, and the works cited.

Parsing fills these plain dataclasses; resolution links short forms to works; key assignment and
BibTeX writing read them. Keeping them free of behaviour lets every stage be tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Person:
    """A name with an unambiguous family part.

    ``literal`` marks an organization (the whole name is in ``family``); ``family_first`` records
    that the name is written family name first (Chen Jian, Hồ Chí Minh), which BibTeX cannot say.
    """

    family: str
    given: str = ""
    family_first: bool = False
    literal: bool = False

    def display(self) -> str:
        """The name as a reader expects it in running text."""
        if self.literal or not self.given:
            return self.family
        return f"{self.family} {self.given}" if self.family_first else f"{self.given} {self.family}"

    def bibtex(self) -> str:
        """BibTeX name syntax: organizations braced, persons as 'Family, Given'."""
        if self.literal:
            return "{" + self.family + "}"
        return f"{self.family}, {self.given}" if self.given else self.family


@dataclass
class Work:
    """One cited work, as much of it as the notes tell.

    ``type`` is one of: book, collection, chapter, article, magazine, newspaper, report, thesis,
    webpage, archival, misc. Archival documents use the ``doc_*`` and ``archive*`` fields;
    ``description`` is the descriptive title of an untitled document ("Memcon, Khrushchev and
    Hồ Chí Minh"). ``date`` is ISO 8601, possibly partial ("1965-03").
    """

    type: str
    authors: list[Person] = field(default_factory=list)
    editors: list[Person] = field(default_factory=list)
    translators: list[Person] = field(default_factory=list)
    obtained_by: list[Person] = field(default_factory=list)
    participants: list[Person] = field(default_factory=list)
    title: str = ""
    description: str = ""
    doc_kind: str = ""
    genre: str = ""
    container: str = ""
    container_editors: list[Person] = field(default_factory=list)
    volume: str = ""
    edition: str = ""
    issue: str = ""
    pages: str = ""
    series: str = ""
    number: str = ""
    place: str = ""
    publisher: str = ""
    date: str = ""
    url: str = ""
    urldate: str = ""
    archive: str = ""
    archive_original: str = ""
    archive_abbrev: str = ""
    archive_place: str = ""
    archive_location: str = ""
    collection_note: str = ""
    language: str = ""
    review: str = ""
    raw: str = ""

    @property
    def year(self) -> str:
        return self.date[:4]

    @property
    def lead_names(self) -> list[Person]:
        """Who a key and a short form are named after: authors, else editors, else participants."""
        return self.authors or self.editors or self.participants


@dataclass
class Ref:
    """A pointer to a work cited in full elsewhere: "Ibid." or a short form."""

    kind: str  # "ibid" | "short"
    names: list[str] = field(default_factory=list)  # family names as written
    title: str = ""
    year: str = ""
    date: str = ""
    archival: Work | None = None  # a short archival citation, matched by participants and date


@dataclass
class Citation:
    """One work cited in a note, with the note's own locator (page, range, list) as written."""

    text: str
    work: Work | None = None
    ref: Ref | None = None
    locator: str = ""
    leadin: str = ""
    target: Work | None = None
    confidence: float = 1.0  # how sure the importer is of this reading (1.0: two readers agree)
    doubts: list[str] = field(default_factory=list)  # why it may be wrong, for the review report


@dataclass
class Note:
    """One numbered note of a source, where it sits in its notes file and what it cites."""

    path: str
    line: int
    number: str
    text: str
    skipped: str = ""
    citations: list[Citation] = field(default_factory=list)
    error: str = ""


@dataclass
class NotesFile:
    """A transcribed notes file: its header (source key, citation, author) and its notes."""

    path: str
    header: dict[str, str]
    notes: list[Note]
