"""Token counts come from tokenizers shipped inside installed packages, or from the user's own file."""

from __future__ import annotations

import socket

import pytest

from openswe_data.errors import ConfigError
from openswe_data.trajectories import tokens


def test_the_default_tokenizer_is_tiktoken_from_files_shipped_in_a_wheel_without_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the tokenizer reached for the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)
    tokens.load.cache_clear()
    tok = tokens.load()
    assert tok.name == "tiktoken:cl100k_base"
    assert tok.count("hello world") == 2
    assert tokens.load("tiktoken:o200k_base").count("hello world") == 2


def test_a_user_supplied_tokenizer_json_counts_with_the_tokenizers_library():
    folder = tokens.bundled_ranks_dir()
    assert folder is not None
    tok = tokens.load(f"hf:{folder / 'anthropic_tokenizer.json'}")  # any tokenizer.json will do
    assert tok.name == "hf:anthropic_tokenizer.json" and tok.count("hello world") > 0


def test_the_fallback_says_what_it_is_and_unknown_specs_are_refused(tmp_path):
    assert tokens.load("chars4").count("12345678") == 2
    with pytest.raises(ConfigError, match="unknown tokenizer"):
        tokens.load("sentencepiece:x")
    with pytest.raises(ConfigError, match="no tokenizer file"):
        tokens.load(f"hf:{tmp_path / 'missing.json'}")


def test_a_trajectory_counts_its_tools_contents_and_tool_calls():
    tok = tokens.load("chars4")
    messages = [{"role": "assistant", "content": "", "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "bash", "arguments": '{"command": "ls"}'}}]}]
    assert tokens.trajectory_tokens(messages, [], tok) > 0
    assert tokens.trajectory_tokens(messages, [{"x": 1}], tok) > tokens.trajectory_tokens(messages, [], tok)
