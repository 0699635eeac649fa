"""Persons' names: which word is the family name, and in which order a name is written.

"Chen Jian" and "Qiang Zhai" look alike but are ordered differently. The sources give evidence
(surname-first reference lists, "Family, Given" with a comma); ``bib/names.yaml`` settles the rest
in a small documented table. Everything name-related that is data, not grammar, lives there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from studyguide.errors import StudyguideError
from studyguide.notes.model import Person
from studyguide.notes.text import clean, fold

_ETAL = re.compile(r"\s*,?\s*\bet al\.?", re.I)
_ROLE = re.compile(r"\s*\((?:eds?\.|trans\.)\)\s*$", re.I)
_PARTICLE = re.compile(r"^(?:(?P<given>.+?)\s+)?(?P<family>(?:(?:van|von|de|der|den|du|da|di|del|della|ten|ter)\s+)+"
                       r"[A-ZÀ-ÖØ-Þ][\w’'-]+)$")


@dataclass
class NameTable:
    """The contents of bib/names.yaml, with folded lookups."""

    family_first: set[str] = field(default_factory=set)
    given_first: set[str] = field(default_factory=set)
    surnames: set[str] = field(default_factory=set)
    titles: list[str] = field(default_factory=list)
    organizations: dict[str, str] = field(default_factory=dict)
    proper_nouns: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path | None) -> NameTable:
        if path is None:
            return cls()
        from studyguide import yamlfile

        # Composed with the line of every value, so that a wrong type is reported where it is.
        located = yamlfile.load(Path(path), what="cannot read the names table")
        data = located.value or {}
        if not isinstance(data, dict):
            raise StudyguideError.at(path, located.line(()), "the names table must be a mapping",
                                     "write 'family_first:', 'given_first:' … as in the example table")

        def names(key: str) -> list[str]:
            value = data.get(key) or []
            if not isinstance(value, list):
                raise StudyguideError.at(path, located.line((key,)), f"'{key}' must be a list of names",
                                         "one '- Name' line per name under it")
            for index, item in enumerate(value):
                if not isinstance(item, str):
                    raise StudyguideError.at(path, located.line((key, index)), f"'{key}' must be a list of names",
                                             f"{item!r} is not a name: put it in quotes")
            return value

        orgs = data.get("organizations") or {}
        if not isinstance(orgs, dict):
            raise StudyguideError.at(path, located.line(("organizations",)),
                                     "'organizations' must map names to key words")
        return cls(
            family_first={fold(n) for n in names("family_first")},
            given_first={fold(n) for n in names("given_first")},
            surnames={fold(n) for n in names("family_first_surnames")},
            titles=sorted(names("titles"), key=len, reverse=True),
            organizations={fold(k): str(v) for k, v in orgs.items()},
            proper_nouns=sorted(names("proper_nouns"), key=len, reverse=True),
        )

    def strip_titles(self, name: str) -> str:
        for t in self.titles:
            name = re.sub(rf"^{re.escape(t)}\s+", "", name)
        return name

    def is_family_first(self, name: str) -> bool | None:
        """True/False when the table knows the name, else None."""
        key = fold(clean(name))
        if key in self.given_first:
            return False
        if key in self.family_first:
            return True
        return None

    def person(self, text: str, *, surname_first: bool = False) -> Person:
        """Parse one name as written.

        'Family, Given' is unambiguous. Otherwise the table decides; failing that, a name whose
        first word is a listed East Asian family name is family-first, and so is any name in a
        surname-first reference list (``surname_first``); else the last word is the family name.
        """
        name = clean(_ROLE.sub("", _ETAL.sub("", text)))
        name = self.strip_titles(name)
        if "," in name:
            family, given = (clean(p) for p in name.split(",", 1))
            return Person(family, given, family_first=bool(self.is_family_first(f"{family} {given}")))
        words = name.split()
        if len(words) == 1:
            return Person(name)
        known = self.is_family_first(name)
        if known is None:
            known = fold(words[0]) in self.surnames or surname_first
        if known:
            return Person(words[0], " ".join(words[1:]), family_first=True)
        particle = _PARTICLE.match(name)
        if particle:  # "Arnold van Gennep": the particle belongs to the family name
            return Person(particle["family"], particle["given"] or "")
        return Person(words[-1], " ".join(words[:-1]))

    def organization(self, text: str) -> Person:
        return Person(clean(text), literal=True)

    def org_key(self, name: str) -> str | None:
        return self.organizations.get(fold(clean(name)))


def split_names(text: str) -> tuple[list[str], bool]:
    """Split 'A, B, and C' / 'A & B' / 'A et al.' into names; the flag says 'et al.' was there."""
    etal = bool(_ETAL.search(text))
    text = _ETAL.sub("", _ROLE.sub("", text))
    parts = re.split(r"\s*,\s*(?:and\s+|&\s+)?|\s+(?:and|&)\s+", clean(text))
    return [clean(p) for p in parts if clean(p)], etal


def looks_like_person(text: str) -> bool:
    """A rough test that ``text`` is one person's name: 1–5 capitalized words or initials."""
    words = clean(text).split()
    return 0 < len(words) <= 5 and all(re.match(r"^[A-ZÀ-ÖØ-ÞĐ][\w’'.\-]*$", w) for w in words)
