"""Label the three sources' notes for training, from the grammar's checked reading of them.

    .venv/bin/python -m tests.notes.corpus.sources      # writes tests/notes/corpus/train/sources.jsonl

The grammar (classify/archive) reads the sources' notes exactly as tests/notes/test_sources.py
and the round trip check; each field it read is found back in the note's text and its characters
labelled, so the labeller learns these styles too (the reference-list and web-essay styles of two
of them occur nowhere else). They are training material only: the benchmark never scores them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from studyguide.errors import Collector
from studyguide.notes.classify import Context, ParseError, parse_citation
from studyguide.notes.names import NameTable
from studyguide.notes.segment import split_citations
from studyguide.notes.split import read_notes
from studyguide.notes.text import DATE_RE

ROOT = Path(__file__).resolve().parents[3]
SOURCES = [ROOT / "bib" / "notes" / f"{n}.txt" for n in ("radchenko", "essay2017", "nguyen2019")]
OUT = Path(__file__).resolve().parent / "train" / "sources.jsonl"


def _find(text: str, value: str, start: int = 0) -> tuple[int, int] | None:
    if not value:
        return None
    v = value.strip()
    for candidate in (v, v.rstrip("."), v.split(" [")[0]):
        i = text.find(candidate, start)
        if i < 0:
            i = text.find(candidate)
        if i >= 0 and candidate:
            return i, i + len(candidate)
    return None


def label_chunk(chunk: str, ctx: Context) -> list[tuple[int, int, str]]:
    cits = parse_citation(chunk, ctx)
    spans: list[tuple[int, int, str]] = []
    taken = [False] * len(chunk)

    def mark(value: str, label: str, start: int = 0) -> None:
        at = _find(chunk, value, start)
        if at and not any(taken[at[0]:at[1]]):
            spans.append((at[0], at[1], label))
            for i in range(*at):
                taken[i] = True

    for c in cits:
        if c.leadin:
            mark(c.leadin, "prefix")
        if c.ref is not None and c.ref.kind == "ibid":
            m = re.match(r"ibid\.?", chunk, re.I)
            if m:
                mark(m.group(0), "ibid")
        w = c.work
        if w is not None:
            for role, people in (("author", w.authors), ("editor", w.editors or w.container_editors),
                                 ("translator", w.translators)):
                for p in people:
                    for part in (p.family, p.given):
                        for piece in part.split():
                            mark(piece, role)
            mark(w.title.split(" [")[0], "title")
            mark(w.description, "description")
            for attr, label in (("container", "container"), ("publisher", "publisher"), ("place", "place"),
                                ("volume", "volume"), ("issue", "issue"), ("series", "series"), ("genre", "genre"),
                                ("archive", "archive"), ("archive_location", "archive_location"),
                                ("archive_place", "archive_place"), ("url", "url")):
                mark(getattr(w, attr), label)
            if w.archive_abbrev:
                mark(w.archive_abbrev, "archive")
            for m in DATE_RE.finditer(chunk):
                if w.date and m.group(0)[-4:] == w.date[:4]:
                    mark(m.group(0), "date", m.start())
                    break
        elif c.ref is not None and c.ref.kind == "short":
            for n in c.ref.names:
                for piece in n.split():
                    mark(piece, "author")
            mark(c.ref.title, "title")
            if c.ref.archival is not None:
                mark(c.ref.archival.description, "description")
                for m in DATE_RE.finditer(chunk):
                    mark(m.group(0), "date", m.start())
                    break
        if c.locator:
            i = chunk.rfind(c.locator)
            if i >= 0 and not any(taken[i:i + len(c.locator)]):
                spans.append((i, i + len(c.locator), "locator"))
    return spans


def main() -> None:
    table = NameTable.load(ROOT / "bib" / "names.yaml")
    rows = []
    for path in SOURCES:
        nf = read_notes(path, Collector())
        ctx = Context(table, source_author=nf.header.get("author", ""))
        for note in nf.notes:
            if note.text.lower().startswith("(not a citation"):
                continue
            ctx.note_works = []
            pos = 0
            spans: list[tuple[int, int, str]] = []
            for chunk in split_citations(note.text):
                at = note.text.find(chunk, pos)
                if at < 0:
                    continue
                pos = at + len(chunk)
                try:
                    found = label_chunk(chunk, ctx)
                except ParseError:
                    continue
                spans += [(a + at, b + at, lab) for a, b, lab in found]
            rows.append({"doc": f"source-{path.stem}", "n": int(note.number), "style": "source", "text": note.text,
                         "spans": sorted(spans), "citations": []})
    with OUT.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"{len(rows)} source notes -> {OUT}")


if __name__ == "__main__":
    main()
