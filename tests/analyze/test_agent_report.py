"""The agent tier's cost report on a hand-checked workspace: dollars per valid environment by tier, calls
per instance, the cache hit rate."""

from __future__ import annotations

import pytest

from openswe_data.analyze import run_report
from openswe_data.records import BuildAttempt, LLMCall
from openswe_data.store import Workspace


def rows(name, ws):
    return [tuple(r) for r in run_report(name, ws.path, as_pandas=True).itertuples(index=False)]


def test_spend_is_split_by_the_tier_that_made_each_instance(tmp_path):
    ws = Workspace(tmp_path / "ws", create=True)
    attempts, calls = ws.stage("build_attempts"), ws.stage("llm_calls")
    for iid, n, outcome, tier, seeded in [
        ("a-1", 1, "failed", "agents", ""), ("a-1", 2, "valid", "", ""),  # rescued by an agent
        ("a-2", 1, "valid", "", "a-1"),  # seeded from memory
        ("b-1", 1, "invalid", "agents", ""), ("b-1", 2, "invalid", "", ""),  # agents gave up
        ("c-1", 1, "failed", "rules", ""), ("c-1", 2, "valid", "", ""),
        ("d-1", 1, "valid", "", ""),
    ]:
        attempts.put(BuildAttempt(instance_id=iid, attempt=n, outcome=outcome, tier=tier, seeded_from=seeded))
    for i, (iid, agent, cost, status) in enumerate([
        ("a-1", "explorer", 0.1, "ok"), ("a-1", "dockerfile", 0.2, "ok"), ("a-1", "legitimacy-review", 0.05, "ok"),
        ("a-2", "legitimacy-review", 0.05, "ok"), ("b-1", "test-analysis", 0.3, "ok"), ("b-1", "explorer", 0.0, "cached"),
        ("d-1", "legitimacy-review", 0.05, "ok"), ("x-1", "summary", 9.0, "ok"),
    ]):
        calls.put(LLMCall(call_id=f"c{i}", instance_id=iid, stage="build" if agent != "summary" else "trajectories",
                          agent=agent, cost_usd=cost, status=status))
    got = {r[0]: r[1:] for r in rows("agent_costs", ws)}
    assert list(got) == ["agents", "rules", "memory", "heuristic"]
    instances, valid, usd, per_valid, n_calls, per_instance, cached, hit = got["agents"]
    assert (instances, valid, n_calls, cached) == (2, 1, 5, 1)
    assert usd == pytest.approx(0.65) and per_valid == pytest.approx(0.65)
    assert per_instance == pytest.approx(2.5) and hit == pytest.approx(0.2)
    assert got["memory"][:3] == (1, 1, pytest.approx(0.05))
    assert got["rules"][2] == 0 and got["rules"][4] == 0 and got["rules"][7] != got["rules"][7]  # no calls: NaN rate
