"""How an RL trainer (SkyRL-, verl- or rLLM-style) plugs in ``openswe_data.env``: a policy maps the
conversation so far to the next action, ``rollout`` plays one episode to a reward, and ``rollouts`` keeps many
episodes in flight with asyncio — the shape those trainers' "generate with environment feedback" hooks take
(a batch of prompts in; trajectories, rewards and masks out).

``GoldPolicy`` and ``NoopPolicy`` are scripted (no model): the first writes the record's gold patch and applies
it, the second only looks around. A real trainer's policy calls its model instead. Run:

    python examples/rl_adapter.py WORKSPACE      # every valid record: gold -> 1.0, no-op -> 0.0
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass, field
from typing import Any, Protocol

from openswe_data.env import EnvOptions, SWEEnv, Task


class Policy(Protocol):
    def act(self, task: Task, history: list[dict[str, Any]]) -> str | dict[str, Any] | None:
        """The next action, or None to submit."""


@dataclass
class Episode:
    """What a trainer consumes: the messages (actions and observations) and the scalar reward."""

    instance_id: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    reward: float = 0.0
    reason: str = ""


class GoldPolicy:
    """Scripted: writes the gold patch into the container, applies it, submits."""

    def __init__(self, patches: dict[str, str]) -> None:
        self.patches = patches

    def act(self, task: Task, history: list[dict[str, Any]]) -> str | dict[str, Any] | None:
        steps = [{"write": {"path": "/tmp/fix.diff", "content": self.patches[task.instance_id]}},
                 {"bash": "git apply /tmp/fix.diff && git status --short"}]
        done = sum(1 for m in history if m["role"] == "assistant")
        return steps[done] if done < len(steps) else None


class NoopPolicy:
    """Scripted: lists the repository and submits without a change."""

    def act(self, task: Task, history: list[dict[str, Any]]) -> str | dict[str, Any] | None:
        return "ls" if not history else None


async def rollout(env: SWEEnv, policy: Policy) -> Episode:
    """One episode: reset, act until the policy submits or the episode is truncated, grade, clean up."""
    try:
        task = await env.areset()
        episode = Episode(task.instance_id, [{"role": "user", "content": task.problem_statement}])
        history: list[dict[str, Any]] = []
        while (action := policy.act(task, history)) is not None:
            history.append({"role": "assistant", "content": action})
            step = await env.astep(action)
            history.append({"role": "tool", "content": step.observation, "returncode": step.returncode})
            if step.truncated:
                break
        reward = await env.areward()
        episode.messages += history
        episode.reward, episode.reason = reward.value, reward.reason
        return episode
    finally:
        await env.aclose()


async def rollouts(records: list[Any], policy: Policy, *, concurrency: int = 2,
                   options: EnvOptions | None = None) -> list[Episode]:
    """Episodes for ``records``, at most ``concurrency`` containers at a time (a trainer's batch)."""
    gate = asyncio.Semaphore(concurrency)

    async def one(record: Any) -> Episode:
        async with gate:
            return await rollout(SWEEnv(record, options), policy)

    return list(await asyncio.gather(*(one(r) for r in records)))


def main(workspace: str) -> None:
    from openswe_data.store import Workspace

    records = [r for r in Workspace(workspace).stage("records") if r.verdict == "valid"]
    gold = asyncio.run(rollouts(records, GoldPolicy({r.instance_id: r.patch for r in records})))
    noop = asyncio.run(rollouts(records, NoopPolicy()))
    for g, n in zip(gold, noop):
        print(f"{g.instance_id}: gold {g.reward:.1f}, no-op {n.reward:.1f} ({n.reason})")


if __name__ == "__main__":
    main(sys.argv[1])
