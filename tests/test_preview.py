"""`studyguide preview` in a real browser: headless Chromium (Debian's) driven through Playwright.

The server runs as the author would run it (the CLI, in a subprocess) on a copy of the mini
project; the browser opens a chapter, the test edits the file on disk and waits, without ever
reloading, for the page to show the edit, then for a mistake to appear above the page (with the
last good text still underneath) and to clear once fixed. Every wait is bounded; the server is
stopped at the end, and the books (PDF, EPUB) are never written.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import REPO, make_project

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WAIT_MS = 30_000  # a rebuild of the mini project takes about a second; this bounds a loaded CI machine
URL = re.compile(r"http://127\.0\.0\.1:\d+/")

pytestmark = pytest.mark.slow


class Server:
    """The preview CLI in a subprocess, with its terminal output collected line by line."""

    def __init__(self, project: Path, *options: str) -> None:
        env = os.environ | {"PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "studyguide.cli", "preview", "-C", str(project), *options],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        for stream in (self.proc.stdout, self.proc.stderr):
            threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:  # type: ignore[no-untyped-def]
        for line in stream:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: re.Pattern[str] | str, timeout: float = WAIT_MS / 1000) -> str:
        """The first terminal line (new or already seen) that matches, or fail after ``timeout``."""
        found = re.compile(pattern) if isinstance(pattern, str) else pattern
        for line in self.seen:
            if found.search(line):
                return line
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                pytest.fail(f"no terminal line matching {found.pattern!r} in {timeout} s; seen: {self.seen[-10:]}")
            self.seen.append(line)
            if found.search(line):
                return line

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[tuple[Path, Server, str]]:
    project = make_project(tmp_path / "mini")
    server = Server(project, "--port", "0")
    try:
        url = URL.search(server.wait_for(URL, timeout=180)).group()  # type: ignore[union-attr]
        yield project, server, url
    finally:
        server.stop()


@pytest.fixture
def browser() -> Iterator[object]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).is_file():
        pytest.skip("Debian's chromium is not installed (./setup.sh --test installs it)")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def test_preview_shows_an_edit_and_an_error_without_a_reload(preview, browser) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    project, server, url = preview
    chapter = project / "content" / "01-alpha.md"
    page = browser.new_page()  # type: ignore[attr-defined]
    reloads: list[str] = []
    page.on("load", lambda: reloads.append(page.url))

    page.goto(url)
    expect(page.locator("nav.toc")).to_contain_text("Alpha Chapter", timeout=WAIT_MS)
    page.get_by_role("link", name="Alpha Chapter").click()
    heading = page.locator("h1.part-heading")
    expect(heading).to_contain_text("Alpha Chapter", timeout=WAIT_MS)
    # The build's own fragment: citeproc's notes (as numbered sidenotes) and the boxes.
    expect(page.locator("main .footnote").first).to_contain_text("Chen", timeout=WAIT_MS)
    expect(page.locator("main .fn-call").first).to_have_text("1")
    expect(page.locator("main .overview")).to_be_visible()
    loads_before = len(reloads)

    # 1. An edit appears by itself.
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text.replace("The zanzibar paragraph", "The wombat paragraph"), encoding="utf-8")
    expect(page.locator("main")).to_contain_text("The wombat paragraph", timeout=WAIT_MS)
    assert len(reloads) > loads_before, "the page should have reloaded itself"

    # 2. A mistake shows above the last good page, as the build prints it, in the page and the terminal.
    edited = chapter.read_text(encoding="utf-8")
    chapter.write_text(edited.replace("[@chen2001mao, 207]", "[@chen2001mau, 207]"), encoding="utf-8")
    problems = page.locator(".preview-problems")
    expect(problems).to_contain_text("content/01-alpha.md:7: error: unknown citation key 'chen2001mau'", timeout=WAIT_MS)
    expect(page.locator("main")).to_contain_text("The wombat paragraph")
    server.wait_for(r"^content/01-alpha\.md:7: error: unknown citation key 'chen2001mau' \(did you mean 'chen2001mao'\?\)$")

    # 3. Fixing it clears the message.
    chapter.write_text(edited, encoding="utf-8")
    expect(problems).to_have_count(0, timeout=WAIT_MS)
    expect(page.locator("main")).to_contain_text("The wombat paragraph")

    # 4. A box left open is refused with its line; the fix clears it again.
    broken = edited.replace("::: overview\n", "::: overview\n", 1).replace(
        "An overview paragraph that cites a book [@chen2001mao, 207].\n:::\n",
        "An overview paragraph that cites a book [@chen2001mao, 207].\n", 1)
    assert broken != edited
    chapter.write_text(broken, encoding="utf-8")
    expect(problems).to_contain_text("content/01-alpha.md:6: error: this box (':::') is never closed", timeout=WAIT_MS)
    chapter.write_text(edited, encoding="utf-8")
    expect(problems).to_have_count(0, timeout=WAIT_MS)

    # 5. The chapter's handout: a PDF laid out on request, never written under build/.
    with urllib.request.urlopen(url + "_preview/handout/01-alpha.pdf", timeout=120) as response:
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.read(5) == b"%PDF-"
    page.close()
    assert not (project / "build" / "pdf").exists()
    assert not (project / "build" / "epub").exists()


def test_preview_shows_a_broken_front_matter_and_the_teacher_edition(tmp_path: Path, browser) -> None:  # type: ignore[no-untyped-def]
    """--edition teacher shows the model answers; a front-matter slip shows on the contents page too."""
    from playwright.sync_api import expect

    project = make_project(tmp_path / "mini")
    server = Server(project, "--edition", "teacher")
    try:
        url = URL.search(server.wait_for(URL, timeout=180)).group()  # type: ignore[union-attr]
        page = browser.new_page()  # type: ignore[attr-defined]
        page.goto(url + "01-alpha.html")
        expect(page.locator("main .answer")).to_contain_text("The quokka answer", timeout=WAIT_MS)
        chapter = project / "content" / "02-beta.md"
        text = chapter.read_text(encoding="utf-8")
        # open the contents page first, then break the chapter: the page reloads itself (navigating
        # while the preview's own reload arrives aborted the navigation, net::ERR_ABORTED)
        page.goto(url)
        chapter.write_text(text.replace("title:", "title: [unclosed", 1), encoding="utf-8")
        expect(page.locator(".preview-problems")).to_contain_text("content/02-beta.md:3: error: malformed front matter",
                                                                  timeout=WAIT_MS)
        chapter.write_text(text, encoding="utf-8")
        expect(page.locator(".preview-problems")).to_have_count(0, timeout=WAIT_MS)
        page.close()
    finally:
        server.stop()
