"""The repair seam: where an agent (or any other strategy) gets a failed build and proposes a fix.

Heuristics build first. When an attempt fails, the builder hands a ``Repairer`` the task, the failing
attempt (reason, log excerpt, the Dockerfile and eval script that failed) and the budget left; it answers
with a new Dockerfile and/or eval script, or ``None`` to give up. Each proposal is rebuilt and re-checked
exactly like a heuristic one, so a repair can never skip the static eval-script check, the Dockerfile
contract (``build/edits.py``) or the history audit. The LLM agents are not here: they are the closed loop's
agent tier (``repair/tier.py``), which proposes recipes — typed fixes or checked edits of the two files —
through the ``llm_calls`` ledger, the call cache and the budgets. This seam stays for strategies that work
inside one attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from openswe_data.records import Task


@dataclass
class FailedAttempt:
    attempt: int
    reason: str
    log_excerpt: str
    dockerfile: str
    eval_script: str


@dataclass
class Proposal:
    dockerfile: str | None = None
    eval_script: str | None = None
    cost_usd: float = 0.0
    tokens: int = 0
    note: str = ""


class Repairer(Protocol):
    def propose(self, task: Task, failed: FailedAttempt, *, budget_usd: float) -> Proposal | None:
        """A new Dockerfile and/or eval script for ``task``, or ``None`` to stop trying."""


def log_excerpt(log: str, lines: int = 60) -> str:
    """The last ``lines`` lines of a log: where the failure usually is."""
    return "\n".join(log.splitlines()[-lines:])
