"""The optional LLM summary of a PR, through the shared model interface and the cost ledger.

Input: a ``PRContext`` and a ``agents.models.Model`` (litellm or scripted). Output: the summary text,
placed in the contextual trajectory's task message (daVinci-Dev's PR records carry one). Every call is an
``LLMCall`` row in ``llm_calls`` (stage ``trajectories``, agent ``pr-summary``) the moment it returns, so
money spent is accounted for even if the run dies afterwards. A model that fails gives no summary (the
ledger row says ``error``) rather than no trajectory.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

from openswe_data.records import LLMCall
from openswe_data.store import Workspace

AGENT = "pr-summary"


def summarize(ws: Workspace, ctx: Any, model: Any, recipes: str | None = None) -> str:
    from openswe_data.trajectories.contextual import render
    from openswe_data.trajectories.edits import touched_paths

    prompt = render("summary", {"repo": ctx.repo, "title": ctx.title, "body": ctx.body, "issues": ctx.issues,
                                "paths": touched_paths(ctx.diff)}, recipes)
    start = time.monotonic()
    status, text, reply = "ok", "", None
    try:
        reply = model.query([{"role": "user", "content": prompt}])
        text = reply.content.strip()
    except Exception:  # noqa: BLE001 - no summary is better than no trajectory
        status = "error"
    ws.stage("llm_calls", LLMCall).put(LLMCall(
        call_id=uuid.uuid4().hex, instance_id=ctx.instance_id, stage="trajectories", agent=AGENT,
        model=getattr(model, "name", ""), prompt_tokens=reply.prompt_tokens if reply else 0,
        completion_tokens=reply.completion_tokens if reply else 0, cost_usd=reply.cost_usd if reply else 0.0,
        latency_seconds=time.monotonic() - start,
        created_at=dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(), status=status))
    return text
