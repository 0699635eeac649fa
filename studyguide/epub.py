"""The e-book: the parts' citeproc'd ASTs merged into one document → pandoc's EPUB 3 writer.

The ASTs already carry citations and notes, so pandoc only writes: notes come out as EPUB 3
footnotes (<aside epub:type="footnote">), the navigation document from the level-1/2 headings.

Accessibility (EPUB Accessibility 1.1, WCAG 2.1 AA; ``doit check`` runs Ace by DAISY on the result):
each edition has its own identifier and title; the paragraph anchors of prepare.lua become
page-break markers of the printed student book (its page map, written by the PDF stage) and a
page-list navigation; the cover gets a text alternative; the accessibility metadata and summary
are computed from what this edition contains (``accessibility``). pandoc cannot write a page list,
a cover title or conformance metadata, so ``finish`` adds them to pandoc's EPUB, parsing each XML
file with lxml (entities and DTDs off).
"""

from __future__ import annotations

import io
import json
import os
import re
import uuid
import zipfile
from collections import Counter
from dataclasses import dataclass
from html import escape as html_escape
from pathlib import Path
from typing import Any

from . import yamlio
from .config import Book, Part
from .content import read_text
from .errors import Collector, StudyguideError
from .fonts import font_files
from .fsutil import atomic_write_bytes, atomic_write_text
from .pandoc import merge_asts, part_outputs, run
from .render import locate, render
from .resources import document_problems, report
from .resources import walk as ast_elements

TEMPLATES = ("epub/metadata.yaml.j2", "epub/epub.css.j2", "shared/cover.svg.j2")
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"  # verified by Ace in `doit check`
NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "xhtml": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "svg": "http://www.w3.org/2000/svg"}


def page_source(book: Book) -> tuple[str, str]:
    """The printed book whose page numbers the e-books carry: the student A4 book if there is one."""
    edition = "student" if "student" in book.editions else book.editions[0]
    paper = "a4" if "a4" in book.papers else book.papers[0]
    return edition, paper


def page_map_file(book: Book) -> Path:
    from .pdf import page_map_path

    return page_map_path(book.paths.pdf(*page_source(book)))


