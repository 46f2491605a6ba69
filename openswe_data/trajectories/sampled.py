"""Sampled agent runs (``{role, content}`` messages) -> the structured form with ``tool_calls``.

Input: the messages of a curated ``Trajectory`` or an ``Attempt`` (``openswe sample``'s bash agent writes
mini-swe-agent's fenced ``bash`` blocks; imports from OpenHands / SWE-agent carry tool calls written in the
text function-call form of ``curate.messages``). Output: OpenAI-style messages: an assistant turn with
exactly one action becomes that turn's text plus one ``tool_calls`` entry, and the user turn that
answers it becomes the ``tool`` result. Turns with no action (or several) stay as they were, so nothing
is lost. ``tools`` lists our schema for the names we know and a schema built from the parameters seen
for the names we do not.
"""

from __future__ import annotations

import re
from typing import Any

from openswe_data.trajectories.tools import TOOL_NAMES, Conversation, tools_schema

_FENCE = re.compile(r"```(?:bash|sh|shell|console|mswea_bash_command)?[ \t]*\n(.*?)```", re.S)
_FUNCTION = re.compile(r"<function=([^>\s]+)>(.*?)(?:</function>|$)", re.S)
_PARAM = re.compile(r"<parameter=([^>\s]+)>\n?(.*?)</parameter>", re.S)


def parse_action(content: str) -> tuple[str, str, dict[str, str]] | None:
    """``(thought, tool name, arguments)`` of a message holding exactly one action, else None."""
    functions = list(_FUNCTION.finditer(content))
    if len(functions) == 1:
        m = functions[0]
        args = {k: v.rstrip("\n") for k, v in _PARAM.findall(m.group(2))}
        return (content[: m.start()] + content[m.end():]).strip(), m.group(1), args
    if functions:
        return None
    fences = list(_FENCE.finditer(content))
    if len(fences) == 1:
        m = fences[0]
        return (content[: m.start()] + content[m.end():]).strip(), "bash", {"command": m.group(1).strip()}
    return None


def structure(messages: list[dict[str, str]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(messages, tools)`` in the structured form."""
    conv = Conversation()
    seen: dict[str, set[str]] = {}
    pending: tuple[str, str] | None = None
    for m in messages:
        role, content = m.get("role", "user"), m.get("content") or ""
        if pending is not None and role in ("user", "tool"):
            conv.result(pending[0], pending[1], content)
            pending = None
            continue
        pending = None
        action = parse_action(content) if role == "assistant" else None
        if action is None:
            conv.say(role, content)
            continue
        thought, name, args = action
        seen.setdefault(name, set()).update(args)
        pending = (conv.call(name, args, thought), name)
    return conv.messages, _schema(seen)


def _schema(seen: dict[str, set[str]]) -> list[dict[str, Any]]:
    known = tools_schema(tuple(n for n in TOOL_NAMES if n in seen))
    extra = [{"type": "function", "function": {
        "name": name, "description": f"{name} (as the sampled agent's scaffold defines it)",
        "parameters": {"type": "object", "properties": {p: {"type": "string"} for p in sorted(params)}}}}
        for name, params in sorted(seen.items()) if name not in TOOL_NAMES]
    return known + extra
