"""Live progress of a long stage, and the failures it met: one place every stage and executor reports to.

A stage wraps its loop in ``track(label, total, name=...)`` and calls ``finished(item, ok, reason, log)`` as
each result arrives; an executor calls ``current().started(item)`` when it hands an item to a worker (a
thread here, a Ray task on a cluster). Nothing is shown unless a caller (the CLI) opened ``display()``:
in a terminal a rich bar (done/total, running items, failures so far, ETA), otherwise a plain line every
``every`` seconds. The library alone stays silent, and counting works the same either way.

Every tracker keeps, per failure reason, the items that ended with it and where their logs are, so a
summary can name instances (``failure_table``) instead of printing a dict.
"""

from __future__ import annotations

import contextvars
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TextIO

SHOWN_IDS = 3
"""How many instance ids a failure table names per reason."""


@dataclass
class Failure:
    """Items that ended with one reason, in the order they finished."""

    count: int = 0
    ids: list[str] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)


def item_name(item: Any) -> str:
    """An item's name in progress lines: its ``instance_id``, ``id#n`` for an ``(id, n)`` pair, else ``str``."""
    iid = getattr(item, "instance_id", None)
    if isinstance(iid, str):
        return iid
    if isinstance(item, tuple):
        return "#".join(str(x) for x in item)
    return str(item)


class Tracker:
    """Counts of one stage's items: started, finished, failed by reason. Safe to call from any thread."""

    def __init__(self, label: str, total: int, name: Callable[[Any], str] | None = None, unit: str = "instance") -> None:
        self.label, self.total, self.name, self.unit = label, total, name or item_name, unit
        self.done = 0
        self.failed = 0
        self.running: dict[str, float] = {}
        self.nodes: dict[str, str] = {}
        self.failures: dict[str, Failure] = {}
        self.t0 = time.monotonic()
        self._lock = threading.Lock()
        self._listeners: list[Callable[[Tracker], None]] = []

    def started(self, item: Any) -> None:
        """An item was handed to a worker."""
        with self._lock:
            self.running[self.name(item)] = time.monotonic()
        self._changed()

    def finished(self, item: Any, ok: bool = True, reason: str = "", log: str | None = None) -> None:
        """An item ended: ``ok``, or failed with a machine-readable ``reason`` and where its log is."""
        key = self.name(item)
        with self._lock:
            self.running.pop(key, None)
            self.done += 1
            if not ok:
                self.failed += 1
                f = self.failures.setdefault(reason or "unknown", Failure())
                f.count += 1
                if len(f.ids) < SHOWN_IDS:
                    f.ids.append(key)
                    if log:
                        f.logs.append(str(log))
        self._changed()

    def set_nodes(self, nodes: dict[str, str]) -> None:
        """Counts per node of a cluster (node -> e.g. ``2 done, 1 running, 0 failed``), shown after the line."""
        with self._lock:
            changed = nodes != self.nodes
            self.nodes = dict(nodes)
        if changed:
            self._changed()

    def eta(self) -> float | None:
        """Seconds left at the rate so far (``None`` before the first item ends)."""
        if not self.done or self.done >= self.total:
            return None
        return (time.monotonic() - self.t0) / self.done * (self.total - self.done)

    def line(self) -> str:
        """One plain status line, e.g. ``validate: 4/11 done, 1 failed, running a__b-1, a__b-2; ETA 1m 5s``."""
        with self._lock:
            running, nodes = list(self.running), dict(self.nodes)
        parts = [f"{self.label}: {self.done}/{self.total} done"]
        if self.failed:
            parts.append(f", {self.failed} failed")
        if running:
            parts.append(", running " + ", ".join(running[:4]) + (f" (+{len(running) - 4})" if len(running) > 4 else ""))
        eta = self.eta()
        if eta is not None:
            parts.append(f"; ETA {human_duration(eta)}")
        if nodes:
            parts.append(" | " + "; ".join(f"{n}: {c}" for n, c in sorted(nodes.items())))
        return "".join(parts)

    def _changed(self) -> None:
        for fn in list(self._listeners):
            fn(self)


