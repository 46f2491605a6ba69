"""Chat messages in one shape: ``[{role, content}]``, with tool calls written into the text.

Input: a scaffold's own message or event list (OpenAI-style dicts with ``tool_calls`` and content parts,
OpenHands events, SWE-agent history). Output: the ``{role, content}`` list that training libraries read.

Why tool calls become text: the ``messages`` column of a release has only ``role`` and ``content`` (what
``datasets``, TRL and most chat templates accept). A tool call is written in OpenHands' text function-call
form (``<function=NAME>`` / ``<parameter=KEY>``), the form SWE-Gym trained on, so nothing is lost and the
cleaning rules can find the commands again with :func:`commands_in`.
"""

from __future__ import annotations

import json
import re
from typing import Any

_FENCE = re.compile(r"```(?:bash|sh|shell|console|mswea_bash_command)?[ \t]*\n(.*?)```", re.S)
_PARAM = re.compile(r"<parameter=(command|code|cmd)>\n?(.*?)</parameter>", re.S)
_FUNCTION = re.compile(r"<function=([^>\s]+)>")


def text_of(content: Any) -> str:
    """Plain text of a message's content: a string, or a list of parts (``{"type": "text", "text"}``)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict):
                if isinstance(part.get("text"), str):
                    parts.append(part["text"])
                elif part.get("type") in ("image_url", "image"):
                    parts.append("[image]")
        return "\n".join(parts)
    if isinstance(content, dict) and isinstance(content.get("text"), str):
        return content["text"]
    return json.dumps(content, ensure_ascii=False)


def render_tool_call(name: str, arguments: Any) -> str:
    """One tool call as text: ``<function=NAME>`` then one ``<parameter=KEY>`` block per argument.

    ``arguments`` may be a dict or the JSON string a model produced; a string that is not JSON is kept
    whole as a ``raw`` parameter (that call was malformed, and cleaning will see it).
    """
    if isinstance(arguments, str):
        try:
            parsed = json.loads(arguments) if arguments.strip() else {}
        except (json.JSONDecodeError, RecursionError):
            parsed = {"raw": arguments}
        arguments = parsed if isinstance(parsed, dict) else {"raw": arguments}
    elif arguments is not None and not isinstance(arguments, dict):
        arguments = {"raw": json.dumps(arguments, ensure_ascii=False)}
    lines = [f"<function={name}>"]
    for key, value in (arguments or {}).items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        lines.append(f"<parameter={key}>{text}</parameter>")
    lines.append("</function>")
    return "\n".join(lines)


def with_tool_calls(text: str, tool_calls: Any) -> str:
    """An assistant message's text followed by its tool calls (OpenAI ``tool_calls`` shape)."""
    blocks = [text] if text else []
    for call in tool_calls or []:
        if not isinstance(call, dict):
            continue
        fn = call.get("function") if isinstance(call.get("function"), dict) else call
        blocks.append(render_tool_call(str(fn.get("name") or "unknown"), fn.get("arguments")))
    return "\n\n".join(blocks)


def chat_message(raw: dict[str, Any]) -> dict[str, str]:
    """An OpenAI-style message dict (``role``, ``content``, maybe ``tool_calls``) as ``{role, content}``."""
    role = raw.get("role") or raw.get("type") or "user"
    content = text_of(raw.get("content"))
    if raw.get("tool_calls"):
        content = with_tool_calls(content, raw["tool_calls"])
    return {"role": str(role), "content": content}


def commands_in(content: str) -> list[str]:
    """The shell commands an assistant message asks to run: function parameters and fenced blocks."""
    found = [m.group(2) for m in _PARAM.finditer(content)]
    found += [m.group(1) for m in _FENCE.finditer(content)]
    return [c.strip() for c in found if c.strip()]


def has_action(content: str) -> bool:
    """Whether an assistant message carries an action (a function call or a fenced command)."""
    return bool(_FUNCTION.search(content) or _FENCE.search(content))
