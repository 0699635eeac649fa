"""Where everything is: one object that owns every source folder and every build path of a project.

A project is a folder with ``book.yaml`` (older projects: ``content/book.yaml``), ``content/``,
``bib/``, optionally ``data/`` and ``templates/`` (overrides of the package's default theme), and
``build/`` for what is built. Every stage and every task asks this object for a path instead of
joining strings itself, so that a build path is spelt in exactly one place.

Paths handed to doit (file_dep, targets) go through :meth:`Paths.rel`: relative to the project
root, so doit's database holds no absolute path and a project that is copied, moved or renamed
stays up to date (doit runs in the project root, so relative paths resolve the same).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
# The default theme: print and EPUB templates, back matter, figures, the cover. A project overrides
# any of them with a file of the same name under its own templates/.
THEME = PACKAGE / "theme"
FILTERS = PACKAGE / "filters"
CONFIG_NAMES = ("book.yaml", "content/book.yaml")  # where the book's configuration may live, in order


def find_config(root: Path) -> Path:
    """The project's book.yaml: at the root, or (older layout) under content/; the first if neither."""
    for name in CONFIG_NAMES:
        if (root / name).is_file():
            return root / name
    return root / CONFIG_NAMES[0]


@dataclass(frozen=True)
class PartPaths:
    """What the pandoc stage writes for one part and edition."""

    ast: Path
    html: Path
    sources: Path | None  # chapters only: the list of the sources the chapter cites (for its handout)

    @property
    def all(self) -> list[Path]:
        return [self.ast, self.html, *([self.sources] if self.sources else [])]


@dataclass(frozen=True)
class Paths:
    """Every folder of one project and every file the build writes into it."""

    root: Path
    config: Path

    @classmethod
    def of(cls, root: Path | str, config: Path | str | None = None) -> Paths:
        root = Path(root).resolve()
        return cls(root, root / config if config is not None else find_config(root))

    # --- sources ----------------------------------------------------------------------------------
    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def bib(self) -> Path:
        return self.root / "bib"

    @property
    def data(self) -> Path:
        return self.root / "data"

    def data_file(self, name: str) -> Path:
        return self.data / f"{name}.yaml"

    @property
    def templates(self) -> Path:
        """The project's own templates: overrides of the theme (the folder may not exist)."""
        return self.root / "templates"

    @property
    def template_dirs(self) -> tuple[Path, Path]:
        """Where templates are looked up, in order: the project's overrides, then the default theme."""
        return (self.templates, THEME)

    # --- the build --------------------------------------------------------------------------------
    @property
    def build(self) -> Path:
        return self.root / "build"

    @property
    def doit_db(self) -> Path:
        return self.build / ".doit.db"

    @property
    def notes_bib(self) -> Path:
        return self.build / "bib" / "notes.bib"

    @property
    def concordance(self) -> Path:
        return self.build / "bib" / "concordance.json"

    @property
    def csl_json(self) -> Path:
        """The merged bibliography, as CSL JSON for citeproc."""
        return self.build / "bib" / "bibliography.json"

    @property
    def figures(self) -> Path:
        return self.build / "figures"

    def figure(self, name: str) -> tuple[Path, Path]:
        """A figure's SVG and its JSON sidecar (caption, alt text, citation)."""
        return self.figures / f"{name}.svg", self.figures / f"{name}.json"

    def generated(self, slug: str) -> Path:
        """The Markdown a generated back-matter part is rendered to."""
        return self.build / "md" / f"{slug}.md"

    def part(self, slug: str, edition: str, chapter: bool) -> PartPaths:
        base = self.build / "parts" / edition
        return PartPaths(base / f"{slug}.json", base / f"{slug}.html", base / f"{slug}.sources.html" if chapter else None)

    def pdf(self, edition: str, paper: str, name: str = "book") -> Path:
        return self.build / "pdf" / edition / paper / f"{name}.pdf"

    def handout(self, edition: str, paper: str, slug: str, booklet: bool = False) -> Path:
        return self.build / "pdf" / edition / paper / "handouts" / f"{slug}{'-booklet' if booklet else ''}.pdf"

    def epub(self, edition: str, name: str = "book") -> Path:
        return self.build / "epub" / edition / f"{name}.epub"

    def epub_work(self, edition: str) -> Path:
        """Scratch files of the EPUB stage (metadata, CSS, cover) for one edition."""
        return self.epub(edition).parent / "src"

    # --- for doit -----------------------------------------------------------------------------------
    def rel(self, path: Path | str) -> str:
        """A path as doit should store it: relative to the project root when inside it (posix)."""
        p = Path(path)
        absolute = p if p.is_absolute() else self.root / p
        try:
            return absolute.relative_to(self.root).as_posix()
        except ValueError:
            return absolute.as_posix()

    def rels(self, paths: Iterable[Path | str]) -> list[str]:
        return [self.rel(p) for p in paths]
