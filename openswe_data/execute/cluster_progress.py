"""Progress of a cluster run: done / running / failed / retried per stage, and done / failed per node.

The Ray executor updates it as tasks are submitted and come back, and prints one line every
``OPENSWE_PROGRESS_SECONDS`` (default 10) and a per-node table at the end of each stage. Running tasks are
counted per stage (the driver knows what it submitted); a node is known once a task returns from it.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Counts:
    done: int = 0
    running: int = 0
    failed: int = 0
    retried: int = 0


@dataclass
class ClusterProgress:
    stages: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    nodes: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    retries: list[str] = field(default_factory=list)
    swept: dict[str, list[str]] = field(default_factory=dict)
    sweep_errors: list[str] = field(default_factory=list)
    every: float = field(default_factory=lambda: float(os.environ.get("OPENSWE_PROGRESS_SECONDS", "10") or 10))
    _last: float = 0.0
    _stage: str = ""

    def start(self, stage: str) -> None:
        self._stage = stage
        self._last = time.monotonic()
        self.stages[stage]  # noqa: B018 - a stage with no items still shows up

    def running(self, stage: str, delta: int) -> None:
        self.stages[stage].running += delta

    def finished(self, stage: str, node: str, *, failed: bool) -> None:
        for c in (self.stages[stage], self.nodes[node or "unknown"]):
            c.done += 1
            c.failed += failed

    def retried(self, stage: str, node: str, why: str) -> None:
        self.stages[stage].retried += 1
        self.nodes[node or "unknown"].retried += 1
        self.retries.append(f"{stage} on {node or 'unknown'}: {why[:200]}")

    def swept_containers(self, host: str, names: list[str], error: str = "") -> None:
        self.swept.setdefault(host, []).extend(names)
        if error:
            self.sweep_errors.append(f"{host}: {error}")

    def line(self, stage: str | None = None) -> str:
        stage = stage or self._stage
        c = self.stages[stage]
        nodes = ", ".join(f"{n}: {k.done} done/{k.failed} failed" for n, k in sorted(self.nodes.items()))
        return (f"[ray] {stage}: {c.done} done, {c.running} running, {c.failed} failed, {c.retried} retried"
                + (f" | {nodes}" if nodes else ""))

    def maybe_report(self, say: Callable[[str], None]) -> None:
        if self.every > 0 and time.monotonic() - self._last >= self.every:
            self._last = time.monotonic()
            say(self.line())

    def report(self, say: Callable[[str], None], *, final: bool = False) -> None:
        say(self.line())
        if final:
            for n, k in sorted(self.nodes.items()):
                say(f"[ray]   node {n}: {k.done} done, {k.failed} failed, {k.retried} retried")
            for host, names in sorted(self.swept.items()):
                if names:
                    say(f"[ray]   removed {len(names)} orphaned container(s) on {host}")
            for error in sorted(set(self.sweep_errors)):
                say(f"[ray]   orphaned containers not swept on {error}")
