"""The back-matter templates of the theme (glossary, concordance), rendered and read back by pandoc."""

from __future__ import annotations

from pathlib import Path

import pypandoc

from studyguide.render import render, short_title

THEME = Path(__file__).resolve().parent.parent / "studyguide" / "theme"


def to_html(markdown: str) -> str:
    return " ".join(pypandoc.convert_text(markdown, "html5", format="markdown", extra_args=["--wrap=none"]).split())


def test_every_glossary_entry_is_a_headword() -> None:
    data = [{"term": f"Term {n}", "definition": f"What term {n} means.", **({"cite": "@key"} if n % 2 else {})}
            for n in range(1, 8)]
    html = to_html(render(THEME, "back/glossary.md.j2", data=data, book={}, part={"title": None, "intro": None}))
    assert html.count("<dt>") == len(data) and html.count("<dd>") == len(data)


UNTITLED = {"id": "memcon1961", "type": "manuscript", "genre": "Memcon, Khrushchev and Hồ Chí Minh",
            "archive": "Russian State Archive of Contemporary History (Rossiiskii gosudarstvennyi arkhiv noveishei istorii)",
            "archive-place": "Moscow", "issued": {"date-parts": [[1961, 8, 17]]}}
BOOK = {"id": "chen2001", "type": "book", "title": "Mao's China and the Cold War",
        "author": [{"family": "Chen", "given": "Jian"}]}


def test_an_untitled_source_is_described_not_left_empty() -> None:
    assert short_title(UNTITLED) == ("Memcon, Khrushchev and Hồ Chí Minh, August 17, 1961, "
                                     "Russian State Archive of Contemporary History, Moscow")
    assert short_title(BOOK) == "Chen, *Mao's China and the Cold War*"


def test_the_concordance_shows_descriptions_and_no_keys() -> None:
    concordance = [{"file": "bib/notes/a.txt", "note": "1",
                    "citations": [{"key": "memcon1961", "locator": "fol. 3"}, {"key": "chen2001", "locator": "12"}]}]
    text = render(THEME, "back/concordance.md.j2", concordance=concordance,
                  entries={e["id"]: e for e in (UNTITLED, BOOK)}, book={}, part={"title": None, "intro": None}, notes_titles={})
    html = to_html(text)
    assert "“”" not in html and "memcon1961" not in html and "chen2001" not in html
    assert "<td style=\"text-align: left;\">Memcon, Khrushchev and Hồ Chí Minh, August 17, 1961," in html
    assert "fol.\xa03" in html or "fol. 3" in html
