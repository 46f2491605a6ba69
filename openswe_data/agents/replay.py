"""Replaying a recorded run: a model that answers only from a recording (``Ledger(record_to=...)``).

A recording is a JSON-lines file, one paid call a line: ``{key, model, agent, instance_id, messages, reply}``, where
``key`` is the call's content address (model name and exact messages). :class:`ReplayModel` takes the
recorded model's name, so the same prompts hash to the same keys; a prompt that was never recorded is a
:class:`ModelError` (and counted in ``misses``): a replay makes no new call, ever.
"""

from __future__ import annotations

import json
from pathlib import Path

from openswe_data.agents.ledger import call_key, reply_from_dict
from openswe_data.agents.models import ModelError, Reply
from openswe_data.errors import AgentError


class ReplayModel:
    """Answers each conversation with the reply recorded for exactly that conversation."""

    def __init__(self, path: str | Path) -> None:
        path = Path(path)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise AgentError(f"cannot read the recording {path}: {exc.strerror}") from None
        self.replies: dict[str, Reply] = {}
        self.conversations: list[list[dict[str, str]]] = []
        names: set[str] = set()
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                self.replies[entry["key"]] = reply_from_dict(entry["reply"])
                self.conversations.append(list(entry.get("messages") or []))
                names.add(str(entry["model"]))
            except (ValueError, KeyError, TypeError) as exc:
                raise AgentError(f"{path}:L{n} is not a recorded call: {exc}") from None
        if len(names) > 1:
            raise AgentError(f"{path} mixes models ({', '.join(sorted(names))}); replay one model's run")
        self.name = names.pop() if names else "replay"
        self.misses = 0
        self.missed: list[str] = []
        """For each miss, where its conversation first departs from the nearest recorded one."""

    def query(self, messages: list[dict[str, str]]) -> Reply:
        reply = self.replies.get(call_key(self.name, messages))
        if reply is None:
            self.misses += 1
            self.missed.append(self.departure(messages))
            raise ModelError("the recording has no reply for this conversation (the prompt or its inputs changed): "
                             + self.missed[-1])
        return reply

    def departure(self, messages: list[dict[str, str]]) -> str:
        """The first line where ``messages`` differ from the recorded conversation sharing most of its lines."""
        mine = "\n".join(m.get("content") or "" for m in messages).splitlines()
        best, best_common = None, -1
        for convo in self.conversations:
            theirs = "\n".join(m.get("content") or "" for m in convo).splitlines()
            common = len(set(mine) & set(theirs))
            if common > best_common:
                best, best_common = theirs, common
        if best is None:
            return "nothing was recorded"
        for n, (a, b) in enumerate(zip(mine, best), 1):
            if a != b:
                return f"line {n}: {a[:200]!r} was recorded as {b[:200]!r}"
        return f"the conversation has {len(mine)} lines, the recorded one {len(best)}"
