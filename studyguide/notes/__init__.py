"""Importing the sources' footnotes into BibTeX (issue 3).

``import_notes`` reads transcribed notes files (bib/notes/*.txt), understands books, articles,
web pages and archival documents in the sources' citation styles, resolves "Ibid." and short
forms, gives each work one stable key, and writes a BibTeX file plus a per-note concordance.
One module per concern: split (numbering), segment (several works per note), classify
(publications) and archive (archival documents) — the grammar of the sources' styles —, crf (the
sequence labeller; trained by train from tests/notes/corpus) and general (its fields assembled
into citations), names, resolve, keys, bibtex, review (the review report and the build's check)
and importer, which runs both readers and keeps the confidence of every citation.
"""

from __future__ import annotations

from studyguide.notes.importer import Report, import_notes

__all__ = ["Report", "import_notes"]
