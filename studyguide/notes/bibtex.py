"""Writing works as BibTeX entries with bibtexparser's model and writer.

Conventions of the generated file (read back by :mod:`studyguide.bibliography`):

* names are "Family, Given" (organizations braced); ``familyfirst`` lists the entry's persons
  whose names are written family name first, which BibTeX cannot otherwise say;
* ``date`` is ISO 8601, possibly partial; ``langid`` marks non-English titles;
* proper nouns in English titles are braced ("{Mao}’s {China} and the {Cold War}") so that
  sentence-casing tools leave them alone;
* archival documents are ``@unpublished`` (``@incollection`` when published in a collection) with
  ``type`` holding the descriptive title of an untitled document ("Memcon, Khrushchev and
  Hồ Chí Minh") or the genre of a titled one, ``participants``, ``archive``, ``archive_original``,
  ``archive_abbrev``, ``archive_location``, ``archive_place``, ``obtainedby``; the ``@misc``
  entries of unparsed notes carry ``note`` and ``keywords = {review}``.
"""

from __future__ import annotations

import re

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.model import Entry, Field
from bibtexparser.writer import BibtexFormat

from studyguide.notes.model import Person, Work
from studyguide.notes.names import NameTable

ENTRY_TYPES = {"book": "book", "collection": "collection", "chapter": "incollection", "article": "article",
               "magazine": "article", "newspaper": "article", "report": "report", "thesis": "thesis",
               "webpage": "online", "interview": "misc", "misc": "misc"}
LANGUAGE_MARKERS = {
    "russian": {"stenogrammy", "plenuma", "rabochie", "zapisi", "dokumenty", "drugie", "dnevnikovye"},
    "french": {"les", "du", "de", "des", "avec", "une", "se", "fait", "en", "la", "le", "l’union", "l’histoire"},
    "chinese": {"nianpu"},
}
_VIETNAMESE = re.compile(r"[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđĐ]")
# Characters that (La)TeX, and so pandoc's BibLaTeX reader, would read as syntax: each is written so
# that it prints as itself. Braces are escaped too (an unbalanced one made the whole file unreadable,
# a balanced one vanished or swallowed the next field); bibtexparser skips ``\{``/``\}`` when it
# matches braces, and pandoc reads them, like every escape here, as the literal character.
_ESCAPES = str.maketrans({"&": r"\&", "%": r"\%", "#": r"\#", "{": r"\{", "}": r"\}", "$": r"\$", "_": r"\_",
                          "\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"})
# pandoc reads a url field verbatim (``\%`` stays a backslash and a percent sign), so a URL is
# written as it is, except its braces, percent-encoded: the same URL, and the braces stay balanced.
_URL_ESCAPES = str.maketrans({"{": "%7B", "}": "%7D"})


def escape(text: str) -> str:
    """``text`` as a BibTeX field value that pandoc reads back as exactly ``text`` (apart from the
    typographic ligatures LaTeX gives to straight quotes and double hyphens)."""
    return text.translate(_ESCAPES)


def language(title: str) -> str:
    """'russian', 'french', 'vietnamese', 'chinese' for a non-English title, else ''."""
    words = set(re.findall(r"[\w’']+", title.lower()))
    if _VIETNAMESE.search(title):
        return "vietnamese"
    for lang, markers in LANGUAGE_MARKERS.items():
        if len(words & markers) >= (1 if lang != "french" else 2):
            return lang
    return ""


