"""``studyguide preview``: the book as web pages on 127.0.0.1, rebuilt and reloaded on every save.

Why this design:

* **No second Markdown pipeline.** The pages are the part fragments of the real build
  (``build/parts/EDITION/PART.html``: pandoc + citeproc + the Lua filters, with footnotes, boxes,
  figures, maps and bibliography), made by the build's own ``part:EDITION:SLUG`` tasks, which the
  preview runs with doit *in-process* on the project's task list and database. doit decides what a
  change touches exactly as ``doit`` would (an edited chapter re-runs that chapter's pandoc, a
  notes file re-runs the bibliography and every part), and what the preview wrote is what the
  build would have written, so a later ``doit`` does not redo it. Only these intermediates are
  written; the books, handouts and EPUBs under ``build/`` are never touched. The preview keeps its
  pages in memory and lays out a chapter's handout PDF on request, in memory too.
* **Screen styling from the print theme.** ``theme/preview/`` extends ``print/base.html.j2`` and
  includes ``print/common.css.j2`` (typography, boxes, figures), adding only what a screen needs:
  a measure, navigation, sidenotes instead of ``float: footnote``.
* **Errors as the build prints them.** A user's mistake arrives as the build's own diagnostics
  (``StudyguideError`` from ``load_book``, or the diagnostics a failed task carries); each shows in
  the terminal and above the page as the same ``path:line: error: …`` line. The part's last good
  fragment stays in place (the stages write their outputs atomically, only on success), so the
  page underneath stays readable; the next good build clears the message.
* **Reload by Server-Sent Events**, served by the standard library's threading HTTP server: the
  protocol is a few lines of text, the browser's EventSource reconnects by itself, and no web
  framework is needed for one local reader. Files are watched with watchfiles (inotify).
"""

from __future__ import annotations

import contextlib
import html
import json
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from .config import Book, Part, load_book
from .errors import Diagnostic, StudyguideError
from .paths import Paths

PAGE_TEMPLATE = "preview/page.html.j2"
CONTENTS_TEMPLATE = "preview/contents.html.j2"
TEMPLATES = (PAGE_TEMPLATE, CONTENTS_TEMPLATE)
CONTENTS = "index.html"
EVENTS_PATH = "_preview/events"  # relative: every page lies at the top level
KEEPALIVE_SECONDS = 15.0
TASK_GROUPS = ("task_notes", "task_figures", "task_back", "task_part")  # what the part tasks depend on


@dataclass(frozen=True)
class Problem:
    """One line shown above the page: a diagnostic of the build, or doit's message for a crash."""

    text: str
    severity: str = "error"

    @classmethod
    def of(cls, diagnostic: Diagnostic) -> Problem:
        return cls(str(diagnostic), diagnostic.severity)


@dataclass
class Snapshot:
    """What the server shows: the pages and the problems of the latest build, with a version."""

    version: int = 0
    pages: dict[str, str] = field(default_factory=dict)  # page name (index.html, SLUG.html) → body HTML
    titles: dict[str, str] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    changed: tuple[str, ...] = ()  # pages that differ from the previous version ('*': every page)


def failure_problems(task_name: str, fail: Any) -> list[Problem]:
    """The lines to show for a failed task: its diagnostics, or doit's own message (a crash, a missing file)."""
    diagnostics = getattr(fail, "diagnostics", None)
    if diagnostics:
        return [Problem.of(d) for d in diagnostics]
    message = fail.get_msg() if hasattr(fail, "get_msg") else str(fail)
    lines = [line for line in str(message).splitlines() if line.strip()]
    return [Problem(f"{task_name}: " + (lines[-1] if lines else "failed"))]


def preview_reporter(collected: list[Problem]) -> type:
    """A doit reporter that stays quiet and collects failures as Problems (doit instantiates the class)."""
    from doit.reporter import ZeroReporter

    class PreviewReporter(ZeroReporter):
        desc = "studyguide preview: collect failures"

        def add_failure(self, task: Any, fail: Any) -> None:
            collected.extend(failure_problems(task.name, fail))

        def runtime_error(self, msg: str) -> None:
            collected.append(Problem(" ".join(msg.split())))

    return PreviewReporter


