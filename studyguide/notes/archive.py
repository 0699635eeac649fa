"""Archival documents: kind, participants, date, location in the archive's own system, archive.

A Chicago archival note reads: description or “title”, date, location inside the archive, the
archive's name (with its original-language name in parentheses), its city, then extras::

    Memcon, Khrushchev and Hồ Chí Minh, August 17, 1961, fond 52, opis 1, delo 555, listy 125–150,
    Russian State Archive of Contemporary History, Moscow (Rossiiskii …) [hereafter cited as RGANI].

Location systems are kept as written (fond/opis/delo/list; zespol/wiazka/teczka; AQPPSh-MPKK-V.1962,
L. 14, D. 7; 106-01448-02, 98–117): the importer only needs to know where the location ends.
A document published in a collection ("…, October 5, 1964, in Westad et al. (eds.), *77
Conversations* …, 74") takes the collection as its container.
"""

from __future__ import annotations

import re

from studyguide.notes.classify import URL_RE, Context, ParseError, page_locator, parse_note_style, take_quoted
from studyguide.notes.model import Citation, Person, Ref, Work
from studyguide.notes.names import split_names
from studyguide.notes.text import MONTH_RE, clean, fold, is_date, parse_date, split_top

# Document kinds as written -> the word a key starts with. Longest phrases first.
KINDS = [
    (r"memorandum of (?:a )?conversation", "memcon"), (r"minutes (?:from|of) (?:a )?conversation", "memcon"),
    (r"record of (?:a )?conversation", "memcon"), (r"note on (?:a )?conversation", "note"),
    (r"memcon", "memcon"), (r"conversation", "memcon"), (r"political letter", "letter"), (r"letter", "letter"),
    (r"instructions?", "instructions"), (r"directive", "instructions"), (r"speech", "speech"),
    (r"statement", "speech"), (r"report", "report"), (r"telegram|cable", "telegram"), (r"minutes", "memcon"),
]
KIND_START = re.compile(r"^(?:" + "|".join(k for k, _ in KINDS) + r")\b", re.I)
POSSESSIVE = re.compile(r"^(?P<who>[^,]+?)['’]s\s+(?P<kind>" + "|".join(k for k, _ in KINDS) + r")\b", re.I)
LOCATION = re.compile(
    r"(?i:^(?:both in\s+)?(?:fond|f\.|opis|op\.|delo|d\.|listy?|ll?\.|zesp[oó][lł]|wiazka|wiązka|teczka|"
    r"folder|box|file|reel|document|doc\.|sygn\.|pp?\.)\s*\S)"
    r"|^\d[\w./–-]*(?:\s*[–-]\s*\d+)?$|^[A-Z]{2,}[\w.-]*[-/][\w./-]+$|^(?:[A-Z]{2,}\s*)+$|^[IVXLC]+\s+[A-Z]/\d+$|^[LD]\.\s*\d"
)
ARCHIVE_WORD = re.compile(r"\b(?:Archives?|Archiv\w*|Arkhiv\w*|Archiwum|Arkivave|Library|Foundation)\b")
MARKERS = re.compile(r"\b(?:fond|opis|delo|zesp[oó][lł]|wiazka|teczka)\s+\S|AQPPSh|\b\d{3}-\d{5}\b|\bDocument \d+|"
                     r"hereafter cited as|author[’']s (?:collection|possession)|Digital Archive|\bArchives?\b", re.I)
COLLECTION = re.compile(r"in the author[’']s (?:collection|possession)", re.I)
HOMOGLYPHS = str.maketrans("аеорсухАВЕКМНОРСТХ", "aeopcyxABEKMHOPCTX")


def looks_archival(body: str, ctx: Context) -> bool:
    body = URL_RE.sub("", body)
    if KIND_START.match(body) or POSSESSIVE.match(body) or re.match(r"^[^,]+,\s*(?:speech|statement)\b", body):
        return True
    if MARKERS.search(body) and not re.search(r"\*[^*]+\*\s*\(", body):
        return True
    return any(p.strip(" .") in ctx.abbreviations for p in split_top(body, ","))


