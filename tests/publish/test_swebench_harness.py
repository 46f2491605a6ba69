"""A real client grades the release: the official SWE-bench harness (installed from PyPI into a venv of
its own) runs its run_evaluation over the examples' release folder with our images, unchanged — every
instance resolved with the gold patches, none with empty patches."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.docker, pytest.mark.slow]
SWEBENCH = "swebench==5.0.2"


@pytest.fixture(scope="session")
def swebench_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("swebench-venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", SWEBENCH], check=True)
    return venv / "bin" / "python"


@pytest.fixture(scope="session")
def release(examples_workspace, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    from openswe_data.publish import PublishOptions, publish

    ws, expected, _ = examples_workspace
    out = tmp_path_factory.mktemp("release") / "openswe"
    publish(ws, PublishOptions(version="0.1.0", out=out))
    valid = sorted(i for i, e in expected.items() if e["verdict"] == "valid")
    return out, valid


def _harness(python: Path, release: Path, predictions: str, run_id: str, cwd: Path) -> dict:
    env = {**os.environ, "HF_HOME": str(cwd / "hf-home"), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run(
        [str(python), "-m", "swebench.harness.run_evaluation", "--dataset_name", str(release), "--split", "test",
         "--predictions_path", predictions, "--run_id", run_id, "--max_workers", "2", "--timeout", "300"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=1200,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (report,) = cwd.glob(f"*.{run_id}.json")
    return json.loads(report.read_text())


def test_the_swebench_harness_resolves_every_instance_with_gold_patches(swebench_python, release, tmp_path):
    folder, valid = release
    report = _harness(swebench_python, folder, "gold", "openswe-gold", tmp_path)
    assert report["error_instances"] == 0
    assert sorted(report["resolved_ids"]) == valid
    assert report["resolved_instances"] == report["total_instances"] == len(valid)


def test_the_swebench_harness_grades_openswe_exports_jsonl_as_is(swebench_python, examples_workspace, tmp_path):
    from openswe_data.publish.export import export_swebench

    ws, _, _ = examples_workspace
    valid = sorted(r.instance_id for r in ws.stage("records") if r.verdict == "valid")
    exported = tmp_path / "export.jsonl"
    assert export_swebench(ws, exported) == len(valid)
    report = _harness(swebench_python, exported, "gold", "openswe-export", tmp_path)
    assert report["error_instances"] == 0 and sorted(report["resolved_ids"]) == valid


def test_the_swebench_harness_resolves_nothing_with_empty_patches(swebench_python, release, tmp_path):
    folder, valid = release
    preds = tmp_path / "empty.jsonl"
    preds.write_text("".join(json.dumps({"instance_id": i, "model_name_or_path": "empty", "model_patch": ""}) + "\n"
                             for i in valid))
    report = _harness(swebench_python, folder, str(preds), "openswe-empty", tmp_path)
    assert report["resolved_instances"] == 0
    assert report["submitted_instances"] == len(valid)
