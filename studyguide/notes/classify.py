"""Recognizing what kind of work a citation describes and reading its parts.

Three citation styles occur in the sources and each has a reader here:

* Chicago notes (Radchenko): ``Ilya Gaiduk, *Confronting Vietnam* (Washington, DC, 2003)``,
  ``“China Vows,” *Peking Review* 33 (August 14, 1964), 7``;
* reference-list entries (Nguyen): ``Lüthi, Lorenz. The Sino-Soviet Split. Princeton: Princeton
  University Press, 2008`` and chapters, articles, dissertations in that style;
* the web essay's ``Name. (Year). “Title.” Publisher. Pg 178.``

Archival documents go to :mod:`studyguide.notes.archive`. Anything else raises
:class:`ParseError` with a reason, so that no note is dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from studyguide.notes.model import Citation, Person, Ref, Work
from studyguide.notes.names import NameTable, looks_like_person, split_names
from studyguide.notes.segment import INVERTED_NAME, strip_leadin
from studyguide.notes.text import clean, parse_date, split_top, unquote

URL_RE = re.compile(r"<?(?P<url>(?:https?://|www\.)[^\s<>]+?)>?(?=[.,;]?(?:\s|$))")
PAGE = r"\d+(?:\s*[–-]\s*\d+)?"
BOOKISH = re.compile(r"\b(?:University|Press|Corporation|Publishing|Publishers|Books|Verlag)\b")
NEWSPAPER = re.compile(r"\b(?:Times|Post|Daily|Gazette|Herald|Tribune|Guardian|Monde|Pravda)\b")


class ParseError(Exception):
    """A citation the importer cannot understand; the message is the reason shown to the author."""


@dataclass
class Context:
    """What a parser may know beyond the chunk: the names table, archive abbreviations defined by
    earlier notes of the file ("[hereafter cited as RGANI]"), the source's author (for "in the
    author's collection") and the works cited earlier in the same note ("in the same volume")."""

    names: NameTable
    abbreviations: dict[str, dict[str, str]] = field(default_factory=dict)
    source_author: str = ""
    note_works: list[Work] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_citation(chunk: str, ctx: Context) -> list[Citation]:
    """Parse one citation chunk (as cut by :func:`segment.split_citations`). Usually one citation;
    an archival chunk naming two documents ("“A” and “B,” both in …") gives two."""
    from studyguide.notes import archive  # archive builds on this module's readers

    leadin, body = strip_leadin(chunk)
    body = clean(body)
    if not body:
        raise ParseError("empty citation")
    m = re.match(r"^ibid\.?(?:,?\s*(?P<loc>.*?))?\.?$", body, re.I)
    if m:
        return [Citation(chunk, ref=Ref("ibid"), locator=page_locator(m["loc"] or ""), leadin=leadin)]
    cits = archive.parse(body, ctx) if archive.looks_archival(body, ctx) else [_parse_publication(body, ctx)]
    for c in cits:
        c.text, c.leadin = chunk, leadin
        if c.work is not None:
            c.work.raw = chunk
    return cits


def page_locator(text: str) -> str:
    """The locator as written, without a page label ('p. 153' -> '153', 'Pg 22' -> '22');
    other labels stay ('chp. 11')."""
    t = clean(text).rstrip(".").strip()
    return clean(re.sub(r"^(?:pp?\.|Pg\.?|pages?)\s*", "", t, flags=re.I))


def _parse_publication(body: str, ctx: Context) -> Citation:
    if "*" in body:
        return parse_note_style(body, ctx)
    m = re.match(r"^(?P<names>[^“”\"*()]+?)\.\s+\((?P<year>\d{4})\)\.?\s*(?P<rest>.*)$", body)
    if m:
        return _parse_essay(m["names"], m["year"], m["rest"], ctx)
    m = re.match(r"^(?P<site>[^“”\"*().]+?)\.\s+[“\"](?P<title>.+?)[.,]?[”\"]\.?$", body)
    if m and not INVERTED_NAME.match(body):
        work = Work("webpage", authors=[ctx.names.organization(m["site"])], title=clean(m["title"]))
        return Citation(body, work=work)
    m = re.match(rf"^(?P<name>[^,.“”*()]+),\s*(?P<loc>(?:pp?\.\s*)?{PAGE})\.?$", body)
    if m and looks_like_person(m["name"]):
        person = ctx.names.person(m["name"])
        return Citation(body, ref=Ref("short", names=[person.family]), locator=page_locator(m["loc"]))
    m = re.match(r"^(?P<names>[^“”\"*()]+?),\s+(?=[“\"])", body)
    if m and all(looks_like_person(n) for n in split_names(m["names"])[0]):
        quoted = take_quoted(body[m.end():])
        if quoted:
            work = Work("book", authors=[ctx.names.person(n) for n in split_names(m["names"])[0]],
                        title=clean(quoted[0]).rstrip(".,").strip())
            return Citation(body, work=work, locator=_after_quoted_title(work, clean(quoted[1]), ctx))
    if _bibliography_start(body):
        return _parse_bibliography(body, ctx)
    url = URL_RE.search(body)
    if url:
        rest = clean(body.replace(url.group(0), "")).rstrip(".,")
        if not rest or rest[0].islower():
            return Citation(body, work=Work("webpage", url=url["url"]))
    raise ParseError("no author, title or archive recognized")


