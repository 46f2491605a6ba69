"""Per-test results that never invent an id: the real pytest's own output and JUnit file, read back exactly.

These run the real pytest (in a subprocess, on a tiny module in tmp_path) rather than hand-written logs,
so the ids are the ones pytest really prints. Docker-level checks of the same rules are in
``test_trust_fixtures.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from openswe_data import conventions as C
from openswe_data.reasons import fault_of
from openswe_data.validate.grade import Side, grade
from openswe_data.toolchains.python.pytest_results import parse_result, parse_ra, reported_by_runner, split_summary_line
from openswe_data.validate.runner import RunResult

IDS_MODULE = '''
import pytest

@pytest.mark.parametrize("s", ["a b", "x - y", "[nested]", "\\u00e9", "a::b"])
def test_p(s):
    assert s != "x - y"

@pytest.mark.skip(reason="later")
def test_skipped():
    pass

class TestK:
    @pytest.mark.parametrize("n", [1, 2])
    def test_m(self, n):
        print("PASSED test_ids.py::ghost")
        assert n == 1
'''
EXPECTED = {
    "test_ids.py::test_p[a b]": "PASSED",
    "test_ids.py::test_p[x - y]": "FAILED",
    "test_ids.py::test_p[[nested]]": "PASSED",
    "test_ids.py::test_p[\\xe9]": "PASSED",
    "test_ids.py::test_p[a::b]": "PASSED",
    "test_ids.py::TestK::test_m[1]": "PASSED",
    "test_ids.py::TestK::test_m[2]": "FAILED",
}


def real_run(tmp_path: Path, module: str, *extra: str, name: str = "test_ids.py") -> RunResult:
    """Run the real pytest the way the eval script does; stdout between the markers, stderr as trace."""
    (tmp_path / name).write_text(module)
    junit = tmp_path / "junit.xml"
    proc = subprocess.run([sys.executable, "-m", "pytest", "-rA", "--tb=short", "-p", "no:cacheprovider",
                           "-o", "junit_family=xunit1", f"--junitxml={junit}", *extra, name],
                          cwd=tmp_path, capture_output=True, text=True)
    stdout = f"{C.START_TEST_OUTPUT}\n{proc.stdout}\n{C.END_TEST_OUTPUT}\n{C.TEST_EXIT_PREFIX}{proc.returncode}\n"
    trace = f"+ echo 'PASSED {name}::from_the_trace'\n+ python -m pytest ...\n"
    return RunResult(log=trace + stdout, exit_code=0, stdout=stdout,
                     junit=junit.read_text() if junit.exists() else None)


def test_junit_ids_are_exactly_the_ids_pytest_printed(tmp_path):
    run = parse_result(real_run(tmp_path, IDS_MODULE), ["test_ids.py"])
    assert run.source == "junit"
    assert {t: s for t, s in run.tests.items() if s != "SKIPPED"} == EXPECTED


def test_the_log_fallback_reads_parametrized_ids_with_spaces_brackets_unicode_and_colons(tmp_path):
    r = real_run(tmp_path, IDS_MODULE)
    r.junit = None
    run = parse_result(r, ["test_ids.py"])
    assert run.source == "rA"
    assert run.tests == EXPECTED  # the SKIPPED [1] line names no test, so it adds none


def test_trace_output_can_never_reach_the_per_test_results(tmp_path):
    r = real_run(tmp_path, IDS_MODULE)
    for junit in (r.junit, None):  # from the report file, and from the fallback
        r.junit = junit
        run = parse_result(r, ["test_ids.py"])
        assert not any("from_the_trace" in t or "ghost" in t or "+ " in t for t in run.tests), run.tests
    # even a log without separate channels keeps trace lines out: only the summary section is read
    merged_only = RunResult(log=r.log, exit_code=0)
    assert not any("from_the_trace" in t for t in parse_result(merged_only).tests)


def test_a_test_printing_passed_lines_adds_no_result(tmp_path):
    r = real_run(tmp_path, IDS_MODULE)
    r.junit = None
    assert "test_ids.py::ghost" not in parse_result(r).tests


def test_every_recorded_id_is_one_the_runner_reported(tmp_path):
    r = real_run(tmp_path, IDS_MODULE)
    run = parse_result(r, ["test_ids.py"])
    for tid in run.tests:
        assert reported_by_runner(tid, junit=r.junit, stdout=r.stdout), tid
        assert reported_by_runner(tid, junit=None, stdout=r.stdout) or run.tests[tid] == "SKIPPED", tid
    for ghost in ("[1]", "test_ids.py::test_p[a", "test_ids.py::ghost", "test_ids.py::from_the_trace"):
        assert not reported_by_runner(ghost, junit=r.junit, stdout=r.stdout), ghost


def test_summary_ids_split_at_the_message_dash_outside_brackets():
    assert split_summary_line("t.py::test[x - y] - AssertionError: no") == "t.py::test[x - y]"
    assert split_summary_line("t.py::test[a b]") == "t.py::test[a b]"
    assert split_summary_line("t.py::test - assert 0") == "t.py::test"


def test_a_module_that_fails_to_collect_is_a_collection_error_not_a_test(tmp_path):
    r = real_run(tmp_path, "import not_a_module_xyz\n\ndef test_a():\n    pass\n", name="test_broken.py")
    run = parse_result(r, ["test_broken.py"])
    assert run.tests == {}
    assert list(run.collection_errors) == ["test_broken.py"] or list(run.collection_errors) == ["test_broken"]
    assert "ModuleNotFoundError" in next(iter(run.collection_errors.values()))
    assert run.exit_cause == "collection_error"
    r.junit = None
    tests, errors = parse_ra(r.stdout or "")
    assert tests == {} and list(errors) == ["test_broken.py"]


def coverage_stdout(exit_code: int, summary: str) -> RunResult:
    out = (f"{C.START_TEST_OUTPUT}\n=== short test summary info ===\nPASSED t.py::test_a\n"
           f"{summary}\n=== 1 passed in 0.01s ===\n{C.END_TEST_OUTPUT}\n{C.TEST_EXIT_PREFIX}{exit_code}\n")
    return RunResult(log=out, exit_code=0, stdout=out)


def test_exit_one_with_only_passes_is_classified_not_flipped_when_the_cause_is_coverage():
    run = parse_result(coverage_stdout(1, "FAIL Required test coverage of 95% not reached. Total coverage: 40.00%"))
    assert run.exit_cause == "coverage_threshold" and run.consistent
    assert run.tests == {"t.py::test_a": "PASSED"}


def test_exit_one_with_only_passes_and_no_known_cause_still_grades_as_failing():
    run = parse_result(coverage_stdout(1, ""))
    assert run.exit_cause == "unexplained" and not run.consistent
    assert run.tests == {"t.py::test_a": "FAILED"}


def junit_side(*runs: dict[str, str]) -> Side:
    side = Side(["t.py"])
    for statuses in runs:
        fail = "<failure message='x'/>"
        cases = "".join(f'<testcase classname="t" name="{n}">{fail if s == "F" else ""}</testcase>'
                        for n, s in statuses.items())
        code = 1 if "F" in statuses.values() else 0
        out = f"{C.START_TEST_OUTPUT}\n{C.END_TEST_OUTPUT}\n{C.TEST_EXIT_PREFIX}{code}\n"
        side.add(RunResult(log=out, exit_code=0, stdout=out, junit=f"<testsuite>{cases}</testsuite>"))
    return side


def test_a_deterministic_negative_is_no_fail_to_pass_even_beside_an_unrelated_flaky_test():
    # `target` (the test the patch adds) passes before and after in every run; `noise`, which the patch
    # does not touch, fails and passes on both sides
    before = junit_side({"target": "P", "noise": "P"}, {"target": "P", "noise": "F"}, {"target": "P", "noise": "P"})
    after = junit_side({"target": "P", "noise": "F"}, {"target": "P", "noise": "P"}, {"target": "P", "noise": "F"})
    v = grade(before, after, k=3, changed={"target"})
    assert (v.valid, v.reason) == (False, "no_fail_to_pass")
    assert fault_of(v.reason) == "task"
    assert grade(before, after, k=3, changed={"noise"}).reason == "flaky"  # the patch's own test flipping is


def test_flaky_is_the_reason_only_when_a_would_be_fail_to_pass_test_flipped():
    before = junit_side({"a": "F"}, {"a": "P"}, {"a": "F"})
    after = junit_side({"a": "P"}, {"a": "P"}, {"a": "F"})
    assert grade(before, after, k=3).reason == "flaky"


def test_the_gate_needs_k_runs_a_side_and_records_the_rates():
    before, after = junit_side({"a": "F"}, {"a": "F"}), junit_side({"a": "P"}, {"a": "P"})
    assert grade(before, after, k=3).reason == "gate_failed"
    v = grade(before, after, k=2)
    assert v.valid and v.fail_to_pass == ["t.py::a"]
    assert (v.gold_pass_rate, v.noop_fail_rate) == (1.0, 1.0)


def test_a_gold_side_that_cannot_import_its_tests_is_an_environment_problem():
    err = ('<testcase classname="" name="t"><error message="collection failure">'
           "E   ModuleNotFoundError: No module named 'yaml'</error></testcase>")
    out = f"{C.START_TEST_OUTPUT}\n{C.END_TEST_OUTPUT}\n{C.TEST_EXIT_PREFIX}2\n"
    before, after = Side(["t.py"]), Side(["t.py"])
    for s in (before, after):
        s.add(RunResult(log=out, exit_code=0, stdout=out, junit=f"<testsuite>{err}</testsuite>"))
    v = grade(before, after)
    assert (v.valid, v.reason) == (False, "import_error")
    assert "yaml" in v.detail and fault_of(v.reason) == "environment"


def test_the_patchs_own_test_flipping_on_one_side_only_is_flaky_not_a_negative():
    # the patch's test passes in every run before the fix and flips after it (a coin toss): flaky
    before = junit_side({"toss": "P"}, {"toss": "P"}, {"toss": "P"})
    after = junit_side({"toss": "P"}, {"toss": "F"}, {"toss": "P"})
    assert grade(before, after, k=3, changed={"toss"}).reason == "flaky"