def edition_identifier(book: Book, edition: str) -> str:
    """A distinct, stable identifier per edition: a name-based UUID of the book's identifier and edition."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{book.identifier}#{edition}')}"


def edition_title(book: Book, edition: str) -> str:
    return f"{book.metadata()['title']} — {edition.capitalize()} edition"


def write_epub(book: Book, edition: str, parts: list[Part], out: Path) -> None:
    work = book.paths.epub_work(edition)
    templates = book.paths.template_dirs
    context = {"book": book.metadata(), "edition": edition}
    edition_book = book.metadata() | {"title": edition_title(book, edition), "identifier": edition_identifier(book, edition)}
    metadata_text = render(templates, TEMPLATES[0], book=edition_book, edition=edition)
    where = locate(templates, TEMPLATES[0]) or TEMPLATES[0]
    metadata = yamlio.load(metadata_text, where, what="renders to invalid YAML")
    if not isinstance(metadata, dict):
        raise StudyguideError.at(where, None, "renders to YAML that is not a mapping")
    fonts = [f for family in {book.fonts["body"], book.fonts["heading"]} for f in font_files(family)]
    fonts.sort(key=lambda f: (f.family, f.style))
    atomic_write_text(work / "metadata.yaml", metadata_text)
    atomic_write_text(work / "epub.css", render(templates, "epub/epub.css.j2", fonts=fonts, **context))
    atomic_write_text(work / "cover.svg", render(templates, "shared/cover.svg.j2", **context))
    asts = [json.loads(part_outputs(book, p, edition).ast.read_text(encoding="utf-8")) for p in parts]
    check_embedded(book, [(p, ast) for p, ast in zip(parts, asts, strict=True)])
    pages_file = page_map_file(book)
    pages = json.loads(pages_file.read_text(encoding="utf-8"))["pages"] if pages_file.exists() else []
    markers = page_markers(pages)
    asts = [place_page_breaks(ast, markers) for ast in asts]
    # book.yaml's values are plain text: passed as MetaString, never read as Markdown (a title
    # '![x](/etc/passwd)' would otherwise make the EPUB writer embed that file).
    document = merge_asts(asts, plain_meta(metadata))
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    args = [
        "--from=json", "--to=epub3", f"--output={tmp}",
        f"--css={work / 'epub.css'}", f"--epub-cover-image={work / 'cover.svg'}", "--split-level=1",
        "--toc-depth=2", "--epub-title-page=true", *[f"--epub-embed-font={f.path}" for f in fonts],
    ]
    try:
        run(args, book, stdin=json.dumps(document).encode("utf-8"), output=out)
        summary = accessibility(book, edition, asts, pages_file if markers else None, len(pages))
        # written anew, atomically: a full disk here leaves the EPUB built before as it was, and says so
        atomic_write_bytes(out, finish(tmp.read_bytes(), summary, f"{book.metadata()['title']}: cover"))
    finally:
        tmp.unlink(missing_ok=True)


def plain_meta(metadata: dict[str, Any]) -> dict[str, Any]:
    """pandoc JSON metadata from plain data, every string as literal text (MetaString)."""
    return {str(k): meta_value(v) for k, v in metadata.items()}


def meta_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {"t": "MetaMap", "c": {str(k): meta_value(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"t": "MetaList", "c": [meta_value(v) for v in value]}
    if isinstance(value, bool):
        return {"t": "MetaBool", "c": value}
    return {"t": "MetaString", "c": "" if value is None else str(value)}


def check_embedded(book: Book, documents: list[tuple[Part, dict[str, Any]]]) -> None:
    """Everything pandoc's EPUB writer would fetch into the book must be a file inside the project.

    The EPUB stage cannot run under pandoc's --sandbox (see pandoc.SANDBOX), so this is its
    sandbox: the same AST walk as the part stage (resources.document_problems: images, links, every
    URL attribute of raw HTML, CSS url() and @import, SVG files), run again on the ASTs it merges,
    so that nothing that reached an AST some other way is embedded. Each part's source is searched
    for the line.
    """
    problems = Collector()
    for part, ast in documents:
        found = document_problems(ast, book.root)
        if found:
            try:
                text = read_text(part.source)
            except StudyguideError:
                text = ""
            report(found, part.source, text, problems)
    problems.raise_if_errors()


# --- print page numbers -----------------------------------------------------------------------------

def page_markers(pages: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Paragraph anchor → the page labels whose break goes right before that paragraph.

    A page on which no paragraph starts gets its marker together with the next page's, so that
    every printed page is in the page list, in order.
    """
    markers: dict[str, list[str]] = {}
    waiting: list[str] = []
    for page in pages:
        waiting.append(page["label"])
        if page["first"]:
            markers.setdefault(page["first"], []).extend(waiting)
            waiting = []
    return markers


def _pagebreak(label: str) -> dict[str, Any]:
    """The marker of a printed page; its aria-label carries the label as printed (read back by ``finish``)."""
    ident = "page-" + re.sub(r"[^A-Za-z0-9_.-]", "-", label)
    html = (f'<span epub:type="pagebreak" role="doc-pagebreak" id="{ident}" '
            f'aria-label="page {html_escape(label)}"></span>')
    return {"t": "RawInline", "c": ["html", html]}


def place_page_breaks(ast: dict[str, Any], markers: dict[str, list[str]]) -> dict[str, Any]:
    """Replace prepare.lua's paragraph anchors by page-break markers where a page starts; drop the rest."""
    def inlines(items: list[Any]) -> list[Any]:
        kept = []
        for item in items:
            if isinstance(item, dict) and item.get("t") == "Span" and "page-anchor" in item["c"][0][1]:
                kept.extend(_pagebreak(label) for label in markers.get(item["c"][0][0], []))
                continue
            kept.append(walk(item))
        return kept

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return inlines(node)
        return node

    return walk(ast)