# ---- Chicago notes ---------------------------------------------------------------------------

def parse_note_style(body: str, ctx: Context, *, allow_short: bool = True) -> Citation:
    """``Names, *Title*, vol. (Place: Publisher, Date), locator`` and the article and short forms."""
    url = URL_RE.search(body)
    url_text = url["url"] if url else ""
    if url:
        body = clean(body[: url.start()]).rstrip(",")
    m = re.match(r"^(?P<pre>[^*]*)\*(?P<title>[^*]+)\*(?P<rest>.*)$", body)
    if not m:
        raise ParseError("no italic title")
    pre, title, rest = m["pre"], clean(m["title"]), m["rest"]
    atitle = ""
    q = re.search(r"[“\"](?P<t>[^”\"]+)[”\"]\s*$", pre)
    if q:
        atitle, pre = unquote(q.group(0)), pre[: q.start()]
    names_text, prefix = clean(pre), ""
    role = re.search(r"\((eds?)\.\)", names_text)
    if role and names_text[role.end():].strip(" ,"):
        prefix = names_text[role.end():].strip(" ,")
        names_text = names_text[: role.end()]
    title = clean(f"{prefix} {title}")
    tr = re.match(r"^\s*\[\*?(?P<tr>[^\]*]+)\*?\]", rest)
    if tr:
        title, rest = f"{title} [{clean(tr['tr'])}]", rest[tr.end():]
    persons, is_org = _note_names(names_text, ctx)
    editors = bool(role) or "(ed" in names_text
    paren = re.search(r"\((?P<imp>[^()]*)\)", rest)
    mid = rest[: paren.start()] if paren else ""
    after = rest[paren.end():] if paren else rest
    work = Work("book", title=title, url=url_text)
    if editors:
        work.editors = persons
    else:
        work.authors = persons

    if atitle:  # an article, magazine or newspaper piece in the italic container
        work.title, work.container = atitle, title
        vol = clean(mid.strip(" ,"))
        date, _ = parse_date(paren["imp"] if paren else after)
        work.date = date
        if paren:
            work.type = "magazine" if len(date) > 4 else "article"
            if vol:
                if work.type == "magazine":
                    work.issue = vol
                else:
                    work.volume = vol
            pages = re.match(rf"^\s*:\s*(?P<p>{PAGE})", after)
            if pages:
                work.pages, after = pages["p"], after[pages.end():]
        else:
            work.type = "newspaper" if NEWSPAPER.search(title) or len(date) > 4 else "magazine"
            after = re.sub(r"^\s*,?\s*" + re.escape(_date_text(after)), "", after) if date else after
        return Citation(body, work=work, locator=page_locator(after.strip(" ,.")))

    for part in split_top(mid, ","):
        v = re.match(r"^vol\.\s*(?P<v>\S+)$", part, re.I)
        wp = re.search(r"\b(?P<g>Working Paper|Occasional Paper|Report)\s+(?:No\.\s*)?(?P<n>\d+)$", part, re.I)
        if v:
            work.volume = v["v"]
        elif wp:
            work.type, work.genre, work.number = "report", wp["g"], wp["n"]
            head = clean(part[: wp.start()])
            if head:
                work.series = head
        elif re.search(r"\b(?:Project|Series|Program)\b", part):
            work.series = part
        elif part:
            work.publisher = clean(f"{work.publisher}, {part}" if work.publisher else part)
    if work.type == "report" and work.series:
        work.series = f"{work.series} {work.genre}"
    if not paren:
        if not allow_short:
            return Citation(body, work=work, locator=page_locator(after.strip(" ,.")))
        loc = after.strip(" ,.")
        v = re.match(r"^vol\.\s*(?P<v>[^,]+),\s*", loc, re.I)
        if v:
            loc = loc[v.end():]
        if not persons:
            raise ParseError("short form without an author")
        return Citation(body, ref=Ref("short", names=[p.family for p in persons], title=title),
                        locator=page_locator(loc))
    _imprint(work, paren["imp"])
    if editors and work.type == "book":
        work.type = "collection"
    if is_org and not editors:
        work.authors = persons
    return Citation(body, work=work, locator=page_locator(after.strip(" ,.")))


