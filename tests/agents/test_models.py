"""The two shipped models: scripted replies (offline, deterministic) and litellm (tokens and price from
litellm itself, exercised through its own ``mock_response`` so no provider is called)."""

from __future__ import annotations

import pytest

from openswe_data.errors import AgentError
from openswe_data.agents import LitellmModel, ModelError, ScriptedModel, load_scripted
from openswe_data.agents.models import scrub_secrets

SYSTEM = {"role": "system", "content": "You fix bugs."}


def test_a_scripted_model_answers_the_nth_assistant_turn_with_the_nth_reply():
    model = ScriptedModel(["first", "second"])
    assert model.query([SYSTEM]).content == "first"
    convo = [SYSTEM, {"role": "assistant", "content": "first"}, {"role": "user", "content": "ok"}]
    assert model.query(convo).content == "second"
    assert model.query([SYSTEM]).content == "first", "a new conversation starts the script again"


def test_a_scripted_model_past_its_last_reply_is_a_model_error():
    model = ScriptedModel(["only"])
    with pytest.raises(ModelError, match="the script has 1 replies for this conversation and turn 2 was asked for"):
        model.query([SYSTEM, {"role": "assistant", "content": "only"}])


def test_scripted_token_counts_are_given_or_estimated_and_said_so():
    given = ScriptedModel([{"content": "hi", "prompt_tokens": 7, "completion_tokens": 3, "cost_usd": 0.25}])
    reply = given.query([SYSTEM])
    assert (reply.prompt_tokens, reply.completion_tokens, reply.cost_usd, reply.note) == (7, 3, 0.25, "")
    estimated = ScriptedModel(["x" * 40]).query([SYSTEM])
    assert estimated.completion_tokens == 10
    assert estimated.prompt_tokens == 4  # "You fix bugs." is 13 characters
    assert "estimated" in estimated.note


def test_a_script_loads_from_yaml_as_a_list_or_a_named_mapping(tmp_path):
    plain = tmp_path / "plain.yaml"
    plain.write_text("- |\n  Look.\n  ```bash\n  ls\n  ```\n- done\n")
    model = load_scripted(plain)
    assert model.name == "scripted"
    assert model.query([SYSTEM]).content == "Look.\n```bash\nls\n```\n"
    named = tmp_path / "named.yaml"
    named.write_text("name: my-script\nreplies:\n  - content: hi\n    cost_usd: 0.01\n")
    assert load_scripted(named).name == "my-script"


@pytest.mark.parametrize("text, message", [
    ("replies: [1, 2]\n", "reply 0: expected a string or a mapping with 'content', got int"),
    ("- content: hi\n  temperature: 3\n", "reply 0: unknown key(s) temperature"),
    ("[]\n", "at least one reply"),
    ("model: x\n", "unknown key(s) model"),
    ("- [unclosed\n", "not valid YAML"),
])
def test_a_malformed_script_names_the_file_and_the_problem(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(AgentError, match="bad.yaml") as exc:
        load_scripted(path)
    assert message in str(exc.value)


def test_litellm_replies_carry_its_token_counts_and_its_price():
    model = LitellmModel("gpt-4o-mini", completion_kwargs={"mock_response": "```bash\nls\n```"})
    reply = model.query([SYSTEM, {"role": "user", "content": "fix it"}])
    assert reply.content == "```bash\nls\n```"
    assert reply.prompt_tokens > 0 and reply.completion_tokens > 0
    assert reply.cost_usd > 0
    assert reply.note == ""


def test_a_model_litellm_has_no_price_for_costs_zero_with_a_note():
    model = LitellmModel("openai/house-model-7b", completion_kwargs={"mock_response": "hello"})
    reply = model.query([SYSTEM])
    assert reply.cost_usd == 0.0
    assert "no price for openai/house-model-7b" in reply.note


def test_a_provider_failure_is_a_model_error_without_the_key(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key-123456")
    model = LitellmModel("gpt-4o-mini", num_retries=0, completion_kwargs={
        "mock_response": Exception("upstream refused key sk-test-not-a-real-key-123456")})
    with pytest.raises(ModelError) as exc:
        model.query([SYSTEM])
    assert "sk-test-not-a-real-key-123456" not in str(exc.value)
    assert "***" in str(exc.value)


def test_only_values_of_secret_looking_variables_are_scrubbed(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "ant-secret-value-42")
    monkeypatch.setenv("PROJECT_LABEL", "calcproject")
    assert scrub_secrets("calcproject: auth failed for ant-secret-value-42") == "calcproject: auth failed for ***"


def test_a_scripted_reply_with_a_match_answers_only_conversations_containing_it():
    model = ScriptedModel([{"content": "for b", "match": "# agent: b"}, {"content": "for anyone"}])
    assert model.query([{"role": "system", "content": "# agent: a\n"}]).content == "for anyone"
    assert model.query([{"role": "system", "content": "# agent: b\n"}]).content == "for b"


def test_a_price_per_million_tokens_prices_a_model_litellm_does_not_know():
    model = LitellmModel("openai/house-model-7b", api_base="http://127.0.0.1:9/v1", price_per_mtok=(1.0, 2.0),
                         completion_kwargs={"mock_response": "hello"})
    reply = model.query([SYSTEM])
    assert reply.cost_usd == pytest.approx((reply.prompt_tokens * 1.0 + reply.completion_tokens * 2.0) / 1e6)
    assert reply.cost_usd > 0 and reply.note == ""
