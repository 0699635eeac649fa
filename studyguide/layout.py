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

    def visit(box: Any, block_element: Any) -> None:
        nonlocal bottom, first, last, last_line, first_box
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
    heights = {child.element: child.margin_height() for child in note_boxes}
    forced = any(isinstance(b, boxes.BlockBox) and b.element is not None and b.element.get("data-block")
                 and b.style["break_before"] in ("page", "left", "right", "recto", "verso")
                 for b in _first_blocks(root, boxes))
    return _Page(number, calls, notes, bottom, limit, first, last, last_line, empty, lines, note_lines, heights,
                 first_box, forced)


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
            result.faults[-1].cause = cause
            result.faults[-1].figure = figure
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


def _is_heading(element: Any) -> bool:
    """A heading, or a box's title (which titles what follows it as a heading does)."""
    return element.tag in HEADINGS or "box-title" in (element.get("class") or "").split()


def _early_cause(following: _Page, sources: Sources, gap_mm: float) -> tuple[str, Place | None, str]:
    """Why the text stopped short, from what the next page starts with: a figure too tall for the
    space left, a note that had to go with its call's line, or lines kept with what follows them."""
    figure = next((node for node in sources.ancestors(following.first_box) if node.tag == "figure"), None) \
        if following.first_box is not None else None
    if figure is not None:
        return "figure", sources.place(figure), "the figure that follows is too tall for the space left"
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
    "lost-note": ("widows", "break-inside: avoid;", "break-before: page;"),
    "moved-note": ("widows", "break-inside: avoid;", "break-before: page;"),
    # a box whose frame alone is left at the foot of the page: keep its first lines with its top
    "empty-box": ("orphans: 20;", "break-before: page;"),
    "stranded-heading": ("break-before: page;",),
    # the paragraph at the foot of the page of a deferred note (see Repairs.escalate): WeasyPrint
    # defers the note rather than leave that paragraph's first lines as orphans (start it overleaf)
    # or its last lines as widows (let it break after any line)
    "tail-start": ("break-before: page;",),
    "tail-loose": ("orphans: 1; widows: 1;",),
    # three hyphenated lines in a row: set the paragraph without automatic hyphens
    "hyphen-run": ("hyphens: manual;",),
}


FIGURE_MOVES = 3  # a figure that does not fit is moved after at most this many following blocks


