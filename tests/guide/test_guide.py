"""The real guide: every citation in content/ and data/ resolves in the imported bibliography."""

from __future__ import annotations

from pathlib import Path

import pytest

from studyguide import sandbox
from studyguide.bibliography import write_csl_json
from studyguide.config import load_book
from studyguide.content import book_citations
from studyguide.notes import import_notes
from tests.support import REPO


@pytest.fixture(scope="module")
def guide(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, set[str]]:
    """The guide's configuration and the keys of its bibliography, imported into a temporary build."""
    book = load_book(REPO)
    sandbox.trust_caller()  # the harness imports the guide's notes into a temporary folder outside it
    out = tmp_path_factory.mktemp("bib")
    import_notes(list(book.notes), out / "notes.bib", out / "concordance.json", book.hand_bib, book.names)
    write_csl_json([out / "notes.bib", book.hand_bib], out / "bibliography.json")
    import json

    keys = {e["id"] for e in json.loads((out / "bibliography.json").read_text(encoding="utf-8"))}
    return book, keys


def cited(book: object) -> dict[str, list[str]]:
    uses: dict[str, list[str]] = {}
    for source, use in book_citations(book.citing_files()):
        uses.setdefault(use.key, []).append(f"{Path(source).relative_to(REPO)}:{use.line}")
    return uses


def test_every_citation_key_resolves(guide: tuple[object, set[str]]) -> None:
    book, keys = guide
    unknown = {key: places for key, places in cited(book).items() if key not in keys}
    assert not unknown, unknown


def ast(path: Path) -> dict:
    """pandoc's AST of a Markdown file (no citeproc: only structure is counted)."""
    import json
    import subprocess

    from studyguide.pandoc import pandoc_binary

    out = subprocess.run([pandoc_binary(), str(path), "-f", "markdown", "-t", "json"], capture_output=True, check=True)
    return json.loads(out.stdout)


def walk(node: object, visit: object, classes: tuple[str, ...] = ()) -> None:
    """Call visit(block, enclosing div classes) for every block, depth first."""
    if isinstance(node, list):
        for item in node:
            walk(item, visit, classes)
    elif isinstance(node, dict) and "t" in node:
        visit(node, classes)
        if node["t"] == "Div":
            walk(node["c"][1], visit, classes + tuple(node["c"][0][1]))
        elif node["t"] in ("BulletList", "OrderedList"):
            items = node["c"] if node["t"] == "BulletList" else node["c"][1]
            walk(items, visit, classes)
        elif node["t"] == "BlockQuote":
            walk(node["c"], visit, classes)


CHAPTER_PARTS = ("overview", "key-questions", "primary-source", "disagree", "summary", "key-terms", "review")


def test_every_chapter_has_its_promised_parts(guide: tuple[object, set[str]]) -> None:
    book, _ = guide
    chapters = book.chapters()
    assert len(chapters) == 8
    for chapter in chapters:
        counts: dict[str, int] = {}
        questions: list[int] = []

        def visit(block: dict, classes: tuple[str, ...], counts: dict[str, int] = counts,
                  questions: list[int] = questions) -> None:
            if block["t"] == "Div":
                for cls in block["c"][0][1]:
                    counts[cls] = counts.get(cls, 0) + 1
            if block["t"] == "Header" and block["c"][0] == 2:
                counts["section"] = counts.get("section", 0) + 1
            if block["t"] == "OrderedList" and "review" in classes:
                for item in block["c"][1]:
                    answers = [b for b in item if b["t"] == "Div" and "answer" in b["c"][0][1]]
                    questions.append(len(answers))

        walk(ast(chapter.source)["blocks"], visit)
        missing = [part for part in CHAPTER_PARTS if not counts.get(part)]
        assert not missing, f"{chapter.source.name} lacks {missing}"
        assert counts.get("section", 0) >= 3, chapter.source.name
        assert len(questions) >= 6 and all(n == 1 for n in questions), f"{chapter.source.name}: answers {questions}"


def test_back_matter_has_what_the_guide_promises() -> None:
    import yaml

    data = {name: yaml.safe_load((REPO / "data" / f"{name}.yaml").read_text(encoding="utf-8"))
            for name in ("timeline", "people", "glossary", "questions")}
    assert len(data["timeline"]) >= 50 and all(e.get("cite") for e in data["timeline"])
    assert len(data["people"]) >= 30
    terms = {t["term"].split(" ")[0].lower().strip("()/") for t in data["glossary"]}
    assert len(data["glossary"]) >= 40
    for term in ("fond", "opis", "delo", "list", "memcon", "rgani", "avprf", "cwihp"):
        assert any(t.startswith(term) for t in terms), term
    assert data["questions"]["essay"] and all(q.get("answer") for q in data["questions"]["essay"])
    assert all(q.get("answer") for s in data["questions"]["dbq"] for q in s["questions"])


EXEMPT = {"key-questions", "objectives", "review", "teacher-note", "figure-ref"}


def test_every_factual_paragraph_cites_a_source_and_most_entries_are_cited(guide: tuple[object, set[str]]) -> None:
    book, keys = guide
    uncited: list[str] = []
    for part in book.parts:
        if part.kind != "chapter":
            continue

        def visit(block: dict, classes: tuple[str, ...], part: object = part) -> None:
            if block["t"] != "Para" or EXEMPT & set(classes):
                return
            if len(block["c"]) == 1 and block["c"][0]["t"] == "Strong":
                return  # a label such as "Think about it", not a statement
            text = json.dumps(block)
            if '"Cite"' not in text:
                uncited.append(f"{part.source.name}: {text[:80]}")

        import json

        walk(ast(part.source)["blocks"], visit)
    assert not uncited, uncited[:10]
    notes_keys = {k for k in keys if not k.startswith(("radchenkovietnam", "essay2017", "nguyen2019alliance",
                                                       "radchenko2018why"))}
    used = set(cited(book))
    share = len(notes_keys & used) / len(notes_keys)
    never = sorted(notes_keys - used)
    assert share >= 0.8, f"only {share:.0%} of the imported entries are cited; never cited: {never}"


def test_questions_carry_a_mark_scheme_and_real_document_work() -> None:
    """Issue 14: levels-based mark schemes for every essay and document question; document sets of five
    or six documents with at least one longer excerpt and an origin–purpose–value–limitation question."""
    import yaml

    data = yaml.safe_load((REPO / "data" / "questions.yaml").read_text(encoding="utf-8"))
    levels = data["levels"]
    assert "essay" in levels and all(band["descriptor"] for bands in levels.values() for band in bands)
    assert all(q.get("indicative") for q in data["essay"]), "every essay lists indicative content"
    for s in data["dbq"]:
        assert 5 <= len(s["documents"]) <= 6, s["title"]
        assert any(d.get("form") == "excerpt" for d in s["documents"]), f"{s['title']}: no longer excerpt"
        assert all(q.get("kind") in levels for q in s["questions"]), s["title"]
        assert any(q["kind"] == "opvl" for q in s["questions"]), f"{s['title']}: no OPVL question"
