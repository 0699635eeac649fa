"""Measure the .bib conversion on foreign bibliographies (not a test: figures for the README).

    .venv/bin/python bench/bib_measure.py FILE.bib [FILE.bib ...] [--show N]

For each file: how many entries bibtexparser reads, the duplicate keys, whether pandoc's own reader
(``pandoc -f biblatex -t csljson``) converts the file at all, and, rendered through citeproc with the
guide's Chicago notes style (bibliography entry, first note, short note): the entries whose text
shows LaTeX or markup or an empty note, ours and pandoc's; how many of our renderings differ from
pandoc's, and in which CSL variables our item differs from pandoc's. Duplicate keys are measured
with ``keep_going`` (the first definition kept), so a file the build would refuse is still measured.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from studyguide import bibliography
from tests.bibrender import pandoc_csl, problems, render


def measure(path: Path, show: int) -> dict:
    entries = bibliography.load([path], keep_going=True)
    duplicates = collections.Counter("identical" if "identically" in d.message else "differing"
                                     for d in entries.warnings if "defined twice" in d.message)
    ours = bibliography.to_csl(entries)
    try:
        theirs = pandoc_csl(path)
    except subprocess.CalledProcessError:
        theirs = None
    keys = [i["id"] for i in ours]
    mine, _ = render(ours, keys)
    row = {"file": path.name, "entries": len(entries), "dup identical": duplicates["identical"],
           "dup differing": duplicates["differing"], "ours: items": len(ours),
           "ours: bad renderings": sum(1 for r in mine.values() if problems(r))}
    if theirs is None:
        row["pandoc"] = "refused the file"
        return row
    by_id = {i["id"]: i for i in theirs}
    common = [k for k in keys if k in by_id]
    pandocs, _ = render([by_id[k] for k in common], common)
    row["pandoc: items"] = len(theirs)
    row["pandoc: bad renderings"] = sum(1 for r in pandocs.values() if problems(r))
    differ = [k for k in common if mine[k] != pandocs[k]]
    row["renderings differing from pandoc"] = len(differ)
    variables = collections.Counter()
    ours_by_id = {i["id"]: i for i in ours}
    for k in differ:
        a, b = ours_by_id[k], by_id[k]
        variables.update(v for v in sorted(a.keys() | b.keys()) if a.get(v) != b.get(v))
    row["variables changed"] = dict(variables.most_common())
    for k in differ[:show]:
        print(f"  {k}\n    ours:   {mine[k].first}\n    pandoc: {pandocs[k].first}")
    for k in [k for k in keys if problems(mine[k])][:show]:
        print(f"  PROBLEM {k}: {problems(mine[k])[:2]}")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bibs", nargs="+", type=Path)
    parser.add_argument("--show", type=int, default=0, help="print N differing renderings per file")
    args = parser.parse_args()
    for path in args.bibs:
        print(measure(path, args.show))


if __name__ == "__main__":
    main()
