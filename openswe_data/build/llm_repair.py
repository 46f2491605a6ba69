"""An LLM Dockerfile-repair agent behind the build's repair seam (``Repairer``).

Input: a failed build attempt (reason, the end of its log, the Dockerfile). Output: a corrected Dockerfile
proposed by a model (any ``openswe_data.agents.models.Model``: litellm for real providers, a scripted model
for tests), or ``None`` when the model gives up, answers without a Dockerfile, or proposes one that drops
the lines the build contract needs. Every call lands in the workspace's ``llm_calls`` ledger (stage
``build``, agent ``repair-dockerfile``) with its tokens and cost; the builder adds the cost to the record
and stops when the instance's budget is spent. Prompts are recipes: ``builders/prompts/repair/``.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from typing import Any

from openswe_data import conventions as C
from openswe_data import recipes
from openswe_data.build.repair import FailedAttempt, Proposal
from openswe_data.records import LLMCall, Task

AGENT = "repair-dockerfile"
GIVE_UP = "GIVE_UP"
_BLOCK = re.compile(r"```dockerfile[^\n]*\n(.*?)```", re.S | re.I)
REQUIRED_LINES = ("FROM ", f"COPY testbed/ {C.TESTBED}/", f"COPY openswe/eval.sh {C.EVAL_SCRIPT_PATH}")


def parse_dockerfile(reply: str) -> str | None:
    """The one ```dockerfile block of ``reply``; ``None`` for no block, several blocks, or GIVE_UP."""
    blocks = _BLOCK.findall(reply)
    if len(blocks) != 1:
        return None
    return blocks[0].strip() + "\n"


def contract_problems(dockerfile: str) -> list[str]:
    """What a proposed Dockerfile drops of the build contract (context copies, base image)."""
    rows = [" ".join(row.split()) for row in dockerfile.splitlines()]
    return [f"the Dockerfile has no `{line.strip()}` line" for line in REQUIRED_LINES
            if not any(row == line.strip() or (line == "FROM " and row.startswith(line)) for row in rows)]


class LLMRepairer:
    """One model call per failed attempt; see the module docstring."""

    def __init__(self, model: Any, ledger: Any = None, *, prompts: str = "prompts/repair",
                 recipes_dir: str | None = None) -> None:
        self.model = model
        self.ledger = ledger
        self.prompts = prompts
        self.recipes_dir = recipes_dir
        self.notes: list[str] = []

    def _render(self, name: str, variables: dict[str, Any]) -> str:
        common = {"testbed": C.TESTBED, "eval_script_path": C.EVAL_SCRIPT_PATH}
        return recipes.render("builders", f"{self.prompts}/{name}.md.j2", {**common, **variables},
                              explicit=self.recipes_dir)

    def propose(self, task: Task, failed: FailedAttempt, *, budget_usd: float) -> Proposal | None:
        messages = [
            {"role": "system", "content": self._render("system", {})},
            {"role": "user", "content": self._render("instance", {
                "repo": task.repo, "instance_id": task.instance_id, "attempt": failed.attempt,
                "reason": failed.reason, "dockerfile": failed.dockerfile, "log_excerpt": failed.log_excerpt})},
        ]
        start = time.monotonic()
        try:
            reply = self.model.query(messages)
        except Exception as exc:  # noqa: BLE001 - a failing model ends the repair, not the batch
            self._ledger(task, None, time.monotonic() - start, "error")
            self.notes.append(f"{task.instance_id}: model error: {exc}")
            return None
        self._ledger(task, reply, time.monotonic() - start, "ok")
        cost, tokens = reply.cost_usd, reply.prompt_tokens + reply.completion_tokens
        dockerfile = parse_dockerfile(reply.content)
        problems = contract_problems(dockerfile) if dockerfile else ["no single ```dockerfile block in the reply"]
        if problems:
            self.notes.append(f"{task.instance_id}: proposal refused: {'; '.join(problems)}")
            # the call was paid for: report its cost even though nothing is proposed
            return Proposal(cost_usd=cost, tokens=tokens, note="; ".join(problems)) if cost else None
        return Proposal(dockerfile=dockerfile, cost_usd=cost, tokens=tokens,
                        note=reply.content.split("```", 1)[0].strip()[:500])

    def _ledger(self, task: Task, reply: Any, seconds: float, status: str) -> None:
        if self.ledger is None:
            return
        self.ledger.put(LLMCall(
            call_id=f"build-{uuid.uuid4().hex}", instance_id=task.instance_id, stage="build", agent=AGENT,
            model=getattr(self.model, "name", ""), prompt_tokens=reply.prompt_tokens if reply else 0,
            completion_tokens=reply.completion_tokens if reply else 0, cost_usd=reply.cost_usd if reply else 0.0,
            latency_seconds=round(seconds, 3), status=status,
            created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")))
