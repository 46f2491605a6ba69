"""The ``Model`` interface: chat messages in, one reply (text, tokens, dollars) out.

Two models ship here: :class:`LitellmModel` (any provider litellm speaks to, including any OpenAI-compatible
endpoint such as a local vLLM or llama.cpp server via ``api_base``; the API key comes only from an
environment variable read at call time — never logged or stored) and :class:`ScriptedModel` (a fixed list of
replies: deterministic, offline, for tests and dry runs of the loop). ``replay.py`` adds recording and
replaying a real run's calls.

Both are stateless between calls: a scripted model picks its reply by counting the assistant turns already
in the conversation (among the replies whose ``match`` pattern the conversation contains), so one instance
serves any number of attempts, agents and threads.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from openswe_data.errors import AgentError

_SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD)", re.IGNORECASE)


@dataclass
class Reply:
    """One model answer and what it cost."""

    content: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    note: str = ""
    """Why a figure is estimated or missing (e.g. litellm has no price for the model)."""
    cached: bool = False
    """Answered by the call cache (no new spend: ``cost_usd`` is what the original call cost)."""


@runtime_checkable
class Model(Protocol):
    """Anything that answers a conversation."""

    name: str
    """The model's name as recorded in attempts and the cost ledger."""

    def query(self, messages: list[dict[str, str]]) -> Reply: ...


class ModelError(AgentError):
    """The model could not answer (provider error, exhausted script, ...); ends the attempt as ``model_error``."""

    reason = "model_error"


def scrub_secrets(text: str) -> str:
    """``text`` with the value of every environment variable named like a key, token, secret or password
    replaced by ``***`` (provider errors sometimes echo request details)."""
    for name, value in os.environ.items():
        if value and len(value) >= 8 and _SECRET_NAME.search(name):
            text = text.replace(value, "***")
    return text


def estimate_tokens(text: str) -> int:
    """A rough token count (4 characters a token) for models that report none."""
    return (len(text) + 3) // 4


class ScriptedModel:
    """Replies from a list, in order: the n-th assistant turn of any conversation gets ``replies[n]``.

    A reply is a string or a mapping ``{content, prompt_tokens?, completion_tokens?, cost_usd?, match?}``.
    ``match`` is a regular expression: such a reply only answers conversations containing it (so one script
    can answer several agents, each by a line of its own prompt). Token counts not given are estimated from
    the text (4 characters a token). Asking past the end of the list raises :class:`ModelError`, which ends
    the attempt as ``model_error``.
    """

    def __init__(self, replies: list[str | dict[str, Any]], *, name: str = "scripted") -> None:
        if not replies:
            raise AgentError("a scripted model needs at least one reply")
        self.replies = [_reply_spec(r, i) for i, r in enumerate(replies)]
        self.name = name

    def query(self, messages: list[dict[str, str]]) -> Reply:
        turn = sum(1 for m in messages if m.get("role") == "assistant")
        text = "\n".join(m.get("content") or "" for m in messages)
        replies = [r for r in self.replies if "match" not in r or re.search(r["match"], text, re.M)]
        if turn >= len(replies):
            raise ModelError(f"the script has {len(replies)} replies for this conversation and turn {turn + 1} "
                             "was asked for")
        spec = replies[turn]
        content = spec["content"]
        prompt = spec.get("prompt_tokens")
        completion = spec.get("completion_tokens")
        estimated = prompt is None or completion is None
        return Reply(
            content=content,
            prompt_tokens=int(prompt) if prompt is not None else sum(estimate_tokens(m["content"]) for m in messages),
            completion_tokens=int(completion) if completion is not None else estimate_tokens(content),
            cost_usd=float(spec.get("cost_usd", 0.0)),
            note="scripted: token counts estimated at 4 characters a token" if estimated else "",
        )


