"""The guide's bibliography: read .bib files, merge hand corrections, convert to CSL JSON.

pandoc's BibTeX/BibLaTeX reader drops ``archive``, ``archive_location`` and ``archive-place``,
and the Chicago style never prints ``note``; so the build does not hand the .bib to pandoc. It
converts the .bib files (generated + bib/hand.bib, which stay the source of truth) to CSL JSON here
and passes that to ``--bibliography``.

Merging: files are read in order and a key defined in a later file overrides the earlier entry
field by field (hand.bib comes last, so hand fields win; its other entries are added). A key
defined twice in one file, or an entry that cannot be parsed, is an error with file:line.

Names: pandoc 3.9's citeproc parses CSL ``static-ordering`` but does not use it (it prints
"Jian Chen"); a family-name-first person therefore also gets a ``literal`` in display order
("Chen Jian"), next to family/given and static-ordering for processors that honour them.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import bibtexparser
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, ParsingFailedBlock

from studyguide.errors import Collector, display_path
from studyguide.fsutil import atomic_write_text

DATE_FIELDS = ("date", "year", "month", "day")
LANGUAGES = {"english": "en", "american": "en-US", "british": "en-GB", "french": "fr", "russian": "ru",
             "vietnamese": "vi", "chinese": "zh", "german": "de", "polish": "pl"}
MONTHS = {m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                      "nov", "dec"], start=1)}
NAME_FIELDS = {"author": "author", "editor": "editor", "translator": "translator"}
TEXT_FIELDS = {"volume": "volume", "pages": "page", "edition": "edition", "chapter": "chapter-number",
               "url": "URL", "doi": "DOI", "isbn": "ISBN", "note": "note", "keywords": "keyword",
               "archive_location": "archive_location", "archive_place": "archive-place",
               "address": "publisher-place", "location": "publisher-place", "series": "collection-title"}
PUBLISHER_FIELDS = ("publisher", "institution", "school", "organization", "howpublished")


@dataclass
class Entry:
    """One BibTeX entry after merging: its type, fields (values as written) and where it is defined."""

    key: str
    type: str
    fields: dict[str, str] = field(default_factory=dict)
    path: str = ""
    line: int = 0


def read(path: Path, diag: Collector) -> dict[str, Entry]:
    """Entries of one .bib file; malformed blocks and duplicate keys go to ``diag``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        diag.error(path, None, f"cannot read bibliography ({exc.__class__.__name__}: {exc})")
        return {}
    logger = logging.getLogger("bibtexparser")
    level, logger.level = logger.level, logging.CRITICAL
    try:
        library = bibtexparser.parse_string(text)
    finally:
        logger.setLevel(level)
    entries: dict[str, Entry] = {}
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            first = next((e for e in library.entries if e.key == block.key), None)
            where = f" (first at line {first.start_line + 1})" if first is not None else ""
            diag.error(path, line, f"key '{block.key}' defined twice{where}")
        elif isinstance(block, DuplicateFieldKeyBlock):
            fields = ", ".join(f"'{f}'" for f in sorted(block.duplicate_keys))
            diag.error(path, line, f"entry '{block.ignore_error_block.key}' gives the field {fields} twice", "keep one of them")
        elif isinstance(block, ParsingFailedBlock):
            reason = next(iter(str(block.error or "").strip().splitlines()), "") or "unbalanced braces or quotes"
            named = re.match(r"\s*@\w+\s*[{(]\s*([^,\s]+)\s*,", str(getattr(block, "raw", "") or ""))
            diag.error(path, line, f"malformed entry '{named.group(1)}'" if named else "malformed entry", reason)
        else:
            diag.error(path, line, "malformed block")
    for e in library.entries:
        line = e.start_line + 1
        # bibtexparser's default parse stack already removed the enclosing braces or quotes; a second
        # pair is protection ({{Alpha History}} is an organization) and must stay.
        values = {f.key.lower(): str(f.value).strip() for f in e.fields}
        for name, value in values.items():
            if re.search(r"[}\"]\s*,?\s*[a-z_-]+\s*=\s*[{\"]", value):
                diag.error(path, line, f"entry '{e.key}': field '{name}' swallows another field", "missing comma?")
        entries[e.key] = Entry(e.key, e.entry_type.lower(), values, display_path(path), line)
    return entries


