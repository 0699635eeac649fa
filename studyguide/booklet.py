"""Saddle-stitch imposition: a handout's pages, two-up on landscape sheets, in folding order.

A stack of sheets printed double-sided (flip on the short edge), folded in the middle and stapled
on the fold reads in order. Each sheet carries four pages: the outermost sheet holds the first two
and the last two. The page count is padded with blank pages at the end to a multiple of four.
The handout is laid out at half size (A5, 148.5 mm wide, for A4 sheets, 5.5 × 8.5 in for Letter), so imposition
places pages at 100 %: no type is shrunk on the photocopier.
"""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader, PdfWriter, Transformation

Side = tuple[int | None, int | None]  # (left, right) page index on one side of a sheet; None is blank


def padded(pages: int) -> int:
    """The booklet's page count: the next multiple of four (at least four)."""
    return max(4, -(-pages // 4) * 4)


def sheet_sides(pages: int) -> list[Side]:
    """Every printed side in print order: front of sheet 1, back of sheet 1, front of sheet 2 …"""
    total = padded(pages)
    sides: list[Side] = []
    for sheet in range(total // 4):
        front = (total - 1 - 2 * sheet, 2 * sheet)
        back = (2 * sheet + 1, total - 2 - 2 * sheet)
        sides += [front, back]

    def shown(index: int) -> int | None:
        return index if index < pages else None

    return [(shown(left), shown(right)) for left, right in sides]


def reading_order(sides: list[Side]) -> list[int | None]:
    """The pages in the order a reader meets them once the printed sheets are stacked and folded.

    A model of the physical booklet, used by the tests to prove that ``sheet_sides`` reads 1, 2, 3 …:
    the sheets nest, the first printed outermost. Turning pages from the cover, a reader goes in
    through each sheet's front-right half and then the back-left half behind it (a sheet flipped on
    its short edge puts the back's left half behind the front's right half), reaches the centre
    spread, and comes out through each sheet's back-right and then front-left half.
    """
    sheets = [(sides[i], sides[i + 1]) for i in range(0, len(sides), 2)]
    going_in = [page for front, back in sheets for page in (front[1], back[0])]
    coming_out = [page for front, back in reversed(sheets) for page in (back[1], front[0])]
    return going_in + coming_out


def impose(pdf: bytes) -> tuple[bytes, int]:
    """Two-up saddle-stitch imposition of ``pdf``; returns the new PDF and its number of sheets."""
    reader = PdfReader(BytesIO(pdf))
    box = reader.pages[0].mediabox
    width, height = float(box.width), float(box.height)
    writer = PdfWriter()
    sides = sheet_sides(len(reader.pages))
    for left, right in sides:
        side = writer.add_blank_page(width=2 * width, height=height)
        for slot, index in enumerate((left, right)):
            if index is not None:
                side.merge_transformed_page(reader.pages[index], Transformation().translate(slot * width, 0))
    if reader.metadata:
        writer.add_metadata({k: v for k, v in reader.metadata.items() if isinstance(v, str)})
    out = BytesIO()
    writer.write(out)
    return out.getvalue(), len(sides) // 2
