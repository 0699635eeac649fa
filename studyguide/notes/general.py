"""From labelled tokens to citations: the deterministic layer over the CRF labeller.

The labeller (:mod:`studyguide.notes.crf`) says which tokens are the author, the title, the
archive, the locator…; this module cuts those spans out of the original text, tidies them
(quotation marks, italics markers, trailing punctuation), splits name lists into persons (name
order by ``bib/names.yaml`` and the surname lexicon), decides what kind of work the fields
describe, and tells a full citation from a short form or an Ibid. It also explains its doubts:
a :class:`Reading` carries the model's confidence and the reasons a citation may be wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from studyguide.notes import crf
from studyguide.notes.archive import KINDS
from studyguide.notes.classify import Context, ParseError, page_locator
from studyguide.notes.model import Citation, Person, Ref, Work
from studyguide.notes.names import split_names
from studyguide.notes.text import clean, fold, parse_date

NAME_LABELS = ("author", "editor", "translator")
ARCHIVE_LABELS = ("archive", "archive_location", "archive_place")
_STRIP = " ,.;:*“”\"‘’'()[]"


@dataclass
class Reading:
    """What the labeller read in one citation chunk, how sure it is, and why it may be wrong."""

    citations: list[Citation]
    confidence: float
    doubts: list[str] = field(default_factory=list)
    fields: dict[str, list[str]] = field(default_factory=dict)
    sure: dict[str, float] = field(default_factory=dict)  # per label, the least marginal of its tokens


def _tidy(text: str, label: str) -> str:
    t = clean(text.replace("*", ""))
    if label == "url":
        return t.strip("<>.,; ")
    if label != "title":
        t = t.strip(_STRIP)
    else:
        t = t.strip(" ,;:*“”\"‘’()[]")
        t = t if t.endswith(("?", "!")) else t.rstrip(".")
    if label == "title" and t.endswith(("’", "'")):
        t = t.rstrip("’'")
    return clean(t)


def spans(lab: crf.Labelled) -> list[tuple[str, str, float]]:
    """Contiguous runs of one label as (label, original text, least marginal in the run)."""
    out: list[tuple[str, str, float]] = []
    i = 0
    while i < len(lab.tokens):
        j = i
        while j + 1 < len(lab.tokens) and lab.labels[j + 1] == lab.labels[i]:
            j += 1
        if lab.labels[i] != "O":
            text = lab.text[lab.tokens[i].start:lab.tokens[j].end]
            out.append((lab.labels[i], text, min(lab.marginals[i:j + 1])))
        i = j + 1
    return _join_name_lists(lab, out)


PARTICLES_BEFORE = re.compile(r"(?<![\w’'-])(?:(?:van|von|de|der|den|du|da|di|del|della|ten|ter)\s+)+$")


def _join_name_lists(lab: crf.Labelled, runs: list[tuple[str, str, float]]) -> list[tuple[str, str, float]]:
    """One run per list of names: 'Zubok' ',' 'Douglas' (the comma unlabelled) -> 'Zubok, Douglas'."""
    out: list[tuple[str, str, float]] = []
    pos = 0
    starts = []
    for _, text, _ in runs:
        at = lab.text.find(text, pos)
        starts.append((at, at + len(text)))
        pos = at + len(text)
    last_end = -1
    for k, ((name, text, m), (a, b)) in enumerate(zip(runs, starts, strict=True)):
        particle = PARTICLES_BEFORE.search(lab.text[:a]) if name in NAME_LABELS else None
        if particle and (not out or last_end <= particle.start()):
            text, a = lab.text[particle.start():b], particle.start()  # "van Gennep": the particle is the name's
            starts[k] = (a, b)
        between = lab.text[last_end:a] if out else ""
        if out and name in NAME_LABELS and out[-1][0] == name and re.fullmatch(r"\.?\s*(?:,|,?\s*(?:and|&))?\s*", between):
            prev = out[-1]
            out[-1] = (name, prev[1] + between + text, min(prev[2], m))
        else:
            out.append((name, text, m))
        last_end = b
    return out


def person(text: str, ctx: Context) -> Person:
    """One name: the names table first, then the surname lexicon for family-first order."""
    name = ctx.names.strip_titles(clean(text))
    if "," not in name and ctx.names.is_family_first(name) is None:
        words = name.split()
        if 2 <= len(words) <= 3 and fold(words[0]) in crf.lexicon()["family_first_surnames"] and \
                not any(w.endswith(".") or len(w) == 1 for w in words):
            return Person(words[0], " ".join(words[1:]), family_first=True)
    if "," not in name:
        # a particle starts the family name: "Ellen J. van der Heide", "Ilya de Quirielle"
        m = re.match(r"^(?:(?P<given>.+?)\s+)?(?P<family>(?:(?:van|von|de|der|den|du|da|di|del|della|la|le|ten|ter)\s+)+"
                     r"[A-ZÀ-ÖØ-Þ][\w’'-]+)$", name)
        if m and ctx.names.is_family_first(name) is None:
            return Person(m["family"], m["given"] or "")
    return ctx.names.person(name)


INVERTED = re.compile(r"^(?P<family>(?:(?:van|von|de|der|du|la|le|da|di)\s+)*[\w’'-]+),\s+(?P<given>(?!and\b)[^,]+?)"
                      r"(?:,?\s+(?:and|&)\s+|,\s+|$)(?P<rest>.*)$")


def people(texts: list[str], ctx: Context) -> list[Person]:
    """Persons of the name runs; a list may open with an inverted name, as reference lists do
    ('Gardner, Kathryn, and Hoang Van Hoan')."""
    out: list[Person] = []
    for t in texts:
        t = re.sub(r"^(?:and|&)\s+|\s*,?\s*\b(?:eds?|trans|comp)\.?$", "", clean(t.strip(" ,.;")))
        t = clean(t.strip(" ,.;"))
        m = INVERTED.match(t)
        if m and not out and not re.search(r"\s(?:and|&)\s", m["given"]) and len(m["given"].split()) <= 3:
            out.append(ctx.names.person(f"{m['family']}, {m['given']}"))
            t = m["rest"]
        names, _ = split_names(t)
        out.extend(person(n, ctx) for n in names if n and n[0].isalpha())
    return out


def participants_of(description: str, ctx: Context) -> list[Person]:
    """The persons a document description names ('Telegram from A to B', 'Conversation, A and B')."""
    lex = crf.lexicon()
    first = re.match(r"[\W]*(\w+)", description)
    if not first or (fold(first.group(1)) not in lex["document_words"] and not re.search(r"\s(?:to|and)\s", description)):
        return []  # a title that names no document kind ("Questions of … Relations") names no persons
    text = re.sub(r"\b(?:between|from|of|by|with|on|at|the|a|an)\b", ",", description)
    found = []
    for part in re.split(r"\s+(?:and|to|&)\s+|,", text):
        words = [w for w in part.split() if fold(w.strip(".,")) not in lex["document_words"]]
        words = [w for w in words if w[:1].isupper()]
        if 1 <= len(words) <= 4 and not any(fold(w) in lex["archive_words"] for w in words):
            found.append(person(" ".join(words), ctx))
    return found


def read(chunk: str, ctx: Context) -> Reading:
    """Label one citation chunk and assemble its citation(s)."""
    lab = crf.label(chunk)
    runs = spans(lab)
    fields: dict[str, list[str]] = {}
    sure: dict[str, float] = {}
    for name, text, m in runs:
        fields.setdefault(name, []).append(text)
        sure[name] = min(m, sure.get(name, 1.0))
    doubts: list[str] = []
    confidence = lab.confidence()
    if not any(re.search(r"[^\W\d_]{2}", t) for name, t, _ in runs if name not in ("prefix", "locator")) \
            and "ibid" not in fields and not any(re.search(r"\d", t) for name, t, _ in runs if name == "date"):
        raise ParseError("no author, title or archive recognized")  # no word was read as a field
    weakest = min(((m, n, t) for n, t, m in runs), default=None)
    first = lambda name: _tidy(fields[name][0], name) if name in fields else ""  # noqa: E731
    leadin = first("prefix")
    for name in ("title", "container", "date", "archive", "archive_location", "locator"):
        if len(fields.get(name, [])) > 1 and name not in ("archive_location",):
            doubts.append(f"two separate {name.replace('_', ' ')}s read")
            confidence = min(confidence, 0.5)
    if "ibid" in fields:
        cit = Citation(chunk, ref=Ref("ibid"), locator=page_locator(first("locator")), leadin=leadin)
        return Reading([cit], confidence, doubts, fields, sure)
    if "author" in fields and "editor" in fields and "container" not in fields:
        # "McMahon, Svetlana, ed." split in two by the labeller: one list of editors
        before_title = chunk.split("*")[0]
        if re.search(r"\beds?\.", before_title) and not re.search(r"\b[Ii]n\b", before_title):
            fields["editor"] = [", ".join(fields.pop("author") + fields["editor"])]
    if "author" in fields and "editor" not in fields:
        # "Xiaoming Zhang, ed., *Title*": the role word right after the names makes them editors
        last = fields["author"][-1]
        after = chunk[chunk.find(last) + len(last):] if last in chunk else ""
        if re.match(r"^\s*,?\s*\(?eds?\.\)?[,.]?\s*(?:[*“\"‘]|[A-Z])", after):
            fields["editor"] = fields.pop("author")
    authors = people(fields.get("author", []), ctx)
    editors = people(fields.get("editor", []), ctx)
    translators = people(fields.get("translator", []), ctx)
    title, container = first("title"), first("container")
    date = parse_date(" ".join(fields.get("date", [])))[0]
    locator = page_locator(first("locator"))
    url = first("url")
    # An archival item: its archive or location is read, or an untitled document is described, or
    # an unsigned titled item is dated to the day and has no periodical (a Digital Archive document).
    archival = any(k in fields for k in ARCHIVE_LABELS) or ("description" in fields and not authors) or (
        not authors and not editors and not container and len(date) == 10 and bool(title))
    if archival:
        work = Work("archival", title=title, description=first("description"), date=date, url=url,
                    archive=first("archive"),
                    archive_location=", ".join(_tidy(x, "archive_location") for x in fields.get("archive_location", [])),
                    archive_place=first("archive_place"), publisher=first("publisher"), translators=translators,
                    container=container, volume=first("volume"), place=first("place"))
        if re.fullmatch(r"[A-Z][A-Za-z]*[A-Z][\w -]*", work.archive or "") and len(work.archive) <= 12:
            work.archive_abbrev = work.archive
        if work.container:
            work.container_editors = editors
        what = work.description or work.title
        work.doc_kind = next((k for p, k in KINDS if re.search(rf"\b{p}\b", what, re.I)), "doc")
        work.participants = participants_of(what, ctx)
        if not (work.archive or work.archive_location or work.url or work.container or work.publisher):
            if not (work.description or work.title or date):
                raise ParseError("no author, title or archive recognized")
            return Reading([Citation(chunk, ref=Ref("short", date=date, archival=work), locator=locator, leadin=leadin)],
                           confidence, doubts, fields, sure)
        if not work.archive and not (work.title or work.description or work.url or work.container):
            doubts.append("an archival location without an archive")
            confidence = min(confidence, 0.5)
        if not date and (work.title or work.description or not work.archive_location):
            # a document is dated; a file cited by archive and location alone ("RGASPI, f. 558, …") need not be
            doubts.append("archival document without a date")
            confidence = min(confidence, 0.6)
        return Reading([Citation(chunk, work=work, locator=locator, leadin=leadin)], confidence, doubts, fields, sure)
    if "description" in fields and authors:  # an interview
        work = Work("interview", authors=authors, genre=first("description"), place=first("place"), date=date, url=url)
        if not date:
            return Reading([Citation(chunk, ref=Ref("short", names=[p.family for p in authors], title=""),
                                     locator=locator, leadin=leadin)], confidence, doubts, fields, sure)
        return Reading([Citation(chunk, work=work, locator=locator, leadin=leadin)], confidence, doubts, fields, sure)
    imprint = any(k in fields for k in ("publisher", "place", "date", "volume", "issue", "edition", "genre",
                                        "series", "number", "url")) or (container and editors)
    if not imprint:
        names = [p.family for p in (authors or editors)]
        if not names and not (title or container):
            raise ParseError("no author, title or archive recognized")
        ref = Ref("short", names=names, title=title or container)
        return Reading([Citation(chunk, ref=ref, locator=locator, leadin=leadin)], confidence, doubts, fields, sure)
    work = Work("book", authors=authors, editors=editors, translators=translators, title=title, date=date, url=url,
                publisher=first("publisher"), place=first("place"), volume=first("volume"), issue=first("issue"),
                series=first("series"), number=first("number"), genre=first("genre"), pages=first("pages"))
    work.edition = first("edition")
    genre = fold(work.genre)
    if container:
        work.container = container
        if editors and not work.volume:
            work.type, work.editors, work.container_editors = "chapter", [], editors
        elif re.search(r"\d", date[5:]) and not work.volume:
            lex = crf.lexicon()
            words = {w.lower() for w in re.findall(r"[\w’']+", container)}
            journal = words & lex["journal_words"] - {"journal"}
            news = words & lex["newspapers"] and not journal and not words & lex["magazines"]
            work.type = "newspaper" if news else "magazine"
        elif url and not work.volume:
            work.type = "webpage"
        else:
            work.type = "article"
    elif re.search(r"\b(?:diss|dissertation|thesis)\b", genre):
        work.type = "thesis"
    elif genre or work.number:
        work.type = "report"
    elif url and not work.publisher:
        work.type = "webpage"
    if not title:
        doubts.append("no title read")
        confidence = min(confidence, 0.4)
    if not (authors or editors) and work.type not in ("newspaper", "magazine", "webpage"):
        doubts.append("no author or editor read")
        confidence = min(confidence, 0.6)
    if weakest is not None and weakest[0] < 0.8:
        doubts.append(f"unsure of the {weakest[1].replace('_', ' ')} '{clean(weakest[2])[:40]}' ({weakest[0]:.2f})")
    return Reading([Citation(chunk, work=work, locator=locator, leadin=leadin)], confidence, doubts, fields, sure)
