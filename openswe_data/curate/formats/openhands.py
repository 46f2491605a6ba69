"""OpenHands ``output.jsonl`` (one ``EvalOutput`` per line) -> attempts.

Fields read: ``instance_id`` (or ``instance.instance_id``), ``test_result.git_patch``, ``history`` (a list of
event dicts, or the older list of ``[action, observation]`` pairs), ``metrics.accumulated_cost``,
``metrics.accumulated_token_usage``, ``metadata.llm_config.model``, ``error``, and when the line was
evaluated, ``test_result.report.resolved`` (OpenHands' own ``eval_infer``) or a top-level ``report``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openswe_data.curate.formats._common import Parsed, count, dig, entries, number, want
from openswe_data.curate.messages import render_tool_call, text_of

SCAFFOLD = "openhands"
# Events that carry no conversation (state changes, memory recalls, condensation bookkeeping).
_SKIP_ACTIONS = {"change_agent_state", "recall", "condensation", "condensation_request", "null"}
_SKIP_OBSERVATIONS = {"agent_state_changed", "recall", "null", "condense"}
# Event arguments that are bookkeeping, not part of the call the model made.
_NOISE_ARGS = {
    "thought", "blocking", "is_input", "hidden", "confirmation_state", "security_risk", "kernel_init_code",
    "is_static", "cwd", "include_extra", "impl_source", "wait_for_response", "image_urls", "file_urls",
    "translated_ipython_code", "action", "outputs", "activated_microagents",
}
# Older histories carry no tool-call metadata: name the call after the OpenHands tool behind the action.
_TOOL_OF_ACTION = {"run": "execute_bash", "run_ipython": "execute_ipython_cell", "edit": "str_replace_editor",
                   "read": "str_replace_editor", "browse": "browser", "browse_interactive": "browser"}


def _tool_arguments(event: dict[str, Any]) -> Any:
    """The arguments the model wrote for this event's tool call, when OpenHands kept the raw response."""
    meta = event.get("tool_call_metadata") or {}
    call_id = meta.get("tool_call_id")
    choices = dig(meta, "model_response", "choices", default=[]) or []
    for choice in choices if isinstance(choices, list) else []:
        for call in dig(choice, "message", "tool_calls", default=[]) or []:
            if isinstance(call, dict) and (call_id is None or call.get("id") == call_id):
                return dig(call, "function", "arguments")
    args = event.get("args") or {}
    return {k: v for k, v in args.items() if k not in _NOISE_ARGS and v not in (None, "", [], {})}


def _event_messages(event: dict[str, Any]) -> list[dict[str, str]]:
    if not isinstance(event, dict):
        raise ValueError(f"a history event is a {type(event).__name__}, not an object")
    args = event.get("args") or {}
    if "action" in event:
        action = event["action"]
        if action in _SKIP_ACTIONS:
            return []
        if action == "system":
            return [{"role": "system", "content": text_of(args.get("content") or event.get("message"))}]
        if event.get("source") == "user":
            return [{"role": "user", "content": text_of(args.get("content") or event.get("message"))}]
        if action == "message":
            return [{"role": "assistant", "content": text_of(args.get("content") or event.get("message"))}]
        thought = text_of(args.get("thought") or "")
        name = (event.get("tool_call_metadata") or {}).get("function_name") or _TOOL_OF_ACTION.get(action, action)
        call = render_tool_call(str(name), _tool_arguments(event))
        return [{"role": "assistant", "content": f"{thought}\n\n{call}" if thought else call}]
    if "observation" in event:
        if event["observation"] in _SKIP_OBSERVATIONS:
            return []
        role = "tool" if event.get("tool_call_metadata") else "user"
        return [{"role": role, "content": text_of(event.get("content") or event.get("message"))}]
    return []


def messages_from_history(history: Any) -> list[dict[str, str]]:
    """Chat messages from an OpenHands history (event dicts, or the older ``[action, observation]`` pairs)."""
    if not isinstance(history, list):
        raise ValueError("history is not a list")
    out: list[dict[str, str]] = []
    for item in history:
        events = item if isinstance(item, (list, tuple)) else [item]
        for event in events:
            out.extend(_event_messages(event))
    return out


def _resolved(line: dict[str, Any]) -> bool | None:
    for report in (dig(line, "test_result", "report"), line.get("report")):
        if isinstance(report, dict) and isinstance(report.get("resolved"), bool):
            return report["resolved"]
    return None


def read(path: Path) -> Iterator[Parsed]:
    yield from entries(path, _parse, expected="a JSON object")


def _parse(location: str, line: dict[str, Any]) -> Parsed:
    instance_id = line.get("instance_id") or want(line, "instance.instance_id", str)
    if not isinstance(instance_id, str):
        return Parsed(location, error="no instance_id (neither top-level nor in instance)")
    patch = want(line, "test_result.git_patch", str, default="")
    try:
        messages = messages_from_history(line.get("history") or [])
    except (ValueError, TypeError, AttributeError) as exc:
        return Parsed(location, instance_id, error=f"unreadable history: {exc}")
    tokens = count(line, "metrics.accumulated_token_usage.prompt_tokens") + count(
        line, "metrics.accumulated_token_usage.completion_tokens")
    model = want(line, "metadata.llm_config.model", str, default="")
    error_text = line.get("error")
    return Parsed(location, instance_id, fields={
        "model": model,
        "scaffold": SCAFFOLD,
        "patch": patch,
        "resolved": _resolved(line),
        "reason": f"agent_error: {str(error_text)[:200]}" if error_text else "",
        "messages": messages,
        "cost_usd": number(dig(line, "metrics", "accumulated_cost")),
        "tokens": tokens,
    })
