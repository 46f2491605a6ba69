"""The call cache, the llm_calls ledger, recording and replay, and the model config file."""

from __future__ import annotations

import json

import pytest

from openswe_data.agents import CallCache, Ledger, LitellmModel, ModelError, ReplayModel, ScriptedModel, load_model
from openswe_data.errors import AgentError
from openswe_data.records import LLMCall

ASK = [{"role": "system", "content": "# agent: x\n"}, {"role": "user", "content": "why?"}]


class Counting(ScriptedModel):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.asked = 0

    def query(self, messages):
        self.asked += 1
        return super().query(messages)


class Sink(list):
    put = list.append


def test_the_same_call_is_paid_once_and_then_answered_by_the_cache_at_no_cost(tmp_path):
    model, sink = Counting([{"content": "because", "cost_usd": 0.2}], name="m"), Sink()
    ledger = Ledger(model, sink=sink, cache=CallCache(tmp_path / "cache"))
    first = ledger.ask(ASK, stage="build", agent="x", instance_id="i", prompt_version="x@1")
    again = Ledger(Counting(["never"], name="m"), sink=sink, cache=CallCache(tmp_path / "cache")).ask(
        ASK, stage="build", agent="x", instance_id="i", prompt_version="x@1")
    assert (first.content, again.content, again.cached, model.asked) == ("because", "because", True, 1)
    assert [(c.status, c.cost_usd, c.prompt_version) for c in sink] == [("ok", 0.2, "x@1"), ("cached", 0.0, "x@1")]
    assert sink[0].cache_key == sink[1].cache_key and ledger.paid_calls == 1


def test_another_model_or_another_prompt_is_another_call(tmp_path):
    cache = CallCache(tmp_path)
    Ledger(ScriptedModel(["a"], name="m1"), cache=cache).ask(ASK, stage="build", agent="x")
    other = Ledger(Counting(["b"], name="m2"), cache=cache)
    assert other.ask(ASK, stage="build", agent="x").content == "b"
    assert other.ask(ASK[:1], stage="build", agent="x").content == "b" and other.model.asked == 2


def test_a_failed_call_is_a_ledger_row_and_raises(tmp_path):
    sink = Sink()
    ledger = Ledger(ScriptedModel([{"content": "x", "match": "never"}]), sink=sink, cache=CallCache(tmp_path))
    with pytest.raises(ModelError):
        ledger.ask(ASK, stage="build", agent="x", instance_id="i")
    assert [c.status for c in sink] == ["error"] and isinstance(sink[0], LLMCall)
    assert not list(tmp_path.rglob("*.json")), "nothing cached for a failed call"


def test_a_recording_replays_exactly_then_by_agent_and_instance_and_never_calls_anything_new(tmp_path):
    rec = tmp_path / "rec.jsonl"
    ledger = Ledger(ScriptedModel([{"content": "one", "cost_usd": 0.1}], name="m"), record_to=rec)
    ledger.ask(ASK, stage="build", agent="x", instance_id="i")
    entry = json.loads(rec.read_text())
    assert entry["agent"] == "x" and entry["messages"] == ASK and entry["model"] == "m"
    replay = ReplayModel(rec)
    assert Ledger(replay).ask(ASK, stage="build", agent="x", instance_id="i").cost_usd == 0.1
    assert replay.exact == 1
    drifted = [ASK[0], {"role": "user", "content": "why, now?"}]
    replay = ReplayModel(rec)
    assert Ledger(replay).ask(drifted, stage="build", agent="x", instance_id="i").content == "one"
    assert "'why, now?' was recorded as 'why?'" in replay.drifted[0]
    with pytest.raises(ModelError, match="no reply left"):
        Ledger(replay).ask(drifted, stage="build", agent="x", instance_id="i")
    assert replay.misses == 1


def test_a_bad_recording_line_is_located(tmp_path):
    rec = tmp_path / "rec.jsonl"
    rec.write_text('{"key": "k"}\n')
    with pytest.raises(AgentError, match="rec.jsonl:L1"):
        ReplayModel(rec)


def test_a_model_config_chooses_an_openai_compatible_endpoint_by_file(tmp_path, monkeypatch):
    cfg = tmp_path / "model.yaml"
    cfg.write_text("provider: litellm\nmodel: openai/qwen\napi_base: http://127.0.0.1:8000/v1\n"
                   "api_key_env: LOCAL_LLM_KEY\nprice_per_mtok: [0.2, 0.6]\n")
    model = load_model(cfg)
    assert isinstance(model, LitellmModel)
    assert (model.api_base, model.api_key_env, model.price_per_mtok) == ("http://127.0.0.1:8000/v1", "LOCAL_LLM_KEY",
                                                                         (0.2, 0.6))
    cfg.write_text("provider: scripted\nname: s\nreplies: [hello]\n")
    assert load_model(cfg).query(ASK).content == "hello"


@pytest.mark.parametrize("text, message", [
    ("provider: litellm\n", "needs `model`"),
    ("provider: openai\nmodel: x\n", "provider"),
    ("model: x\napi_key: sk-123\n", "api_key"),
    ("provider: replay\n", "needs `recording`"),
])
def test_a_bad_model_config_names_the_file_and_the_field(tmp_path, text, message):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(text)
    with pytest.raises(AgentError, match="bad.yaml") as exc:
        load_model(cfg)
    assert message in str(exc.value)
