"""The release's `trajectories` and `verifier` configs: every kind, each trajectory under its own licence."""

from __future__ import annotations

import pyarrow.parquet as pq

from openswe_data.publish import PublishOptions, publish
from openswe_data.store import Workspace
from openswe_data.trajectories import STAGE, VERIFIER_STAGE, AgentTrajectory, VerifierExample

from publish_helpers import fill_workspace, make_record

CALL = {"id": "call_1", "type": "function", "function": {"name": "view", "arguments": '{"path": "a.py"}'}}


def _trajectory(iid: str, kind: str, license: str | None, suffix: str = "contextual") -> AgentTrajectory:
    return AgentTrajectory(trajectory_id=f"{iid}.{suffix}", instance_id=iid, kind=kind, license=license, tokens=10,
                           messages=[{"role": "user", "content": "fix"},
                                     {"role": "assistant", "content": "", "tool_calls": [CALL]},
                                     {"role": "tool", "tool_call_id": "call_1", "name": "view", "content": "x = 1"}],
                           tools=[{"type": "function", "function": {"name": "view"}}])


def test_contextual_trajectories_of_prs_that_never_validated_ship_under_their_own_licence(tmp_path):
    ws = fill_workspace(Workspace(tmp_path / "ws", create=True), [make_record("acme", "widgets", 1)], trajectories=False)
    stage = ws.stage(STAGE, AgentTrajectory)
    stage.put(_trajectory("acme__widgets-1", "environmental", "MIT", "gold"))
    stage.put(_trajectory("acme__widgets-9", "contextual", "MIT"))       # never became an environment
    stage.put(_trajectory("initech__tps-4", "contextual", "GPL-3.0"))    # its code may not ship
    ws.stage(VERIFIER_STAGE, VerifierExample).put(VerifierExample(
        example_id="acme__widgets-1.p0.success", instance_id="acme__widgets-1", pair_index=0, label=True,
        messages=[{"role": "user", "content": "fix"}], license="MIT"))
    result = publish(ws, PublishOptions(version="0.1.0", out=tmp_path / "openswe", train_ratio=0.5))

    rows = [r for f in (tmp_path / "openswe/data/trajectories").iterdir() for r in pq.read_table(f).to_pylist()]
    assert sorted(r["trajectory_id"] for r in rows) == ["acme__widgets-1.gold", "acme__widgets-9.contextual"]
    assert result.manifest["left_out"]["trajectory_license_withheld"] == 1
    call = rows[0]["messages"][1]["tool_calls"][0]
    assert call == {"id": "call_1", "type": "function", "function": {"name": "view", "arguments": '{"path": "a.py"}'}}
    assert rows[0]["messages"][2]["tool_call_id"] == "call_1" and rows[0]["messages"][0]["tool_calls"] is None
    assert set(result.manifest["configs"]) == {"environments", "swebench", "trajectories", "verifier", "logs"}
