"""Grading predictions in the examples' images: the harness a downstream user scores a model with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openswe_data.validate.evaluate import DockerGrader, evaluate, load_records, read_predictions

pytestmark = [pytest.mark.docker, pytest.mark.slow]
ATTEMPTS = Path(__file__).resolve().parents[2] / "examples" / "attempts.jsonl"


def test_gold_wrong_empty_and_test_breaking_patches_are_graded_not_crashed_on(examples_workspace):
    ws, expected, _ = examples_workspace
    records = load_records(ws.path)
    iid = "openswe-examples__slugkit-12"
    rec = records[iid]
    lines = rec.patch.splitlines(keepends=True)
    first_added = next(i for i, line in enumerate(lines) if line.startswith("+") and not line.startswith("+++"))
    lines[first_added] = "+this is not python (\n"  # applies cleanly, breaks the import of the module
    breaking = "".join(lines)
    wrong = next(p for p in read_predictions(ATTEMPTS)[0] if p["instance_id"] == iid and p["model_name_or_path"] == "demo-model-b")
    preds = [
        {"instance_id": iid, "model_name_or_path": "gold", "model_patch": rec.patch},
        {"instance_id": iid, "model_name_or_path": "wrong", "model_patch": wrong["model_patch"]},
        {"instance_id": iid, "model_name_or_path": "empty", "model_patch": ""},
        {"instance_id": iid, "model_name_or_path": "breaks-tests", "model_patch": breaking},
        {"instance_id": iid, "model_name_or_path": "garbage", "model_patch": "not a diff at all\n"},
        {"instance_id": "nobody__nothing-1", "model_name_or_path": "gold", "model_patch": "x"},
    ]
    report = evaluate(records, preds, grader=DockerGrader(), workers=2)
    by_model = {r.model: r for r in report.results}
    assert by_model["gold"].resolved and by_model["gold"].reason == ""
    assert (by_model["wrong"].resolved, by_model["wrong"].reason) == (False, "tests_failed")
    assert set(by_model["wrong"].failing) == set(rec.FAIL_TO_PASS)
    assert (by_model["empty"].resolved, by_model["empty"].reason) == (False, "empty_patch")
    assert not by_model["breaks-tests"].resolved
    assert by_model["breaks-tests"].reason in ("tests_failed", "tests_did_not_run")
    assert (by_model["garbage"].resolved, by_model["garbage"].reason) == (False, "patch_does_not_apply")
    summary = report.summary()
    assert summary["submitted"] == 5 and summary["resolved"] == 1
    assert summary["unknown_instances"] == ["nobody__nothing-1"]


def test_the_cli_grades_a_predictions_file_against_the_workspace(examples_workspace, tmp_path):
    from typer.testing import CliRunner

    from openswe_data.cli import make_app

    ws, expected, _ = examples_workspace
    preds = [{"instance_id": r.instance_id, "model_name_or_path": "gold", "model_patch": r.patch}
             for r in ws.stage("records") if r.verdict == "valid"]
    bad = ['{"instance_id": "oops', "[1, 2]", json.dumps({"model_patch": "x"}),
           json.dumps({**preds[0], "model_patch": 5}), json.dumps(preds[0])]  # the last one: a duplicate
    lines = [json.dumps(p) for p in preds[:1]] + bad + [json.dumps(p) for p in preds[1:]]
    path = tmp_path / "preds.jsonl"
    path.write_text("".join(line + "\n" for line in lines))
    result = CliRunner().invoke(make_app(), ["evaluate", str(path), "--workspace", str(ws.path),
                                             "--report", str(tmp_path / "r.json")])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    valid = sum(r.verdict == "valid" for r in ws.stage("records"))
    assert report["summary"]["resolved"] == report["summary"]["submitted"] == valid == 8  # every good one graded
    assert [(r["source"], r["reason"]) for r in report["rejected"]] == [
        (f"{path}:L2", "unreadable"), (f"{path}:L3", "not_an_object"), (f"{path}:L4", "bad_instance_id"),
        (f"{path}:L5", "bad_field"), (f"{path}:L6", "duplicate")]
    assert "model_patch" in report["rejected"][3]["detail"] and f"{path}:L1" in report["rejected"][4]["detail"]
    assert f"rejected {path}:L2: unreadable" in result.output and "5 row(s)" in result.output


def test_a_candidate_that_plants_its_own_version_of_a_new_test_file_is_not_resolved(make_repo, tmp_path):
    import subprocess

    from openswe_data.build import build_environments
    from openswe_data.records import Task
    from openswe_data.store import Workspace
    from openswe_data.validate import ValidateOptions, validate_environments

    repo = make_repo("plant", {"plant.py": "def grow(x):\n    return x\n", "tests/test_old.py": "def test_old():\n    assert True\n"})
    base = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    fix = "diff --git a/plant.py b/plant.py\n--- a/plant.py\n+++ b/plant.py\n@@ -1,2 +1,2 @@\n def grow(x):\n-    return x\n+    return x + 1\n"
    new_test = ("diff --git a/tests/test_new.py b/tests/test_new.py\nnew file mode 100644\n--- /dev/null\n"
                "+++ b/tests/test_new.py\n@@ -0,0 +1,4 @@\n+from plant import grow\n+\n+def test_new():\n+    assert grow(1) == 2\n")
    ws = Workspace(tmp_path / "ws", create=True)
    ws.stage("tasks").put(Task(instance_id="o__plant-1", repo="o/plant", repo_url=str(repo), base_commit=base,
                               patch=fix, test_patch=new_test, problem_statement="grow does not grow"))
    build_environments(ws)
    validate_environments(ws, options=ValidateOptions(reruns=0))
    record = ws.stage("records").get("o__plant-1")
    assert record.FAIL_TO_PASS == ["tests/test_new.py::test_new"]

    planted = ("diff --git a/tests/test_new.py b/tests/test_new.py\nnew file mode 100644\n--- /dev/null\n"
               "+++ b/tests/test_new.py\n@@ -0,0 +1,2 @@\n+def test_new():\n+    assert True\n")
    grader = DockerGrader()
    assert not grader.grade(record, planted).resolved
    assert grader.grade(record, fix).resolved
