"""Benchmark of the footnote importer (issue 13): precision and recall on the held-out notes.

    python bench/notes_benchmark.py [--split heldout] [--out bench/NOTES_RESULTS.md] [--errors 20]

Each corpus document (tests/notes/corpus/SPLIT/notes.jsonl, grouped by ``doc``) is written as a
notes file and imported exactly as ``studyguide notes`` does (both readers, resolution of Ibid.
and short forms); every citation is then compared with its record:

* a full citation, field by field (type, names as family-name lists, title, container, imprint,
  volume/issue, date, URL, the archive's name, location and place, the description, the locator);
* a short form or Ibid., by its target (the work its record's full citation became) and locator.

Values are compared folded (case, accents, punctuation and spacing aside). Precision of a field:
correct values among those the importer gave; recall: correct values among those the record has.
A citation is fully right when every field of its record is right and nothing extra was read.
Also reported: the share of doubtful citations (confidence under the review threshold) among
right and wrong ones — the review report should catch the wrong ones.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from studyguide.errors import Collector  # noqa: E402
from studyguide.notes.importer import THRESHOLD, parse_file  # noqa: E402
from studyguide.notes.model import Work  # noqa: E402
from studyguide.notes.names import NameTable  # noqa: E402
from studyguide.notes.resolve import resolve  # noqa: E402
from studyguide.notes.text import alnum  # noqa: E402

CORPUS = REPO / "tests" / "notes" / "corpus"
FIELDS = ["type", "author", "editor", "translator", "title", "container", "publisher", "place", "series", "genre",
          "volume", "issue", "number", "edition", "date", "url", "archive", "archive_location", "archive_place",
          "description", "locator", "target"]
TYPES = {"collection": "book"}


def predicted_fields(work: Work) -> dict[str, object]:
    """The fields of a work in the corpus's terms."""
    typ = TYPES.get(work.type, work.type)
    out: dict[str, object] = {"type": typ}

    def fam(people) -> list[str]:
        return [p.family for p in people]

    if work.authors:
        out["author"] = fam(work.authors)
    eds = work.container_editors if typ == "chapter" else work.editors
    if eds:
        out["editor"] = fam(eds)
    if work.translators:
        out["translator"] = fam(work.translators)
    for name in ("title", "container", "publisher", "place", "series", "genre", "volume", "issue", "number",
                 "edition", "date", "url", "archive", "archive_location", "archive_place", "description"):
        value = getattr(work, name, "")
        if value:
            out[name] = value
    if typ == "archival" and work.container_editors and "editor" not in out:
        out["editor"] = fam(work.container_editors)
    return out


def norm(name: str, value: object) -> object:
    if isinstance(value, list):
        return [alnum(str(v)) for v in value]
    text = str(value)
    if name == "url":
        return re.sub(r"^(?:https?://)?(?:www\.)?", "", text).rstrip("/").lower()
    if name == "locator":
        text = re.sub(r"^(?:pp?\.|pg\.?|pages?)\s*", "", text.strip(), flags=re.I)
    return alnum(text)


def same(name: str, gold: object, pred: object) -> bool:
    g, p = norm(name, gold), norm(name, pred)
    if name == "date" and isinstance(g, str) and isinstance(p, str):
        return p.startswith(g)
    return g == p


def write_docs(rows: list[dict], folder: Path) -> dict[str, Path]:
    docs: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        docs[row["doc"]].append(row)
    paths = {}
    for doc, notes in docs.items():
        path = folder / f"{doc}.txt"
        path.write_text("".join(f"{n['n']} {n['text']}\n\n" for n in sorted(notes, key=lambda n: n["n"])), encoding="utf-8")
        paths[doc] = path
    return paths


class Tally:
    def __init__(self) -> None:
        self.gold = defaultdict(int)
        self.pred = defaultdict(int)
        self.right = defaultdict(int)

    def add(self, name: str, gold: bool, pred: bool, right: bool) -> None:
        self.gold[name] += gold
        self.pred[name] += pred
        self.right[name] += right


