"""The review report of a notes import, and the build's check that no cited entry awaits review.

An import writes, next to its .bib, ``NAME.review.txt`` (for people: where each doubtful citation
is, what was read, why it is doubtful) and ``NAME.review.json`` (the same, for the build). An
entry *awaits review* when a citation read with low confidence made it and ``bib/hand.bib`` has
no entry under its key; the build stops only when the text cites such an entry. Kept free of the
parser's imports, so that the task definitions and the pandoc stage can use it cheaply.
"""

from __future__ import annotations

import json
from pathlib import Path

from studyguide.errors import Collector

HOW = "check it, then put the entry, corrected, into bib/hand.bib under the same key to accept it"


def review_paths(bib: Path) -> tuple[Path, Path]:
    """Where the review report of ``bib`` goes: NAME.review.txt and NAME.review.json."""
    bib = Path(bib)
    return bib.with_name(bib.stem + ".review.txt"), bib.with_name(bib.stem + ".review.json")


def render_review(items: list[dict]) -> str:
    """The review report for people: where, what was read, why it is doubtful, how to settle it."""
    if not items:
        return "# Review report of the notes import: nothing to review.\n"
    lines = ["# Review report of the notes import: citations read with low confidence.",
             f"# To settle one: {HOW}. The build stops only when the text cites an entry",
             "# still 'awaiting review'; 'link' items are citations whose work was read with confidence.", ""]
    for item in items:
        state = "awaiting review" if item["blocking"] else "settled by bib/hand.bib" if item.get("settled") else "link"
        lines.append(f"{item['file']}:{item['line']}: note {item['note']}: {item['key']} ({state}, confidence "
                     f"{item['confidence']:.2f})")
        lines.append(f"    note text: {item['text']}")
        if item.get("read"):
            lines.append(f"    read as:   {item['read']}")
        lines.append(f"    doubtful:  {item['why']}")
        lines.append("")
    return "\n".join(lines)


def awaiting_review(bib: Path) -> dict[str, dict]:
    """Keys of ``bib`` still awaiting review, each with the first item that put it there."""
    _, js = review_paths(bib)
    if not js.exists():
        return {}
    out: dict[str, dict] = {}
    for item in json.loads(js.read_text(encoding="utf-8")):
        if item["blocking"]:
            out.setdefault(item["key"], item)
    return out


def check_cited(path: Path, uses, notes_bib: Path, collector: Collector) -> None:
    """An error for every citation of ``path`` (``uses``: objects with .key and .line) that cites an
    imported entry still awaiting review according to the review report of ``notes_bib``."""
    waiting = awaiting_review(Path(notes_bib))
    for use in uses:
        item = waiting.get(use.key)
        if item:
            collector.error(path, use.line, f"'{use.key}' is an imported entry awaiting review "
                            f"({item['file']}:{item['line']}: {item['why']})", HOW)
