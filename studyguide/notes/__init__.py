"""Importing the sources' footnotes into BibTeX (issue 3).

``import_notes`` reads transcribed notes files (bib/notes/*.txt), understands books, articles,
web pages and archival documents in the sources' citation styles, resolves "Ibid." and short
forms, gives each work one stable key, and writes a BibTeX file plus a per-note concordance.
One module per concern: split (numbering), segment (several works per note), classify
(publications), archive (archival documents), names, resolve, keys, bibtex, importer.
"""

from __future__ import annotations

from studyguide.notes.importer import Report, import_notes

__all__ = ["Report", "import_notes"]
