"""Finding the book's font files, so that the PDF and the EPUB use exactly the declared fonts.

fontconfig substitutes silently when a family is missing; here a missing family is an error that
says how to install it, instead of a book quietly set in a fallback font.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import StudyguideError

# Where system fonts live: the only files outside the project a PDF may read (WeasyPrint, templates).
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
STYLES = {"regular": "Regular", "bold": "Bold", "italic": "Italic", "bolditalic": "Bold Italic"}


@dataclass(frozen=True)
class FontFile:
    family: str
    style: str
    path: Path


@cache
def font_files(family: str) -> tuple[FontFile, ...]:
    """The regular, bold, italic and bold-italic files of a family, or an error naming the fix."""
    found = []
    for style, fc_style in STYLES.items():
        try:
            proc = subprocess.run(["fc-match", "-f", "%{family}\n%{file}", f"{family}:style={fc_style}"],
                                  capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            raise StudyguideError.at("book.yaml", None, "fontconfig's fc-match cannot be run (not installed?)",
                                     hint="apt-get install fontconfig") from None
        lines = proc.stdout.splitlines()
        if proc.returncode != 0 or len(lines) < 2 or family.lower() not in lines[0].lower():
            raise StudyguideError.at(
                "book.yaml", None, f"font '{family}' ({fc_style}) is not installed",
                hint="run ./setup.sh, or apt-get install fonts-noto-core",
            )
        found.append(FontFile(family, style, Path(lines[1])))
    return tuple(found)
