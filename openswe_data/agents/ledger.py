"""Every model call goes through here: the content-addressed call cache first, then the model, then a row
in the ``llm_calls`` ledger.

Input: a model, chat messages and who asks (stage, agent, instance, prompt version). Output: the reply.
Why a cache keyed by content: the same prompt to the same model gets the same reply, so a run killed
half-way resumes at no cost (each paid reply is on disk, written atomically, before it is used), and a
repeated diagnosis is never paid twice. A cache hit is still a ledger row (``status="cached"``, $0), so
the cache hit rate is a query. With ``record_to`` every paid call is also appended to a JSON-lines file
that :class:`~openswe_data.agents.replay.ReplayModel` answers from in tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from openswe_data.agents.models import Model, ModelError, Reply
from openswe_data.records import LLMCall


def call_key(model_name: str, messages: list[dict[str, str]]) -> str:
    """The content address of one call: a hash of the model's name and the exact messages."""
    data = json.dumps({"model": model_name, "messages": messages}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def reply_to_dict(reply: Reply) -> dict[str, Any]:
    return {"content": reply.content, "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens, "cost_usd": reply.cost_usd, "note": reply.note}


def reply_from_dict(data: dict[str, Any]) -> Reply:
    return Reply(content=str(data["content"]), prompt_tokens=int(data.get("prompt_tokens", 0)),
                 completion_tokens=int(data.get("completion_tokens", 0)), cost_usd=float(data.get("cost_usd", 0.0)),
                 note=str(data.get("note", "")))


class CallCache:
    """One JSON file per call under ``root/<2 hex>/<key>.json``; written to a temporary name and renamed."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> Reply | None:
        path = self._path(key)
        try:
            return reply_from_dict(json.loads(path.read_text(encoding="utf-8"))["reply"])
        except (OSError, ValueError, KeyError):
            return None  # absent, or a file a crash left half-written under its final name (cannot happen: rename)

    def put(self, key: str, model: str, reply: Reply) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
        tmp.write_text(json.dumps({"model": model, "reply": reply_to_dict(reply)}, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)


class Ledger:
    """Asks ``model`` through the cache and writes one ``LLMCall`` per call to ``sink`` (a workspace stage)."""

    def __init__(self, model: Model, *, sink: Any = None, cache: CallCache | None = None,
                 record_to: str | Path | None = None) -> None:
        self.model = model
        self.sink = sink
        self.cache = cache
        self.record_to = Path(record_to) if record_to else None
        self.paid_calls = 0
        """Calls that reached the model in this process (cache hits excluded)."""
        self._lock = threading.Lock()

    def has_answer(self, messages: list[dict[str, str]]) -> bool:
        """Whether the cache already holds this call's reply (so asking costs nothing)."""
        return bool(self.cache) and self.cache.get(call_key(getattr(self.model, "name", ""), messages)) is not None

    def ask(self, messages: list[dict[str, str]], *, stage: str, agent: str, instance_id: str = "",
            prompt_version: str = "") -> Reply:
        """The model's reply (from the cache when this exact call was answered before); raises
        :class:`ModelError` when the model fails (the failed call is a ledger row too)."""
        name = getattr(self.model, "name", "")
        key = call_key(name, messages)
        row = dict(instance_id=instance_id, stage=stage, agent=agent, model=name, prompt_version=prompt_version,
                   cache_key=key)
        cached = self.cache.get(key) if self.cache else None
        if cached is not None:
            cached.cached = True
            self._put(LLMCall(call_id=f"{stage}-{uuid.uuid4().hex}", status="cached",
                              prompt_tokens=cached.prompt_tokens, completion_tokens=cached.completion_tokens,
                              cost_usd=0.0, created_at=_now(), **row))
            return cached
        start = time.monotonic()
        try:
            answer_as = getattr(self.model, "answer_as", None)  # a replay also goes by who asks
            reply = (answer_as(messages, agent=agent, instance_id=instance_id) if answer_as
                     else self.model.query(messages))
        except ModelError as exc:
            self._put(LLMCall(call_id=f"{stage}-{uuid.uuid4().hex}", status="error", created_at=_now(),
                              latency_seconds=round(time.monotonic() - start, 3), **row))
            raise exc
        seconds = round(time.monotonic() - start, 3)
        with self._lock:
            self.paid_calls += 1
            if self.cache:
                self.cache.put(key, name, reply)
            if self.record_to:
                self.record_to.parent.mkdir(parents=True, exist_ok=True)
                with self.record_to.open("a", encoding="utf-8") as f:
                    f.write(json.dumps({"key": key, "model": name, "agent": agent, "instance_id": instance_id,
                                        "messages": messages, "reply": reply_to_dict(reply)},
                                       ensure_ascii=False) + "\n")
        self._put(LLMCall(call_id=f"{stage}-{uuid.uuid4().hex}", status="ok", prompt_tokens=reply.prompt_tokens,
                          completion_tokens=reply.completion_tokens, cost_usd=reply.cost_usd,
                          latency_seconds=seconds, created_at=_now(), **row))
        return reply

    def _put(self, call: LLMCall) -> None:
        if self.sink is not None:
            self.sink.put(call)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
