"""The layout check: reads WeasyPrint's laid-out pages before the PDF is written.

WeasyPrint 70 sometimes drops a footnote (the call prints, the note never does), prints a note a
page after its call, leaves an empty box frame at the foot of a page, or ends a page early. None of
that can be seen in the HTML; it is a property of one layout. So every PDF the build writes is
checked here, on the document WeasyPrint has just laid out (``document.pages`` and their boxes), in
the same process and with no second layout, and ``pdf.render_pdf`` repairs what it can
(``repair_css``) before it writes anything.

Every fault names the PDF, the page, the part and the source line of the paragraph:
``content/04-war-and-diplomacy.md:88``. The line comes from the ``data-line`` attribute that
``filters/footnotes.lua`` puts on every paragraph, list item and heading of the print HTML; the part
from the ``section.part`` (``id="section-SLUG"``) that holds it.

No library reads a WeasyPrint box tree for these faults; this module is the ~200 lines that do.
The measures (hyphenated lines, characters per line, smallest type) go into the build's report.
"""

from __future__ import annotations

import statistics
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from itertools import pairwise
from typing import Any

from .errors import Diagnostic

PX_PER_MM = 96 / 25.4
TAIL_LINES = 3  # a paragraph with no more lines than this at the foot of a page may be moved overleaf
MAX_HYPHEN_RUN = 2  # hyphenated lines in a row, as careful typesetting allows
EARLY_PAGE_MM = 25.0  # a page that ends more than this above its notes or its bottom margin, mid-part
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
PAGE_LEVEL = {"html", "body", "section", "main", "nav"}  # their background is the page's, not a box's


@dataclass(frozen=True)
class Place:
    """Where a laid-out box came from: the part's slug and source file, the source line, the block."""

    slug: str | None
    source: str | None
    line: int | None
    block: str | None  # data-block of the wrapping paragraph div, for the repair's selector

    def __str__(self) -> str:
        if self.source and self.line:
            return f"{self.source}:{self.line}"
        return self.source or "(outside the parts)"


@dataclass
class Fault:
    kind: str  # lost-note | moved-note | empty-box | early-page | stranded-heading | hyphen-run
    page: int  # 1-based page of the laid-out document
    place: Place
    detail: str
    part_title: str = ""
    widows: int | None = None  # lines from a note's call to the end of its paragraph
    # for an early page: "figure" (the figure that follows did not fit), "note" (a tall note took
    # the call's line overleaf), "break" (the next block starts on a new page, as a repair may ask)
    # or "keep" (a heading, widow or orphan rule moved lines overleaf)
    cause: str = ""
    figure: Place | None = None  # the figure an early page's repair moves
    tail: Place | None = None  # for a deferred note: the block of the last line on the call's page
    tail_kind: str = ""  # its repair: tail-start (only its first lines are there) or tail-loose
    gap_mm: float = 0.0  # for an early page: how far above its notes or bottom margin the text ends
    repair_block: str | None = None  # for an early page: the block a repair's page break starts the next page with
    float_past: int = 0  # for a figure that did not fit: how many following blocks would fill the space left

    def where(self, pdf: str) -> str:
        part = f" ({self.part_title})" if self.part_title else ""
        return f"{pdf}, page {self.page}{part}"

    def message(self, pdf: str) -> str:
        return f"{self.place}: {self.where(pdf)}: {self.detail}"


@dataclass
class Measures:
    pages: int = 0
    notes: int = 0
    lost_notes: int = 0
    moved_notes: int = 0
    empty_boxes: int = 0
    early_pages: int = 0
    stranded_headings: int = 0
    text_lines: int = 0
    hyphenated_lines: int = 0
    longest_hyphen_run: int = 0
    hyphens_in_links: int = 0
    body_chars_per_line: float = 0.0
    note_chars_per_line: float = 0.0
    smallest_type_pt: float = 0.0
    repairs: int = 0


# Faults the build repairs or stops on; early pages are measured and reported by `doit check`.
FATAL = {"lost-note", "moved-note", "empty-box", "stranded-heading"}


@dataclass
class LayoutCheck:
    faults: list[Fault] = field(default_factory=list)
    measures: Measures = field(default_factory=Measures)

    def summary(self) -> str:
        """One line for the build's report."""
        m = self.measures
        share = 100 * m.hyphenated_lines / m.text_lines if m.text_lines else 0
        return (f"{m.notes} notes, {m.lost_notes} lost, {m.moved_notes} moved; {m.empty_boxes} empty boxes; "
                f"{m.early_pages} pages ending early; {share:.1f}% lines hyphenated (run ≤ {m.longest_hyphen_run}); "
                f"{m.body_chars_per_line:.0f} characters a line (notes {m.note_chars_per_line:.0f}); "
                f"smallest type {m.smallest_type_pt:g} pt; {m.repairs} repairs")

    def as_dict(self, pdf: str) -> dict[str, Any]:
        return {"pdf": pdf, **asdict(self.measures), "faults": [{"kind": f.kind, "message": f.message(pdf)} for f in self.faults]}


# --- the element tree: where a box comes from -------------------------------------------------------

