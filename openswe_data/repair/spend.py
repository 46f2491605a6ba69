"""The agent tier's dry run: what a build would spend on the agents, from the ledger's history, before any call.

Input: the workspace (its ``llm_calls`` and ``build_attempts`` from earlier runs), the tasks a build would
take up and the budgets. Output: a ``SpendPlan``: how often instances reached the agent tier before, what
such an instance cost, the expected spend, and the ceiling the budgets allow whatever happens. With no
history the expectation is unknown and said so; the ceiling always holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from openswe_data.records import BuildAttempt, LLMCall, Task
from openswe_data.repair.agents import AGENTS, STAGE
from openswe_data.repair.tier import AgentBudget


@dataclass
class SpendPlan:
    instances: int
    """Tasks the build would take up."""
    repos: int
    """Their repositories."""
    built_before: int
    """Instances the ledger's history covers (built through the loop before)."""
    reached_before: int
    """Of those, how many reached the agent tier."""
    paid_calls: int
    """Paid agent calls in the history."""
    cache_hit_rate: float | None
    """Cached calls among all agent calls in the history."""
    usd_per_reached: float | None
    """Mean agent spend of an instance that reached the tier."""
    expected_usd: float | None
    """instances x (reach rate x spend per reached instance + review spend per built instance); ``None``
    without history."""
    ceiling_usd: float
    """The most the budgets allow: min(instances x per-instance, repositories x per-repository)."""

    def lines(self) -> list[str]:
        out = [f"agent tier dry run: {self.instances} instance(s) of {self.repos} repositories to build"]
        if self.expected_usd is None:
            out.append("no agent history in this workspace: the expected spend is unknown")
        else:
            out.append(f"history: {self.reached_before} of {self.built_before} instance(s) reached the agents, "
                       f"${self.usd_per_reached:.4f} each, {self.paid_calls} paid call(s), cache hit rate "
                       f"{(self.cache_hit_rate or 0):.0%}")
            out.append(f"expected: ${self.expected_usd:.4f}")
        out.append(f"ceiling (the budgets): ${self.ceiling_usd:.4f}")
        return out


def plan_spend(workspace: object, tasks: Iterable[Task], budget: AgentBudget | None = None) -> SpendPlan:
    """The dry run's plan for building ``tasks`` with the agent tier; reads files only, calls nothing."""
    budget = budget or AgentBudget()
    tasks = list(tasks)
    repos = {t.repo for t in tasks}
    attempts = list(workspace.stage("build_attempts", BuildAttempt))  # type: ignore[attr-defined]
    calls = [c for c in workspace.stage("llm_calls", LLMCall)  # type: ignore[attr-defined]
             if c.stage == STAGE and c.agent in AGENTS]
    built = {a.instance_id for a in attempts}
    reached = {a.instance_id for a in attempts if a.tier == "agents" or a.llm_calls}
    reached |= {c.instance_id for c in calls if c.agent != "legitimacy-review"}
    # the legitimacy review is paid on every pass, the other agents only where the rules gave up
    review = sum(c.cost_usd for c in calls if c.agent == "legitimacy-review")
    fixing = sum(c.cost_usd for c in calls) - review
    cached = sum(c.status == "cached" for c in calls)
    per = fixing / len(reached) if reached else (0.0 if built else None)
    expected = (len(tasks) * (len(reached) / len(built) * per + review / len(built))
                if (per is not None and built) else None)
    ceiling = min(len(tasks) * budget.usd_per_instance, len(repos) * budget.usd_per_repo)
    return SpendPlan(instances=len(tasks), repos=len(repos), built_before=len(built), reached_before=len(reached),
                     paid_calls=sum(c.status == "ok" for c in calls),
                     cache_hit_rate=cached / len(calls) if calls else None, usd_per_reached=per,
                     expected_usd=expected, ceiling_usd=ceiling)