def parse(body: str, ctx: Context) -> list[Citation]:
    fixed = _fix_homoglyphs(body)
    if fixed != body:
        ctx.warnings.append("Cyrillic look-alike letters inside Latin words replaced")
        body = fixed
    url = ""
    for m in list(URL_RE.finditer(body))[-1:]:
        url = m["url"]
        body = clean(body[: m.start()] + body[m.end():]).rstrip(",. ")
    extras = _extras(body.rstrip(". "), ctx)
    body = extras.pop("_body")
    abbrev = ""
    h = re.search(r"\[hereafter cited as\s+(?P<a>[^\]]+)\]", body)
    if h:
        abbrev = clean(h["a"])
        body = clean(body[: h.start()] + body[h.end():])
    titles, genre, translation, rest = _titles(body)
    parts = split_parts(rest)
    date, date_index = "", None
    for i, p in enumerate(parts):
        if is_date(p):
            date, date_index = parse_date(p)[0], i
            break
    if titles:
        description = ""
        post = parts[date_index + 1:] if date_index is not None else parts
        if not date:
            date = parse_date(titles[0])[0] or parse_date(translation)[0]
    else:
        if date_index is None:
            date, m = parse_date(rest)
            if not m:
                raise ParseError("archival document without a date")
            head: list[str] = []
            for p in parts:
                if head and LOCATION.match(p):
                    break
                head.append(p)
            description, post = ", ".join(head), parts[len(head):]
        else:
            description = ", ".join(parts[:date_index])
            post = parts[date_index + 1:]
    works = [Work("archival", title=t, description=description, genre=genre, date=date, url=url) for t in (titles or [""])]
    locator = ""
    if post and re.match(r"^in\s", post[0]):
        container = parse_note_style(re.sub(r"^in\s+", "", ", ".join(post)), ctx, allow_short=False)
        cw = container.work
        for w in works:
            w.container, w.container_editors = cw.title, cw.editors or cw.authors
            w.series, w.number, w.publisher, w.place = cw.series, cw.number, cw.publisher, cw.place
            w.volume = cw.volume
        locator = container.locator
    else:
        _archive_parts(works, post, abbrev, ctx)
    kind, participants = _kind_and_participants(description or translation or (titles[0] if titles else ""), ctx)
    kind = kind if description or translation or not genre else _kind_and_participants(genre, ctx)[0] or kind
    if translation and not participants:
        who = translation.split(",")[0].strip("“‘ ")
        if len(who.split()) <= 5 and who[:1].isupper():
            participants = [ctx.names.person(who)]
    for w in works:
        w.doc_kind = kind or "doc"
        w.participants = participants
        w.translators = extras.get("translated", [])
        w.obtained_by = extras.get("obtained", [])
        if extras.get("collection"):
            if w.archive or w.url:
                w.collection_note = "in the author’s collection"
            else:
                owner = ctx.source_author
                w.archive = f"collection of {owner}" if owner else "author’s collection"
        if translation:
            w.title = f"{w.title} [{translation}]"
        if re.search(r"[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]", w.title):
            w.language = "vi"
    if not any((works[0].archive, works[0].archive_location, works[0].url, works[0].container)):
        return [Citation(body, ref=Ref("short", date=date, archival=works[0]), locator=locator)]
    return [Citation(body, work=w, locator=locator) for w in works]


def split_parts(text: str) -> list[str]:
    """Top-level comma parts, with 'August 17, 1961' kept in one part."""
    parts = split_top(text, ",")
    out: list[str] = []
    for p in parts:
        if out and re.fullmatch(r"\d{4}\b.*", p) and re.search(MONTH_RE + r"\s+\d{1,2}$", out[-1]):
            out[-1] = f"{out[-1]}, {p}"
        else:
            out.append(p)
    return out


def _fix_homoglyphs(text: str) -> str:
    """Replace Cyrillic look-alikes inside otherwise Latin words ('novеishei' with a Cyrillic е)."""
    def fix(m: re.Match[str]) -> str:
        w = m.group(0)
        latin = sum(c.isascii() for c in w)
        return w.translate(HOMOGLYPHS) if latin >= len(w) - 2 and latin else w
    return re.sub(r"\w+", fix, text)


def _extras(body: str, ctx: Context) -> dict:
    """Take '(obtained by …, translated by …)', '(in the author's collection; …)' off the end."""
    out: dict = {"collection": False}
    m = re.search(r"\((?P<x>[^()]*(?:obtained by|translated by|author[’']s)[^()]*)\)\s*$", body)
    if m:
        body = clean(body[: m.start()])
        for piece in re.split(r";|,\s*(?=translated by|obtained by|with introduction by)|\s+and\s+(?=translated by)", m["x"]):
            piece = clean(piece)
            if COLLECTION.search(piece):
                out["collection"] = True
            who = re.match(r"^(?P<what>obtained|translated) by\s+(?P<names>.+)$", piece, re.I)
            if who:
                names = re.split(r",\s*who\b", who["names"])[0]
                out[who["what"].lower()] = [ctx.names.person(n) for n in split_names(names)[0]]
    out["_body"] = body.rstrip(". ")
    return out


