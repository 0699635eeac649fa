"""Saddle-stitch imposition: a handout's pages, two-up on landscape sheets, in folding order.

A stack of sheets printed double-sided (flip on the short edge), folded in the middle and stapled
on the fold reads in order. Each sheet carries four pages: the outermost sheet holds the first two
and the last two. The page count is padded with blank pages at the end to a multiple of four.
The handout is laid out at half size (A5, 148.5 mm wide, for A4 sheets, 5.5 × 8.5 in for Letter), so imposition
places pages at 100 %: no type is shrunk on the photocopier.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

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
    """Two-up saddle-stitch imposition of ``pdf``; returns the new PDF and its number of sheets.

    Each source page becomes a form XObject drawn once on its half of a sheet, which copies its
    content stream as it is; pypdf's ``merge_transformed_page`` would parse and rewrite every
    content stream, and took a third of a booklet's build time.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject

    reader = PdfReader(BytesIO(pdf))
    box = reader.pages[0].mediabox
    width, height = float(box.width), float(box.height)
    writer = PdfWriter()
    forms: dict[int, Any] = {}

    def form(index: int) -> Any:
        if index not in forms:
            page = reader.pages[index]
            contents = page.get_contents()  # (a stream object: test it against None, not for truth)
            stream = DecodedStreamObject()
            stream.set_data(contents.get_data() if contents is not None else b"")
            stream.update({
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): ArrayObject([FloatObject(v) for v in page.mediabox]),
                NameObject("/Resources"): page["/Resources"].clone(writer) if "/Resources" in page else DictionaryObject(),
            })
            forms[index] = writer._add_object(stream.flate_encode())
        return forms[index]

    sides = sheet_sides(len(reader.pages))
    for left, right in sides:
        side = writer.add_blank_page(width=2 * width, height=height)
        placed = {f"/P{slot}": (slot * width, form(index)) for slot, index in enumerate((left, right)) if index is not None}
        side[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): DictionaryObject(
            {NameObject(name): ref for name, (_, ref) in placed.items()})})
        drawing = DecodedStreamObject()
        drawing.set_data(" ".join(f"q 1 0 0 1 {x:g} 0 cm {name} Do Q" for name, (x, _) in placed.items()).encode())
        side[NameObject("/Contents")] = writer._add_object(drawing)
    if reader.metadata:
        writer.add_metadata({k: v for k, v in reader.metadata.items() if isinstance(v, str)})
    out = BytesIO()
    writer.write(out)
    return out.getvalue(), len(sides) // 2
