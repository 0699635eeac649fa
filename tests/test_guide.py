"""The real guide: every citation in content/ and data/ resolves in the imported bibliography."""

from __future__ import annotations

from pathlib import Path

import pytest

from studyguide.bibliography import write_csl_json
from studyguide.config import load_book
from studyguide.content import find_citations, read_text
from studyguide.notes import import_notes
from tests.support import REPO


@pytest.fixture(scope="module")
def guide(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, set[str]]:
    """The guide's configuration and the keys of its bibliography, imported into a temporary build."""
    book = load_book(REPO)
    out = tmp_path_factory.mktemp("bib")
    import_notes(list(book.notes), out / "notes.bib", out / "concordance.json", book.hand_bib, book.names)
    write_csl_json([out / "notes.bib", book.hand_bib], out / "bibliography.json")
    import json

    keys = {e["id"] for e in json.loads((out / "bibliography.json").read_text(encoding="utf-8"))}
    return book, keys


def cited(book: object) -> dict[str, list[str]]:
    uses: dict[str, list[str]] = {}
    sources = [p.source for p in book.parts if p.kind != "generated"] + sorted((REPO / "data").glob("*.yaml"))
    for source in sources:
        for use in find_citations(read_text(source)):
            uses.setdefault(use.key, []).append(f"{Path(source).relative_to(REPO)}:{use.line}")
    return uses


def test_every_citation_key_resolves(guide: tuple[object, set[str]]) -> None:
    book, keys = guide
    unknown = {key: places for key, places in cited(book).items() if key not in keys}
    assert not unknown, unknown