class Preview:
    """Builds one edition's parts through doit and keeps the rendered pages of the last good build."""

    def __init__(self, root: Path, edition: str | None = None, paper: str | None = None) -> None:
        self.paths = Paths.of(root)
        self.requested_edition, self.requested_paper = edition, paper
        self.book: Book | None = None
        self.edition = edition or "student"
        self.paper = paper or "a4"
        self.lock = threading.Lock()  # one build (or handout layout) at a time
        self.changed = threading.Condition()
        self.snapshot = Snapshot()
        # part slug → (mtime and size of its fragment file, the fragment with its headings)
        self.fragments: dict[str, tuple[tuple[int, int], Any]] = {}
        self.handouts: dict[tuple[str, str], bytes] = {}  # (slug, fragment) → PDF
        self.pages: dict[str, str] = {}
        self.titles: dict[str, str] = {}

    # --- building ---------------------------------------------------------------------------------
    def load(self) -> list[Problem]:
        """Read book.yaml (every build: it may have changed); keep the last good book on a mistake."""
        try:
            book = load_book(self.paths.root)
        except StudyguideError as error:
            return [Problem.of(d) for d in error.diagnostics]
        problems = []
        for name, value, allowed in (("edition", self.requested_edition, book.editions),
                                     ("paper", self.requested_paper, book.papers)):
            if value is not None and value not in allowed:
                problems.append(Problem(str(Diagnostic(self.paths.rel(book.config), None, f"this book has no {name} '{value}'",
                                                       hint=f"choose from {', '.join(allowed)}"))))
        self.book = book
        self.edition = self.requested_edition if self.requested_edition in book.editions else book.editions[0]
        self.paper = self.requested_paper if self.requested_paper in book.papers else book.papers[0]
        return problems

    def part_tasks(self, book: Book) -> list[str]:
        """The build's tasks that make this edition's part fragments (doit adds what they depend on)."""
        from .tasks import part_task_names

        return part_task_names(book, self.edition)

    def run_doit(self, book: Book) -> list[Problem]:
        """Run the part tasks in-process with the project's own task list and doit database."""
        from doit.cmd_base import ModuleTaskLoader
        from doit.doit_cmd import DoitMain

        from .fsutil import recover_doit_db
        from .project import doit_config
        from .tasks import all_tasks

        collected: list[Problem] = []
        self.paths.build.mkdir(exist_ok=True)
        if damaged := recover_doit_db(self.paths.doit_db):
            print(damaged, file=sys.stderr)
        config = doit_config(self.paths) | {"reporter": preview_reporter(collected), "verbosity": 1}
        # Only the groups up to the parts: creating the books' and handouts' tasks is most of the
        # time doit spends before it runs anything, and the preview never runs them.
        creators = {name: creator for name, creator in all_tasks(book).items() if name in TASK_GROUPS}
        loader = ModuleTaskLoader({"DOIT_CONFIG": config, **creators})
        code = DoitMain(loader).run(["run", "--continue", *self.part_tasks(book)])
        if code and not collected:
            collected.append(Problem(f"doit stopped with status {code}"))
        return collected

    def build(self) -> Snapshot:
        """One round: reload the book, run what changed, re-render the pages whose fragment changed."""
        with self.lock:
            started = time.monotonic()
            problems = self.load()
            book = self.book
            if book is not None and not any(p.severity == "error" for p in problems):
                problems += self.run_doit(book)
            changed: list[str] = []
            try:
                changed = self.render_pages(book) if book is not None else []
            except StudyguideError as error:  # a mistake in a template override of the preview's pages
                problems += [Problem.of(d) for d in error.diagnostics]
            previous = self.snapshot
            if problems != list(previous.problems):
                changed.append("*")  # the message above every page changed
            version = previous.version + (1 if changed else 0)
            snapshot = Snapshot(version, self.pages, self.titles, tuple(problems), tuple(changed))
            with self.changed:
                self.snapshot = snapshot
                self.changed.notify_all()
            self.report(snapshot, previous, time.monotonic() - started)
            return snapshot

    def report(self, snapshot: Snapshot, previous: Snapshot, seconds: float) -> None:
        """The terminal: every problem as the build prints it; a note when the problems are gone."""
        for problem in snapshot.problems:
            print(problem.text, file=sys.stderr, flush=True)
        if previous.problems and not snapshot.problems:
            print("preview: fixed, no errors", file=sys.stderr, flush=True)
        pages = [name for name in snapshot.changed if name != "*"]
        if pages:
            print(f"preview: updated {', '.join(pages)} ({seconds:.1f} s)", file=sys.stderr, flush=True)

    def render_pages(self, book: Book) -> list[str]:
        """Store the fragment of every part that changed (read only if its file changed); re-render the contents."""
        from .pdf import RenderedPart, headings

        rendered: list[RenderedPart] = []
        changed: list[str] = []
        pages, titles = dict(self.snapshot.pages), dict(self.snapshot.titles)
        parts = book.parts_for(self.edition)
        for part in parts:
            fragment_file = book.paths.part(part.slug, self.edition, part.kind == "chapter").html
            try:
                stat = fragment_file.stat()
            except FileNotFoundError:
                continue  # never built (its task failed): the problem says why
            stamp = (stat.st_mtime_ns, stat.st_size)
            known = self.fragments.get(part.slug)
            if known is None or known[0] != stamp:
                fragment = fragment_file.read_text(encoding="utf-8")
                if known is None or known[1].html != fragment:
                    name = page_name(part)
                    pages[name] = fragment
                    changed.append(name)
                    known = (stamp, RenderedPart(part, fragment, headings(fragment)))
                    titles[name] = known[1].headings[0].text if known[1].headings else part.slug
                self.fragments[part.slug] = (stamp, RenderedPart(part, fragment, known[1].headings))
            rendered.append(self.fragments[part.slug][1])
        contents = self.render(CONTENTS_TEMPLATE, parts=rendered)
        if pages.get(CONTENTS) != contents:
            pages[CONTENTS] = contents
            changed.append(CONTENTS)
        self.pages, self.titles = pages, titles
        return changed

    # --- pages ------------------------------------------------------------------------------------
    def context(self) -> dict[str, Any]:
        from .config import PAPERS

        assert self.book is not None
        return {"book": self.book.metadata(), "edition": self.edition, "paper": PAPERS[self.paper], "paper_name": self.paper}

    def render(self, name: str, **values: Any) -> str:
        from .render import render

        assert self.book is not None
        return render(self.book.paths.template_dirs, name, **self.context(), **values)

    def page(self, name: str) -> str | None:
        """The full HTML of a page: the stored body in the screen template, with the current problems."""
        snapshot = self.snapshot
        if self.book is None or name not in snapshot.pages:
            return None
        parts = self.book.parts_for(self.edition)
        names = [page_name(p) for p in parts if page_name(p) in snapshot.pages]
        index = names.index(name) if name in names else None
        part = next((p for p in parts if page_name(p) == name), None)
        return self.render(
            PAGE_TEMPLATE, body=snapshot.pages.get(name, ""), page=name, part=part, version=snapshot.version,
            problems=snapshot.problems, events=EVENTS_PATH,
            title=snapshot.titles.get(name, "Contents"),
            previous=names[index - 1] if index else None,
            next=names[index + 1] if index is not None and index + 1 < len(names) else None,
            titles=snapshot.titles, handout=part is not None and part.kind == "chapter",
        )

    def handout(self, slug: str) -> bytes | None:
        """A chapter's handout for the chosen edition and paper: one WeasyPrint layout, kept in memory."""
        from .handouts import layout

        with self.lock:
            book = self.book
            chapters = [p for p in book.parts_for(self.edition) if p.kind == "chapter"] if book else []
            part = next((p for p in chapters if p.slug == slug), None)
            known = self.fragments.get(slug)
            if book is None or part is None or known is None:
                return None
            key = (slug, known[1].html)
            if key not in self.handouts:
                data, _pages, _check = layout(book, part, self.edition, self.paper, booklet=False, record=False)
                self.handouts = {k: v for k, v in self.handouts.items() if k[0] != slug} | {key: data}
            return self.handouts[key]

    def wait(self, version: int, timeout: float) -> Snapshot:
        """Block until the snapshot is newer than ``version`` (or the timeout passes); return it."""
        with self.changed:
            self.changed.wait_for(lambda: self.snapshot.version > version, timeout)
            return self.snapshot

    # --- watching ---------------------------------------------------------------------------------
    def watched(self) -> list[Path]:
        """The sources: content/, bib/, data/, templates/ and book.yaml (those that exist)."""
        p = self.paths
        return [path for path in (p.content, p.bib, p.data, p.templates, p.config) if path.exists()]

    def watch(self, stop: threading.Event) -> Iterator[set[Path]]:
        """Changed source files, a batch per save (editors write a file in several steps)."""
        import watchfiles

        for changes in watchfiles.watch(*self.watched(), stop_event=stop, debounce=400, step=30,
                                        watch_filter=source_filter, raise_interrupt=False):
            yield {Path(path) for _, path in changes}


