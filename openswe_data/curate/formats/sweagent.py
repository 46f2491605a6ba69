"""SWE-agent trajectories (``<instance_id>.traj``, one JSON object per file) -> attempts.

Fields read: ``history`` (role/content messages; demonstrations marked ``is_demo`` are left out) or, in
files without it, ``trajectory`` (steps with ``response`` and ``observation``); ``info.submission`` (the
patch), ``info.exit_status``, ``info.model_stats`` (``instance_cost``, ``tokens_sent``,
``tokens_received``); the model name from ``replay_config`` (``agent.model.name``). The instance id is the
file name without ``.traj`` (SWE-agent names files that way), else ``replay_config``'s problem statement id.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openswe_data.curate.formats._common import Parsed, count, dig, entries, number, want
from openswe_data.curate.messages import chat_message, text_of

SCAFFOLD = "swe-agent"


def _replay_config(data: dict[str, Any]) -> dict[str, Any]:
    raw = data.get("replay_config")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except (json.JSONDecodeError, RecursionError):
            return {}
    return raw if isinstance(raw, dict) else {}


def _messages(data: dict[str, Any]) -> list[dict[str, str]]:
    history = data.get("history")
    if isinstance(history, list) and history:
        return [chat_message(m) for m in history if isinstance(m, dict) and not m.get("is_demo")]
    steps = data.get("trajectory")
    if not isinstance(steps, list):
        raise ValueError("neither history nor trajectory is a list")
    out: list[dict[str, str]] = []
    for step in steps:
        if not isinstance(step, dict):
            raise ValueError("a trajectory step is not an object")
        out.append({"role": "assistant", "content": text_of(step.get("response") or step.get("action"))})
        if step.get("observation") is not None:
            out.append({"role": "user", "content": text_of(step.get("observation"))})
    return out


def read(path: Path) -> Iterator[Parsed]:
    yield from entries(path, lambda location, data: _parse(location, data, path),
                       expected="a SWE-agent trajectory", require="info")


def _parse(location: str, data: dict[str, Any], path: Path) -> Parsed:
    config = _replay_config(data)
    name = path.name[: -len(".traj")] if path.name.endswith(".traj") else None
    instance_id = name or dig(config, "problem_statement", "id")
    if not isinstance(instance_id, str):
        return Parsed(location, error="cannot tell the instance id (file not named <instance_id>.traj)")
    messages = _messages(data)
    info = data["info"]
    exit_status = want(info, "exit_status", str, default="")
    return Parsed(location, instance_id, fields={
        "model": str(dig(config, "agent", "model", "name", default="") or ""),
        "scaffold": SCAFFOLD,
        "patch": want(info, "submission", str, default=""),
        "resolved": None,
        "reason": "" if exit_status in ("", "submitted") else f"exit_status: {exit_status}",
        "messages": messages,
        "cost_usd": number(want(info, "model_stats.instance_cost", (int, float), default=0.0)),
        "tokens": count(info, "model_stats.tokens_sent") + count(info, "model_stats.tokens_received"),
    })