def _date_text(text: str) -> str:
    _, m = parse_date(text)
    return m.group(0) if m else ""


def _imprint(work: Work, imprint: str) -> None:
    """'(Chapel Hill, NC, 2000)', '(Washington, DC, May 1998)', '(Paris: Odile Jacob, 2017)'."""
    parts = split_top(imprint, ",")
    date, m = parse_date(parts[-1] if parts else "")
    if m:
        work.date = date
        parts = parts[:-1]
    text = ", ".join(parts)
    if ":" in text:
        place, pub = text.split(":", 1)
        work.place, work.publisher = clean(place), clean(pub)
    elif text:
        work.place = text


def _note_names(text: str, ctx: Context) -> tuple[list[Person], bool]:
    """Names before a title in a note: persons, or one organization with a bracketed translation."""
    text = clean(text).rstrip(",")
    if not text:
        return [], False
    if "[" in text or not all(looks_like_person(n) for n in split_names(text)[0]):
        org = re.sub(r"\s*\((?:eds?\.)\)$", "", text)
        return [ctx.names.organization(org)], True
    names, _ = split_names(text)
    return [ctx.names.person(n) for n in names], False


# ---- the web essay's style --------------------------------------------------------------------

def _parse_essay(names: str, year: str, rest: str, ctx: Context) -> Citation:
    persons = [ctx.names.person(n) for n in split_names(names)[0]]
    rest = clean(rest)
    if not rest:
        return Citation(names, ref=Ref("short", names=[p.family for p in persons], year=year))
    m = re.match(r"^[“\"](?P<title>.+?)[.,]?[”\"]\.?\s*(?P<after>.*)$", rest)
    if not m:
        raise ParseError("no quoted title after the year")
    work = Work("webpage", authors=persons, title=clean(m["title"]), date=year)
    after = m["after"]
    locator = ""
    for pattern, attr in ((r"\bVol\.?\s*(?P<v>\w+)\.?", "volume"), (r"\bNo\.?\s*(?P<v>\w+)\.?", "issue"),
                          (rf"\bPg\.?\s*(?P<v>{PAGE})\.?", "locator")):
        found = re.search(pattern, after)
        if found:
            if attr == "locator":
                locator = found["v"]
            else:
                setattr(work, attr, found["v"])
            after = after.replace(found.group(0), " ")
    date, dm = parse_date(after)
    if dm and len(date) > 4:
        work.date = date
        after = after.replace(dm.group(0), " ")
    words = [clean(p) for p in re.split(r"\.\s+|\.$", after) if clean(p).strip(".")]
    container = words[0] if words else ""
    if work.volume or work.issue:
        work.type, work.container = "magazine", container
    elif container and (BOOKISH.search(container) or locator):
        work.type, work.publisher = "book", container
    else:
        work.container = container
    return Citation(rest, work=work, locator=locator)


# ---- reference-list entries ("Family, Given. Title. Place: Publisher, Year.") ------------------

def _bibliography_start(body: str) -> bool:
    return bool(INVERTED_NAME.search(body) or re.match(r"^(?:[A-ZÀ-ÖØ-ÞĐ][\w’'\-]+\s){1,3}?[A-ZÀ-ÖØ-ÞĐ][\w’'\-]+\.\s", body))


def take_quoted(text: str) -> tuple[str, str] | None:
    """Split '“A “B” C.” rest' into ('A “B” C.', 'rest'), honouring nested curly quotes."""
    text = text.lstrip()
    if not text or text[0] not in "“\"":
        return None
    if text[0] == '"':
        end = text.find('"', 1)
        return (text[1:end], text[end + 1:]) if end > 0 else None
    depth = 0
    for i, c in enumerate(text):
        depth += (c == "“") - (c == "”")
        if depth == 0:
            return text[1:i], text[i + 1:]
    return None


