"""mini-swe-agent trajectories (``<instance_id>.traj.json``) -> attempts.

Fields read: ``messages`` (OpenAI-style; v2 adds ``tool_calls``, ``role: tool`` and an ``extra`` dict),
``info.submission`` (the patch), ``info.exit_status``, ``info.model_stats.instance_cost`` and
``api_calls``, ``info.config.model.model_name``, ``trajectory_format``. v2's closing ``role: exit`` message
(the submission bookkeeping) is left out of the chat. The instance id is the top-level
``instance_id`` that mini's SWE-bench runner saves, else the file name without ``.traj.json``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openswe_data.curate.formats._common import Parsed, entries, number, want
from openswe_data.curate.messages import chat_message

SCAFFOLD = "mini-swe-agent"


def read(path: Path) -> Iterator[Parsed]:
    yield from entries(path, lambda location, data: _parse(location, data, path),
                       expected="a mini-swe-agent trajectory", require="info")


def _parse(location: str, data: dict[str, Any], path: Path) -> Parsed:
    instance_id = data.get("instance_id")
    if not isinstance(instance_id, str) and path.name.endswith(".traj.json"):
        instance_id = path.name[: -len(".traj.json")]
    if not isinstance(instance_id, str):
        return Parsed(location, error="cannot tell the instance id (no instance_id, file not <id>.traj.json)")
    raw = data.get("messages")
    if not isinstance(raw, list) or not all(isinstance(m, dict) for m in raw):
        return Parsed(location, instance_id, error="messages is not a list of objects")
    info = data["info"]
    exit_status = want(info, "exit_status", str, default="")
    return Parsed(location, instance_id, fields={
        "model": str(want(info, "config.model.model_name", str, default="")),
        "scaffold": SCAFFOLD,
        "patch": want(info, "submission", str, default=""),
        "resolved": None,
        "reason": "" if exit_status in ("", "Submitted") else f"exit_status: {exit_status}",
        "messages": [chat_message(m) for m in raw if m.get("role") != "exit"],
        "cost_usd": number(want(info, "model_stats.instance_cost", (int, float), default=0.0)),
        "tokens": 0,
    })