class Sources:
    """Maps an HTML element to its Place, through its ancestors and document order."""

    def __init__(self, root: Any, parts: dict[str, tuple[str, str]]):
        self.parts = parts  # slug → (source path, part title)
        self.parent: dict[Any, Any] = {}
        self.order: dict[Any, int] = {}
        self.lines: list[tuple[int, int]] = []  # (document order, line) of every element with data-line
        for index, element in enumerate(root.iter()):
            self.order[element] = index
            for child in element:
                self.parent[child] = element
            line = element.get("data-line")
            if line and line.isdigit():
                self.lines.append((index, int(line)))

    def ancestors(self, element: Any) -> Iterator[Any]:
        while element is not None:
            yield element
            element = self.parent.get(element)

    def section(self, element: Any) -> Any:
        for node in self.ancestors(element):
            if node.tag == "section" and "part" in (node.get("class") or "").split():
                return node
        return None

    def place(self, element: Any) -> Place:
        if element is None:
            return Place(None, None, None, None)
        section = self.section(element)
        slug = (section.get("id") or "").removeprefix("section-") if section is not None else None
        line = block = None
        for node in self.ancestors(element):
            # a figure is laid out whole (break-inside: avoid): a repair moves the figure, not its caption
            if node.get("data-block") and (block is None or node.tag == "figure"):
                block = node.get("data-block")
            if line is None and (node.get("data-line") or "").isdigit():
                line = int(node.get("data-line"))
            if node is section:
                break
        if line is None and section is not None:  # the nearest paragraph before it, in the same part
            at = bisect_right(self.lines, (self.order.get(element, 0), 1 << 30)) - 1
            if at >= 0 and self.lines[at][0] > self.order[section]:
                line = self.lines[at][1]
        source = self.parts.get(slug or "", (None, ""))[0]
        return Place(slug, source, line, block)

    def title(self, place: Place) -> str:
        return self.parts.get(place.slug or "", ("", ""))[1]


# --- walking the boxes ------------------------------------------------------------------------------

def _walk(box: Any, boxes: Any) -> Iterator[Any]:
    yield box
    if isinstance(box, boxes.ParentBox):
        for child in box.children:
            yield from _walk(child, boxes)


def _text(box: Any, boxes: Any) -> str:
    return "".join(b.text for b in _walk(box, boxes) if isinstance(b, boxes.TextBox))


def _visible_frame(box: Any) -> bool:
    style = box.style
    border = any(style[f"border_{side}_width"] and style[f"border_{side}_style"] not in ("none", "hidden")
                 for side in ("top", "right", "bottom", "left"))
    background = style["background_color"]
    return border or (background is not None and background.alpha > 0)


@dataclass
class _Page:
    number: int
    calls: list[tuple[Any, str, Any, Any]]  # (footnote element, call text, block element, line box)
    notes: list[Any]
    bottom_content: float  # lowest body content, px
    limit: float  # top of the footnote area, or the bottom of the page area
    first_element: Any
    last_element: Any
    last_line_element: Any
    empty_frames: list[tuple[Any, float]]
    lines: list[tuple[Any, Any]]  # (line box, block element), body text in reading order
    note_lines: list[tuple[Any, Any]]
    note_heights: dict[Any, float] = field(default_factory=dict)  # footnote element → px on this page
    first_box: Any = None  # the element of the page's first laid-out line or image
    forced_break: bool = False  # the page's first block starts with a forced page break
    break_mark: str | None = None  # data-block of the element a repair's page break (data-break) is on
    heights: dict[Any, float] = field(default_factory=dict)  # block element → px of its fragments here


def _read_page(number: int, page: Any, boxes: Any) -> _Page:
    page_box = page._page_box
    root = page_box.children[0]
    footnote_area = next((c for c in page_box.children if isinstance(c, boxes.FootnoteAreaBox)), None)
    limit = footnote_area.position_y if footnote_area is not None else page_box.content_box_y() + page_box.height
    calls: list[tuple[Any, str, Any, Any]] = []
    lines: list[tuple[Any, Any]] = []
    empty: list[tuple[Any, float]] = []
    bottom = 0.0
    first = last = last_line = first_box = None
    heights: dict[Any, float] = {}

    def visit(box: Any, block_element: Any) -> None:
        nonlocal bottom, first, last, last_line, first_box
        if isinstance(box, boxes.BlockBox) and box.element is not None:
            heights[box.element] = heights.get(box.element, 0.0) + box.margin_height()
        if isinstance(box, boxes.LineBox):
            if first_box is None and _text(box, boxes).strip():
                first_box = block_element
            lines.append((box, block_element))
            last_line = block_element
            for inner in _walk(box, boxes):
                if (inner.element_tag or "").endswith("::footnote-call") and \
                        all(inner.element is not seen for seen, *_ in calls):
                    calls.append((inner.element, _text(inner, boxes).strip(), block_element, box))
            if box.position_y + box.height > bottom:
                bottom = box.position_y + box.height
            first = first if first is not None else block_element
            last = block_element
            return
        if isinstance(box, boxes.ReplacedBox):
            bottom = max(bottom, box.position_y + box.margin_height())
            first_box = first_box if first_box is not None else box.element
            first = first if first is not None else box.element
            last = box.element
            return
        if isinstance(box, boxes.BlockBox) and box.element is not None and box.element.tag not in PAGE_LEVEL \
                and _visible_frame(box):
            # (the frame does not count as content: WeasyPrint stretches a box broken across pages to
            # the foot of the page, which would hide a page that ends early inside a box)
            inner = list(_walk(box, boxes))
            # (a frame under 1 mm is a rule or a blank page's remnant, not a box left empty)
            # (an empty line box, from a wrapper or white space, prints nothing: the fragment is still empty)
            printed = any(isinstance(b, boxes.ReplacedBox) or (isinstance(b, boxes.TextBox) and b.text.strip())
                          for b in inner)
            if box.border_height() > PX_PER_MM and not printed and "".join(box.element.itertext()).strip():
                empty.append((box.element, box.border_height()))
        if isinstance(box, boxes.ParentBox):
            element = box.element if isinstance(box, boxes.BlockContainerBox) and box.element is not None else block_element
            for child in box.children:
                visit(child, element)

    visit(root, root.element)
    note_boxes = list(footnote_area.children if footnote_area is not None else [])
    notes = [child.element for child in note_boxes]
    note_lines = [(b, None) for child in note_boxes for b in _walk(child, boxes) if isinstance(b, boxes.LineBox)]
    note_heights = {child.element: child.margin_height() for child in note_boxes}
    chain = list(_first_blocks(root, boxes))
    forced = any(isinstance(b, boxes.BlockBox) and b.element is not None and b.element.get("data-block")
                 and b.style["break_before"] in ("page", "left", "right", "recto", "verso")
                 for b in chain)
    mark = next((b.element.get("data-block") for b in chain if b.element is not None and b.element.get("data-break")),
                None)
    return _Page(number, calls, notes, bottom, limit, first, last, last_line, empty, lines, note_lines, note_heights,
                 first_box, forced, mark, heights)


