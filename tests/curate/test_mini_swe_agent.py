"""A real client produces the attempts: mini-swe-agent (from PyPI, in a venv of its own) runs its own SWE-bench
batch runner with its deterministic tool-call model against the examples' release folder and images, unchanged;
`openswe curate import mini-swe-agent` reads its native output (``*.traj.json``) and grading in the images
resolves the gold run and not the no-op run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = [pytest.mark.docker, pytest.mark.slow]
MINI = "mini-swe-agent==2.4.6"
SUBMIT = "echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT && cat patch.txt"


@pytest.fixture(scope="session")
def mini_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("mini-venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", MINI], check=True)
    return venv / "bin" / "python"


def _call(n: int, command: str) -> dict:
    call_id = f"call_{n}"
    return {"role": "assistant", "content": None,
            "tool_calls": [{"id": call_id, "type": "function",
                            "function": {"name": "bash", "arguments": json.dumps({"command": command})}}],
            "extra": {"actions": [{"command": command, "tool_call_id": call_id}], "cost": 0.0}}


def _run_mini(python: Path, release: Path, instance_id: str, name: str, commands: list[str], out: Path) -> None:
    config = out.parent / f"{name}.yaml"
    config.write_text(yaml.safe_dump({"model": {
        "model_class": "minisweagent.models.test_models.DeterministicToolcallModel", "model_name": name,
        "cost_per_call": 0.0, "outputs": [_call(i, c) for i, c in enumerate(commands)]}}))
    env = {**os.environ, "HF_HOME": str(out.parent / "hf-home"), "HF_HUB_OFFLINE": "1", "MSWEA_CONFIGURED": "true"}
    proc = subprocess.run(
        [str(python), "-m", "minisweagent.run.benchmarks.swebench", "--subset", str(release), "--split", "test",
         "--filter", f"^{instance_id}$", "-o", str(out), "-c", "swebench.yaml", "-c", str(config)],
        env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert list(out.rglob("*.traj.json")), (proc.stdout[-2000:], (out / "minisweagent.log").read_text()[-3000:])


def test_mini_swe_agents_native_output_imports_and_grades_gold_resolved_noop_not(mini_python, examples_workspace,
                                                                                  tmp_path):
    from openswe_data.curate import grade_attempts, import_attempts
    from openswe_data.publish import PublishOptions, publish
    from openswe_data.store import Workspace
    from openswe_data.validate.evaluate import DockerGrader

    source, expected, _ = examples_workspace
    record = min((r for r in source.stage("records") if r.verdict == "valid"), key=lambda r: r.instance_id)
    release = tmp_path / "openswe"
    publish(source, PublishOptions(version="0.1.0", out=release))
    patch = record.patch if record.patch.endswith("\n") else record.patch + "\n"
    gold = [f"cat > /tmp/gold.diff <<'OPENSWE_EOF'\n{patch}OPENSWE_EOF\ngit apply /tmp/gold.diff",
            "git diff > patch.txt", SUBMIT]
    noop = ["git diff > patch.txt", SUBMIT]
    _run_mini(mini_python, release, record.instance_id, "scripted-gold", gold, tmp_path / "gold")
    _run_mini(mini_python, release, record.instance_id, "scripted-noop", noop, tmp_path / "noop")

    ws = Workspace(tmp_path / "ws", create=True)
    ws.stage("records").put(record)
    summary = import_attempts(ws, "mini-swe-agent", [tmp_path / "gold", tmp_path / "noop"])
    assert summary.imported == 2 and summary.rejected == 0, summary.problems
    graded = grade_attempts(ws, DockerGrader())
    assert graded.graded == 2
    by_model = {a.model: a for a in ws.stage("attempts")}
    assert set(by_model) == {"scripted-gold", "scripted-noop"}, by_model
    assert by_model["scripted-gold"].resolved is True
    assert by_model["scripted-noop"].resolved is False
    assert by_model["scripted-gold"].messages, "the trajectory came through the import"