def _titles(body: str) -> tuple[list[str], str, str, str]:
    """Leading quoted title(s), a '(genre)' after them and a '[“translation”]'; then the rest."""
    titles: list[str] = []
    rest = body
    while True:
        q = take_quoted(rest)
        if not q:
            break
        titles.append(clean(q[0]).rstrip(",.").strip())
        rest = q[1].lstrip()
        rest = re.sub(r"^,?\s*and\s+(?=[“\"])", "", rest)
        if not rest.startswith(("“", '"')):
            break
    genre = translation = ""
    if titles:
        g = re.match(r"^\((?P<g>[^)]+)\)", rest)
        if g:
            genre, rest = clean(g["g"]), rest[g.end():]
        t = re.match(r"^\[(?P<t>[^\]]+)\]", rest)
        if t:
            translation, rest = clean(t["t"]).strip("“”\""), rest[t.end():]
    return titles, genre, translation, rest.lstrip(" ,")


def _archive_parts(works: list[Work], post: list[str], abbrev: str, ctx: Context) -> None:
    """Sort the parts after the date into location, archive (with original name), place."""
    location: list[str] = []
    archive = original = place = repository = ""
    known: dict[str, str] = {}
    for p in post:
        p = re.sub(r"^both in\s+", "", p)
        orig = re.search(r"\((?P<o>[^()]+)\)\s*$", p)
        if orig and archive:
            original, p = clean(orig["o"]), clean(p[: orig.start()])
        if "Digital Archive" in p:
            repository = p
        elif p.strip(".") in ctx.abbreviations and not archive:
            known = ctx.abbreviations[p.strip(".")]
            archive = known["archive"]
        elif ARCHIVE_WORD.search(p) and not archive:
            if orig:
                original, p = clean(orig["o"]), clean(p[: orig.start()])
            archive = p
        elif archive and LOCATION.match(p):
            location.append(p)
        elif archive:
            place = clean(f"{place}, {p}" if place else p)
        elif not location and re.fullmatch(r"[A-Z]{2,6}", p) and not archive:
            archive = p  # an archive cited only by its abbreviation ("AAN")
        else:
            location.append(p)
    if abbrev and archive:
        ctx.abbreviations[abbrev] = {"archive": archive, "original": original, "place": place}
    for w in works:
        w.archive, w.archive_original = archive, original or known.get("original", "")
        w.archive_place = place or known.get("place", "")
        w.archive_abbrev = abbrev or next((k for k, v in ctx.abbreviations.items() if v is known), "")
        w.archive_location = ", ".join(location)
        w.publisher = repository


def _kind_and_participants(description: str, ctx: Context) -> tuple[str, list[Person]]:
    """'Memcon, Khrushchev and Hồ Chí Minh' -> ('memcon', [Khrushchev, Hồ Chí Minh])."""
    text = clean(re.sub(r",?\s*" + r"(?:January|February|March|April|May|June|July|August|September|"
                        r"October|November|December)\s+\d{1,2},\s*\d{4}$", "", description))
    kind = ""
    for pattern, k in KINDS:
        if re.search(rf"\b{pattern}\b", text, re.I):
            kind = k
            break
    who = ""
    m = POSSESSIVE.match(text)
    if m:
        who = m["who"]
    elif (m := re.search(r"\bbetween\s+(?P<w>.+)$", text)) is not None:
        who = m["w"]
    elif (m := re.search(r"\bfrom\s+(?P<w>.+?)\s+on\s+.*$", text)) is not None:
        return kind, [ctx.names.organization(re.sub(r"^the\s+", "", m["w"]))]
    elif (m := re.search(r"\bby\s+(?P<w>.+?)(?:\s+at\s+.*)?$", text)) is not None or (
        m := re.match(r"^(?P<w>[^,]+),\s*(?:speech|statement|report)\b", text, re.I)
    ) is not None:
        who = m["w"]
    elif (m := KIND_START.match(text)) is not None:
        who = text[m.end():].lstrip(" ,")
    names, _ = split_names(who) if who else ([], False)
    people = [ctx.names.person(n) for n in names if n and n[0].isupper() and len(n.split()) <= 5]
    return kind, people


def location_base(location: str) -> tuple[str, str]:
    """Split an archival location into the file and the leaf (list/pages): 'fond 5, opis 61,
    delo 452, listy 7–48' -> ('fond 5, opis 61, delo 452', '7–48')."""
    parts = split_parts(location)
    if parts and re.match(r"^(?:listy?|ll?\.|pp?\.)?\s*\d+(?:\s*[–-]\s*\d+)?$", parts[-1], re.I) and len(parts) > 1:
        return fold(", ".join(parts[:-1])), page_locator(re.sub(r"^(?:listy?|ll?\.)\s*", "", parts[-1]))
    return fold(location), ""
