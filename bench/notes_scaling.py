"""How the footnote importer's time grows with the length of one note (DEF-11 M1/M2 of the red-team report).

    python bench/notes_scaling.py [--sizes 2000 4000 8000 10000]

Each row is one note made of a unit repeated n times, parsed as ``studyguide notes`` parses a file
(``importer.parse_file``: splitting into citations, both readers). CPU seconds, in-process. A linear
importer doubles its time when n doubles (the "×2" column near 2); the splitting was quadratic before
(x4 per doubling: 'Smith, John. ' × 10,000 took 15 s, 'fond 1, opis 2, delo 3, ' × 10,000 26 s).
Not a test: the figures depend on the machine (no timed tests in the suite).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from studyguide.errors import Collector  # noqa: E402
from studyguide.notes.importer import parse_file  # noqa: E402
from studyguide.notes.names import NameTable  # noqa: E402

UNITS = ("Smith, John. ", "fond 1, opis 2, delo 3, ", ". ", ", ", "See A, *T* (P, 2000); ")


def seconds(table: NameTable, folder: Path, text: str) -> float:
    path = folder / "long.txt"
    path.write_text(f"1 {text}\n", encoding="utf-8")
    start = time.process_time()
    parse_file(path, table, Collector())
    return time.process_time() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 4000, 8000])
    options = parser.parse_args(argv)
    table = NameTable.load(REPO / "bib" / "names.yaml")
    sizes = sorted(options.sizes)
    print("| one note | " + " | ".join(f"n = {n:,}" for n in sizes) + " | ×2 (last doubling) |")
    print("|---|" + "---:|" * (len(sizes) + 1))
    with tempfile.TemporaryDirectory() as tmp:
        for unit in UNITS:
            times = {n: seconds(table, Path(tmp), unit * n) for n in sizes}
            doubled = [(a, b) for a in sizes for b in sizes if b == 2 * a]
            ratio = f"{times[doubled[-1][1]] / max(times[doubled[-1][0]], 1e-3):.1f}" if doubled else "—"
            print(f"| `{unit!r} × n` | " + " | ".join(f"{times[n]:.2f} s" for n in sizes) + f" | {ratio} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
