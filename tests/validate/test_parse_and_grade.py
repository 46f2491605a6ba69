"""Test-result parsing and grading, on logs shaped like the eval script's real output."""

from __future__ import annotations

from openswe_data import conventions as C
from openswe_data.validate.grade import Side, grade
from openswe_data.toolchains.python.pytest_results import parse_result
from openswe_data.validate.runner import RunResult

JUNIT = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">
<testcase classname="tests.test_a" file="tests/test_a.py" line="1" name="test_ok" time="0.001"/>
<testcase classname="tests.test_a" file="tests/test_a.py" line="4" name="test_bad[1]" time="0.001"><failure message="x">boom</failure></testcase>
<testcase classname="tests.test_a.TestGroup" file="tests/test_a.py" line="9" name="test_in_class" time="0.001"/>
<testcase classname="tests.test_a" file="tests/test_a.py" line="12" name="test_skip" time="0"><skipped type="pytest.skip" message="s"/></testcase>
</testsuite></testsuites>"""


def stdout(tests_output: str, exit_code: int | None) -> str:
    """What the eval script prints on stdout (the trace goes to stderr)."""
    parts = [C.START_TEST_OUTPUT, tests_output, C.END_TEST_OUTPUT]
    if exit_code is not None:
        parts.append(f"{C.TEST_EXIT_PREFIX}{exit_code}")
    return "\n".join(parts)


def result(tests_output: str, exit_code: int | None, junit: str | None = JUNIT, **kw) -> RunResult:
    out = stdout(tests_output, exit_code)
    merged = "+ git apply -v -\n" + f"+ echo '{C.START_TEST_OUTPUT}'\n" + out
    return RunResult(log=merged, exit_code=0, stdout=out, junit=junit, **kw)


def parse(tests_output: str, exit_code: int | None, junit: str | None = JUNIT, files=()):
    return parse_result(result(tests_output, exit_code, junit), files)


def test_junit_results_become_pytest_node_ids():
    run = parse("", 1)
    assert run.source == "junit" and run.consistent
    assert run.tests == {
        "tests/test_a.py::test_ok": "PASSED",
        "tests/test_a.py::test_bad[1]": "FAILED",
        "tests/test_a.py::TestGroup::test_in_class": "PASSED",
        "tests/test_a.py::test_skip": "SKIPPED",
    }
    assert run.exit_code == 1


def test_without_junit_the_ra_summary_is_read_like_swebench_does():
    run = parse("PASSED tests/test_a.py::test_ok\nFAILED tests/test_a.py::test_bad - assert 0", 1, junit=None)
    assert run.source == "rA"
    assert run.tests == {"tests/test_a.py::test_ok": "PASSED", "tests/test_a.py::test_bad": "FAILED"}


def test_printed_passed_lines_do_not_beat_the_junit_report():
    forged = "PASSED tests/test_a.py::test_bad[1]\nPASSED tests/test_a.py::test_ok"
    run = parse(forged, 1)
    assert run.tests["tests/test_a.py::test_bad[1]"] == "FAILED"
    assert any("contradict" in n for n in run.notes)


def test_a_failing_test_command_never_grades_as_passing_even_with_only_forged_lines():
    run = parse("PASSED tests/test_a.py::test_ok", 2, junit=None)
    assert not run.consistent
    assert run.tests == {"tests/test_a.py::test_ok": "FAILED"}


def test_a_missing_exit_status_is_flagged():
    run = parse("PASSED tests/test_a.py::test_ok", None, junit=None)
    assert not run.consistent and "not recorded" in run.notes[0]


def side(*runs: RunResult, **kw) -> Side:
    s = Side()
    for r in runs:
        for k, v in kw.items():
            setattr(r, k, v)
        s.add(r)
    return s


def junit(**statuses: str) -> str:
    cases = []
    for name, status in statuses.items():
        body = "<failure message='x'/>" if status == "F" else ""
        cases.append(f'<testcase classname="tests.t" file="tests/t.py" name="{name}">{body}</testcase>')
    return "<testsuite>" + "".join(cases) + "</testsuite>"


def run_log(**statuses: str) -> RunResult:
    return result("", 1 if "F" in statuses.values() else 0, junit(**statuses))


def test_fail_to_pass_and_pass_to_pass_come_from_both_sides():
    before = side(run_log(a="F", b="P"), run_log(a="F", b="P"))
    after = side(run_log(a="P", b="P"), run_log(a="P", b="P"))
    v = grade(before, after)
    assert (v.valid, v.fail_to_pass, v.pass_to_pass, v.flaky) == (True, ["tests/t.py::a"], ["tests/t.py::b"], [])


def test_a_test_that_changes_status_between_reruns_is_flaky_and_excluded():
    before = side(run_log(a="F", c="F"), run_log(a="P", c="F"))
    after = side(run_log(a="P", c="P"), run_log(a="P", c="P"))
    v = grade(before, after)
    assert v.valid and v.fail_to_pass == ["tests/t.py::c"] and v.flaky == ["tests/t.py::a"]


def test_only_flaky_changes_make_the_instance_invalid_as_flaky():
    v = grade(side(run_log(a="F"), run_log(a="P")), side(run_log(a="P"), run_log(a="F")))
    assert (v.valid, v.reason) == (False, "flaky")


def test_tests_that_pass_before_the_fix_give_no_fail_to_pass():
    v = grade(side(run_log(a="P")), side(run_log(a="P")))
    assert (v.valid, v.reason, v.pass_to_pass) == (False, "no_fail_to_pass", ["tests/t.py::a"])


def test_tests_still_failing_after_the_gold_patch_are_named():
    v = grade(side(run_log(a="F")), side(run_log(a="F")))
    assert (v.valid, v.reason) == (False, "gold_patch_fails")
    assert "tests/t.py::a" in v.detail


def test_only_a_test_the_patch_changes_still_failing_makes_the_gold_patch_fail():
    untouched = grade(side(run_log(a="P", b="F")), side(run_log(a="P", b="F")), changed={"a"})
    assert (untouched.valid, untouched.reason) == (False, "no_fail_to_pass")  # b fails alike on both sides
    touched = grade(side(run_log(a="F", b="F")), side(run_log(a="F", b="F")), changed={"a"})
    assert (touched.valid, touched.reason) == (False, "gold_patch_fails") and "tests/t.py::a" in touched.detail
    comments_only = grade(side(run_log(a="F")), side(run_log(a="F")), changed=set())
    assert (comments_only.valid, comments_only.reason) == (False, "no_fail_to_pass")  # the patch changes no test


def test_timeouts_ooms_and_unapplied_patches_are_reasons():
    ok = side(run_log(a="P"))
    assert grade(side(run_log(a="F"), timed_out=True), ok).reason == "timeout"
    assert grade(side(run_log(a="F"), oom_killed=True), ok).reason == "oom"
    assert grade(ok, side(run_log(a="F"), patch_failed=True)).reason == "patch_does_not_apply"
    assert grade(side(result("", 5, "<testsuite/>")), ok).reason == "no_tests_collected"


def test_an_inherited_test_method_keeps_the_id_of_the_module_that_collected_it():
    xml = """<testsuite>
