"""Replaying a recorded run: a model that answers only from a recording (``Ledger(record_to=...)``).

A recording is a JSON-lines file, one paid call a line: ``{key, model, agent, instance_id, messages,
reply}``, where ``key`` is the call's content address (model name and exact messages). :class:`ReplayModel`
takes the recorded model's name, so the same prompts hash to the same keys. Logs are not byte-for-byte
reproducible (a build's stdout and stderr interleave differently each run, even after the prompts drop
what they can), so a conversation whose exact key was not recorded gets the next unused recorded reply of
the same agent for the same instance — in recorded order — and is counted in ``drifted`` with where it
departs from the recording. A call for which nothing of that agent and instance is left is a
:class:`ModelError` (counted in ``misses``): a replay makes no new call, ever.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openswe_data.agents.ledger import call_key, reply_from_dict
from openswe_data.agents.models import ModelError, Reply
from openswe_data.errors import AgentError


class ReplayModel:
    """Answers each conversation with the reply recorded for it (see the module docstring)."""

    def __init__(self, path: str | Path) -> None:
        path = Path(path)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise AgentError(f"cannot read the recording {path}: {exc.strerror}") from None
        self.entries: list[dict[str, Any]] = []
        names: set[str] = set()
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                entry["reply"] = reply_from_dict(entry["reply"])
                names.add(str(entry["model"]))
                entry["key"] = str(entry["key"])
            except (ValueError, KeyError, TypeError) as exc:
                raise AgentError(f"{path}:L{n} is not a recorded call: {exc}") from None
            self.entries.append(entry)
        if len(names) > 1:
            raise AgentError(f"{path} mixes models ({', '.join(sorted(names))}); replay one model's run")
        self.name = names.pop() if names else "replay"
        self.used: set[int] = set()
        self.exact = 0
        """Calls answered by their exact content address."""
        self.drifted: list[str] = []
        """Calls answered by order (same agent and instance) and where each departed from the recording."""
        self.misses = 0
        self.missed: list[str] = []

    def query(self, messages: list[dict[str, str]]) -> Reply:
        return self.answer_as(messages, agent=None, instance_id=None)

    def answer_as(self, messages: list[dict[str, str]], *, agent: str | None, instance_id: str | None) -> Reply:
        key = call_key(self.name, messages)
        for i, e in enumerate(self.entries):
            if i not in self.used and e["key"] == key:
                self.used.add(i)
                self.exact += 1
                return e["reply"]
        for i, e in enumerate(self.entries):
            if i not in self.used and agent is not None and (e.get("agent"), e.get("instance_id")) == (agent, instance_id):
                self.used.add(i)
                self.drifted.append(f"{agent} on {instance_id}: {departure(messages, e.get('messages') or [])}")
                return e["reply"]
        self.misses += 1
        self.missed.append(f"{agent} on {instance_id}")
        raise ModelError(f"the recording has no reply left for {agent or 'this conversation'} on "
                         f"{instance_id or 'this instance'}: a replay makes no new call")


def departure(mine: list[dict[str, str]], theirs: list[dict[str, str]]) -> str:
    """The first line where two conversations differ."""
    a = "\n".join(m.get("content") or "" for m in mine).splitlines()
    b = "\n".join(m.get("content") or "" for m in theirs).splitlines()
    for n, (x, y) in enumerate(zip(a, b), 1):
        if x != y:
            return f"line {n}: {x[:160]!r} was recorded as {y[:160]!r}"
    return f"the conversation has {len(a)} lines, the recorded one {len(b)}"