def _parse_bibliography(body: str, ctx: Context) -> Citation:
    m = INVERTED_NAME.search(body)
    if m and (m.start() == 0 or not re.search(r"[“”\"*\d]", body[: m.start()])):
        person = ctx.names.person(f"{m['family']}, {m['given']}{m['initial'] if m['initial'] != '.' else ''}")
        rest = body[m.end():]
    else:
        n = re.match(r"^(?P<name>(?:[A-ZÀ-ÖØ-ÞĐ][\w’'\-]+\s){1,3}?[A-ZÀ-ÖØ-ÞĐ][\w’'\-]+)\.\s", body)
        if not n:
            raise ParseError("no author name before the title")
        person = ctx.names.person(n["name"], surname_first=True)
        rest = body[n.end():]
    rest = clean(rest)
    work = Work("book", authors=[person])
    quoted = take_quoted(rest)
    if quoted:
        title, after = quoted
        work.title = clean(title).rstrip(".,").strip()
        return Citation(body, work=work, locator=_after_quoted_title(work, clean(after), ctx))
    im = re.search(r"^(?P<title>.+?)\.\s+(?P<place>[A-Z][^.:]*?):\s*(?P<pub>[^,]+?),\s*(?P<year>\d{4})"
                   r"(?:,\s*(?P<loc>.+?))?\.?$", rest)
    if not im:
        raise ParseError("book without 'Place: Publisher, Year'")
    work.title, work.place, work.publisher, work.date = clean(im["title"]), clean(im["place"]), clean(im["pub"]), im["year"]
    return Citation(body, work=work, locator=page_locator(im["loc"] or ""))


def _after_quoted_title(work: Work, after: str, ctx: Context) -> str:
    """Fill ``work`` from what follows a quoted title; return the locator."""
    after = after.lstrip(" ,.")
    if re.match(r"^in the same volume\b", after, re.I):
        previous = next((w for w in reversed(ctx.note_works) if w.container), None)
        if previous is None:
            raise ParseError("'in the same volume' with no volume earlier in the note")
        work.type = "chapter"
        for attr in ("container", "container_editors", "place", "publisher", "date"):
            setattr(work, attr, getattr(previous, attr))
        return ""
    m = re.match(rf"^In\s+(?P<book>.+?),\s*edited by\s+(?P<eds>.+?),\s*(?:(?P<pages>{PAGE})[.,]\s*)?"
                 r"(?P<place>[^,:]+):\s*(?P<pub>[^,]+?),\s*(?P<year>\d{4})(?:,\s*(?P<loc>.+?))?\.?$", after)
    if m:
        work.type, work.container, work.pages = "chapter", clean(m["book"]), m["pages"] or ""
        work.container_editors = [ctx.names.person(n) for n in split_names(m["eds"])[0]]
        work.place, work.publisher, work.date = clean(m["place"]), clean(m["pub"]), m["year"]
        return page_locator(m["loc"] or "")
    m = re.match(r"^(?P<genre>(?:PhD\s+)?diss\.|dissertation|(?:MA\s+|PhD\s+)?thesis)\s*,\s*(?P<school>[^,]+),\s*"
                 r"(?P<year>\d{4})\.?$", after, re.I)
    if m:
        work.type, work.genre, work.publisher, work.date = "thesis", m["genre"], clean(m["school"]), m["year"]
        return ""
    m = re.match(rf"^(?P<j>[^,(]+?)\s+(?P<vol>[\dIVXLC]+),\s*no\.\s*(?P<no>{PAGE})\s*\((?P<year>\d{{4}})\)"
                 rf"(?::\s*(?P<pages>{PAGE}))?(?P<tail>.*)$", after)
    if m:
        work.type, work.container, work.volume, work.issue = "article", clean(m["j"]), m["vol"], m["no"]
        work.date, work.pages = m["year"], m["pages"] or ""
        tail = m["tail"]
        acc = re.search(r"accessed\s+(?P<d>[^,]+)", tail)
        if acc:
            work.urldate = parse_date(acc["d"])[0]
            tail = tail.replace(acc.group(0), "")
        return page_locator(tail.strip(" ,."))
    m = re.match(r"^(?P<j>[^,(]+?)\s*\((?P<date>[^)]*\d{4})\)\.?$", after)
    if m:
        work.type, work.container, work.date = "magazine", clean(m["j"]), parse_date(m["date"])[0]
        if NEWSPAPER.search(work.container):
            work.type = "newspaper"
        return ""
    raise ParseError("quoted title not followed by a book, journal, volume or dissertation")