# --- accessibility metadata -----------------------------------------------------------------------

@dataclass
class Accessibility:
    """What one edition contains, as EPUB accessibility metadata."""

    identifier: str
    modes: list[str]
    sufficient: list[str]
    features: list[str]
    summary: str
    page_source: str | None  # the printed book the page numbers come from
    certified_by: str


def _kinds(asts: list[dict[str, Any]]) -> Counter[str]:
    """How many elements of each kind (Image, Table, Note …) the ASTs hold: one walk for every count."""
    return Counter(element["t"] for ast in asts for element in ast_elements(ast.get("blocks", [])))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def accessibility(book: Book, edition: str, asts: list[dict[str, Any]], pages_file: Path | None,
                  page_count: int) -> Accessibility:
    """Accessibility metadata written from this edition's content (counted in its ASTs)."""
    parts = book.parts_for(edition)
    chapters = sum(p.kind == "chapter" for p in parts)
    kinds = _kinds(asts)
    images, tables, notes = kinds["Image"], kinds["Table"], kinds["Note"]
    features = ["structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"]
    sentences = [f"This {edition} edition has {_plural(chapters, 'chapter')} and {_plural(len(parts) - chapters, 'other part')}, "
                 "with headings in order and a table of contents."]
    if images:
        features.append("alternativeText")
        sentences.append(f"{_plural(images, 'figure')}, each with a text alternative.")
    if tables:
        sentences.append(f"{_plural(tables, 'table')} with marked header cells.")
    if notes:
        sentences.append(f"{_plural(notes, 'note')}, linked to and from the text.")
    source = None
    if pages_file is not None:
        features += ["pageBreakMarkers", "pageNavigation"]
        source_edition, paper = page_source(book)
        source = f"{book.metadata()['title']}, {source_edition} edition, {paper.upper()} print book"
        sentences.append(f"Page-break markers and a page list give the {page_count} printed page numbers of the "
                         f"{source_edition} edition's {paper.upper()} print book.")
    sentences.append("Text and colours follow the reader's settings; there are no sounds, animations or flashing content.")
    sentences.append(f"Conforms to {CONFORMS_TO}, checked with Ace by DAISY.")
    return Accessibility(
        identifier=edition_identifier(book, edition),
        modes=["textual", "visual"] if images else ["textual"], sufficient=["textual"],
        features=features, summary=" ".join(sentences), page_source=source,
        certified_by=book.metadata().get("publisher") or ", ".join(book.metadata()["authors"]))


# --- finishing pandoc's EPUB ----------------------------------------------------------------------

def _parse(data: bytes) -> Any:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=False)
    return etree.fromstring(data, parser)


def _serialize(root: Any) -> bytes:
    from lxml import etree

    doctype = "<!DOCTYPE html>" if root.tag == f"{{{NS['xhtml']}}}html" else None
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", doctype=doctype)


