"""The ``studyguide`` command. Subcommands register themselves in :data:`COMMANDS`.

A user's mistake (StudyguideError) prints one ``path:line: error: …`` line per problem on stderr
and exits 1, never a traceback; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from studyguide import __version__
from studyguide.errors import StudyguideError

Handler = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[Callable[[argparse._SubParsersAction], argparse.ArgumentParser], Handler]] = {}


def command(name: str):
    """Register ``setup(subparsers) -> parser`` and its handler under ``name``."""
    def wrap(setup):
        def register(handler: Handler) -> Handler:
            COMMANDS[name] = (setup, handler)
            return handler
        return register
    return wrap


def _notes_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("notes", help="import transcribed footnotes into BibTeX",
                       description="Turn notes files (bib/notes/*.txt) into a BibTeX file and a concordance "
                                   "(one JSON object per note: its keys and locators).")
    p.add_argument("notes", nargs="+", type=Path, metavar="NOTES.txt", help="notes files, in order")
    p.add_argument("--bib", required=True, type=Path, metavar="OUT.bib", help="BibTeX file to write")
    p.add_argument("--concordance", required=True, type=Path, metavar="OUT.json", help="concordance to write")
    p.add_argument("--hand", type=Path, default=None, metavar="HAND.bib",
                   help="hand-edited BibTeX whose keys win on title/URL match (default: bib/hand.bib if present)")
    p.add_argument("--names", type=Path, default=None, metavar="NAMES.yaml",
                   help="name-order table (default: bib/names.yaml if present)")
    p.add_argument("--keep-going", action="store_true",
                   help="(the default) write what cannot be read as entries marked for review, reported as warnings")
    p.add_argument("--strict", action="store_true",
                   help="a note that cannot be parsed, or a short form or Ibid. that points at nothing, is an error "
                        "and nothing is written (a check of a transcription)")
    return p


@command("notes")(_notes_parser)
def _notes(args: argparse.Namespace) -> int:
    from studyguide import sandbox
    from studyguide.notes import import_notes
    from studyguide.notes.review import review_paths

    sandbox.clear_root()  # a standalone command: it reads the files its user names on the command line

    hand = args.hand or _default(Path("bib/hand.bib"))
    names = args.names or _default(Path("bib/names.yaml"))
    report = import_notes(args.notes, args.bib, args.concordance, hand, names, strict=args.strict)
    for line in [*report.diagnostics, *report.skipped]:
        print(line, file=sys.stderr)
    print(f"{report.notes} notes, {report.citations} citations, {len(report.keys)} entries -> {args.bib}"
          + (f" ({len(report.review)} awaiting review; see {review_paths(args.bib)[0]})" if report.review else ""),
          file=sys.stderr)
    return 0


def _default(path: Path) -> Path | None:
    return path if path.is_file() else None


# --- the writing loop: a live preview -----------------------------------------------------------

def _preview_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("preview", help="show the book in the browser, rebuilt and reloaded on every save",
                       description="Serve the book as web pages on 127.0.0.1 (a contents page and one page per part, "
                                   "from the build's own pandoc + citeproc stage), watch content/, bib/, data/, "
                                   "templates/ and book.yaml, rebuild what a change touches and reload the page. "
                                   "Mistakes show above the page as the build prints them. Never writes the books.")
    p.add_argument("-C", "--project", type=Path, default=Path("."), metavar="DIR", help="the book's folder (default: .)")
    p.add_argument("--edition", default=None, help="the edition to show (default: the book's first)")
    p.add_argument("--paper", default=None, help="the paper of the handout PDFs (default: the book's first)")
    p.add_argument("--port", type=int, default=0, help="the port (default: a free one)")
    return p


@command("preview")(_preview_parser)
def _preview(args: argparse.Namespace) -> int:
    from studyguide.preview import run_preview

    return run_preview(args.project, edition=args.edition, paper=args.paper, port=args.port)

# --- a new book -------------------------------------------------------------------------------

def _init_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("init", help="start a new book in DIR (a working project)",
                       description="Write a new, working book project: book.yaml (commented), a sample chapter "
                                   "with a citation and a box, a notes file, bib/hand.bib, a two-line dodo.py, "
                                   ".gitignore and a README. Then: cd DIR && doit && doit check")
    p.add_argument("dir", type=Path, metavar="DIR", help="the new project's folder (must not exist, or be empty)")
    p.add_argument("--title", default=None, help="the book's title (default: from DIR)")
    p.add_argument("--author", default="The Author", help="the author's name (default: %(default)s)")
    return p


@command("init")(_init_parser)
def _init(args: argparse.Namespace) -> int:
    from studyguide.project import init_project

    written = init_project(args.dir, title=args.title, author=args.author)
    print(f"studyguide: new book in {args.dir} ({len(written)} files). Next: cd {args.dir} && doit && doit check",
          file=sys.stderr)
    return 0


# --- building: doit with the package's tasks (no dodo.py needed) ------------------------------

def _doit_parser(name: str, help: str, doit_command: list[str]):
    def setup(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
        passed = " ".join(doit_command) or "run"
        p = sub.add_parser(name, help=help, description=f"{help}; further arguments go to `doit {passed}` (task names, -n 2).")
        p.add_argument("-C", "--project", type=Path, default=Path("."), metavar="DIR",
                       help="the book's folder (default: .)")
        p.add_argument("doit_args", nargs=argparse.REMAINDER, metavar="...", help="passed on to doit")
        p.set_defaults(doit_command=doit_command)
        return p
    return setup


def _run_doit(args: argparse.Namespace) -> int:
    from studyguide.project import run_doit

    return run_doit(args.project, [*args.doit_command, *args.doit_args])


for _name, _help, _cmd in (("build", "build the book (PDFs, EPUBs, handouts)", []),
                           ("check", "run the release checks on what was built", ["check"]),
                           ("clean", "remove what was built", ["clean"]),
                           ("list", "list the tasks", ["list"])):
    command(_name)(_doit_parser(_name, _help, _cmd))(_run_doit)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="studyguide", description="Build study guides from Markdown, notes and templates.")
    parser.add_argument("--version", action="version", version=f"studyguide {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for setup, handler in COMMANDS.values():
        setup(sub).set_defaults(handler=handler)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except StudyguideError as exc:
        for diagnostic in exc.diagnostics:
            print(diagnostic, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
