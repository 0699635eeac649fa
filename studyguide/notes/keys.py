"""Citation keys: stable, readable, and the same for one work wherever it is cited.

Publications: family name of the first author (else editor) + year + first significant title
word, ASCII-folded (``chen2001mao``, ``luthi2008sinosoviet``). Archival documents: kind + year +
up to two participants' family names (``memcon1961khrushchevho``), or the first title word when
nobody is named (``letter1967questions``). Works with neither author nor editor use their
periodical (``peking1964china``). Equal keys get a, b, … in date order. A work whose title or
URL matches an entry of bib/hand.bib takes that entry's key, so hand.bib, not code, holds the
exceptions (and corrections such as a wrong year never leak into a key).

Word rules: a hyphen joins a compound ("Sino-Soviet" -> sinosoviet), an en dash separates
("Soviet–Vietnam" -> soviet); possessive 's and French elisions are dropped (Mao's -> mao,
L’histoire -> histoire); articles and a few prepositions are skipped.
"""

from __future__ import annotations

import re
from collections import defaultdict

from studyguide.notes.model import Person, Work
from studyguide.notes.names import NameTable
from studyguide.notes.text import alnum, fold

STOPWORDS = {"a", "an", "the", "on", "of", "and", "in", "to", "for", "at", "by", "le", "la", "les", "l", "de",
             "du", "des", "un", "une", "der", "die", "das", "el", "los"}


def title_word(title: str) -> str:
    """The first significant word of a title, folded ('The Sino-Soviet Split' -> 'sinosoviet')."""
    text = re.sub(r"\[[^\]]*\]", " ", title)
    for token in re.split(r"[\s–—/:;,.!?()\"“”‘*]+", text):
        token = re.sub(r"^(?:l|d|qu)['’](?=\w)", "", token, flags=re.I)
        token = re.sub(r"['’]s$", "", token)
        word = re.sub(r"[^a-z0-9]", "", fold(token))
        if word and word not in STOPWORDS and not word[0].isdigit():
            return word
    return ""


def name_word(person: Person, names: NameTable) -> str:
    """The family name for a key; an organization's word from the names table, else all of its
    significant words ('Alpha History' -> 'alphahistory')."""
    if person.literal:
        bare = re.sub(r"\s*\[[^\]]*\]", "", person.family)
        short = names.org_key(bare)
        if short:
            return short
        return "".join(w for w in (alnum(t) for t in bare.split()) if w and w not in STOPWORDS)
    return alnum(person.family)


def base_key(work: Work, names: NameTable) -> str:
    year = work.year if work.year.isdigit() else ""
    if work.type == "archival":
        who = "".join(name_word(p, names) for p in work.participants[:2])
        what = who or title_word(work.title or _untyped(work.description)) or _file_word(work)
        return f"{work.doc_kind or 'doc'}{year}{what}"
    lead = work.lead_names
    head = name_word(lead[0], names) if lead else title_word(work.container) or _host(work.url)
    return f"{head}{year}{title_word(work.title)}" or "untitled"


def _file_word(work: Work) -> str:
    """An undescribed file cited by archive and location ('RGASPI, f. 558, op. 11, d. 70'):
    the archive's abbreviation and the location's first number ('rgaspi558')."""
    initials = "".join(w[0] for w in (alnum(t) for t in work.archive.split()) if w and w not in STOPWORDS)
    archive = alnum(work.archive_abbrev) or (initials if len(work.archive.split()) > 1 else alnum(work.archive))
    number = re.search(r"\d+", work.archive_location)
    return archive + (number.group(0) if number else "")


def _untyped(description: str) -> str:
    return re.sub(r"^[^,]*,", "", description)


def _host(url: str) -> str:
    m = re.match(r"(?:https?://)?(?:www\.)?([^/.]+)", url)
    return alnum(m.group(1)) if m else ""


def normalize_url(url: str) -> str:
    return re.sub(r"^(?:https?://)?(?:www\.)?", "", url.strip()).rstrip("/").lower()


def match_hand(work: Work, hand: dict[str, dict[str, str]]) -> str | None:
    """The hand.bib key whose entry has this work's URL or title (authors agreeing, unless one
    side names only a website)."""
    for key in sorted(hand):
        fields = hand[key]
        if work.url and fields.get("url") and normalize_url(work.url) == normalize_url(fields["url"]):
            return key
        title = fields.get("title", "")
        if title and work.title and alnum(title.replace("{", "").replace("}", "")) == alnum(work.title):
            authors = fields.get("author", "") + fields.get("editor", "")
            lead = work.lead_names
            if not authors or not lead or lead[0].literal or alnum(lead[0].family) in alnum(authors):
                return key
    return None


def assign_keys(works: list[Work], names: NameTable, hand: dict[str, dict[str, str]]) -> dict[int, str]:
    """Key for every work (by ``id(work)``); collisions are suffixed a, b, … in date order.

    A hand.bib entry whose key equals a work's generated key, and that no other work claimed by
    title or URL, is a correction of that work (``thayer2012review``) and keeps the key."""
    keys: dict[int, str] = {}
    groups: dict[str, list[Work]] = defaultdict(list)
    for work in works:
        matched = match_hand(work, hand)
        if matched:
            keys[id(work)] = matched
        else:
            groups[base_key(work, names)].append(work)
    claimed = set(keys.values())
    for base, group in groups.items():
        if len(group) == 1 and base not in claimed:  # a hand entry under this key corrects this work
            keys[id(group[0])] = base
            continue
        ordered = sorted(group, key=lambda w: (w.date or "9999", works.index(w)))
        for i, work in enumerate(ordered):
            keys[id(work)] = base + _suffix(i)
    return keys


def _suffix(i: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[i] if i < 26 else letters[i // 26 - 1] + letters[i % 26]
