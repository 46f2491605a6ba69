"""The tools an agent-native trajectory calls, and the message shapes of a call and its result.

One schema for every kind, modelled on the editor + shell tools agents use (SWE-agent's
``str_replace_editor``, OpenHands' ``str_replace_editor`` and ``execute_bash``), as OpenAI function
schemas. Call ids are deterministic (``call_<n>`` per trajectory), so the same input gives the same bytes.
"""

from __future__ import annotations

import json
from typing import Any

TOOLS: list[dict[str, Any]] = [
    {"type": "function", "function": {
        "name": "view", "description": "Show a file with line numbers (or a folder's listing).",
        "parameters": {"type": "object", "properties": {
            "path": {"type": "string", "description": "Path relative to the repository root."}},
            "required": ["path"]}}},
    {"type": "function", "function": {
        "name": "search", "description": "Search the repository for a fixed string; prints path:line:text.",
        "parameters": {"type": "object", "properties": {
            "pattern": {"type": "string", "description": "The text to look for."},
            "path": {"type": "string", "description": "Folder or file to search in (default: the repository)."}},
            "required": ["pattern"]}}},
    {"type": "function", "function": {
        "name": "str_replace", "description": "Replace the one occurrence of old_str in a file with new_str.",
        "parameters": {"type": "object", "properties": {
            "path": {"type": "string"}, "old_str": {"type": "string"}, "new_str": {"type": "string"}},
            "required": ["path", "old_str", "new_str"]}}},
    {"type": "function", "function": {
        "name": "create", "description": "Create (or overwrite) a file with the given content.",
        "parameters": {"type": "object", "properties": {
            "path": {"type": "string"}, "content": {"type": "string"}}, "required": ["path", "content"]}}},
    {"type": "function", "function": {
        "name": "bash", "description": "Run a shell command in the repository and show its output and exit code.",
        "parameters": {"type": "object", "properties": {
            "command": {"type": "string"}}, "required": ["command"]}}},
    {"type": "function", "function": {
        "name": "submit", "description": "Finish: the current changes are the answer.",
        "parameters": {"type": "object", "properties": {}}}},
]
TOOL_NAMES = tuple(t["function"]["name"] for t in TOOLS)


def tools_schema(names: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """The schema of the named tools (all of them by default), in a fixed order."""
    return [t for t in TOOLS if names is None or t["function"]["name"] in names]


class Conversation:
    """Builds a message list: text turns, tool calls with deterministic ids, and their results."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self._calls = 0

    def say(self, role: str, content: str) -> None:
        self.messages.append({"role": role, "content": content})

    def call(self, name: str, arguments: dict[str, Any], thought: str = "") -> str:
        """An assistant turn calling one tool; returns the call id for the result."""
        self._calls += 1
        call_id = f"call_{self._calls}"
        self.messages.append({"role": "assistant", "content": thought, "tool_calls": [{
            "id": call_id, "type": "function",
            "function": {"name": name, "arguments": json.dumps(arguments, ensure_ascii=False)}}]})
        return call_id

    def result(self, call_id: str, name: str, output: str) -> None:
        self.messages.append({"role": "tool", "tool_call_id": call_id, "name": name, "content": output})

    def step(self, name: str, arguments: dict[str, Any], output: str, thought: str = "") -> None:
        self.result(self.call(name, arguments, thought), name, output)


def count_tool_calls(messages: list[dict[str, Any]]) -> int:
    return sum(len(m.get("tool_calls") or []) for m in messages)


def arguments_of(call: dict[str, Any]) -> dict[str, Any]:
    """A tool call's arguments as a dict (they travel as a JSON string)."""
    raw = (call.get("function") or {}).get("arguments")
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw) if raw else {}
    except (TypeError, json.JSONDecodeError):
        return {"raw": raw}
    return value if isinstance(value, dict) else {"raw": raw}
