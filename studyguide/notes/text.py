"""Small text helpers shared by the parsers: ASCII folding, top-level splitting, dates.

Notes nest quotations, parentheses, brackets, URLs in angle brackets and *italics*; a separator
only counts outside all of them, so every splitter here goes through :func:`top_level`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

_SPECIAL = str.maketrans({"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss",
                          "æ": "ae", "Æ": "AE", "œ": "oe", "ı": "i", "е": "e"})  # last: Cyrillic е seen in R2
MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
MONTH_RE = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
DATE_RE = re.compile(rf"\b(?:(?P<m1>{MONTH_RE})\s+(?P<d1>\d{{1,2}}),\s*(?P<y1>\d{{4}})"
                     rf"|(?P<d2>\d{{1,2}})\s+(?P<m2>{MONTH_RE})\s+(?P<y2>\d{{4}})"
                     rf"|(?P<m3>{MONTH_RE})\s+(?P<y3>\d{{4}})"
                     rf"|(?P<y4>(?:1[89]|20)\d\d))\b")
OPEN = {"(": ")", "[": "]", "<": ">", "“": "”"}
CLOSE = {v: k for k, v in OPEN.items()}


def fold(text: str) -> str:
    """ASCII-fold and lower-case: 'Hồ Chí Minh' -> 'ho chi minh'. Keys and comparisons use it."""
    text = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def alnum(text: str) -> str:
    """Folded letters and digits only: the form two spellings of one title are compared in."""
    return re.sub(r"[^a-z0-9]", "", fold(text.replace("&", " and ")))


def clean(text: str) -> str:
    """Collapse whitespace (including no-break spaces) and trim separators at the ends."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip().strip(",;").strip()


def top_level(text: str) -> Iterator[tuple[int, str]]:
    """Yield (index, char) for characters outside quotes, brackets, <URLs> and *italics*."""
    stack: list[str] = []
    straight = italic = False
    for i, c in enumerate(text):
        if c in OPEN and not (c == "<" and not text.startswith(("<http", "<www"), i)):
            stack.append(OPEN[c])
            continue
        if stack and c == stack[-1]:
            stack.pop()
            continue
        if c == '"' and not stack:
            straight = not straight
            continue
        if c == "*" and not stack:
            italic = not italic
            continue
        if not stack and not straight and not italic:
            yield i, c


def split_top(text: str, sep: str = ",") -> list[str]:
    """Split on a one-character separator outside any nesting; parts are cleaned."""
    cuts = [i for i, c in top_level(text) if c == sep]
    parts, start = [], 0
    for i in cuts:
        parts.append(text[start:i])
        start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def parse_date(text: str) -> tuple[str, re.Match[str] | None]:
    """The first date in ``text`` as ISO 8601 ('August 17, 1961' -> '1961-08-17'), and its match."""
    m = DATE_RE.search(text)
    if not m:
        return "", None
    g = m.groupdict()
    year = g["y1"] or g["y2"] or g["y3"] or g["y4"]
    month = g["m1"] or g["m2"] or g["m3"]
    day = g["d1"] or g["d2"]
    iso = year
    if month:
        iso += f"-{MONTHS[month.lower()]:02d}"
        if day:
            iso += f"-{int(day):02d}"
    return iso, m


def is_date(text: str) -> bool:
    """True when ``text`` is a date and nothing else."""
    _, m = parse_date(text)
    return bool(m) and clean(text.replace(m.group(0), "")).strip(".") == ""


def strip_italics(text: str) -> str:
    return text.replace("*", "")


def unquote(text: str) -> str:
    """Remove one pair of enclosing quotation marks and a comma or period just inside them."""
    t = text.strip()
    if len(t) >= 2 and t[0] in "“\"" and t[-1] in "”\"":
        t = t[1:-1]
    return t.rstrip(",.").strip()
