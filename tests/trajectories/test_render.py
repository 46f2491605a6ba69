"""One structured form, rendered to what trainers read: OpenAI messages, ShareGPT, the text form, chat templates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jinja2.exceptions import TemplateError

from openswe_data import recipes
from openswe_data.trajectories.render import apply_chat_template, render, to_sharegpt, to_text
from openswe_data.trajectories.tools import Conversation, tools_schema

TEMPLATE = recipes.find("builders", "chat_templates/chatml-tools.jinja")


def _conversation() -> list[dict]:
    conv = Conversation()
    conv.say("system", "You fix bugs.")
    conv.say("user", "parse(' 1') fails")
    conv.step("view", {"path": "core.py"}, "     1\tdef parse(t):", thought="Look first.")
    conv.step("str_replace", {"path": "core.py", "old_str": "int(t)", "new_str": "int(t.strip())"}, "edited")
    conv.say("assistant", "Fixed.")
    return conv.messages


def test_sharegpt_alternates_human_and_model_turns_and_keeps_tools_and_thoughts():
    out = to_sharegpt(_conversation(), tools_schema())
    assert out["system"] == "You fix bugs." and json.loads(out["tools"])[0]["function"]["name"] == "view"
    roles = [t["from"] for t in out["conversations"]]
    assert roles == ["human", "function_call", "observation", "function_call", "observation", "gpt"]
    first = out["conversations"][1]["value"]
    assert first.startswith("<think>Look first.</think>")
    assert json.loads(first.split("</think>")[1]) == {"name": "view", "arguments": {"path": "core.py"}}


def test_the_text_form_is_the_function_call_text_curated_trajectories_use():
    text = to_text(_conversation())
    assert {m["role"] for m in text} == {"system", "user", "assistant"}
    assert "<function=view>\n<parameter=path>core.py</parameter>\n</function>" in text[2]["content"]
    assert text[3]["content"].startswith("EXECUTION RESULT of [view]:\n")
    assert render("text", _conversation(), [])["messages"] == text


def test_the_shipped_chat_template_renders_messages_with_tools():
    text = apply_chat_template(Path(TEMPLATE), _conversation(), tools_schema(), add_generation_prompt=True)
    assert text.startswith("<|im_start|>system\nYou fix bugs.\n\n# Tools")
    assert '{"name": "str_replace", "arguments": {"path": "core.py", "old_str": "int(t)"' in text
    assert "<tool_response>\n     1\tdef parse(t):\n</tool_response>" in text
    assert text.endswith("<|im_start|>assistant\n")


def test_a_chat_template_that_refuses_a_conversation_says_why():
    bad = [{"role": "user", "content": "hi"}, {"role": "system", "content": "late"}]
    with pytest.raises(TemplateError, match="system message must come first"):
        apply_chat_template(Path(TEMPLATE), bad, [])


def test_an_unknown_format_is_a_configuration_error():
    from openswe_data.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown format"):
        render("alpaca", [], [])