def _first_blocks(box: Any, boxes: Any) -> Iterator[Any]:
    """The chain of first block children from the page's root down to its first line."""
    while isinstance(box, boxes.ParentBox) and not isinstance(box, boxes.LineBox):
        yield box
        children = [c for c in box.children if isinstance(c, boxes.BlockLevelBox)]
        if not children:
            return
        box = children[0]


def check_document(document: Any, parts: dict[str, tuple[str, str]]) -> LayoutCheck:
    """Every layout fault and measure of a rendered WeasyPrint document.

    ``parts`` maps each part's slug to its source path (as printed in messages) and its title.
    """
    from weasyprint.formatting_structure import boxes

    if not document.pages:
        return LayoutCheck()
    sources = Sources(document.pages[0]._page_box.children[0].element, parts)
    pages = [_read_page(i, page, boxes) for i, page in enumerate(document.pages, 1)]
    result = LayoutCheck()
    measures = result.measures
    measures.pages = len(pages)

    def fault(kind: str, page: int, element: Any, detail: str, widows: int | None = None) -> None:
        place = sources.place(element)
        result.faults.append(Fault(kind, page, place, detail, sources.title(place), widows))

    # Line boxes of every block across pages, so that a call's line is known within its paragraph.
    block_lines: dict[Any, list[Any]] = {}
    for page in pages:
        for line, block in page.lines:
            block_lines.setdefault(block, []).append(line)
    note_page = {note: page.number for page in pages for note in page.notes}
    for page in pages:
        for note, number, block, line in page.calls:
            own = block_lines.get(block, [])
            widows = len(own) - own.index(line) if line in own else None
            measures.notes += 1
            if note not in note_page:
                measures.lost_notes += 1
                fault("lost-note", page.number, block, f"note {number} is lost: its call prints but the note never does",
                      widows)
            elif note_page[note] > page.number:
                measures.moved_notes += 1
                fault("moved-note", page.number, block,
                      f"note {number} prints on page {note_page[note]}, not on the page of its call", widows)
                # the paragraph at the foot of the page, if it is another one and only its first
                # few lines are on this page (moving it overleaf then costs no more than those lines)
                if page.last_line_element is not block:
                    tail_lines = sum(1 for _, element in page.lines if element is page.last_line_element)
                    result.faults[-1].tail = sources.place(page.last_line_element)
                    result.faults[-1].tail_kind = "tail-start" if tail_lines <= TAIL_LINES else "tail-loose"
        for element, height in page.empty_frames:
            measures.empty_boxes += 1
            fault("empty-box", page.number, element,
                  f"an empty box frame ({height / PX_PER_MM:.0f} mm) at the foot of the page; its content starts overleaf")
    # A page that receives a note deferred from an earlier page holds the consequence of that fault
    # (the note crowds out the text); its own heading or gap is not reported twice.
    receiving = {note_page[note] for page in pages for note, *_ in page.calls
                 if note in note_page and note_page[note] > page.number}
    for page, following in pairwise(pages):
        same_part = following.first_element is not None and page.last_element is not None and \
            sources.section(page.last_element) is not None and \
            sources.section(page.last_element) is sources.section(following.first_element)
        if not same_part:
            continue
        gap = (page.limit - page.bottom_content) / PX_PER_MM
        if gap > EARLY_PAGE_MM:
            measures.early_pages += 1
            cause, figure, why = _early_cause(following, sources, gap)
            fault("early-page", page.number, page.last_element,
                  f"the page ends {gap:.0f} mm above its {'notes' if page.notes else 'bottom margin'} while the part "
                  f"goes on ({why})")
            early = result.faults[-1]
            early.cause, early.gap_mm = cause, gap
            if figure is not None:
                early.figure = sources.place(figure)
                early.float_past = _float_past(figure, gap * PX_PER_MM, sources, pages, note_page)
            if cause == "break":
                early.repair_block = following.break_mark
        # A heading at the foot of a full page; on a page cut short (by a note that takes the rest of
        # it) the heading is not stranded, the page is: that is the early page above.
        last = page.last_line_element
        if gap <= EARLY_PAGE_MM and page.number not in receiving and last is not None and _is_heading(last):
            measures.stranded_headings += 1
            fault("stranded-heading", page.number, last,
                  "a heading is the last line of the page; its text starts overleaf")
    for number, block in _measure_text(pages, measures, boxes):
        fault("hyphen-run", number, block, f"more than {MAX_HYPHEN_RUN} hyphenated lines in a row")
    return result


