"""The guide's bibliography: read .bib files, merge hand corrections, convert to CSL JSON.

``bib/*.bib`` stays the source of truth and CSL JSON (``build/bib/bibliography.json``) the
intermediate that citeproc reads. The conversion is pandoc's own BibLaTeX reader
(``pandoc -f biblatex -t csljson``): LaTeX to Unicode, names and particles, ``crossref`` and
``xdata`` inheritance, dates, entry types, protected case and sentence case are its work, not ours.
On top of it this module adds, from bibtexparser's reading of the same entries, only what the reader
drops or gets wrong and the guide prints (see :mod:`studyguide.bibfix`).

Reading: bibtexparser parses each file (so malformed entries and duplicate keys are named with
their lines); files are merged in order and a key defined in a later file overrides the earlier
entry field by field (hand.bib comes last, so hand fields win; any date field replaces all date
fields; its other entries are added). The merged entries are written back as one BibLaTeX text with
their values exactly as written (macros, braces, ``#`` concatenation and all) together with every
``@string``, and that text is what pandoc reads.

A key defined twice in one file is a warning when both copies are identical (the first is kept) and
an error naming both lines when they differ.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path

import bibtexparser
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, ExplicitComment, ParsingFailedBlock
from bibtexparser.model import Entry as ParsedEntry
from bibtexparser.model import String as ParsedString

from studyguide.errors import Collector, Diagnostic, StudyguideError, display_path
from studyguide.fsutil import atomic_write_text

DATE_FIELDS = ("date", "year", "month", "day")
PANDOC_TIMEOUT = 120  # seconds; pandoc reads the guide's 90 entries in well under one


@dataclass
class Entry:
    """One BibTeX entry after merging: its type, fields and where it is defined.

    ``fields`` are the values with their outer braces or quotes removed (what a person reads);
    ``raw`` the same fields exactly as written in the file (delimiters, macros and ``#`` kept), which
    is what pandoc is given.
    """

    key: str
    type: str
    fields: dict[str, str] = field(default_factory=dict)
    path: str = ""
    line: int = 0
    raw: dict[str, str] = field(default_factory=dict)
    dialect: str = "biblatex"  # of the file that defined it: "bibtex" or "biblatex" (see file_dialect)


class Bibliography(dict[str, Entry]):
    """Entries by key, plus the ``@string`` macros the files define (name -> raw value) and the
    warnings found while reading them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.strings: dict[str, str] = {}
        self.warnings: list[Diagnostic] = []


def _parse(text: str, raw: bool):
    logger = logging.getLogger("bibtexparser")
    level, logger.level = logger.level, logging.CRITICAL
    try:
        return bibtexparser.parse_string(text, parse_stack=[]) if raw else bibtexparser.parse_string(text)
    finally:
        logger.setLevel(level)


def _as_written(block: ParsedEntry) -> dict[str, str]:
    """An entry's type and fields, whitespace collapsed, for comparing two copies."""
    fields = {f.key.lower(): re.sub(r"\s+", " ", str(f.value)).strip() for f in block.fields}
    return {"entry type": block.entry_type.lower(), **fields}


def _same(a: ParsedEntry | ParsedString, b: ParsedEntry | ParsedString) -> bool:
    if isinstance(a, ParsedString) or isinstance(b, ParsedString):
        return isinstance(a, ParsedString) and isinstance(b, ParsedString) and " ".join(str(a.value).split()) == " ".join(
            str(b.value).split())
    return _as_written(a) == _as_written(b)


def _differing_fields(a: ParsedEntry, b: ParsedEntry) -> list[str]:
    fa, fb = _as_written(a), _as_written(b)
    names = sorted((k for k in fa.keys() | fb.keys() if fa.get(k) != fb.get(k)), key=lambda k: (k != "entry type", k))
    return [*names[:4], f"{len(names) - 4} more"] if len(names) > 5 else names


_NEXT_FIELD = re.compile(r"\s*,?\s*[a-z_-]+\s*=\s*[{\"]", re.IGNORECASE)


def _swallows(raw: str) -> bool:
    """Whether a value as written closes its delimiter early and goes on with ``name = {…``: the
    next field, taken into this one because a comma is missing. Only the value's own delimiters
    count: escaped braces (``\\{``), quotes inside braces and braces inside quotes are text."""
    depth, quoted, i = 0, False, 0
    while i < len(raw):
        char = raw[i]
        if char == "\\":
            i += 2
            continue
        closes = (char == "}" and depth == 1 and not quoted) or (char == '"' and quoted and depth == 0)
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        if closes and _NEXT_FIELD.match(raw, i + 1):
            return True
        i += 1
    return False


def read(path: Path, diag: Collector) -> Bibliography:
    """Entries of one .bib file; malformed blocks and duplicate keys go to ``diag``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        diag.error(path, None, f"cannot read bibliography ({exc.__class__.__name__}: {exc})")
        return Bibliography()
    library, raw_library = _parse(text, raw=False), _parse(text, raw=True)
    for block in raw_library.failed_blocks:  # raw: both copies of a duplicate compare as written
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            first, again = block.previous_block, block.ignore_error_block
            first_line = (first.start_line or 0) + 1
            what = "macro" if isinstance(first, ParsedString) else "key"
            if _same(first, again):
                diag.warning(path, line, f"{what} '{block.key}' defined twice, identically, at lines {first_line} and {line}",
                             f"the copy at line {first_line} is used; delete the other")
            else:
                differ = ("different values" if isinstance(first, ParsedString)
                          else f"different fields: {', '.join(_differing_fields(first, again))} differ")
                diag.error(path, line, f"{what} '{block.key}' defined twice, at lines {first_line} and {line}, with {differ}",
                           "keep one entry, or give the other its own key")
        elif isinstance(block, DuplicateFieldKeyBlock):
            names = ", ".join(sorted(block.duplicate_keys))
            diag.error(path, line, f"entry '{block.ignore_error_block.key}' has a field defined twice: {names}",
                       "keep one of them")
        elif isinstance(block, ParsingFailedBlock):
            reason = next(iter(str(block.error or "").strip().splitlines()), "") or "unbalanced braces or quotes"
            named = re.match(r"\s*@\w+\s*[{(]\s*([^,\s]+)\s*,", str(getattr(block, "raw", "") or ""))
            diag.error(path, line, f"malformed entry '{named.group(1)}'" if named else "malformed entry", reason)
        else:
            diag.error(path, line, "malformed block")
    raw_entries = {e.key: e for e in raw_library.entries}
    dialect = file_dialect(library)
    entries = Bibliography()
    entries.strings = {s.key.lower(): str(s.value) for s in raw_library.strings}
    for e in library.entries:
        line = e.start_line + 1
        if not e.key.strip():
            diag.error(path, line, f"@{e.entry_type} entry without a key", "write a key after the opening brace")
            continue
        # bibtexparser's default parse stack already removed the enclosing braces or quotes; a second
        # pair is protection ({{Alpha History}} is an organization) and must stay.
        values = {f.key.lower(): str(f.value).strip() for f in e.fields}
        raw = {f.key.lower(): str(f.value).strip() for f in raw_entries[e.key].fields}
        for name, value in raw.items():
            if _swallows(value):
                diag.error(path, line, f"entry '{e.key}': field '{name}' swallows another field", "missing comma?")
        entries[e.key] = Entry(e.key, e.entry_type.lower(), values, display_path(path), line, raw, dialect)
    return entries


BIBLATEX_ONLY_FIELDS = {"date", "journaltitle", "location", "urldate", "subtitle", "titleaddon", "maintitle",
                        "booksubtitle", "langid", "eventdate", "origdate", "xdata", "eprinttype", "pagetotal"}


def file_dialect(library) -> str:
    """"biblatex" when JabRef's metadata comment says so or an entry uses a field only BibLaTeX has,
    else "bibtex" (a Zotero or BibDesk BibTeX export, JabRef in BibTeX mode)."""
    for comment in library.comments:
        declared = re.match(r"\s*jabref-meta:\s*databaseType:\s*(\w+)", str(comment.comment), re.IGNORECASE)
        if isinstance(comment, ExplicitComment) and declared:
            return "biblatex" if declared.group(1).lower() == "biblatex" else "bibtex"
    used = {f.key.lower() for e in library.entries for f in e.fields}
    return "biblatex" if used & BIBLATEX_ONLY_FIELDS else "bibtex"


def merge(base: Entry, override: Entry) -> Entry:
    """``override``'s fields win one by one; any date field replaces all of base's date fields."""
    fields, raw = dict(base.fields), dict(base.raw)
    if any(k in override.fields for k in DATE_FIELDS):
        for k in DATE_FIELDS:
            fields.pop(k, None)
            raw.pop(k, None)
    fields.update(override.fields)
    raw.update(override.raw)
    return Entry(base.key, override.type or base.type, fields, override.path, override.line, raw, base.dialect)


def load(paths: list[Path], keep_going: bool = False) -> Bibliography:
    """Read and merge .bib files in order (later files override earlier ones field by field).
    Raises StudyguideError listing every malformed entry and differing duplicate key; warnings
    (identical duplicates) are kept in the result's ``warnings``. With ``keep_going`` the errors
    become warnings too and what could be read is returned (the first of two keys wins), for
    measuring a foreign file."""
    diag = Collector()
    merged = Bibliography()
    for path in paths:
        entries = read(Path(path), diag)
        merged.strings.update(entries.strings)
        for key, entry in entries.items():
            merged[key] = merge(merged[key], entry) if key in merged else entry
    if keep_going:
        diag.diagnostics = [replace(d, severity="warning") for d in diag.diagnostics]
    diag.raise_if_errors()
    result = Bibliography(sorted(merged.items()))
    result.strings, result.warnings = merged.strings, diag.warnings
    return result


def keys(paths: list[Path]) -> set[str]:
    return set(load(paths))


# ---- CSL JSON -------------------------------------------------------------------------------

_PANDOC_FIELD = re.compile(r"[A-Za-z0-9_:+-]+")  # what pandoc's reader accepts as a field name


def to_biblatex(entries: Bibliography | dict[str, Entry], extra: dict[str, str] | None = None) -> str:
    """One BibLaTeX text of the merged entries with their values as written, after every @string.

    ``extra`` fields are set in every entry, replacing its own (the second, case-preserving reading
    of :func:`studyguide.bibfix.convert` marks every entry non-English). pandoc refuses a whole file
    for an entry type with anything but letters (Mendeley's ``@newspaper_article``) or a field name
    such as ``% author``: such a type is written with its letters only (an unknown type, which
    pandoc reads as a generic item) and such a field, which no style knows, is left out."""
    return biblatex_text(entries, extra)[0]


def biblatex_text(entries: Bibliography | dict[str, Entry], extra: dict[str, str] | None = None
                  ) -> tuple[str, list[tuple[int, Entry]]]:
    """:func:`to_biblatex`'s text and the line on which each entry starts in it."""
    out = [f"@string{{{name} = {value}}}\n" for name, value in getattr(entries, "strings", {}).items()]
    starts: list[tuple[int, Entry]] = []
    line = sum(chunk.count("\n") + 1 for chunk in out) + 1
    for e in entries.values():
        body = {k: v for k, v in (e.raw or {k: "{" + v + "}" for k, v in e.fields.items()}).items()
                if _PANDOC_FIELD.fullmatch(k)}
        body.update(extra or {})
        lines = [f"  {name} = {value}," for name, value in body.items()]
        chunk = f"@{re.sub(r'[^A-Za-z]', '', e.type) or 'misc'}{{{e.key},\n" + "\n".join(lines) + "\n}\n"
        starts.append((line, e))
        out.append(chunk)
        line += chunk.count("\n") + 1
    return "\n".join(out), starts


def run_pandoc(text: str, reader: str = "biblatex", starts: list[tuple[int, Entry]] | None = None) -> list[dict]:
    """CSL JSON of a BibLaTeX (or BibTeX) text, by pandoc's own reader (pypandoc-binary's pandoc).
    A text pandoc cannot read is an error at the entry it stopped in (``starts``: first line of each
    entry in ``text``)."""
    import pypandoc

    try:
        done = subprocess.run([pypandoc.get_pandoc_path(), "-f", reader, "-t", "csljson"], input=text,
                              capture_output=True, text=True, encoding="utf-8", timeout=PANDOC_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise StudyguideError.at("bib", None, f"pandoc took more than {PANDOC_TIMEOUT} s to read the bibliography") from exc
    if done.returncode != 0:
        message = " ".join(done.stderr.split()) or f"exit status {done.returncode}"
        where = re.search(r"line (\d+)", message)
        entry = None
        if where and starts:
            entry = next((e for first, e in reversed(starts) if first <= int(where.group(1))), None)
        if entry is not None:
            raise StudyguideError.at(entry.path, entry.line, f"pandoc cannot read entry '{entry.key}': {message}")
        raise StudyguideError.at("bib", None, f"pandoc could not read the bibliography: {message}")
    return json.loads(done.stdout or "[]")


def to_csl(entries: Bibliography | dict[str, Entry] | list[Entry]) -> list[dict]:
    """CSL JSON items for ``entries`` (pandoc's reading plus our corrections), sorted by key."""
    from studyguide import bibfix

    if isinstance(entries, list):
        entries = Bibliography({e.key: e for e in entries})
    return bibfix.convert(entries)


def write_csl_json(bib_paths: list[Path], out: Path) -> list[Diagnostic]:
    """Merge ``bib_paths`` and write their CSL JSON to ``out`` (deterministic, atomic).
    Returns the warnings (identical duplicate keys), which the caller prints."""
    entries = load(bib_paths)
    data = to_csl(entries)
    atomic_write_text(out, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return entries.warnings