class _Quiet(Tracker):
    """What ``current()`` returns outside any ``track``: accepts calls, shows nothing."""

    def __init__(self) -> None:
        super().__init__("", 0)


_current: contextvars.ContextVar[Tracker | None] = contextvars.ContextVar("openswe_progress", default=None)
_display: Display | None = None


def current() -> Tracker:
    """The innermost open tracker of this thread's context (a quiet one when none is open)."""
    return _current.get() or _Quiet()


@contextmanager
def track(label: str, total: int, *, name: Callable[[Any], str] | None = None, unit: str = "instance") -> Iterator[Tracker]:
    """Track one stage's loop; shown live when a ``display()`` is open, kept for its failure table anyway."""
    tracker = Tracker(label, total, name, unit)
    token = _current.set(tracker)
    shown = _display
    if shown is not None and total:
        shown.open(tracker)
    try:
        yield tracker
    finally:
        _current.reset(token)
        if shown is not None and total:
            shown.close(tracker)


def note(message: str) -> None:
    """One line on the open display (from any thread), e.g. a base image being built inside a worker."""
    if _display is not None:
        _display.note(message)


def counts(by_reason: dict[str, int]) -> str:
    """``install_failed 4, timeout 1`` (largest first), or ``none`` — a dict read as a sentence."""
    ranked = sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{k} {v}" for k, v in ranked) or "none"