def finish(epub: bytes, a11y: Accessibility, cover_text: str) -> bytes:
    """Add the page list, the cover's text alternative and the accessibility metadata to pandoc's EPUB."""
    from lxml import etree

    source = zipfile.ZipFile(io.BytesIO(epub))
    files = {info.filename: source.read(info) for info in source.infolist()}
    opf_name = next(n for n in files if n.endswith(".opf"))
    base = opf_name.rsplit("/", 1)[0] + "/" if "/" in opf_name else ""
    # Where each page-break marker ended up (pandoc splits the book into files).
    breaks: list[tuple[str, str, str]] = []
    for name in sorted(files):
        if name.startswith(base + "text/") and name.endswith(".xhtml"):
            root = _parse(files[name])
            for span in root.iter(f"{{{NS['xhtml']}}}span"):
                if span.get(f"{{{NS['epub']}}}type") == "pagebreak":
                    breaks.append((name[len(base):], span.get("id"), span.get("aria-label").removeprefix("page ")))
            svg = root.find(f".//{{{NS['svg']}}}svg") if name.endswith("cover.xhtml") else None
            if svg is not None:
                svg.set("role", "img")
                svg.set("aria-label", cover_text)
                title = etree.Element(f"{{{NS['svg']}}}title")
                title.text = cover_text
                svg.insert(0, title)
                files[name] = _serialize(root)
    order = {href: i for i, href in enumerate(_spine(files[opf_name]))}
    breaks.sort(key=lambda b: order.get(b[0], len(order)))  # reading order; within a file, stable
    nav_name = base + "nav.xhtml"
    if breaks and nav_name in files:
        nav = _parse(files[nav_name])
        body = nav.find(f"{{{NS['xhtml']}}}body")
        page_list = etree.SubElement(body, f"{{{NS['xhtml']}}}nav", {f"{{{NS['epub']}}}type": "page-list",
                                                                    "role": "doc-pagelist", "id": "page-list",
                                                                    "hidden": "hidden"})
        heading = etree.SubElement(page_list, f"{{{NS['xhtml']}}}h2")
        heading.text = "Pages"
        items = etree.SubElement(page_list, f"{{{NS['xhtml']}}}ol")
        for file, anchor, label in breaks:
            link = etree.SubElement(etree.SubElement(items, f"{{{NS['xhtml']}}}li"), f"{{{NS['xhtml']}}}a",
                                    {"href": f"{file}#{anchor}"})
            link.text = label
        files[nav_name] = _serialize(nav)
    files[opf_name] = _opf_metadata(files[opf_name], a11y if breaks else _without_pages(a11y))
    # Rewrite the archive in pandoc's order with pandoc's entry headers (timestamps from
    # SOURCE_DATE_EPOCH, mimetype first and stored), so that the EPUB stays byte-reproducible.
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type, entry.external_attr = info.compress_type, info.external_attr
            target.writestr(entry, files[info.filename])
    return out.getvalue()


def _spine(opf: bytes) -> list[str]:
    """The package's content documents in reading order (their hrefs, relative to the package)."""
    root = _parse(opf)
    hrefs = {item.get("id"): item.get("href") for item in root.iter(f"{{{NS['opf']}}}item")}
    return [hrefs[ref.get("idref")] for ref in root.iter(f"{{{NS['opf']}}}itemref") if ref.get("idref") in hrefs]


def _without_pages(a11y: Accessibility) -> Accessibility:
    features = [f for f in a11y.features if f not in ("pageBreakMarkers", "pageNavigation")]
    return Accessibility(a11y.identifier, a11y.modes, a11y.sufficient, features, a11y.summary, None, a11y.certified_by)


def _opf_metadata(opf: bytes, a11y: Accessibility) -> bytes:
    """Write the accessibility metadata (schema.org, dcterms:conformsTo, the page source) into the package."""
    from lxml import etree

    root = _parse(opf)
    metadata = root.find(f"{{{NS['opf']}}}metadata")
    for meta in list(metadata):
        if str(meta.get("property", "")).startswith(("schema:access", "a11y:", "dcterms:conformsTo")):
            metadata.remove(meta)

    def meta(prop: str, text: str, **attrs: str) -> Any:
        element = etree.SubElement(metadata, f"{{{NS['opf']}}}meta", {"property": prop, **attrs})
        element.text = text
        return element

    for mode in a11y.modes:
        meta("schema:accessMode", mode)
    meta("schema:accessModeSufficient", ",".join(a11y.sufficient))
    for feature in a11y.features:
        meta("schema:accessibilityFeature", feature)
    meta("schema:accessibilityHazard", "none")
    meta("schema:accessibilitySummary", a11y.summary)
    meta("dcterms:conformsTo", CONFORMS_TO)
    meta("a11y:certifiedBy", a11y.certified_by)
    if a11y.page_source:
        source = etree.SubElement(metadata, f"{{{NS['dc']}}}source", {"id": "page-source"})
        source.text = a11y.page_source
        meta("source-of", "pagination", refines="#page-source")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
