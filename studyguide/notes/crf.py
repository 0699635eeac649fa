"""The sequence labeller: a linear-chain CRF (python-crfsuite) over the tokens of one citation.

Why a CRF rather than a bigger grammar: a note's fields are told apart by local evidence that
combines softly — italics, quotation marks, a comma before a year, "ed." after a name, a word from
the archive lexicon — and a CRF weighs all of it at once, learned from labelled notes, and gives a
probability for every token's label. That probability is the importer's confidence, so doubt is
measured, not guessed. The model is small (a few hundred kB), ships in the package
(``data/notes.crfsuite``) and is trained deterministically by ``python -m studyguide.notes.train``.

Tokens keep their character offsets so that fields are cut from the original text. Features are
the token's shape and lexicon hits (``data/lexicon.yaml``), its context (inside italics, quotes,
parentheses or brackets; commas before it) and the same for its neighbours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data"
MODEL = DATA / "notes.crfsuite"
TOKEN_RE = re.compile(r"<?https?://[^\s<>]+?>?(?=[.,;)]?(?:\s|$))|<?www\.[^\s<>]+?>?(?=[.,;)]?(?:\s|$))"
                      r"|[^\W_]+(?:['’][^\W_]+)*|\S")


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(0), m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


@lru_cache(maxsize=1)
def lexicon() -> dict[str, set[str]]:
    raw = yaml.safe_load((DATA / "lexicon.yaml").read_text(encoding="utf-8"))
    out: dict[str, set[str]] = {}
    for key, value in raw.items():
        words = value.keys() if isinstance(value, dict) else value
        out[key] = {w.lower() for item in words for w in str(item).replace(".", " . ").split() if w != "."}
        out[key + "_phrases"] = {str(item).lower() for item in words}
    return out


def _shape(w: str) -> str:
    s = re.sub(r"[A-ZÀ-ÖØ-ÞĐ]", "X", w)
    s = re.sub(r"[a-zß-öø-ÿ\u0100-\u024f\u1e00-\u1eff]", "x", s)
    s = re.sub(r"\d", "d", s)
    return re.sub(r"(.)\1{2,}", r"\1\1", s)


def _word_features(tok: Token, lex: dict[str, set[str]]) -> dict[str, float | str]:
    w = tok.text
    lw = w.lower()
    f: dict[str, float | str] = {"w": lw, "shape": _shape(w)[:6]}
    if len(w) > 3:
        f["suf3"] = lw[-3:]
        f["pre3"] = lw[:3]
    if w[0].isupper():
        f["cap"] = 1.0
    if w.isupper() and len(w) > 1:
        f["upper"] = 1.0
    if w.isascii() and w.isdigit():
        f["digit"] = 1.0
        f["ndig"] = str(min(len(w), 5))
        if len(w) == 4 and 1800 <= int(w) <= 2099:
            f["year"] = 1.0
    if re.fullmatch(r"\d+(?:st|nd|rd|th)", lw):
        f["ordinal"] = 1.0
    if re.fullmatch(r"[ivxlc]+", lw) and len(w) < 6:
        f["roman"] = 1.0
    if w.startswith(("http", "<http", "www", "<www")):
        f["url"] = 1.0
    for key in ("archival_units", "archive_words", "archive_abbreviations", "publisher_words", "places", "newspapers",
                "journal_words", "role_words", "leadin_words", "document_words", "thesis_words", "report_words",
                "months", "family_first_surnames", "magazines"):
        if lw in lex[key]:
            f["lex_" + key] = 1.0
    return f


def features(text: str, tokens: list[Token]) -> list[dict[str, float | str]]:
    """CRF features of every token of one citation."""
    lex = lexicon()
    base = [_word_features(t, lex) for t in tokens]
    italic = quote_d = quote_s = False
    paren = bracket = 0
    commas = 0
    ctx: list[dict[str, float | str]] = []
    for i, t in enumerate(tokens):
        w = t.text
        if w == "*":
            italic = not italic
        elif w in "“" or (w == '"' and not quote_d):
            quote_d = True
        elif w in "”" or (w == '"' and quote_d):
            quote_d = False
        elif w == "‘" or (w == "'" and i and tokens[i - 1].end < t.start):
            quote_s = True
        elif w == "’" and quote_s and (i + 1 == len(tokens) or tokens[i + 1].start > t.end
                                       or tokens[i + 1].text in ",.;:"):
            quote_s = False
        elif w == "(":
            paren += 1
        elif w == ")":
            paren = max(0, paren - 1)
        elif w == "[":
            bracket += 1
        elif w == "]":
            bracket = max(0, bracket - 1)
        c: dict[str, float | str] = {"bias": 1.0, "pos": str(min(i, 6)), "fromend": str(min(len(tokens) - 1 - i, 6)),
                                     "commas": str(min(commas, 6))}
        if italic:
            c["italic"] = 1.0
        if quote_d or quote_s:
            c["quoted"] = 1.0
        if paren:
            c["paren"] = 1.0
        if bracket:
            c["bracket"] = 1.0
        if i + 1 < len(tokens) and tokens[i + 1].start == t.end:
            c["glued_next"] = 1.0
        if w == ",":
            commas += 1
        ctx.append(c)
    # Role words ("ed.", "trans.") decide between author, editor and translator for a whole list
    # of names, beyond the reach of neighbour features: mark the names before and after one.
    roles = lex["role_words"]
    title_at = next((i for i, t in enumerate(tokens) if t.text in ("*", "“", '"', "‘")), len(tokens))
    ahead = next((tokens[i].text.lower() for i in range(title_at) if tokens[i].text.lower() in roles), "")
    last_role = ""
    for i, t in enumerate(tokens):
        lw = t.text.lower()
        if lw in roles:
            last_role = lw
        elif t.text in ("(", "*", "“", '"', ";", ")") or lw in ("in",):
            last_role = ""
        if last_role:
            ctx[i]["role_before"] = last_role
        if i < title_at and ahead:
            ctx[i]["role_ahead"] = ahead
        if i > title_at:
            ctx[i]["after_title"] = 1.0
    out = []
    for i in range(len(tokens)):
        f = dict(base[i])
        f.update(ctx[i])
        for off in (-2, -1, 1, 2):
            j = i + off
            if 0 <= j < len(tokens):
                for k in ("w", "shape", "cap", "digit", "year", "lex_archival_units", "lex_archive_words",
                          "lex_archive_abbreviations", "lex_publisher_words", "lex_places", "lex_role_words",
                          "lex_months", "lex_document_words", "lex_leadin_words", "lex_newspapers", "url"):
                    if k in base[j]:
                        f[f"{off}:{k}"] = base[j][k]
                if abs(off) == 1:
                    for k in ("italic", "quoted", "paren"):
                        if k in ctx[j]:
                            f[f"{off}:{k}"] = 1.0
            else:
                f[f"{off}:edge"] = 1.0
        out.append(f)
    return out


@dataclass
class Labelled:
    """A citation's tokens with their labels and each label's marginal probability."""

    text: str
    tokens: list[Token]
    labels: list[str]
    marginals: list[float]

    def confidence(self) -> float:
        """The least certain token decides (a product would punish long notes)."""
        return min(self.marginals, default=0.0)


@lru_cache(maxsize=1)
def _tagger():
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(MODEL))
    return tagger


def model_available() -> bool:
    return MODEL.exists()


def label(text: str) -> Labelled:
    tokens = tokenize(text)
    if not tokens:
        return Labelled(text, [], [], [])
    tagger = _tagger()
    tagger.set(features(text, tokens))
    labels = tagger.tag()
    marginals = [tagger.marginal(lab, i) for i, lab in enumerate(labels)]
    return Labelled(text, tokens, list(labels), marginals)