def human_duration(seconds: float) -> str:
    """``0.5s``, ``42s``, ``3m 5s``, ``2h 4m`` — never ``1.07m``."""
    if seconds < 10 and round(seconds, 1) != int(round(seconds, 1)):
        return f"{seconds:.1f}s"
    s = int(round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60}s" if s % 60 else f"{s // 60}m"
    return f"{s // 3600}h {s % 3600 // 60}m" if s % 3600 // 60 else f"{s // 3600}h"


def failure_table(trackers: list[Tracker] | Tracker) -> list[str]:
    """Lines of a ``reason  count  first ids  logs`` table over the trackers' failures (empty when none)."""
    if isinstance(trackers, Tracker):
        trackers = [trackers]
    rows = [(t.label, reason, f) for t in trackers for reason, f in t.failures.items()]
    if not rows:
        return []
    rows.sort(key=lambda r: (-r[2].count, r[0], r[1]))
    head = [("stage", "reason", "count", "first instances", "logs")]
    body = [(label, reason, str(f.count), ", ".join(f.ids) + (" ..." if f.count > len(f.ids) else ""),
             _common_log_root(f.logs)) for label, reason, f in rows]
    widths = [max(len(r[i]) for r in head + body) for i in range(4)]
    return ["  ".join(c.ljust(w) for c, w in zip(r[:4], widths)) + ("  " + r[4] if r[4] else "").rstrip()
            for r in head + body]


def _common_log_root(logs: list[str]) -> str:
    if not logs:
        return ""
    if len(logs) == 1:
        return logs[0]
    import os.path

    root = os.path.commonpath(logs)
    return root + "/<id>" if root not in logs else root


class Display:
    """Shows open trackers: a rich live bar on a terminal, else a plain line every ``every`` seconds."""

    def __init__(self, stream: TextIO | None = None, *, every: float = 30.0, live: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.every = every
        self.live = self.stream.isatty() if live is None else live
        self.trackers: list[Tracker] = []
        self._stop = threading.Event()
        self._threads: dict[int, threading.Thread] = {}
        self._rich: Any = None
        self._tasks: dict[Tracker, Any] = {}

    def open(self, tracker: Tracker) -> None:
        self.trackers.append(tracker)
        if self.live:
            self._open_rich(tracker)
            return
        self._say(f"{tracker.label}: {tracker.total} {tracker.unit}(s) to do")
        stop = threading.Event()
        thread = threading.Thread(target=self._ticker, args=(tracker, stop), daemon=True)
        thread.stop = stop  # type: ignore[attr-defined]
        self._threads[id(tracker)] = thread
        thread.start()

    def close(self, tracker: Tracker) -> None:
        if tracker in self._tasks:
            self._refresh_rich(tracker)
            self._tasks.pop(tracker)
            if not self._tasks:
                self._rich.stop()
                self._rich = None
        thread = self._threads.pop(id(tracker), None)
        if thread is not None:
            thread.stop.set()  # type: ignore[attr-defined]
        took = human_duration(time.monotonic() - tracker.t0)
        if not self.live:
            self._say(f"{tracker.label}: {tracker.done}/{tracker.total} done, {tracker.failed} failed, in {took}")

    def note(self, message: str) -> None:
        if self._rich is not None:
            self._rich.console.print(message, markup=False, highlight=False)
        else:
            self._say(message)

    def _ticker(self, tracker: Tracker, stop: threading.Event) -> None:
        while not stop.wait(self.every):
            self._say(tracker.line())

    def _say(self, text: str) -> None:
        from openswe_data.settings import scrub

        self.stream.write(scrub(text) + "\n")
        self.stream.flush()

    def _open_rich(self, tracker: Tracker) -> None:
        if self._rich is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._rich = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("[red]{task.fields[failed]}"), TimeRemainingColumn(),
                                  TextColumn("{task.fields[running]}"), console=Console(file=self.stream))
            self._rich.start()
        self._tasks[tracker] = self._rich.add_task(tracker.label, total=tracker.total, failed="", running="")
        tracker._listeners.append(self._refresh_rich)

    def _refresh_rich(self, tracker: Tracker) -> None:
        task_id = self._tasks.get(tracker)
        if task_id is None or self._rich is None:
            return
        running, nodes = list(tracker.running), dict(tracker.nodes)
        shown = ("running " + ", ".join(running[:3]) + (" ..." if len(running) > 3 else "")) if running else ""
        if nodes:
            shown += " | " + "; ".join(f"{n}: {c}" for n, c in sorted(nodes.items()))
        self._rich.update(task_id, completed=tracker.done, failed=f"{tracker.failed} failed" if tracker.failed else "",
                          running=shown)


@contextmanager
def display(stream: TextIO | None = None, *, every: float | None = None, live: bool | None = None) -> Iterator[Display]:
    """Show every tracker opened inside (the CLI opens one per command); yields the display, whose
    ``trackers`` hold each stage's failures for the command's summary."""
    import os

    global _display
    if every is None:
        every = float(os.environ.get("OPENSWE_PROGRESS_EVERY", "30"))
    shown = Display(stream, every=every, live=live)
    previous, _display = _display, shown
    try:
        yield shown
    finally:
        _display = previous


def over(label: str, pairs: Iterable[tuple[Any, Any]], total: int, *, name: Callable[[Any], str] | None = None,
         outcome: Callable[[Any, Any], tuple[bool, str, Any]],
         failed_before: Iterable[tuple[Any, str, Any]] = ()) -> Iterator[tuple[Any, Any]]:
    """Pass an executor's ``(item, result)`` pairs through, tracked: after the caller has handled a pair,
    ``outcome(item, result)`` gives ``(ok, reason, log)`` for it. A stage changes one line to show progress.

    ``failed_before`` are ``(item, reason, log)`` the stage settled without running (e.g. a validation that
    carries its build's failure): they count as done and failed, on top of ``total``."""
    failed_before = list(failed_before)
    with track(label, total + len(failed_before), name=name) as tracker:
        for item, reason, log in failed_before:
            tracker.finished(item, False, reason, log)
        for item, result in pairs:
            yield item, result
            ok, reason, log = outcome(item, result)
            tracker.finished(item, ok, reason, log)
