"""Acceptance on the bundled examples, in real Docker: every PR gets a contextual trajectory, every valid
instance a replay whose observations are the real test runs, and every release config loads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from openswe_data.records import ValidatedRecord
from openswe_data.store import Workspace
from openswe_data.trajectories import STAGE, VERIFIER_STAGE, AgentTrajectory, VerifierExample, build_trajectories
from openswe_data.trajectories.tools import arguments_of

pytestmark = [pytest.mark.docker, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def traj_ws(examples_workspace, tmp_path_factory: pytest.TempPathFactory):
    """A copy of the examples' validated workspace with graded attempts, then the trajectories step."""
    from openswe_data.curate import PatchMatchGrader, grade_attempts, import_attempts

    source, expected, _ = examples_workspace
    ws = Workspace(shutil.copytree(source.path, tmp_path_factory.mktemp("trajectories") / "ws", symlinks=True))
    import_attempts(ws, "predictions", [ROOT / "examples" / "attempts.jsonl"])
    grade_attempts(ws, PatchMatchGrader())  # the attempts' labels; the replays themselves run in Docker
    summary = build_trajectories(ws)
    return ws, expected, summary


def _valid(ws: Workspace) -> list[ValidatedRecord]:
    return sorted((r for r in ws.stage("records", ValidatedRecord) if r.verdict == "valid"), key=lambda r: r.instance_id)


def _test_runs(t: AgentTrajectory, command: str) -> list[str]:
    results = {m["tool_call_id"]: m["content"] for m in t.messages if m["role"] == "tool"}
    return [results[m["tool_calls"][0]["id"]] for m in t.messages
            if m.get("tool_calls") and arguments_of(m["tool_calls"][0]).get("command") == command]


def test_every_collected_pr_of_the_examples_yields_a_contextual_trajectory(traj_ws):
    ws, expected, summary = traj_ws
    stage = ws.stage(STAGE, AgentTrajectory)
    contextual = {t.instance_id: t for t in stage if t.kind == "contextual"}
    assert sorted(contextual) == sorted(expected), "valid or not, every PR"
    assert {t.files_source for t in contextual.values()} == {"repository"}
    assert all(t.tokens > 0 and t.n_tool_calls >= 2 for t in contextual.values())
    assert not summary.rejected, summary.rejected


def test_every_valid_example_replays_the_failing_tests_then_the_passing_ones_from_docker(traj_ws):
    ws, _, _ = traj_ws
    stage = ws.stage(STAGE, AgentTrajectory)
    records = _valid(ws)
    assert len(records) >= 5, "the examples hold several valid instances"
    for record in records:
        gold = stage.get(f"{record.instance_id}.gold")
        assert gold is not None and gold.kind == "environmental" and gold.resolved is True, record.instance_id
        before, after = _test_runs(gold, record.test_command)
        # pytest's own report, captured from the container: the targeted tests fail, then pass
        assert "test session starts" in before and before.rstrip().endswith("[exit code: 1]"), before[-500:]
        for test in record.FAIL_TO_PASS:
            assert f"FAILED {test}" in before or f"ERROR {test}" in before, (record.instance_id, test, before[-800:])
            assert f"PASSED {test}" in after, (record.instance_id, test, after[-800:])
        assert after.rstrip().endswith("[exit code: 0]"), after[-500:]
        diff = next(m["content"] for m in reversed(gold.messages) if m["role"] == "tool" and m["name"] == "submit")
        assert diff.startswith("diff --git") and ".so" not in diff, "only the files the replay touched"


def test_graded_attempts_replay_without_showing_the_hidden_tests_and_pair_up_for_the_verifier(traj_ws):
    ws, _, summary = traj_ws
    stage = ws.stage(STAGE, AgentTrajectory)
    replays = [t for t in stage if t.source.startswith("replay:attempt")]
    assert {t.resolved for t in replays} == {True, False}
    for t in replays:
        commands = [arguments_of(c).get("command", "") for m in t.messages for c in m.get("tool_calls") or []]
        assert not any("pytest" in c for c in commands), "the label must not be readable off the trajectory"
    examples = list(ws.stage(VERIFIER_STAGE, VerifierExample))
    assert examples and summary.verifier_examples == len(examples)
    by_pair: dict[tuple[str, int], list[bool]] = {}
    for e in examples:
        by_pair.setdefault((e.instance_id, e.pair_index), []).append(e.label)
    assert all(sorted(labels) == [False, True] for labels in by_pair.values())


def test_load_dataset_reads_every_config_and_a_chat_template_renders_the_trajectories(traj_ws, tmp_path, monkeypatch):
    import datasets

    from openswe_data.publish import PublishOptions, publish
    from openswe_data.trajectories.render import apply_chat_template, to_sharegpt

    ws, _, _ = traj_ws
    publish(ws, PublishOptions(version="0.1.0", out=tmp_path / "openswe"))
    monkeypatch.chdir(tmp_path)
    configs = {name: datasets.load_dataset("openswe", name, split="test")
               for name in ("environments", "logs", "trajectories", "verifier")}
    assert all(ds.num_rows for ds in configs.values())
    traj = configs["trajectories"]
    assert set(traj["kind"]) == {"contextual", "environmental"}
    template = ROOT / "builders" / "chat_templates" / "chatml-tools.jinja"
    import json

    for row in traj.select(range(traj.num_rows)):
        text = apply_chat_template(template, row["messages"], json.loads(row["tools"]))
        assert text.count('<tool_call>\n{"name": "') == sum(len(m["tool_calls"] or []) for m in row["messages"])
        assert text.count("<tool_response>") == sum(1 for m in row["messages"] if m["role"] == "tool")
        turns = to_sharegpt(row["messages"], json.loads(row["tools"]))["conversations"]
        assert [t["from"] for t in turns[:2]] == ["human", "function_call"]
    assert set(configs["verifier"]["label"]) == {True, False}


def test_a_second_run_redoes_nothing(traj_ws):
    ws, _, _ = traj_ws
    again = build_trajectories(ws)
    assert not again.made and not again.rejected and again.already_done > 0