def _balanced(text: str) -> bool:
    depth = 0
    for c in text:
        depth += (c == "{") - (c == "}")
        if depth < 0:
            return False
    return depth == 0


def merge(base: Entry, override: Entry) -> Entry:
    """``override``'s fields win one by one; any date field replaces all of base's date fields."""
    fields = dict(base.fields)
    if any(k in override.fields for k in DATE_FIELDS):
        for k in DATE_FIELDS:
            fields.pop(k, None)
    fields.update(override.fields)
    return Entry(base.key, override.type or base.type, fields, override.path, override.line)


def load(paths: list[Path]) -> dict[str, Entry]:
    """Read and merge .bib files in order (later files override earlier ones field by field).
    Raises StudyguideError listing every malformed entry and duplicate key."""
    diag = Collector()
    merged: dict[str, Entry] = {}
    for path in paths:
        for key, entry in read(Path(path), diag).items():
            merged[key] = merge(merged[key], entry) if key in merged else entry
    diag.raise_if_errors()
    return dict(sorted(merged.items()))


def keys(paths: list[Path]) -> set[str]:
    return set(load(paths))


# ---- CSL JSON -------------------------------------------------------------------------------

def to_csl(entries: dict[str, Entry] | list[Entry]) -> list[dict]:
    """CSL JSON items for ``entries``, sorted by key."""
    items = entries.values() if isinstance(entries, dict) else entries
    return [_item(e) for e in sorted(items, key=lambda e: e.key)]


