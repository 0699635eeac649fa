"""doit reporter: one line per task with its time, diagnostics without tracebacks, a summary.

The summary lists what was written (each book with its page count, the handouts and booklets
counted with their page ranges) and repeats every warning, which would otherwise have scrolled
away among a hundred task lines. Tasks report through the values doit keeps for them
(``fsutil.Written``), so the summary also works with ``doit -n 2``.

A user's mistake (StudyguideError, surfaced as doit's TaskFailed) prints only its
``path:line: error: …`` lines; a genuine crash still shows doit's traceback. Set
STUDYGUIDE_VERBOSE=1 to see tracebacks for everything.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from doit.exceptions import TaskFailed
from doit.reporter import ConsoleReporter


class StudyguideReporter(ConsoleReporter):
    desc = "studyguide: task timings and clean error messages"

    def __init__(self, outstream: Any, options: dict[str, Any]) -> None:
        super().__init__(outstream, options)
        self.started: dict[str, float] = {}
        self.run_start = time.monotonic()
        self.done = 0
        self.written: list[dict[str, Any]] = []

    def execute_task(self, task: Any) -> None:
        self.started[task.name] = time.monotonic()
        if task.actions and not task.name.startswith("_"):
            self.write(f"  ▶ {task.name}\n")

    def skip_uptodate(self, task: Any) -> None:
        """Up-to-date tasks are the normal case: say nothing (the summary counts what ran)."""

    def skip_ignore(self, task: Any) -> None:
        """Ignored tasks: as quiet as up-to-date ones."""

    def add_success(self, task: Any) -> None:
        if task.name in self.started and task.actions:
            self.done += 1
            self.write(f"  ✓ {task.name} ({time.monotonic() - self.started[task.name]:.1f} s)\n")
            values = getattr(task, "values", None) or {}
            if "output" in values:
                self.written.append(values)

    def add_failure(self, task: Any, fail: Any) -> None:
        exception = fail.exception if hasattr(fail, "exception") else fail
        if isinstance(fail, TaskFailed) and not os.environ.get("STUDYGUIDE_VERBOSE"):
            self.write(f"  ✗ {task.name}\n")
            message = fail.message if hasattr(fail, "message") else str(exception)
            for line in str(message).splitlines():
                if line.strip():
                    sys.stderr.write(f"{line}\n")
            self.failures.append({"task": task, "exception": fail, "shown": True})
            return
        super().add_failure(task, fail)

    def complete_run(self) -> None:
        hidden = [f for f in self.failures if not f.get("shown")]
        shown = len(self.failures) - len(hidden)
        self.failures = hidden
        super().complete_run()
        elapsed = time.monotonic() - self.run_start
        if self.done or self.failures or shown:
            status = f", {len(self.failures) + shown} failed" if (self.failures or shown) else ""
            self.write(f"studyguide: {self.done} task(s) run in {elapsed:.1f} s{status}\n")
            for line in summary(self.written):
                self.write(f"  {line}\n")


def summary(written: list[dict[str, Any]]) -> list[str]:
    """A few lines on what a build wrote: books one by one, handouts and booklets counted."""
    lines: list[str] = []
    books = sorted((w for w in written if w["kind"] == "book"), key=lambda w: w["output"])
    if books:
        shown = [f"{w['output']} ({w['pages']} pages)" if w["pages"] else w["output"] for w in books]
        lines.append("books: " + ", ".join(shown))
    for kind, label, unit in (("handout", "handouts", "page"), ("booklet", "booklets", "printed side")):
        group = [w["pages"] for w in written if w["kind"] == kind]
        if group:
            span = f"{min(group)}–{max(group)}" if min(group) != max(group) else str(group[0])
            lines.append(f"{label}: {len(group)} ({span} {unit}{'' if span == '1' else 's'} each)")
    checked = sorted((w for w in written if w.get("layout")), key=lambda w: w["output"])
    if checked:
        lines.append(f"layout checked: {len(checked)} PDF(s) (build/layout/ has the details)")
        lines += [f"  {w['output']}: {w['layout']}" for w in checked]
    warnings = [warning for w in written for warning in w.get("warnings", [])]
    if warnings:
        lines.append(f"warnings: {len(warnings)}")
        lines += [f"  {warning}" for warning in warnings]
    return lines