def _float_past(figure: Any, space: float, sources: Sources, pages: list[_Page], note_page: dict[Any, int]) -> int:
    """How many of the blocks after a figure fill the space it left (px), as a float's text would:
    the blocks that fit whole, and the next one too if it can be split between pages (a paragraph,
    not a figure, table or box). Heights are those of this layout, the blocks' notes included."""
    parent = sources.parent.get(figure)
    if parent is None:
        return 0
    height: dict[Any, float] = {}
    for page in pages:
        for element, px in page.heights.items():
            height[element] = height.get(element, 0.0) + px
        for note, _, block, _ in page.calls:
            if note_page.get(note) == page.number:
                for node in sources.ancestors(block):
                    height[node] = height.get(node, 0.0) + page.note_heights.get(note, 0.0)
    following = list(parent)[list(parent).index(figure) + 1:]
    filled = 0.0
    count = 0
    for element in following:
        px = height.get(element, 0.0)
        if filled + px <= space:
            filled += px
            count += 1
            continue
        whole = element.tag in ("figure", "table") or "box" in (element.get("class") or "").split()
        count += 0 if whole else 1
        break
    return count


def _is_heading(element: Any) -> bool:
    """A heading, or a box's title (which titles what follows it as a heading does)."""
    return element.tag in HEADINGS or "box-title" in (element.get("class") or "").split()


def _early_cause(following: _Page, sources: Sources, gap_mm: float) -> tuple[str, Any, str]:
    """Why the text stopped short, from what the next page starts with: a figure too tall for the
    space left, a note that had to go with its call's line, or lines kept with what follows them."""
    figure = next((node for node in sources.ancestors(following.first_box) if node.tag == "figure"), None) \
        if following.first_box is not None else None
    if figure is not None:
        return "figure", figure, "the figure that follows is too tall for the space left"
    if following.forced_break:
        return "break", None, ("the next block starts on a new page: a repair (see the repair CSS) or the "
                               "part's own break-before")
    first_lines = {id(line) for line, _ in following.lines[:3]}
    tall = [(following.note_heights.get(note, 0.0), number) for note, number, _, line in following.calls
            if id(line) in first_lines]
    height, number = max(tall) if tall else (0.0, "")
    if height / PX_PER_MM > gap_mm / 2:
        return "note", None, (f"note {number}, {height / PX_PER_MM:.0f} mm tall, did not fit in the space left "
                              "with its call's line: shorten it or split it between two sentences")
    return "keep", None, "the lines that follow are kept together with what comes after them"


def _measure_text(pages: list[_Page], measures: Measures, boxes: Any) -> list[tuple[int, Any]]:
    """Hyphenated lines (and the longest run of them), characters per full line, smallest type.

    Returns the page and block of each run of more than ``MAX_HYPHEN_RUN`` hyphenated lines: CSS
    has ``hyphenate-limit-lines`` for this, but WeasyPrint 70 does not support it, so the repair
    sets ``hyphens: manual`` on the paragraph concerned."""
    runs: list[tuple[int, Any]] = []
    body_lengths: list[int] = []
    note_lengths: list[int] = []
    smallest = float("inf")
    run = 0
    for page in pages:
        for group, lengths in ((page.lines, body_lengths), (page.note_lines, note_lengths)):
            for index, (line, block) in enumerate(group):
                texts = [b for b in _walk(line, boxes) if isinstance(b, boxes.TextBox) and b.text.strip()]
                if not texts:
                    continue
                for text_box in texts:
                    smallest = min(smallest, text_box.style["font_size"] * 0.75)
                if lengths is body_lengths:
                    measures.text_lines += 1
                    last = texts[-1]
                    hyphen = last.style["hyphenate_character"]
                    if hyphen and last.text.endswith(hyphen):
                        measures.hyphenated_lines += 1
                        run += 1
                        measures.longest_hyphen_run = max(measures.longest_hyphen_run, run)
                        if run == MAX_HYPHEN_RUN + 1:
                            runs.append((page.number, block))
                        if last.element is not None and (last.element.tag in ("a", "code") or any(
                                a.tag in ("a", "code") for a in [last.element])):
                            measures.hyphens_in_links += 1
                    else:
                        run = 0
                following = group[index + 1][1] if index + 1 < len(group) else None
                full = following is block and block is not None and block.tag == "p"
                if lengths is note_lengths:
                    full = index + 1 < len(group)
                if full:
                    lengths.append(len("".join(t.text for t in texts).strip()))
    measures.body_chars_per_line = float(statistics.median(body_lengths)) if body_lengths else 0.0
    measures.note_chars_per_line = float(statistics.median(note_lengths)) if note_lengths else 0.0
    measures.smallest_type_pt = round(smallest, 2) if smallest != float("inf") else 0.0
    return runs


# --- repair -----------------------------------------------------------------------------------------

# Per fault, the steps tried one layout after another, from the least disruptive.
STEPS: dict[str, tuple[str, ...]] = {
    # move the call's line (and what follows it) to the next page, where its note can go; then keep
    # the whole paragraph together; then start it on a new page
    "lost-note": ("widows", "break-inside: avoid;", "break-before: page;", "break-before-earlier"),
    "moved-note": ("widows", "break-inside: avoid;", "break-before: page;", "break-before-earlier"),
    # a box whose frame alone is left at the foot of the page: keep its first lines with its top
    "empty-box": ("orphans: 20;", "break-before: page;"),
    # a heading (or box title) alone at the foot of the page: let the block after it leave one line
    # there (its orphans kept it off the page), then start the heading on a new page
    "stranded-heading": ("orphans-next", "break-before: page;"),
    # the paragraph at the foot of the page of a deferred note (see Repairs.escalate): WeasyPrint
    # defers the note rather than leave that paragraph's first lines as orphans (start it overleaf)
    # or its last lines as widows (let it break after any line)
    "tail-start": ("break-before: page;", "orphans: 1; widows: 1;"),
    "tail-loose": ("orphans: 1; widows: 1;",),
    # three hyphenated lines in a row: set the paragraph without automatic hyphens
    "hyphen-run": ("hyphens: manual;",),
}