def _reply_spec(reply: Any, index: int) -> dict[str, Any]:
    if isinstance(reply, str):
        return {"content": reply}
    if isinstance(reply, dict) and isinstance(reply.get("content"), str):
        unknown = set(reply) - {"content", "prompt_tokens", "completion_tokens", "cost_usd", "match"}
        if not unknown:
            return dict(reply)
        raise AgentError(f"scripted reply {index}: unknown key(s) {', '.join(sorted(unknown))}",
                          hint="a reply is a string or {content, prompt_tokens, completion_tokens, cost_usd, match}")
    raise AgentError(f"scripted reply {index}: expected a string or a mapping with 'content', "
                      f"got {type(reply).__name__}")


def load_scripted(path: str | Path) -> ScriptedModel:
    """A :class:`ScriptedModel` from a YAML file: a list of replies, or ``{name?, replies: [...]}``."""
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AgentError(f"cannot read the script {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise AgentError(f"{path} is not valid YAML: {exc}") from None
    name = "scripted"
    if isinstance(data, dict):
        unknown = set(data) - {"name", "replies"}
        if unknown:
            raise AgentError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}", hint="use name and replies")
        name, data = str(data.get("name", name)), data.get("replies")
    if not isinstance(data, list):
        raise AgentError(f"{path}: expected a list of replies (or a mapping with 'replies')")
    try:
        return ScriptedModel(data, name=name)
    except AgentError as exc:
        raise AgentError(f"{path}: {exc.message}", hint=exc.hint) from None


@dataclass
class LitellmModel:
    """A model behind ``litellm.completion``; cost from litellm's price table when it knows the model."""

    name: str
    """litellm's model name, e.g. ``openai/gpt-4o-mini`` or ``anthropic/claude-sonnet-4-5``."""
    temperature: float = 0.0
    """Sampling temperature (0: as deterministic as the provider allows)."""
    max_tokens: int | None = 4096
    """Upper bound on one reply's tokens."""
    timeout: float = 300.0
    """Seconds one call may take before it fails."""
    num_retries: int = 2
    """litellm's own retries on transient provider errors."""
    api_base: str | None = None
    """An OpenAI-compatible endpoint (``http://127.0.0.1:8000/v1`` for a local vLLM or llama.cpp server)."""
    api_key_env: str | None = None
    """The environment variable holding the key, read at call time (default: the provider's own variable)."""
    price_per_mtok: tuple[float, float] | None = None
    """Dollars per million (prompt, completion) tokens, for a model litellm has no price for (a local one)."""
    completion_kwargs: dict[str, Any] = field(default_factory=dict)
    """Extra arguments for ``litellm.completion`` (``mock_response``, ...); never put a key here."""

    def query(self, messages: list[dict[str, str]]) -> Reply:
        # Prices from the table bundled with litellm: no fetch over the network at import time.
        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        import litellm

        extra = dict(self.completion_kwargs)
        if self.api_base:
            extra["api_base"] = self.api_base
        if self.api_key_env:
            extra["api_key"] = os.environ.get(self.api_key_env, "")
        try:
            response = litellm.completion(model=self.name, messages=messages, temperature=self.temperature,
                                          max_tokens=self.max_tokens, timeout=self.timeout,
                                          num_retries=self.num_retries, **extra)
        except Exception as exc:  # noqa: BLE001 - every provider failure ends the attempt the same way
            raise ModelError(scrub_secrets(f"{type(exc).__name__}: {exc}")[:500]) from None
        content = response.choices[0].message.content or ""
        usage = getattr(response, "usage", None)
        prompt = int(getattr(usage, "prompt_tokens", 0) or 0)
        completion = int(getattr(usage, "completion_tokens", 0) or 0)
        note = ""
        if self.price_per_mtok is not None:
            cost = (prompt * self.price_per_mtok[0] + completion * self.price_per_mtok[1]) / 1e6
            return Reply(content=content, prompt_tokens=prompt, completion_tokens=completion, cost_usd=cost)
        try:
            cost = float(litellm.completion_cost(completion_response=response) or 0.0)
        except Exception:  # noqa: BLE001 - litellm raises when its price table lacks the model
            cost, note = 0.0, f"litellm has no price for {self.name}: its calls are counted at $0"
        return Reply(content=content, prompt_tokens=prompt, completion_tokens=completion, cost_usd=cost, note=note)
