"""Sampled runs in the text forms agents write become structured tool calls, and nothing is lost."""

from __future__ import annotations

import json

from openswe_data.trajectories.sampled import structure


def test_a_bash_agent_run_becomes_tool_calls_with_their_results():
    run = [{"role": "system", "content": "s"}, {"role": "user", "content": "task"},
           {"role": "assistant", "content": "Look around.\n```bash\nls\n```"},
           {"role": "user", "content": "<returncode>0</returncode>\n<output>a.py</output>"},
           {"role": "assistant", "content": "Two blocks:\n```bash\nls\n```\n```bash\npwd\n```"},
           {"role": "user", "content": "Please always provide EXACTLY ONE action"}]
    messages, tools = structure(run)
    assert messages[2]["content"] == "Look around."
    call = messages[2]["tool_calls"][0]
    assert call["function"]["name"] == "bash" and json.loads(call["function"]["arguments"]) == {"command": "ls"}
    assert messages[3] == {"role": "tool", "tool_call_id": call["id"], "name": "bash",
                           "content": "<returncode>0</returncode>\n<output>a.py</output>"}
    assert messages[4] == run[4] and messages[5] == run[5], "a turn with two actions stays as it was"
    assert [t["function"]["name"] for t in tools] == ["bash"]


def test_openhands_text_function_calls_become_tool_calls_with_their_parameters():
    run = [{"role": "user", "content": "task"},
           {"role": "assistant", "content": "Edit it.\n<function=str_replace_editor>\n<parameter=command>view</parameter>\n"
                                            "<parameter=path>/testbed/a.py</parameter>\n</function>"},
           {"role": "user", "content": "EXECUTION RESULT of [str_replace_editor]:\n1\tx = 1"}]
    messages, tools = structure(run)
    call = messages[1]["tool_calls"][0]
    assert call["function"]["name"] == "str_replace_editor"
    assert json.loads(call["function"]["arguments"]) == {"command": "view", "path": "/testbed/a.py"}
    assert messages[2]["role"] == "tool" and messages[2]["tool_call_id"] == call["id"]
    assert tools[0]["function"]["parameters"]["properties"] == {"command": {"type": "string"}, "path": {"type": "string"}}