# the last step for a note: the page break goes a block earlier (see ``_block_before``)
EARLIER = "break-before-earlier"

FIGURE_MOVES = 6  # a figure that does not fit is moved after at most this many following blocks

# A repair's state: (kind, step) for a block's CSS, ("move", count) for a figure, ("drop",) for none.
State = tuple[Any, ...]
Key = tuple[str, str]  # (part slug, data-block)


@dataclass
class Repairs:
    """The blocks being repaired, the step each has reached, and the CSS of all of them.

    ``moves`` holds the figures moved later in their part, as a float would be: a figure too tall for
    the space left on its page leaves that space empty, so it is moved after the blocks that fill that
    space (``Fault.float_past``), up to ``FIGURE_MOVES``. Moving is done on the HTML tree (``apply``),
    since no CSS that WeasyPrint supports floats a figure to the next page.

    ``rejected`` holds the states a layout showed to make their part worse (``lay_out_repaired``):
    they are not tried again.
    """

    steps: dict[Key, tuple[str, int, int | None]] = field(default_factory=dict)
    moves: dict[Key, int] = field(default_factory=dict)
    # a page break asked before a block goes before the headings just above it (set by ``apply``)
    break_at: dict[Key, str] = field(default_factory=dict)
    rejected: set[tuple[Key, State]] = field(default_factory=set)
    # the block after a stranded heading, whose orphans a repair relaxes (set by ``apply``)
    next_block: dict[Key, str] = field(default_factory=dict)

    def copy(self) -> Repairs:
        return Repairs(dict(self.steps), dict(self.moves), dict(self.break_at), set(self.rejected), dict(self.next_block))

    def state(self, key: Key) -> State:
        if key in self.moves:
            return ("move", self.moves[key])
        if key in self.steps:
            return self.steps[key][:2]
        return ("drop",)

    def keys(self) -> set[Key]:
        return set(self.steps) | set(self.moves)

    def changed_parts(self, other: Repairs) -> set[str]:
        """The parts whose repairs differ between the two."""
        return {key[0] for key in self.keys() | other.keys() if self.state(key) != other.state(key)}

    def take_part(self, other: Repairs, slug: str) -> None:
        """Adopt ``other``'s repairs of one part."""
        for mine, theirs in ((self.steps, other.steps), (self.moves, other.moves)):
            for key in [k for k in mine if k[0] == slug]:
                del mine[key]
            mine.update({k: v for k, v in theirs.items() if k[0] == slug})  # type: ignore[attr-defined]

    def _advance(self, key: Key, kind: str, step: int, widows: int | None) -> bool:
        """Move a block to its next step not rejected; False when it has none."""
        for following in range(step + 1, len(STEPS[kind])):
            if (key, (kind, following)) not in self.rejected:
                self.steps[key] = (kind, following, widows)
                return True
        return False

    def escalate(self, faults: list[Fault], optional_parts: set[str] | None = None) -> bool:
        """Take the next step for every fault that has one; False when none is left to try.

        Every lost or late note, empty box frame, stranded heading or hyphen run takes its next step.
        Each part of ``optional_parts`` that has none of these tries one optional change, the
        shortest page first: a figure moved later, or, for a page a repair's own page break leaves
        short, that repair's next step (or no repair at all). One at a time, so that the next layout
        shows whether it helped (``lay_out_repaired`` keeps the part's better layout)."""
        moved = False
        taken: set[Key] = set()
        required = {f.place.slug for f in faults if f.kind in STEPS}
        done: set[str | None] = set()
        for fault in sorted((f for f in faults if f.kind == "early-page"), key=lambda f: -f.gap_mm):
            slug = fault.place.slug
            if slug in (optional_parts or set()) and slug not in required and slug not in done \
                    and self._optional(fault, taken):
                done.add(slug)
                moved = True
        for fault in faults:
            slug = fault.place.slug
            if fault.kind not in STEPS or not slug or not fault.place.block:
                continue
            tail = fault.tail
            if tail and tail.slug and tail.block and (tail.slug, tail.block) != (slug, fault.place.block) \
                    and (tail.slug, tail.block) not in self.steps \
                    and ((tail.slug, tail.block), (fault.tail_kind, 0)) not in self.rejected:
                # WeasyPrint defers a note already on the page rather than break a later paragraph
                # against its orphans or widows: start that paragraph overleaf or loosen it instead
                self.steps[(tail.slug, tail.block)] = (fault.tail_kind, 0, None)
                taken.add((tail.slug, tail.block))
                moved = True
                continue
            key = (slug, fault.place.block)
            if key in taken:
                continue
            taken.add(key)
            kind, step, widows = self.steps.get(key, (fault.kind, -1, fault.widows))
            if self._advance(key, kind, step, fault.widows or widows):
                moved = True
            elif tail and tail.slug and tail.block and (tail.slug, tail.block) in self.steps \
                    and (tail.slug, tail.block) not in taken:
                # the note's own paragraph has no step left: the paragraph at the foot of the page
                # takes its next one
                tail_key = (tail.slug, tail.block)
                taken.add(tail_key)
                if self._advance(tail_key, *self.steps[tail_key]):
                    moved = True
        return moved

    def _optional(self, fault: Fault, taken: set[Key]) -> bool:
        """For a page ending early: move the figure that did not fit, or try the next step of the
        repair whose page break starts the next page (no repair when it has none)."""
        if fault.cause == "figure" and fault.figure and fault.figure.slug and fault.figure.block:
            key = (fault.figure.slug, fault.figure.block)
            if key in taken:
                return False
            # the blocks that would fill the space left, then one more or one fewer; from a move
            # already made, one block further
            start = max(fault.float_past, 1)
            counts = [self.moves[key] + 1] if key in self.moves else [n for n in (start, start + 1, start - 1) if n >= 1]
            count = next((n for n in counts if n <= FIGURE_MOVES and (key, ("move", n)) not in self.rejected), None)
            if count is None:
                return False
            taken.add(key)
            self.moves[key] = count
            return True
        if fault.cause != "break" or not fault.repair_block:
            return False
        for key in sorted(k for k in self.steps if k[0] == fault.place.slug and k not in taken
                          and self.break_at.get(k, k[1]) == fault.repair_block):
            kind, step, widows = self.steps[key]
            if not STEPS[kind][step].startswith("break-before"):
                continue
            taken.add(key)
            if self._advance(key, kind, step, widows):
                return True
            if (key, ("drop",)) not in self.rejected:
                del self.steps[key]
                return True
        return False

    def css(self) -> str:
        """The repairs' CSS; ``apply`` first, so that a page break goes before the block's headings."""
        rules = []
        for (slug, block), (kind, step, widows) in sorted(self.steps.items()):
            declaration = STEPS[kind][step]
            if declaration == "widows":
                declaration = f"widows: {max(widows or 1, 2)}; orphans: 1;"
            if declaration == EARLIER:  # (``apply`` has put the break a block earlier)
                declaration = "break-before: page;"
            selector = f'#section-{slug} [data-block="{block}"]'
            if declaration == "orphans-next":
                if (slug, block) not in self.next_block:
                    continue
                declaration = "orphans: 1;"
                after = f'#section-{slug} [data-block="{self.next_block[(slug, block)]}"]'
                # (in a box, whatever comes first may be a list: its items are reached too)
                selector = f"{after}, {after} *"
            if declaration.startswith("break-before"):
                selector = f'#section-{slug} [data-block="{self.break_at.get((slug, block), block)}"][data-break]'
            if kind == "hyphen-run":  # table cells set their own hyphens: reach them too
                selector += f", {selector} *"
            rules.append(f"{selector} {{ {declaration} }}")
        return "\n".join(rules)

    def apply(self, root: Any) -> None:
        """On the document tree (an etree, before layout): move each figure in ``moves`` after as many
        following blocks of its parent, and find where each page break asked for must go."""
        self.break_at = {}
        sections = {e.get("id"): e for e in root.iter("section") if e.get("id")}
        trees: dict[str, tuple[dict[Any, Any], dict[str, Any]]] = {}  # slug → (parents, data-block → element)

        def tree(slug: str) -> tuple[dict[Any, Any], dict[str, Any]] | None:
            section = sections.get(f"section-{slug}")
            if section is None:
                return None
            if slug not in trees:
                elements: dict[str, Any] = {}
                for e in section.iter():
                    if e.get("data-block"):
                        elements.setdefault(e.get("data-block"), e)
                trees[slug] = ({child: e for e in section.iter() for child in e}, elements)
            return trees[slug]

        self.next_block = {}
        for (slug, block), (kind, step, _) in self.steps.items():
            found = tree(slug)
            if found is None:
                continue
            parents, elements = found
            section = sections[f"section-{slug}"]
            element = elements.get(block)
            if element is not None and STEPS[kind][step] == "orphans-next":
                after = _block_after(element, parents)
                if after is not None:
                    self.next_block[(slug, block)] = after
                continue
            while element is not None and element in parents:
                parent = parents[element]
                blocks = [child for child in parent if child.get("data-block")]
                at = blocks.index(element)
                while at > 0 and blocks[at - 1].tag in HEADINGS:  # the headings just above it
                    at -= 1
                element = blocks[at]
                # the first block of a box (its title has no data-block): the break goes before the box,
                # or the box's frame would be left on the page with its title alone
                if at > 0 or parent is section or not parent.get("data-block"):
                    break
                element = parent
            if element is not None and STEPS[kind][step] == EARLIER:
                before = _block_before(element, parents)
                element = element if before is None else before  # (an element with no children is falsy)
            if element is None:
                continue
            self.break_at[(slug, block)] = element.get("data-block")
            # the break is marked on this one element: a box and its title share their data-block,
            # and a break before both left the box's empty frame on a page of its own
            if STEPS[kind][step].startswith("break-before"):
                element.set("data-break", "page")
        for (slug, block), count in sorted(self.moves.items()):
            found = tree(slug)
            if found is None or block not in found[1]:
                continue
            parents, elements = found
            figure = elements[block]
            parent = parents.get(figure)
            if parent is None:
                continue
            children = list(parent)
            at = children.index(figure)
            target = min(at + count, len(children) - 1)
            if target > at:
                parent.remove(figure)
                parent.insert(target, figure)

    def __len__(self) -> int:
        return len(self.steps) + len(self.moves)