def evaluate(split: str = "heldout", names_yaml: Path | None = REPO / "bib" / "names.yaml", errors: int = 0) -> dict:
    path = CORPUS / "real" / "real.jsonl" if split == "real" else CORPUS / split / "notes.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    table = NameTable.load(names_yaml)
    fields = Tally()
    by_type: dict[str, list[bool]] = defaultdict(list)
    field_by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    doubt = {"right": [0, 0], "wrong": [0, 0]}  # [doubtful, all]
    wrong_examples: list[str] = []
    pairs: list[tuple[float, bool]] = []  # (confidence, fully right) of every citation
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_docs(rows, Path(tmp))
        by_doc: dict[str, dict[int, dict]] = defaultdict(dict)
        for row in rows:
            by_doc[row["doc"]][row["n"]] = row
        for doc, path in sorted(paths.items()):
            nf = parse_file(path, table, Collector())
            resolve(nf.notes)
            first_work: dict[str, int] = {}
            last_locator = ""
            for note in nf.notes:
                row = by_doc[doc][int(note.number)]
                for k, gold in enumerate(row["citations"]):
                    cit = note.citations[k] if k < len(note.citations) and not note.error else None
                    kind = gold["kind"]
                    if kind == "ibid" and not gold.get("locator"):  # a bare Ibid. repeats the page too
                        gold = {**gold, "locator": last_locator}
                    last_locator = gold.get("locator", "")
                    ntype = gold["type"] if kind == "full" else kind
                    if gold.get("system"):
                        ntype = f"archival:{gold['system']}"
                    checks: list[tuple[str, bool, bool, bool]] = []
                    if kind == "full":
                        pred = predicted_fields(cit.work or cit.target) if cit and (cit.work or cit.target) else {}
                        if cit and cit.target is not None:
                            first_work.setdefault(gold["record"], id(cit.target))
                        pred["locator"] = cit.locator if cit else ""
                        for name in FIELDS[:-1]:
                            g, p = gold.get(name), pred.get(name)
                            if name == "locator":
                                g, p = g or None, p or None
                            if g is None and p is None:
                                continue
                            right = g is not None and p is not None and same(name, g, p)
                            checks.append((name, g is not None, p is not None, right))
                    else:
                        if gold.get("orphan") and cit and cit.target is not None:  # its full citation is elsewhere
                            lead = cit.target.lead_names
                            own = bool(lead) and alnum(lead[0].family) == alnum(gold["author"][0])
                            first_work.setdefault(gold["record"], id(cit.target) if own else -1)
                        target_ok = bool(cit and cit.target is not None and first_work.get(gold["record"]) == id(cit.target))
                        checks.append(("target", True, bool(cit and cit.target is not None), target_ok))
                        g, p = gold.get("locator") or None, (cit.locator if cit else "") or None
                        if g is not None or p is not None:
                            right = g is not None and p is not None and same("locator", g, p)
                            checks.append(("locator", g is not None, p is not None, right))
                    for name, g, p, r in checks:
                        fields.add(name, g, p, r)
                        if g:
                            field_by_type[ntype][0] += r
                            field_by_type[ntype][1] += 1
                    full_right = all(r for _, g, p, r in checks if g or p)
                    by_type[ntype].append(full_right)
                    doubtful = cit is None or cit.confidence < THRESHOLD
                    pairs.append((cit.confidence if cit else 0.0, full_right))
                    bucket = doubt["right" if full_right else "wrong"]
                    bucket[0] += doubtful
                    bucket[1] += 1
                    if not full_right and len(wrong_examples) < errors:
                        bad = [n for n, g, p, r in checks if (g or p) and not r]
                        wrong_examples.append(f"{row['text']}\n    wrong: {', '.join(bad)}; doubtful: {doubtful}")
    return {"fields": fields, "by_type": by_type, "field_by_type": field_by_type, "doubt": doubt,
            "examples": wrong_examples, "notes": len(rows), "pairs": pairs}


def table(result: dict, split: str) -> str:
    f: Tally = result["fields"]
    total_gold = sum(f.gold.values())
    total_right = sum(f.right.values())
    cits = [ok for oks in result["by_type"].values() for ok in oks]
    arch = [v for k, v in result["field_by_type"].items() if k.startswith("archival")]
    arch_right, arch_all = sum(a for a, _ in arch), sum(b for _, b in arch)
    d = result["doubt"]
    lines = [f"### Footnote importer on the {split} split ({result['notes']} notes, {len(cits)} citations)", "",
             f"Fields right: **{total_right / total_gold:.1%}** ({total_right}/{total_gold}); citations fully right: "
             f"**{sum(cits) / len(cits):.1%}** ({sum(cits)}/{len(cits)}); archival fields right: "
             f"**{arch_right / max(arch_all, 1):.1%}** ({arch_right}/{arch_all}).", "",
             f"Review report: {d['wrong'][0]} of {d['wrong'][1]} wrong citations and {d['right'][0]} of "
             f"{d['right'][1]} right ones are flagged as doubtful (confidence < {THRESHOLD}).", "",
             "| field | precision | recall | gold | read |", "|---|---:|---:|---:|---:|"]
    for name in FIELDS:
        if f.gold[name] or f.pred[name]:
            p = f.right[name] / f.pred[name] if f.pred[name] else 0.0
            r = f.right[name] / f.gold[name] if f.gold[name] else 0.0
            lines.append(f"| {name} | {p:.1%} | {r:.1%} | {f.gold[name]} | {f.pred[name]} |")
    lines += ["", "| note type | citations | fully right | fields right |", "|---|---:|---:|---:|"]
    for ntype in sorted(result["by_type"]):
        oks = result["by_type"][ntype]
        fr, fa = result["field_by_type"][ntype]
        lines.append(f"| {ntype} | {len(oks)} | {sum(oks) / len(oks):.1%} | {fr / max(fa, 1):.1%} |")
    if result["examples"]:
        lines += ["", "Some wrong citations:", "", "```", *result["examples"], "```"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="heldout", choices=["train", "dev", "heldout", "real"])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--errors", type=int, default=0, help="show this many wrong citations (not on heldout while developing)")
    args = parser.parse_args(argv)
    text = table(evaluate(args.split, errors=args.errors), args.split)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
