"""The second book under examples/: built with the engine alone, with nothing of the Vietnam guide."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.support import REPO

pytestmark = pytest.mark.slow
GUIDE_WORDS = re.compile(r"Vietnam|Hanoi|Sino-Soviet|Khrushchev|Moscow|Beijing|STUDY GUIDE|Radchenko", re.I)


def test_the_example_book_builds_without_a_word_of_the_guide(tmp_path: Path) -> None:
    book = shutil.copytree(REPO / "examples" / "printing-press", tmp_path / "printing-press")
    proc = subprocess.run([sys.executable, "-m", "studyguide.cli", "build", "-C", str(book)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    pdfs = sorted((book / "build" / "pdf").rglob("*.pdf"))
    epubs = sorted((book / "build" / "epub").rglob("*.epub"))
    assert pdfs and len(epubs) == 2
    for pdf in pdfs:
        text = "".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
        assert "Movable Type in Mainz" in text or "handouts" in str(pdf)
        assert not GUIDE_WORDS.findall(text), (pdf, GUIDE_WORDS.findall(text))
    for epub in epubs:
        with zipfile.ZipFile(epub) as archive:
            text = " ".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist()
                            if n.endswith((".xhtml", ".opf", ".svg", ".ncx")))
        assert "Presses across Europe" in text
        assert not GUIDE_WORDS.findall(text), (epub, GUIDE_WORDS.findall(text))
