"""What the build adds on top of pandoc's BibLaTeX reader, and what it corrects in its output.

pandoc (``-f biblatex -t csljson``) does the conversion. Measured against real files (biblatex's
example database, Zotero and JabRef exports, the guide's own bibliography) it

* drops fields the guide prints: ``archive``, ``archive_location``, ``archive_place`` (also spelled
  ``archive-place``/``archiveplace``…), ``archive_collection``; and the guide's own conventions
  ``archive_original`` (the archive's name in its language, printed after the English one),
  ``familyfirst`` (persons whose names are written family name first: "Chen Jian") and
  ``obtainedby``;
* drops a month written as a word (``month = {January}``, ``{Sept.}``; only the macros ``jan`` …
  and numbers are read) and a year range written in ``year`` (``{1918--1922}``);
* splits a publisher at "and", as BibLaTeX's list field says, where a BibTeX file (Zotero's and
  BibDesk's BibTeX export, JabRef in BibTeX mode) means one name: "Hill and Wang" became "Hill;
  Wang". In a BibLaTeX file the split is right and is kept; a file is BibLaTeX when JabRef says so
  or any of its entries uses a field BibTeX does not have (``date``, ``journaltitle``, ``location``…);
* turns a ``@set`` into an empty item that prints "n.d."; a set is left out (cite its members);
* passes a ``note`` starting "ID: …" (Mendeley) to citeproc, which reads it as the item's id;
* sentence-cases English titles, which loses capitals that the Chicago style's title case cannot
  give back: initials and abbreviations ("Henry j. Kaiser", "u.s."), single letters ("Part i"), and
  words in an emphasized title inside the title ("On *de Anima*").

Each correction is taken from a second reading of the same text in which pandoc keeps the case and
the publishers as written (``-f bibtex`` and every entry marked non-English), token by token, so that
the LaTeX is still pandoc's to convert; or from bibtexparser's reading of the entry (months, years,
archive fields, names). Nothing else in pandoc's item is changed.
"""

from __future__ import annotations

import re

from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names

from studyguide.bibliography import Bibliography, Entry, biblatex_text, run_pandoc

ARCHIVE_FIELDS = {
    "archive_location": ("archive_location", "archivelocation", "archive-location"),
    "archive-place": ("archive_place", "archiveplace", "archive-place"),
    "archive_collection": ("archive_collection", "archivecollection", "archive-collection"),
}
MONTHS = {name: number for number, names in enumerate([
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
    ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
    ("december", "dec")], start=1) for name in names}
TITLE_FIELDS = ("title", "title-short", "container-title", "container-title-short", "collection-title",
                "volume-title", "original-title", "event-title")
NAME_VARIABLES = ("author", "editor", "translator", "container-author", "collection-editor", "original-author",
                  "editorial-director", "director", "compiler", "recipient", "interviewer")


def convert(entries: Bibliography) -> list[dict]:
    """CSL JSON items of the merged entries: pandoc's reading, then the corrections, sorted by key."""
    if not entries:
        return []
    text, starts = biblatex_text(entries)
    items = run_pandoc(text, "biblatex", starts)
    text, starts = biblatex_text(entries, extra={"langid": "{german}"})
    as_written = {i["id"]: i for i in run_pandoc(text, "bibtex", starts)}
    out = []
    for item in items:
        entry = entries.get(item["id"])
        if entry is not None and entry.type == "set":
            continue  # a @set has no text of its own: pandoc gives an empty item that prints "n.d."
        if entry is not None:
            correct(item, entry, as_written.get(item["id"], {}))
        out.append(item)
    return sorted(out, key=lambda i: i["id"])


def correct(item: dict, entry: Entry, as_written: dict) -> None:
    """Add what pandoc dropped and mend what it got wrong, in place."""
    f = {k: v for k, v in entry.fields.items() if v.strip()}
    _restore_case(item, as_written)
    if entry.dialect == "bibtex":
        _publisher(item, as_written)
    _dates(item, f)
    _archive(item, f)
    _archival_type(item, entry, f)
    _family_first(item, f)
    _note_keeps_id(item)
    if "obtainedby" in f:
        who = " and ".join(_display(n) for n in split_multiple_persons_names(f["obtainedby"]))
        item["note"] = "; ".join(x for x in (item.get("note", ""), f"obtained by {who}") if x)


def _note_keeps_id(item: dict) -> None:
    """pandoc's citeproc reads "name: value" lines of a CSL ``note`` as variables (Zotero's
    convention for its Extra field), so Mendeley's ``note = {ID: TN_…}`` gives the item another id
    and its key is "not found". The style never prints ``note``; such an ``id`` line is dropped."""
    note = item.get("note")
    if isinstance(note, str) and re.search(r"(?im)^\s*id\s*:", note):
        kept = [line for line in note.splitlines() if not re.match(r"(?i)\s*id\s*:", line)]
        if any(line.strip() for line in kept):
            item["note"] = "\n".join(kept)
        else:
            del item["note"]


# ---- case -------------------------------------------------------------------------------------

_TAG = re.compile(r"</?[a-z][^>]*>")


def _keeps_case(token: str, emphasized: bool) -> bool:
    """Whether a capital that pandoc lowered in ``token`` is one title case cannot give back."""
    word = _TAG.sub("", token).strip("“”‘’\"'()[],;:!?")
    if not any(c.isupper() for c in word):
        return False
    return (emphasized or bool(re.search(r"\w\.", word))  # initials, abbreviations: J., U.S.
            or (len(word) == 1 and word not in "Aa"))      # Part I, Type B (not the article)


