"""Trusted results in real Docker: each fixture project of ``trust_projects`` (what real repositories did to
our records) comes out of build + validate with its exact lists and reason, and no record holds an id the
runner did not report."""

from __future__ import annotations

from pathlib import Path

import pytest

from openswe_data.records import Environment, ValidatedRecord
from openswe_data.validate.instance import run_files
from openswe_data.toolchains.python.pytest_results import reported_by_runner

from trust_projects import EXPECTED, PROJECTS, make_task  # type: ignore[import-not-found]

pytestmark = [pytest.mark.docker, pytest.mark.slow]


@pytest.fixture(scope="session")
def trust_workspace(tmp_path_factory, docker_client):
    from openswe_data.build import BuildOptions, build_environments
    from openswe_data.store import Workspace
    from openswe_data.validate import ValidateOptions, validate_environments

    root = tmp_path_factory.mktemp("trust")
    ws = Workspace(root / "ws", create=True)
    tasks = ws.stage("tasks")
    for name in PROJECTS:
        tasks.put(make_task(name, root / "repos"))
    build_environments(ws, workers=2, options=BuildOptions(test_timeout=5))
    validate_environments(ws, workers=2, options=ValidateOptions(reruns=2, k=3))
    return ws


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_fixture_project_ends_with_its_exact_lists_and_reason(trust_workspace, name):
    exp = EXPECTED[name]
    r = trust_workspace.stage("records", ValidatedRecord).get(f"trust__{name}-1")
    assert r is not None
    got = {"verdict": r.verdict, "reason": r.reason, "test_files": list(r.test_files),
           "FAIL_TO_PASS": sorted(r.FAIL_TO_PASS), "PASS_TO_PASS": sorted(r.PASS_TO_PASS)}
    want = {k: (sorted(v) if k.endswith("PASS") else v) for k, v in exp.items() if k in got}  # type: ignore[union-attr]
    assert got == want, f"{r.reason_detail} (logs: {r.log_path})"
    if r.verdict == "valid":
        n = r.runs_before  # at least the 3 configured; the adaptive flake gate adds runs for short ones
        assert r.runs_after == n >= 3 and r.flake_miss_probability == 0.5 ** (2 * n) <= 1e-3
        assert (r.gold_pass_rate, r.noop_fail_rate) == (1.0, 1.0)
        assert r.validated_at.endswith("Z") and r.fault == ""
        assert all(r.test_stability[t] == [0, n, n, n] for t in r.FAIL_TO_PASS)
        # PASS_TO_PASS tests: every full run (the adaptive gate's extra runs are focused on FAIL_TO_PASS)
        assert all(b == a == rb == ra >= 3 for b, a, rb, ra in (r.test_stability[t] for t in r.PASS_TO_PASS))
    else:
        assert r.fault == exp["fault"]


def test_the_adaptive_gates_extra_runs_ran_only_the_fail_to_pass_ids_in_real_pytest(trust_workspace):
    focused = 0
    for r in trust_workspace.stage("records", ValidatedRecord):
        v = trust_workspace.stage("validations").get(r.instance_id)
        for run in v.runs:
            if run["tests"] == "all":
                continue
            focused += 1
            assert run["tests"] == sorted(r.FAIL_TO_PASS), r.instance_id
            junit = run_files(Path(r.log_path), run["side"], run["run"])["junit"].read_text()
            ran = {t for t in r.FAIL_TO_PASS + r.PASS_TO_PASS if reported_by_runner(t, junit=junit, stdout="")}
            assert ran == (set(r.FAIL_TO_PASS) if run["side"] == "after" else ran & set(r.FAIL_TO_PASS)), r.instance_id
    assert focused > 0


def test_a_coverage_threshold_is_neutralised_in_the_eval_script_itself(trust_workspace):
    r = trust_workspace.stage("records", ValidatedRecord).get("trust__coverage-1")
    assert "--no-cov" in r.eval_script  # downstream graders running the same script get the same behaviour
    stdout = run_files(Path(r.log_path), "after", 1)["stdout"].read_text()
    assert "Required test coverage" not in stdout


def test_a_hanging_test_is_one_failed_test_not_a_lost_run(trust_workspace):
    r = trust_workspace.stage("records", ValidatedRecord).get("trust__hanging-1")
    junit = run_files(Path(r.log_path), "before", 1)["junit"].read_text()
    assert "Timeout" in junit
    assert r.validate_seconds < 300


def test_results_come_from_the_junit_file_and_the_trace_stays_out_of_stdout(trust_workspace):
    for r in trust_workspace.stage("records", ValidatedRecord):
        files = run_files(Path(r.log_path), "after", 1)
        assert files["junit"].is_file(), r.instance_id
        stdout, merged = files["stdout"].read_text(), files["log"].read_text()
        assert "+ git apply" in merged and "+ git apply" not in stdout  # the trace is on its own channel
        v = trust_workspace.stage("validations").get(r.instance_id)
        assert v.results_source == "junit", r.instance_id


def _ids_reported_in_every_kept_run(ws) -> list[str]:
    problems = []
    for r in ws.stage("records", ValidatedRecord):
        if not r.log_path:
            continue
        runs = ws.stage("validations").get(r.instance_id).runs
        only = {run["run"]: set(run["tests"]) for run in runs if run["side"] == "after" and run["tests"] != "all"}
        for t in r.FAIL_TO_PASS + r.PASS_TO_PASS:
            for i in range(1, r.runs_after + 1):
                if t not in only.get(i, {t}):
                    continue  # a focused confirmation run ran the FAIL_TO_PASS tests alone
                files = run_files(Path(r.log_path), "after", i)
                junit = files["junit"].read_text() if files["junit"].is_file() else None
                stdout = files["stdout"].read_text() if files["stdout"].is_file() else None
                if not reported_by_runner(t, junit=junit, stdout=stdout):
                    problems.append(f"{r.instance_id}: {t!r} not reported in after run {i}")
    return problems


def test_no_record_holds_an_id_the_runner_never_reported(trust_workspace, examples_workspace):
    assert _ids_reported_in_every_kept_run(trust_workspace) == []
    assert _ids_reported_in_every_kept_run(examples_workspace[0]) == []


def test_explain_prints_the_commands_the_per_test_table_and_the_reason(trust_workspace):
    from openswe_data.validate.explain import explain

    text = explain(trust_workspace, "trust__negative-1")
    assert "python -m pytest" in text and "tests/test_double.py" in text
    assert "no_fail_to_pass (fault: task)" in text
    row = next(line for line in text.splitlines() if line.endswith("tests/test_double.py::test_double"))
    assert row.split()[:3] == ["PPP", "|", "PPP"]
    assert "FAIL_TO_PASS" in explain(trust_workspace, "trust__params-1")


def test_environments_record_targets_without_conftest_or_data(trust_workspace):
    env = trust_workspace.stage("environments", Environment).get("trust__conftest-1")
    assert env.test_files == ["tests/test_words.py"]


def test_ids_built_from_the_clock_are_not_flaky_tests(trust_workspace):
    r = trust_workspace.stage("records", ValidatedRecord).get("trust__clockids-1")
    assert r.flaky_tests == [] and "test ids changed between runs" in r.reason_detail, r.reason_detail
    assert not any("test_stamp" in t for t in r.FAIL_TO_PASS + r.PASS_TO_PASS)