def _block_before(element: Any, parents: dict[Any, Any]) -> Any:
    """The block before the one a page break goes before, with the headings just above it: when a
    break before a paragraph leaves the previous paragraph's last line alone on a page, the break
    goes before that paragraph instead."""
    parent = parents.get(element)
    if parent is None:
        return None
    blocks = [child for child in parent if child.get("data-block")]
    at = blocks.index(element) if element in blocks else 0
    if at == 0:
        return None
    at -= 1
    while at > 0 and blocks[at - 1].tag in HEADINGS:
        at -= 1
    return blocks[at]


def _block_after(element: Any, parents: dict[Any, Any]) -> str | None:
    """The data-block of the first block after a heading: for a box's title (which shares the box's
    data-block) the box itself, whose content follows the title; else the next of its siblings."""
    block = element.get("data-block")
    if "box" in (element.get("class") or "").split():
        return block  # a box's title: its content, which the rule reaches through the box
    inner = next((e.get("data-block") for e in element.iter() if e.get("data-block") not in (None, block)), None)
    if inner is not None:
        return inner
    parent = parents.get(element)
    siblings = list(parent) if parent is not None else []
    following = siblings[siblings.index(element) + 1:] if element in siblings else []
    return next((e.get("data-block") for e in following if e.get("data-block")), None)