def restore_case(sentence_cased: str, as_written: str) -> str:
    """``sentence_cased`` with the capitals of ``as_written`` put back where title case would lose them.
    Both are pandoc's output for the same field, so they differ in letter case only; if they differ
    otherwise, the first is returned unchanged."""
    ours, theirs = re.split(r"(\s+)", sentence_cased), re.split(r"(\s+)", as_written)
    if len(ours) != len(theirs) or sentence_cased.lower() != as_written.lower():
        return sentence_cased
    out, depth = [], 0
    for a, b in zip(ours, theirs, strict=True):
        opens, closes = len(re.findall(r"<i>|<em>", b)), len(re.findall(r"</i>|</em>", b))
        emphasized = depth > 0 or opens > 0
        out.append(b if a != b and _keeps_case(b, emphasized) else a)
        depth = max(0, depth + opens - closes)
    return "".join(out)


def _restore_case(item: dict, as_written: dict) -> None:
    for name in TITLE_FIELDS:
        if isinstance(item.get(name), str) and isinstance(as_written.get(name), str):
            item[name] = restore_case(item[name], as_written[name])


def _publisher(item: dict, as_written: dict) -> None:
    """"Hill; Wang" back to "Hill and Wang" when the file wrote one name with "and" in it."""
    ours, theirs = item.get("publisher"), as_written.get("publisher")
    if isinstance(ours, str) and isinstance(theirs, str) and ours != theirs \
            and re.sub(r"\s+and\s+", "; ", theirs) == ours:
        item["publisher"] = theirs


# ---- dates ------------------------------------------------------------------------------------

def _month(value: str) -> int | None:
    word = value.strip().strip("{}").strip().lower().rstrip(".")
    if word.isdigit() and 1 <= int(word) <= 12:
        return int(word)
    return MONTHS.get(word)


def _dates(item: dict, f: dict[str, str]) -> None:
    issued = item.get("issued")
    parts = issued.get("date-parts") if isinstance(issued, dict) else None
    year = f.get("year", "")
    if "date" not in f and (m := re.fullmatch(r"\s*(\d{4})\s*(?:--?|–|—|/)\s*(\d{4})\s*", year)):
        if not parts:  # pandoc keeps 1918 of "1918--1922", or nothing
            item["issued"] = {"date-parts": [[int(m.group(1))], [int(m.group(2))]]}
        return
    if parts and len(parts) == 1 and len(parts[0]) == 1 and "date" not in f and "month" in f:
        month = _month(f["month"])
        if month:  # pandoc read the year but dropped a month written as a word
            new = [parts[0][0], month]
            if f.get("day", "").strip().isdigit():
                new.append(int(f["day"]))
            item["issued"] = {"date-parts": [new]}


# ---- archives, archival documents, names --------------------------------------------------------

def _plain(value: str) -> str:
    """Text of a guide field such as an archive's name (written in Unicode): braces and escapes off."""
    for a, b in ((r"\&", "&"), (r"\%", "%"), (r"\#", "#"), (r"\_", "_"), (r"\$", "$"), ("---", "—"), ("--", "–"),
                 ("~", "\u00a0")):
        value = value.replace(a, b)
    return re.sub(r"\s+", " ", value.replace("{", "").replace("}", "")).strip()


def _archive(item: dict, f: dict[str, str]) -> None:
    if "archive" in f:
        original = f.get("archive_original")
        item["archive"] = _plain(f["archive"] + (f" ({original})" if original else ""))
    for variable, spellings in ARCHIVE_FIELDS.items():
        value = next((f[s] for s in spellings if s in f), None)
        if value and variable not in item:
            item[variable] = _plain(value)


def _archival_type(item: dict, entry: Entry, f: dict[str, str]) -> None:
    """The importer's archival documents are manuscripts: an untitled document in a published
    collection (@incollection/@inbook with only a ``type``, its description) and a @misc or @letter
    kept in an archive. As pandoc's chapter a document without a title prints as "Memcon, … to
    *77 Conversations*"; as an untyped item its archive is left out."""
    untitled_piece = entry.type in ("incollection", "inbook") and "title" not in f and ("type" in f or "archive" in f)
    if untitled_piece or (entry.type in ("misc", "letter") and "archive" in f):
        item["type"] = "manuscript"


def _name_key(name: str) -> tuple[str, str]:
    parts = parse_single_name_into_parts(name, strict=False)
    return (_plain(" ".join(parts.von + parts.last)), _plain(" ".join(parts.first)))


def _display(name: str) -> str:
    family, given = _name_key(name)
    return " ".join(x for x in (given, family) if x)


def _family_first(item: dict, f: dict[str, str]) -> None:
    """pandoc 3.9's citeproc parses CSL ``static-ordering`` but does not use it (it prints "Jian
    Chen"); a family-name-first person therefore also gets a ``literal`` in display order ("Chen
    Jian"), next to family/given and static-ordering for processors that honour them."""
    if "familyfirst" not in f:
        return
    listed = {_name_key(n) for n in split_multiple_persons_names(f["familyfirst"])}
    for variable in NAME_VARIABLES:
        for person in item.get(variable, []) or []:
            if (person.get("family", ""), person.get("given", "")) in listed:
                person["static-ordering"] = True
                person["literal"] = f"{person['family']} {person.get('given', '')}".strip()
