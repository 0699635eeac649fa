"""studyguide: build print-ready study guides (PDF) and e-books (EPUB) from Markdown, BibTeX and Jinja."""

from __future__ import annotations

__version__ = "0.1.0"
