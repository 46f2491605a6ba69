"""The bundled examples through collect -> build -> validate in real Docker: every positive case valid
with the exact expected tests, every negative case invalid with the expected reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openswe_data.records import Environment, ValidatedRecord, read_jsonl

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def test_every_example_ends_with_its_expected_verdict_reason_and_tests(examples_workspace):
    ws, expected, _ = examples_workspace
    records = {r.instance_id: r for r in ws.stage("records")}
    assert set(records) == set(expected)
    wrong = []
    for iid, exp in sorted(expected.items()):
        r = records[iid]
        got = (r.verdict, r.reason, sorted(r.FAIL_TO_PASS), sorted(r.PASS_TO_PASS))
        want = (exp["verdict"], exp["reason"], sorted(exp["FAIL_TO_PASS"]), sorted(exp["PASS_TO_PASS"]))
        if exp["verdict"] == "invalid":
            got, want = got[:2], want[:2]
        if got != want:
            wrong.append(f"{iid}: got {got}, expected {want} (log: {r.log_path})")
    assert not wrong, "\n".join(wrong)


def test_the_validate_stage_starts_from_the_loops_probe_and_runs_the_rest_in_series(examples_workspace):
    from openswe_data.records import Validation

    ws, _, _ = examples_workspace
    valid = [v for v in ws.stage("validations", Validation) if v.verdict == "valid"]
    assert valid
    for v in valid:
        env = ws.stage("environments", Environment).get(v.instance_id)
        firsts = [r for r in v.runs if r["run"] == 1]
        assert [r["origin"] for r in firsts] == [str(Path(env.log_path).parent)] * 2, v.instance_id
        later = [r for r in v.runs if r["side"] == "after" and r["run"] > 1]
        assert all(r["origin"] == "" and r["container"] for r in later)
        assert len({r["container"] for r in later}) < len(later), v.instance_id  # containers were shared


def test_valid_images_hold_one_commit_and_nothing_from_the_future(examples_workspace):
    ws, expected, _ = examples_workspace
    for env in ws.stage("environments", Environment):
        if env.status == "built":
            assert env.history_audit["ok"], env.history_audit
            assert env.history_audit["commits"] == 1
            assert env.history_audit["future_objects"] == []
            assert any(line.startswith("pytest==") for line in env.frozen_requirements), env.instance_id


def test_an_untouched_image_diffs_to_nothing_though_its_build_left_compiled_output(examples_workspace):
    """What the image's build left in /testbed (fastsum's compiled extension, build/) is excluded from git,
    so an agent's `git add -A && git diff` (the sampler's patch) holds only what the agent changed."""
    from openswe_data.sample.environment import DIFF_COMMAND
    from openswe_data.validate.runner import run_script

    ws, expected, _ = examples_workspace
    env = next(e for e in ws.stage("environments", Environment) if e.instance_id.endswith("fastsum-5"))
    script = (f"cd /testbed && ls build fastsum/*.so >/dev/null && echo DIFF-START && {DIFF_COMMAND} && echo DIFF-END"
              " && echo 'x = 1' > agent_new.py && git add -A && git diff --cached --name-only")
    result = run_script(env.image_name, script)
    assert result.exit_code == 0, result.log
    assert result.stdout.split("DIFF-START\n")[1].split("DIFF-END")[0] == ""
    assert result.stdout.rstrip().splitlines()[-1] == "agent_new.py"


def test_valid_records_name_their_python_image_and_eval_script(examples_workspace):
    ws, expected, _ = examples_workspace
    for r in ws.stage("records", ValidatedRecord):
        if r.verdict == "valid":
            assert r.python_version == expected[r.instance_id]["python"], r.instance_id
            assert r.image_name.startswith("openswe/env.") and r.image_digest.startswith("sha256:")
            assert ">>>>> Start Test Output" in r.eval_script and "git apply" in r.eval_script
            assert r.log_parser == "pytest"


def test_running_build_and_validate_again_is_a_no_op(examples_workspace, docker_client):
    from openswe_data.build import build_environments
    from openswe_data.validate import validate_environments

    ws, expected, _ = examples_workspace
    repositories = {e.image_name.split(":")[0] for e in ws.stage("environments") if e.image_name}

    def ours() -> set[str]:  # the examples' images only: the engine may be shared with other builds
        return {i.id for i in docker_client.images.list() if any(t.split(":")[0] in repositories for t in i.tags)}

    images_before = ours()
    before = {r.instance_id: r for r in ws.stage("records")}
    b = build_environments(ws, workers=2)
    v = validate_environments(ws, workers=2)
    assert (b.built, b.failed, b.skipped) == (0, 0, len(expected))
    assert (v.valid, v.invalid, v.skipped) == (0, 0, len(expected))
    assert images_before and ours() == images_before
    assert {r.instance_id: r for r in ws.stage("records")} == before


def test_rebuilding_a_valid_instance_reproduces_its_fail_to_pass(examples_workspace, tmp_path):
    from openswe_data.build import BuildOptions
    from openswe_data.repair import build_with_loop
    from openswe_data.store import Workspace
    from openswe_data.validate import validate_environments

    ws, expected, _ = examples_workspace
    iid = next(i for i, e in sorted(expected.items()) if e["verdict"] == "valid")
    again = Workspace(tmp_path / "again", create=True)
    again.stage("tasks").put(ws.stage("tasks").get(iid))
    build_with_loop(again, options=BuildOptions(force=True))  # as the examples were built: through the loop
    validate_environments(again)
    old, new = ws.stage("records").get(iid), again.stage("records").get(iid)
    assert new.verdict == "valid"
    assert new.FAIL_TO_PASS == old.FAIL_TO_PASS and new.PASS_TO_PASS == old.PASS_TO_PASS
    assert new.image_name == old.image_name, "the same context must hash to the same image name"


def test_export_writes_swebench_jsonl_of_the_valid_records(examples_workspace, tmp_path):
    from typer.testing import CliRunner

    from openswe_data.cli import make_app

    ws, expected, _ = examples_workspace
    out = tmp_path / "swebench.jsonl"
    result = CliRunner().invoke(make_app(), ["export", str(out), "--workspace", str(ws.path)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["instance_id"] for r in rows) == sorted(i for i, e in expected.items() if e["verdict"] == "valid")
    assert all(isinstance(r["FAIL_TO_PASS"], str) and r["eval_script"] and r["image_name"] for r in rows)
    assert [r.instance_id for r in read_jsonl(out, ValidatedRecord)] == [r["instance_id"] for r in rows]


def test_dependencies_can_be_resolved_as_of_the_pull_requests_date(examples_workspace, tmp_path):
    from openswe_data.build import BuildOptions, build_environments
    from openswe_data.store import Workspace
    from openswe_data.validate import ValidateOptions, validate_environments

    ws, expected, _ = examples_workspace
    task = ws.stage("tasks").get("openswe-examples__wordstats-7")
    pinned = Workspace(tmp_path / "pinned", create=True)
    pinned.stage("tasks").put(task.replace(created_at="2023-06-01T00:00:00Z"))
    build_environments(pinned, options=BuildOptions(pin_to_pr_date=True))
    env = pinned.stage("environments").get(task.instance_id)
    assert env.status == "built", env.build_log[-2000:]
    assert "--exclude-newer 2023-06-01T00:00:00Z" in env.dockerfile
    (pytest_pin,) = [line for line in env.frozen_requirements if line.startswith("pytest==")]
    major, minor = (int(x) for x in pytest_pin.split("==")[1].split(".")[:2])
    # the runner is resolved as of the date too, not kept at the base image's 8.3.5: 7.3.1 came out 2023-04-14
    assert (major, minor) <= (7, 3), f"{pytest_pin} was released after 2023-06-01"
    validate_environments(pinned, options=ValidateOptions(reruns=0))
    rec = pinned.stage("records").get(task.instance_id)
    assert rec.FAIL_TO_PASS == sorted(expected[task.instance_id]["FAIL_TO_PASS"])


def test_a_rebuilt_environment_is_validated_again_and_an_unchanged_one_is_not(examples_workspace, tmp_path):
    from openswe_data.build import build_environments
    from openswe_data.records import Environment
    from openswe_data.store import Workspace
    from openswe_data.validate import ValidateOptions, validate_environments

    ws, expected, _ = examples_workspace
    iid = "openswe-examples__wordstats-7"
    again = Workspace(tmp_path / "again", create=True)
    again.stage("tasks").put(ws.stage("tasks").get(iid))
    # an earlier run failed to build it (say the index was down): validation records that failure
    again.stage("environments").put(Environment(instance_id=iid, status="failed", reason="install_failed"))
    validate_environments(again, options=ValidateOptions(reruns=0))
    assert again.stage("records").get(iid).reason == "install_failed"
    build_environments(again, retry_failed=True)
    v = validate_environments(again, options=ValidateOptions(reruns=0))
    assert (v.valid, v.skipped) == (1, 0)
    assert again.stage("records").get(iid).verdict == "valid"
    assert validate_environments(again, options=ValidateOptions(reruns=0)).skipped == 1