def write_csl_json(bib_paths: list[Path], out: Path) -> None:
    """Merge ``bib_paths`` and write their CSL JSON to ``out`` (deterministic, atomic)."""
    data = to_csl(load(bib_paths))
    atomic_write_text(out, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _csl_type(e: Entry) -> str:
    f, t = e.fields, e.type
    if t == "article":
        return {"magazine": "article-magazine", "newspaper": "article-newspaper"}.get(
            f.get("entrysubtype", "").lower(), "article-journal")
    if t in ("incollection", "inbook", "inproceedings") and ("title" in f or ("archive" not in f and "type" not in f)):
        return "chapter" if t != "inproceedings" else "paper-conference"
    if t in ("unpublished", "incollection", "inbook") or (t in ("misc", "letter") and "archive" in f):
        return "manuscript"
    return {"book": "book", "mvbook": "book", "collection": "book", "mvcollection": "book", "report": "report",
            "techreport": "report", "thesis": "thesis", "phdthesis": "thesis", "mastersthesis": "thesis",
            "online": "webpage", "www": "webpage", "letter": "letter", "misc": "document"}.get(t, "document")


def _item(e: Entry) -> dict:
    f = {k: v for k, v in e.fields.items() if v.strip()}
    ctype = _csl_type(e)
    item: dict = {"id": e.key, "type": ctype}
    family_first = {_name_key(n) for n in split_multiple_persons_names(f.get("familyfirst", ""))}
    for src, dst in NAME_FIELDS.items():
        if src in f:
            item[dst] = [_csl_name(n, family_first) for n in split_multiple_persons_names(f[src])]
    if "title" in f:
        item["title"] = to_html(f["title"])
    if "type" in f:
        item["genre"] = to_html(f["type"])
    container = f.get("journaltitle") or f.get("journal") or f.get("booktitle")
    if ctype == "webpage" and not container:
        container = f.get("organization")
    if container:
        item["container-title"] = to_html(container)
    publisher = next((f[k] for k in PUBLISHER_FIELDS if k in f and not (k == "organization" and ctype == "webpage")), "")
    if publisher:
        item["publisher"] = to_text(publisher)
    for src, dst in TEXT_FIELDS.items():
        if src in f and dst not in item:
            item[dst] = to_text(f[src])
    if "number" in f:
        slot = "issue" if ctype.startswith("article") else "collection-number" if "series" in f else "number"
        item[slot] = to_text(f["number"])
    if "archive" in f:
        original = f.get("archive_original")
        item["archive"] = to_text(f["archive"] + (f" ({original})" if original else ""))
    date = _date(f)
    if date:
        item["issued"] = date
    for src, dst in (("urldate", "accessed"), ("origdate", "original-date")):
        if src in f and (d := _date({"date": f[src]})):
            item[dst] = d
    if "langid" in f:
        item["language"] = LANGUAGES.get(f["langid"].lower(), f["langid"])
    if "obtainedby" in f:
        who = " and ".join(_display(n, family_first) for n in split_multiple_persons_names(f["obtainedby"]))
        item["note"] = "; ".join(x for x in (item.get("note", ""), f"obtained by {who}") if x)
    return item


def _name_key(name: str) -> tuple[str, str]:
    parts = parse_single_name_into_parts(name, strict=False)
    return (to_text(" ".join(parts.von + parts.last)), to_text(" ".join(parts.first)))


def _csl_name(name: str, family_first: set[tuple[str, str]]) -> dict:
    stripped = name.strip()
    if stripped.startswith("{") and stripped.endswith("}") and _balanced(stripped[1:-1]):
        return {"literal": to_text(stripped[1:-1])}
    family, given = _name_key(name)
    out: dict = {"family": family}
    if given:
        out["given"] = given
    if (family, given) in family_first:
        out["static-ordering"] = True
        out["literal"] = f"{family} {given}".strip()
    return out


def _display(name: str, family_first: set[tuple[str, str]]) -> str:
    n = _csl_name(name, family_first)
    return n.get("literal") or " ".join(x for x in (n.get("given"), n.get("family")) if x)


def _date(f: dict[str, str]) -> dict | None:
    """'1964-08-14', '1965-03', '2001' (date) or year/month/day fields -> CSL date-parts."""
    if "date" in f:
        m = re.match(r"^\s*(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", f["date"])
        if not m:
            return {"literal": to_text(f["date"])}
        return {"date-parts": [[int(x) for x in m.groups() if x]]}
    if "year" in f and (y := re.match(r"\d{4}", f["year"].strip())):
        parts = [int(y.group(0))]
        month = f.get("month", "").strip().lower()[:3]
        if month:
            parts.append(int(month) if month.isdigit() else MONTHS.get(month, 0))
            if "day" in f and f["day"].strip().isdigit():
                parts.append(int(f["day"]))
        return {"date-parts": [[p for p in parts if p]]}
    return None


_LATEX = [(r"\&", "&"), (r"\%", "%"), (r"\#", "#"), (r"\_", "_"), (r"\$", "$"), ("---", "—"), ("--", "–"), ("~", "\u00a0")]


def _unlatex(value: str) -> str:
    for a, b in _LATEX:
        value = value.replace(a, b)
    return value.replace("{", "").replace("}", "")


def to_text(value: str) -> str:
    """Plain text of a BibTeX value: escapes undone, braces dropped, whitespace collapsed."""
    return re.sub(r"\s+", " ", _unlatex(value)).strip()


def to_html(value: str) -> str:
    """A title for CSL: brace-protected parts become <span class="nocase"> so styles leave their case."""
    out, depth, buf = [], 0, []
    for c in value:
        if c == "{":
            if depth == 0 and buf:
                out.append(_esc(_unlatex("".join(buf))))
                buf = []
            depth += 1
        elif c == "}" and depth:
            depth -= 1
            if depth == 0:
                out.append(f'<span class="nocase">{_esc(_unlatex("".join(buf)))}</span>')
                buf = []
        else:
            buf.append(c)
    out.append(_esc(_unlatex("".join(buf))))
    text = "".join(out)
    return re.sub(r"\s+", " ", text).strip()


def _esc(text: str) -> str:
    return text.replace("<", "&lt;").replace(">", "&gt;") if ("<" in text or ">" in text) else text