def source_filter(change: Any, path: str) -> bool:
    """Ignore editors' swap and backup files and our own temporary files."""
    name = Path(path).name
    return not (name.startswith((".#", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp")) or name == "4913")


def page_name(part: Part) -> str:
    return f"{part.slug}.html"


# --- the server -------------------------------------------------------------------------------------

def handler_for(preview: Preview) -> type[BaseHTTPRequestHandler]:
    root = preview.paths.root.resolve()

    class Handler(BaseHTTPRequestHandler):
        server_version = "studyguide-preview"

        def log_message(self, format: str, *args: Any) -> None:  # the terminal shows the book's problems only
            pass

        def do_GET(self) -> None:
            path = unquote(urlparse(self.path).path)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                try:
                    self.route(path)
                except (BrokenPipeError, ConnectionResetError):
                    raise
                except StudyguideError as error:  # e.g. a mistake in a template override
                    self.send("\n".join(map(str, error.diagnostics)), "text/plain", HTTPStatus.INTERNAL_SERVER_ERROR)
                except Exception:  # a bug: show it, keep serving
                    import traceback

                    traceback.print_exc()
                    self.send(traceback.format_exc(), "text/plain", HTTPStatus.INTERNAL_SERVER_ERROR)

        def route(self, path: str) -> None:
            if path == "/" + EVENTS_PATH:
                self.events()
            elif path in ("/", f"/{CONTENTS}") or (path.endswith(".html") and "/" not in path[1:]):
                self.html(path.lstrip("/") or CONTENTS)
            elif path.startswith("/_preview/handout/") and path.endswith(".pdf"):
                self.handout(path.removeprefix("/_preview/handout/").removesuffix(".pdf"))
            else:
                self.file(path)

        def send(self, body: str | bytes, kind: str, status: HTTPStatus = HTTPStatus.OK) -> None:
            data = body.encode("utf-8") if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", kind + ("; charset=utf-8" if isinstance(body, str) else ""))
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def html(self, name: str) -> None:
            page = preview.page(name)
            if page is None:
                self.send(f"<p>No page {html.escape(name)} in this edition. <a href='/'>Contents</a></p>", "text/html",
                          HTTPStatus.NOT_FOUND)
            else:
                self.send(page, "text/html")

        def handout(self, slug: str) -> None:
            try:
                data = preview.handout(slug)
            except StudyguideError as error:
                self.send("\n".join(map(str, error.diagnostics)), "text/plain", HTTPStatus.INTERNAL_SERVER_ERROR)
                return
            if data is None:
                self.send(f"no chapter '{slug}'", "text/plain", HTTPStatus.NOT_FOUND)
            else:
                self.send(data, "application/pdf")

        def file(self, path: str) -> None:
            """Figures and images the pages embed: files inside the project only."""
            target = (root / path.lstrip("/")).resolve()
            if not target.is_relative_to(root) or not target.is_file():
                self.send("not found", "text/plain", HTTPStatus.NOT_FOUND)
                return
            import mimetypes

            self.send(target.read_bytes(), mimetypes.guess_type(target.name)[0] or "application/octet-stream")

        def events(self) -> None:
            """Server-Sent Events: one message per new version (pages changed, problems), keep-alives between."""
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            version = preview.snapshot.version
            # The first message carries the current version: a page rendered before a rebuild that
            # finished before this connection opened learns that it is stale ('*') and reloads.
            self.wfile.write(f"retry: 500\ndata: {json.dumps({'version': version, 'changed': ['*']})}\n\n".encode())
            self.wfile.flush()
            while True:
                snapshot = preview.wait(version, KEEPALIVE_SECONDS)
                if snapshot.version > version:
                    version = snapshot.version
                    message = {"version": version, "changed": list(snapshot.changed),
                               "problems": [p.text for p in snapshot.problems]}
                    self.wfile.write(f"data: {json.dumps(message)}\n\n".encode())
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()

    return Handler


def serve(preview: Preview, port: int = 0, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """Start the server in a background thread; port 0 asks the system for a free port."""
    server = ThreadingHTTPServer((host, port), handler_for(preview))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="preview-server", daemon=True).start()
    return server


def run_preview(root: Path, edition: str | None = None, paper: str | None = None, port: int = 0,
                stop: threading.Event | None = None) -> int:
    """``studyguide preview``: build, serve, and rebuild on every change until Ctrl-C (or ``stop``)."""
    import os

    root = Path(root).resolve()
    paths = Paths.of(root)
    if not paths.config.is_file():
        raise StudyguideError.at(paths.config, None, "no book here",
                                 hint="run in a book's folder, or give -C DIR")
    os.chdir(root)  # doit's paths are relative to the project; messages name files as the build does
    preview = Preview(root, edition, paper)
    print("preview: building …", file=sys.stderr, flush=True)
    preview.build()
    server = serve(preview, port)
    host, bound = server.server_address[:2]
    print(f"preview: {preview.edition} edition, {preview.paper} handouts, at http://{host}:{bound}/  (Ctrl-C stops)", flush=True)
    stop = stop or threading.Event()
    try:
        for changed in preview.watch(stop):
            shown = ", ".join(sorted(paths.rel(p) for p in changed)[:3])
            print(f"preview: changed {shown}{' …' if len(changed) > 3 else ''}", file=sys.stderr, flush=True)
            try:
                preview.build()
            except Exception:  # a bug, not the author's mistake: show it and keep watching
                import traceback

                traceback.print_exc()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
    return 0
