"""Replaying a recorded run: a model that answers only from a recording (``Ledger(record_to=...)``).

A recording is a JSON-lines file, one paid call a line: ``{key, model, agent, instance_id, reply}``, where
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
        names: set[str] = set()
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                self.replies[entry["key"]] = reply_from_dict(entry["reply"])
                names.add(str(entry["model"]))
            except (ValueError, KeyError, TypeError) as exc:
                raise AgentError(f"{path}:L{n} is not a recorded call: {exc}") from None
        if len(names) > 1:
            raise AgentError(f"{path} mixes models ({', '.join(sorted(names))}); replay one model's run")
        self.name = names.pop() if names else "replay"
        self.misses = 0

    def query(self, messages: list[dict[str, str]]) -> Reply:
        reply = self.replies.get(call_key(self.name, messages))
        if reply is None:
            self.misses += 1
            raise ModelError("the recording has no reply for this conversation (the prompt or its inputs changed)")
        return reply
