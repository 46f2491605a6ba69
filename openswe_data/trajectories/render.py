"""The structured messages -> the forms trainers read.

- ``openai``: ``{"messages", "tools"}`` as they are (OpenAI / TRL / most chat templates).
- ``sharegpt``: LLaMA-Factory's ShareGPT form: ``conversations`` of ``human`` / ``gpt`` / ``function_call``
  / ``observation`` turns, ``system`` and ``tools`` (a JSON string) beside them. A call's value is
  ``{"name", "arguments"}`` JSON; the assistant's text before it is kept in ``<think>...</think>`` ahead
  of the JSON (LLaMA-Factory's function formatter takes that as the thought).
- ``text``: the ``{role, content}`` form the curated ``trajectories`` already use: tool calls written in
  OpenHands' text function-call form (``curate.messages``), tool results as user turns beginning
  ``EXECUTION RESULT of [name]:`` (OpenHands' converter's wording), so nothing depends on tool support.
- ``chat_template``: any Hugging Face chat template (a Jinja2 file) rendered the way ``transformers``
  renders one (sandboxed, ``trim_blocks``, ``lstrip_blocks``, ``tojson`` without HTML escaping,
  ``raise_exception``), with tool-call arguments as objects; ``builders/chat_templates/`` ships one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openswe_data.errors import ConfigError
from openswe_data.trajectories.tools import arguments_of

FORMATS = ("openai", "sharegpt", "text")


def to_openai(messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> dict[str, Any]:
    return {"messages": messages, "tools": tools}


def to_sharegpt(messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> dict[str, Any]:
    system = ""
    turns: list[dict[str, str]] = []
    for m in messages:
        role, content = m.get("role"), m.get("content") or ""
        if role == "system":
            system = content
        elif role == "user":
            turns.append({"from": "human", "value": content})
        elif role == "tool":
            turns.append({"from": "observation", "value": content})
        elif m.get("tool_calls"):
            calls = [{"name": (c.get("function") or {}).get("name", ""), "arguments": arguments_of(c)}
                     for c in m["tool_calls"]]
            value = json.dumps(calls[0] if len(calls) == 1 else calls, ensure_ascii=False)
            turns.append({"from": "function_call", "value": (f"<think>{content}</think>" if content else "") + value})
        else:
            turns.append({"from": "gpt", "value": content})
    return {"conversations": turns, "system": system, "tools": json.dumps(tools, ensure_ascii=False)}


def to_text(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    from openswe_data.curate.messages import chat_message

    out = []
    for m in messages:
        if m.get("role") == "tool":
            out.append({"role": "user", "content": f"EXECUTION RESULT of [{m.get('name', 'tool')}]:\n{m.get('content') or ''}"})
        else:
            out.append(chat_message(m))
    return out


def render(fmt: str, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> Any:
    """One trajectory in ``fmt`` (``openai``, ``sharegpt`` or ``text``)."""
    if fmt == "openai":
        return to_openai(messages, tools)
    if fmt == "sharegpt":
        return to_sharegpt(messages, tools)
    if fmt == "text":
        return {"messages": to_text(messages)}
    raise ConfigError(f"unknown format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")


def _raise(message: str) -> None:
    from jinja2.exceptions import TemplateError

    raise TemplateError(message)


def compile_template(source: str) -> Any:
    """A chat template compiled as ``transformers`` compiles one."""
    from jinja2 import ext
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[ext.loopcontrols])
    env.filters["tojson"] = lambda x, indent=None, separators=None, sort_keys=False: json.dumps(
        x, ensure_ascii=False, indent=indent, separators=separators, sort_keys=sort_keys)
    env.globals["raise_exception"] = _raise
    return env.from_string(source)


def template_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Messages as chat templates expect them: tool-call arguments as objects, not JSON strings."""
    out = []
    for m in messages:
        m = dict(m)
        if m.get("tool_calls"):
            m["tool_calls"] = [{**c, "function": {**(c.get("function") or {}), "arguments": arguments_of(c)}}
                               for c in m["tool_calls"]]
        out.append(m)
    return out


def apply_chat_template(template: str | Path, messages: list[dict[str, Any]], tools: list[dict[str, Any]], *,
                        add_generation_prompt: bool = False, **extra: Any) -> str:
    """``messages`` with ``tools`` rendered through a chat template (its text, or a file path)."""
    source = Path(template).read_text(encoding="utf-8") if isinstance(template, Path) else template
    return compile_template(source).render(messages=template_messages(messages), tools=tools or None,
                                           add_generation_prompt=add_generation_prompt, **extra)