<testcase classname="tests.test_foo.TestA" file="tests/base.py" name="test_m"/>
<testcase classname="tests.test_foo.TestB" file="tests/base.py" name="test_m"><failure message="x"/></testcase>
</testsuite>"""
    for files in (["tests/test_foo.py"], []):
        run = parse("", 1, xml, files)
        assert run.tests == {"tests/test_foo.py::TestA::test_m": "PASSED",
                             "tests/test_foo.py::TestB::test_m": "FAILED"}, files


def test_ids_built_at_run_time_are_neither_flaky_nor_graded_nor_a_reason():
    # marshmallow-2318: `parametrize` ids from the clock; every run names other ones, each passing
    def run(stamp: str, a: str) -> RunResult:
        return run_log(**{"a": a, "t[fixed]": "P", f"t[{stamp}]": "P"})

    before = side(run("03:50:01", "F"), run("03:50:07", "F"))
    after = side(run("03:50:08", "P"), run("03:50:11", "P"))
    v = grade(before, after)
    assert (v.valid, v.fail_to_pass, v.flaky) == (True, ["tests/t.py::a"], [])
    assert v.pass_to_pass == ["tests/t.py::t[fixed]"] and "4 test ids changed between runs" in v.detail
    # with nothing else to grade, the verdict is what the runs showed: nothing fails before the fix
    v = grade(side(run("1", "P"), run("2", "P")), side(run("3", "P"), run("4", "P")), changed={"t"})
    assert (v.valid, v.reason, v.flaky) == (False, "no_fail_to_pass", [])
    # a parametrized test whose status changes under one id stays flaky
    flips = grade(side(run_log(**{"t[1]": "F"}), run_log(**{"t[1]": "P"})), side(run_log(**{"t[1]": "P"}), run_log(**{"t[1]": "P"})))
    assert flips.flaky == ["tests/t.py::t[1]"] and flips.reason == "flaky"


def test_a_parameter_the_fix_adds_is_consistent_on_each_side_and_stays_fail_to_pass():
    # `parametrize("codec", pkg.CODECS)`: the fix adds a codec, so every run with it reports one more id
    before = side(run_log(**{"t[a]": "P"}), run_log(**{"t[a]": "P"}))
    after = side(run_log(**{"t[a]": "P", "t[b]": "P"}), run_log(**{"t[a]": "P", "t[b]": "P"}))
    v = grade(before, after)
    assert (v.valid, v.fail_to_pass, v.pass_to_pass) == (True, ["tests/t.py::t[b]"], ["tests/t.py::t[a]"])