MAX_LAYOUTS = 10  # a repair moves pages after it, which can make new faults: each is repaired in turn


def repairable(fault: Fault) -> bool:
    """Faults the build lays out again for: the fatal ones, figures to move, hyphen runs, and pages
    a repair's own page break leaves short."""
    return fault.kind in FATAL or fault.kind == "hyphen-run" or (fault.kind == "early-page" and (
        fault.cause == "figure" or (fault.cause == "break" and fault.repair_block is not None)))


def fault_cost(fault: Fault) -> float:
    """How bad a fault is, to compare two layouts of a part: a lost or late note, an empty box frame or
    a stranded heading outweighs any early page; an early page counts by its gap, plus one for being
    there (one page 60 mm short is better than two 30 mm short); a run of hyphens counts a little."""
    if fault.kind in FATAL:
        return 1000.0
    if fault.kind == "early-page":
        return EARLY_PAGE_MM + fault.gap_mm
    return 10.0 if fault.kind == "hyphen-run" else 0.0


def part_costs(faults: list[Fault]) -> dict[str, float]:
    """Each part's cost (a part starts on a new page: one part's repairs do not move another's lines)."""
    costs: dict[str, float] = {}
    for fault in faults:
        costs[fault.place.slug or ""] = costs.get(fault.place.slug or "", 0.0) + fault_cost(fault)
    return costs


def _required(fault: Fault) -> bool:
    return fault.kind in STEPS


@dataclass
class _Search:
    """The best layout made so far, by its faults' total cost."""

    lay_out: Callable[[Repairs], Any]
    parts: dict[str, tuple[str, str]]
    layouts: int = 0
    best: tuple[float, Any, LayoutCheck, Repairs] | None = None

    def run(self, repairs: Repairs) -> LayoutCheck:
        document = self.lay_out(repairs)
        self.layouts += 1
        check = check_document(document, self.parts)
        check.measures.repairs = len(repairs)
        total = sum(fault_cost(f) for f in check.faults)
        if self.best is None or total < self.best[0]:
            self.best = (total, document, check, repairs)
        return check


def lay_out_repaired(lay_out: Callable[[Repairs], Any], parts: dict[str, tuple[str, str]],
                     max_layouts: int = MAX_LAYOUTS, seed: Repairs | None = None,
                     explore_layouts: int | None = None) -> tuple[Any, LayoutCheck, Repairs]:
    """Lay out (``lay_out(repairs)`` returns a WeasyPrint document laid out with ``repairs.css()``
    and ``repairs.apply`` on its tree), check, repair, check again; returns the best document laid
    out (the fewest lost or late notes, empty frames and stranded headings, then the shortest gaps),
    its check and its repairs.

    First what must be repaired, round after round, as long as a fault has a step left (at most
    ``max_layouts`` layouts): a repair moves the pages after it and can make new faults, each
    repaired in turn. Then, with up to ``explore_layouts`` more layouts, pages left short: each part
    with nothing left to repair (a part starts on a new page: one part's repairs do not move another's
    lines) is a checkpoint, and optional changes are tried from it one at a time (a figure moved past
    the blocks that fill the space it left; a repair's page break that leaves a page short tried at
    its next step, or undone). A change that leaves the part worse, or makes faults that its repairs
    cannot mend within the layouts left, is undone back to the checkpoint and never tried again.
    ``seed`` is where the repairs start (``lay_out_book_repaired``: the parts' repairs found each on
    its own).
    """
    search = _Search(lay_out, parts)
    repairs = seed.copy() if seed is not None else Repairs()
    while True:
        check = search.run(repairs)
        required = [f for f in check.faults if _required(f)]
        if not required or search.layouts >= max_layouts:
            break
        proposal = repairs.copy()
        proposal.break_at = dict(repairs.break_at)
        if not proposal.escalate(required):
            break
        repairs = proposal
    explore = MAX_LAYOUTS // 2 if explore_layouts is None else explore_layouts
    if explore > 0:
        _explore(search, repairs, check, search.layouts + explore)
    assert search.best is not None
    return search.best[1], search.best[2], search.best[3]


@dataclass
class _Checkpoint:
    """A part's best layout with nothing left to repair: its cost, its repairs and its faults."""

    cost: float
    repairs: Repairs
    faults: list[Fault]