@dataclass
class Repairs:
    """The blocks being repaired, the step each has reached, and the CSS of all of them.

    ``moves`` holds the figures moved later in their part, as a float would be: a figure too tall for
    the space left on its page leaves that space empty, so it is moved after the next block (up to
    ``FIGURE_MOVES``), whose text then fills the page. Moving is done on the HTML tree (``apply``),
    since no CSS that WeasyPrint supports floats a figure to the next page.
    """

    steps: dict[tuple[str, str], tuple[str, int, int | None]] = field(default_factory=dict)
    moves: dict[tuple[str, str], int] = field(default_factory=dict)
    # a page break asked before a block goes before the headings just above it (set by ``apply``)
    break_at: dict[tuple[str, str], str] = field(default_factory=dict)

    def escalate(self, faults: list[Fault]) -> bool:
        """Take the next step for every fault that has one; False when none is left to try."""
        moved = False
        taken: set[tuple[str, str]] = set()
        for fault in faults:
            if fault.kind == "early-page" and fault.cause == "figure" and fault.figure and fault.figure.slug \
                    and fault.figure.block:
                key = (fault.figure.slug, fault.figure.block)
                if key not in taken and self.moves.get(key, 0) < FIGURE_MOVES:
                    taken.add(key)
                    self.moves[key] = self.moves.get(key, 0) + 1
                    moved = True
                continue
            if fault.kind not in STEPS or not fault.place.slug or not fault.place.block:
                continue
            tail = fault.tail
            if tail and tail.slug and tail.block and (tail.slug, tail.block) != (fault.place.slug, fault.place.block) \
                    and (tail.slug, tail.block) not in self.steps:
                # WeasyPrint defers a note already on the page rather than break a later paragraph
                # against its orphans or widows: start that paragraph overleaf or loosen it instead
                self.steps[(tail.slug, tail.block)] = (fault.tail_kind, 0, None)
                taken.add((tail.slug, tail.block))
                moved = True
                continue
            key = (fault.place.slug, fault.place.block)
            if key in taken:
                continue
            taken.add(key)
            kind, step, widows = self.steps.get(key, (fault.kind, -1, fault.widows))
            if step + 1 < len(STEPS[kind]):
                self.steps[key] = (kind, step + 1, fault.widows or widows)
                moved = True
        return moved

    def css(self) -> str:
        """The repairs' CSS; ``apply`` first, so that a page break goes before the block's headings."""
        rules = []
        for (slug, block), (kind, step, widows) in sorted(self.steps.items()):
            declaration = STEPS[kind][step]
            if declaration == "widows":
                declaration = f"widows: {max(widows or 1, 2)}; orphans: 1;"
            selector = f'#section-{slug} [data-block="{block}"]'
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
        for slug, block in self.steps:
            section = next((e for e in root.iter("section") if e.get("id") == f"section-{slug}"), None)
            if section is None:
                continue
            parents = {child: e for e in section.iter() for child in e}
            element = next((e for e in section.iter() if e.get("data-block") == block), None)
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
            if element is None:
                continue
            self.break_at[(slug, block)] = element.get("data-block")
            # the break is marked on this one element: a box and its title share their data-block,
            # and a break before both left the box's empty frame on a page of its own
            if STEPS[self.steps[(slug, block)][0]][self.steps[(slug, block)][1]].startswith("break-before"):
                element.set("data-break", "page")
        for (slug, block), count in sorted(self.moves.items()):
            section = next((e for e in root.iter("section") if e.get("id") == f"section-{slug}"), None)
            if section is None:
                continue
            parent = next((e for e in section.iter() for child in e if child.get("data-block") == block), None)
            if parent is None:
                continue
            children = list(parent)
            figure = next(child for child in children if child.get("data-block") == block)
            at = children.index(figure)
            target = min(at + count, len(children) - 1)
            if target > at:
                parent.remove(figure)
                parent.insert(target, figure)

    def __len__(self) -> int:
        return len(self.steps) + len(self.moves)


MAX_LAYOUTS = 10  # a repair moves pages after it, which can make new faults: each is repaired in turn


def repairable(fault: Fault) -> bool:
    """Faults the build lays out again for: the fatal ones, figures to move, hyphen runs."""
    return fault.kind in FATAL or fault.kind == "hyphen-run" or (fault.kind == "early-page" and fault.cause == "figure")


def lay_out_repaired(lay_out: Callable[[Repairs], Any], parts: dict[str, tuple[str, str]],
                     max_layouts: int = MAX_LAYOUTS) -> tuple[Any, LayoutCheck, Repairs]:
    """Lay out (``lay_out(repairs)`` returns a WeasyPrint document laid out with ``repairs.css()``
    and ``repairs.apply`` on its tree), check, repair, check again.

    Stops at the first layout with nothing left to repair, when no fault has a step left, or after
    ``max_layouts`` layouts; returns the last document, its check and the repairs made.
    """
    repairs = Repairs()
    for attempt in range(max_layouts):
        document = lay_out(repairs)
        check = check_document(document, parts)
        check.measures.repairs = len(repairs)
        faults = [f for f in check.faults if repairable(f)]
        if not faults or attempt == max_layouts - 1 or not repairs.escalate(faults):
            break
    return document, check, repairs


def fault_diagnostics(faults: list[Fault], pdf: str) -> list[Diagnostic]:
    """One ``path:line: error:`` line per fault the repair could not mend."""
    return [Diagnostic(f.place.source or pdf, f.place.line, f"{f.where(pdf)}: {f.detail}",
                       "the build could not repair it; shorten the note or move its call to another sentence"
                       if "note" in f.kind else "the build could not repair it")
            for f in faults]