def protect(title: str, names: NameTable, people: list[Person]) -> str:
    """Brace proper nouns, persons' names and capitalized abbreviations in an English title."""
    spans: list[tuple[int, int]] = []
    phrases = [*names.proper_nouns, *(p.family for p in people if not p.literal and len(p.family) > 2)]
    for phrase in sorted(set(phrases), key=len, reverse=True):
        for m in re.finditer(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", title):
            if not any(a < m.end() and m.start() < b for a, b in spans):
                spans.append((m.start(), m.end()))
    for m in re.finditer(r"(?<![\w{])[\w’'-]*[A-Z][\w’'-]*[A-Z][\w’'-]*", title):
        if not any(a < m.end() and m.start() < b for a, b in spans):
            spans.append((m.start(), m.end()))
    out, last = [], 0
    for a, b in sorted(spans):
        out += [escape(title[last:a]), "{", escape(title[a:b]), "}"]
        last = b
    return "".join([*out, escape(title[last:])])


def _name(person: Person) -> str:
    """:meth:`Person.bibtex` with the name's own characters escaped (the braces of an organization kept)."""
    family, given = escape(person.family), escape(person.given)
    if person.literal:
        return "{" + family + "}"
    return f"{family}, {given}" if given else family


def names_field(people: list[Person]) -> str:
    """The persons as one BibTeX name list, already escaped."""
    return " and ".join(_name(p) for p in people)


def entry_for(key: str, work: Work, names: NameTable) -> Entry:
    """The BibTeX entry of one work."""
    fields: list[tuple[str, str]] = []

    def add(name: str, value: str) -> None:
        """A field of plain text, escaped here."""
        if value:
            fields.append((name, value.translate(_URL_ESCAPES) if name == "url" else escape(value)))

    def add_written(name: str, value: str) -> None:
        """A field already written as BibTeX (escaped names, protected titles)."""
        if value:
            fields.append((name, value))

    lang = (work.language and {"vi": "vietnamese"}.get(work.language, work.language)) or language(work.title)
    people = [*work.authors, *work.editors, *work.participants, *work.container_editors, *work.translators]

    def title(text: str) -> str:
        return escape(text) if lang else protect(text, names, people)

    if work.type == "archival":
        entry_type = "incollection" if work.container else "unpublished"
        add_written("title", title(work.title))
        add("type", work.genre if work.title else work.description)
        add_written("participants", names_field(work.participants))
        add("date", work.date)
        add_written("booktitle", title(work.container))
        add_written("editor", names_field(work.container_editors))
        add("series", work.series)
        add("number", work.number)
        add("address", work.place)
        add("publisher" if work.container else "howpublished", work.publisher)
        add("archive_location", work.archive_location)
        add("archive", work.archive)
        add("archive_original", work.archive_original)
        add("archive_abbrev", work.archive_abbrev)
        add("archive_place", work.archive_place)
        add("note", work.collection_note)
    else:
        entry_type = ENTRY_TYPES.get(work.type, "misc")
        add_written("author", names_field(work.authors))
        add_written("editor", names_field(work.editors if work.type != "chapter" else work.container_editors))
        add_written("title", title(work.title) if work.type != "misc" else escape(work.title))
        if work.type in ("magazine", "newspaper"):
            add("entrysubtype", work.type)
        if work.type in ("article", "magazine", "newspaper"):
            add("journal", work.container)
        elif work.type == "chapter":
            add_written("booktitle", title(work.container))
        elif work.type == "webpage":
            add("organization", work.container)
        add("volume", work.volume)
        add("edition", work.edition)
        add("number", work.issue or work.number)
        add("pages", work.pages)
        add("type", work.genre)
        add("series", work.series)
        add("address", work.place)
        add("institution" if work.type in ("report", "thesis") else "publisher", work.publisher)
        add("date", work.date)
    add_written("translator", names_field(work.translators))
    add_written("obtainedby", names_field(work.obtained_by))
    add("url", work.url)
    add("urldate", work.urldate)
    add("langid", lang)
    add_written("familyfirst", names_field([p for p in people if p.family_first]))
    if work.review:
        add("note", work.review)
        add("keywords", "review")
    return Entry(entry_type, key, [Field(k, v) for k, v in fields])


def write_bibtex(entries: list[Entry], header: str) -> str:
    """Serialize entries sorted by key, so the same input always gives the same bytes."""
    library = Library()
    for entry in sorted(entries, key=lambda e: e.key):
        library.add(entry)
    fmt = BibtexFormat()
    fmt.indent, fmt.value_column, fmt.block_separator = "  ", "auto", "\n"
    body = bibtexparser.write_string(library, bibtex_format=fmt)
    return header + body.rstrip("\n") + "\n"
