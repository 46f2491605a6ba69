"""What ``build_trajectories`` would do, without doing it: the dry run (the summary model costs money).

Input: a workspace and options. Output: ``Plan``: per kind, how many trajectories are still to make and
how many are already done, and how many summary calls a ``--summary-model`` would make (one per pending
contextual trajectory). Nothing is written, no container starts, no model is called.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openswe_data.records import PullRequest, Task, ValidatedRecord
from openswe_data.store import Workspace
from openswe_data.trajectories import make
from openswe_data.trajectories.records import STAGE, AgentTrajectory


@dataclass
class Plan:
    pending: dict[str, int] = field(default_factory=dict)
    done: dict[str, int] = field(default_factory=dict)
    summary_calls: int = 0

    def describe(self, per_call_usd: float = 0.0) -> str:
        lines = [f"{kind}: {self.pending.get(kind, 0)} to make, {self.done.get(kind, 0)} already done"
                 for kind in ("contextual", "environmental")]
        lines.append("sampled: converted from the stored attempts and curated trajectories (no cost)")
        if self.summary_calls:
            lines.append(f"summary: {self.summary_calls} model call(s), about ${self.summary_calls * per_call_usd:.2f} "
                         f"at ${per_call_usd:.3f} a call")
        return "\n".join(lines)


def plan(ws: Workspace, *, summaries: bool = False) -> Plan:
    done = ws.stage(STAGE, AgentTrajectory).done()
    ids = set(ws.stage("prs", PullRequest).keys()) | set(ws.stage("tasks", Task).keys())
    ctx = [make.contextual_id(i) for i in ids]
    gold = [make.gold_id(r.instance_id) for r in ws.stage("records", ValidatedRecord) if r.verdict == "valid"]
    out = Plan()
    for kind, tids in (("contextual", ctx), ("environmental", gold)):
        out.done[kind] = sum(1 for t in tids if t in done)
        out.pending[kind] = len(tids) - out.done[kind]
    out.summary_calls = out.pending["contextual"] if summaries else 0
    return out