def _explore(search: _Search, accepted: Repairs, check: LayoutCheck, until: int) -> None:
    """The optional changes of ``lay_out_repaired``, from ``accepted`` (whose layout is ``check``)."""
    faults_of: dict[str, list[Fault]] = {}
    for fault in check.faults:
        faults_of.setdefault(fault.place.slug or "", []).append(fault)
    checkpoint = {slug: _Checkpoint(sum(fault_cost(f) for f in faults), accepted.copy(), faults)
                  for slug, faults in faults_of.items() if not any(_required(f) for f in faults)}
    excursion: dict[str, list[tuple[Key, State]]] = {}  # part → the optional change being repaired after

    def revert(slug: str) -> None:
        saved = checkpoint[slug]
        accepted.take_part(saved.repairs, slug)
        accepted.rejected.update(excursion.pop(slug, []))
        faults_of[slug] = saved.faults

    trial = accepted
    while search.layouts < until:
        proposal = accepted.copy()
        proposal.break_at = dict(trial.break_at)  # (where the last layout put each break)
        faults = [f for slug, fs in faults_of.items() for f in fs
                  if _required(f) or (slug in checkpoint and slug not in excursion)]
        proposal.escalate(faults, optional_parts={s for s in checkpoint if s not in excursion})
        # faults an optional change made that no repair mends: undo the change
        for slug in [slug for slug in excursion if slug not in proposal.changed_parts(accepted)]:
            revert(slug)
            proposal.take_part(accepted, slug)
        proposal.rejected = set(accepted.rejected)
        if not proposal.changed_parts(accepted):
            break
        trial = proposal
        check = search.run(trial)
        costs = part_costs(check.faults)
        for slug in trial.changed_parts(accepted):
            faults = [f for f in check.faults if (f.place.slug or "") == slug]
            cost = costs.get(slug, 0.0)
            clean = not any(_required(f) for f in faults)
            changed = [(key, trial.state(key)) for key in trial.keys() | accepted.keys()
                       if key[0] == slug and trial.state(key) != accepted.state(key)]
            saved = checkpoint.get(slug)
            if saved is not None and slug not in excursion:  # an optional change from the checkpoint
                if clean and cost >= saved.cost:  # it did not help
                    accepted.rejected.update(changed)
                    continue
                if not clean:  # it made a fault: repair that, then compare
                    excursion[slug] = changed
            accepted.take_part(trial, slug)  # (a part being repaired takes every step)
            faults_of[slug] = faults
            if clean:
                if saved is not None and slug in excursion and cost >= saved.cost:
                    revert(slug)
                else:
                    excursion.pop(slug, None)
                    checkpoint[slug] = _Checkpoint(cost, accepted.copy(), faults)
    for slug in list(excursion):  # out of layouts in the middle of repairing a change: undo it
        revert(slug)
    if accepted.changed_parts(trial) and search.layouts < until + 1:  # the parts' best repairs together
        search.run(accepted)


def keep_only_part(root: Any, slug: str) -> None:
    """Take every other part (and the cover, title page and contents) out of a document tree, so that
    one part can be laid out on its own: only the part's section and its ancestors are left."""
    target = next((e for e in root.iter("section") if e.get("id") == f"section-{slug}"), None)
    if target is None:
        return
    parents = {child: e for e in root.iter() for child in e}
    node = target
    while node in parents:
        parent = parents[node]
        if parent.tag == "head":
            break
        for sibling in list(parent):
            if sibling is not node and parent.tag != "html":
                parent.remove(sibling)
        node = parent


PART_LAYOUTS = 10  # layouts of one part on its own, in a book, to repair what must be
PART_EXPLORE_LAYOUTS = 8  # and then to try optional changes
BOOK_LAYOUTS = 4  # layouts of the whole book after its parts' repairs are put together


def lay_out_book_repaired(lay_out: Callable[[Repairs], Any], lay_out_part: Callable[[Repairs, str], Any],
                          parts: dict[str, tuple[str, str]]) -> tuple[Any, LayoutCheck, Repairs]:
    """``lay_out_repaired`` for a book, part by part.

    A part starts on a new page and the text block is as wide on a verso as on a recto, so a part's
    lines and pages fall the same laid out on its own (``lay_out_part(repairs, slug)``: the document
    with every other part taken out) as in the book. A book is laid out whole once; each part with a
    fault is then repaired on its own (a chapter is an eighth of the book: each layout is that much
    cheaper, and each part has its own ``PART_LAYOUTS``); the parts' repairs are put together and the
    book is laid out and checked whole again, and repaired whole if anything is still wrong (a
    reference to a page number in another part can differ, for one). Returns the best layout made.
    """
    document = lay_out(Repairs())
    check = check_document(document, parts)
    faulty = sorted({f.place.slug for f in check.faults if repairable(f) and f.place.slug in parts})
    if not faulty:
        return document, check, Repairs()
    first = (sum(fault_cost(f) for f in check.faults), document, check, Repairs())
    combined = Repairs()
    for slug in faulty:
        _, _, found = lay_out_repaired(lambda repairs, slug=slug: lay_out_part(repairs, slug), parts, PART_LAYOUTS,
                                       explore_layouts=PART_EXPLORE_LAYOUTS)
        combined.take_part(found, slug)
    document, check, repairs = lay_out_repaired(lay_out, parts, BOOK_LAYOUTS, seed=combined, explore_layouts=0)
    best = min((first, (sum(fault_cost(f) for f in check.faults), document, check, repairs)), key=lambda t: t[0])
    return best[1], best[2], best[3]


def fault_diagnostics(faults: list[Fault], pdf: str) -> list[Diagnostic]:
    """One ``path:line: error:`` line per fault the repair could not mend."""
    return [Diagnostic(f.place.source or pdf, f.place.line, f"{f.where(pdf)}: {f.detail}",
                       "the build could not repair it; shorten the note or move its call to another sentence"
                       if "note" in f.kind else "the build could not repair it")
            for f in faults]
