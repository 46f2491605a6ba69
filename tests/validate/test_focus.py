"""Focused confirmation runs: the adaptive gate's extra runs run only the FAIL_TO_PASS tests, a focused run
that cannot select its ids is set aside (never a verdict), and the records say which runs were focused.

The runner is replaced by a stand-in that reads the script it is given the way pytest reads its command
line: the targeted files run every test in them, node ids run only those (``select`` decides which ids a
command line can reach), so these tests exercise the selection logic, the grading and the records; the
real pytest run of a focused script is covered by the trust fixtures in Docker."""

from __future__ import annotations

import dataclasses
import json

import pytest

from openswe_data import conventions as C
from openswe_data.build.evalscript import render_eval_script
from openswe_data.records import Environment, Task
from openswe_data.toolchains import get
from openswe_data.validate import instance
from openswe_data.validate.explain import _focused, _table
from openswe_data.validate.focus import focused_script
from openswe_data.validate.runner import RunResult

FILES = ["tests/test_a.py", "tests/test_b.py"]
F2P = "tests/test_a.py::test_fixed[x-1]"
P2P = ["tests/test_a.py::test_old", "tests/test_b.py::test_other"]


TEST_PATCH = """diff --git a/tests/test_a.py b/tests/test_a.py
--- a/tests/test_a.py
+++ b/tests/test_a.py
@@ -1,0 +1,3 @@
+@pytest.mark.parametrize("x", [1])
+def test_fixed(x):
+    assert fixed(x)
"""


def env(command: str | None = None, log_parser: str = "pytest") -> Environment:
    command = command or get("python").test_command(FILES)
    script = render_eval_script(TEST_PATCH, FILES, [], [], command=command)
    return Environment(instance_id="o__r-1", status="built", image_name="img", eval_script=script, test_command=command,
                       test_files=list(FILES), log_parser=log_parser)


def task() -> Task:
    return Task(instance_id="o__r-1", repo="o/r", base_commit="0" * 40, patch="the fix", problem_statement="p",
                test_patch=TEST_PATCH)


def test_a_focused_script_is_the_records_own_script_with_the_ids_in_place_of_the_files():
    e = env()
    script = focused_script(e, [F2P])
    assert script is not None and script != e.eval_script
    command = e.test_command.replace("tests/test_a.py tests/test_b.py", f"'{F2P}'")
    assert command in script and e.test_command not in script
    # everything else is the record's script, line for line
    assert script.replace(command, e.test_command) == e.eval_script


@pytest.mark.parametrize("case", ["unittest", "rewritten", "outside", "none"])
def test_no_focused_script_where_it_could_not_be_done_safely(case):
    e = env(log_parser="unittest") if case == "unittest" else env()
    if case == "rewritten":  # an agent rewrote the eval script: its command is not the record's any more
        e.eval_script = e.eval_script.replace(e.test_command, e.test_command + " -k something")
    ids = {"outside": ["tests/test_c.py::test_x"], "none": []}.get(case, [F2P])
    assert focused_script(e, ids) is None


def fake_runner(statuses_of, select=lambda test_id: True, calls=None):
    """A stand-in for ``run_eval``: the tests a script's command line reaches, with ``statuses_of(fixed)``."""
    def run_eval(image, *, patch="", limits=None, instance_id="", eval_script=None):
        command = next(line for line in eval_script.splitlines() if "--junitxml" in line)
        words = command.split("$OPENSWE_PYTEST_OPTS", 1)[1].split()
        targets = [w.strip("'") for w in words]
        statuses = statuses_of(bool(patch))
        ran = {t: s for t, s in statuses.items()
               if t.split("::")[0] in targets or (t in targets and select(t))}
        if calls is not None:
            calls.append((bool(patch), sorted(ran)))
        failure = "<failure message='x'/>"
        cases = "".join(
            f'<testcase classname="{t.split("::")[0][:-3].replace("/", ".")}" file="{t.split("::")[0]}" '
            f'name="{t.split("::")[1]}">{failure if s == "F" else ""}</testcase>'
            for t, s in ran.items())
        lines = [f"{'PASSED' if s == 'P' else 'FAILED'} {t}" for t, s in ran.items()]
        code = 1 if "F" in ran.values() else (0 if ran else 4)
        out = "\n".join([C.START_TEST_OUTPUT, *lines, C.END_TEST_OUTPUT, f"{C.TEST_EXIT_PREFIX}{code}"])
        return RunResult(log=out, exit_code=0, stdout=out, junit=f"<testsuite>{cases}</testsuite>", seconds=1.0)
    return run_eval


def series_of(run_eval):
    """A stand-in for ``run_series``: ``count`` runs of the ``run_eval`` stand-in, one container's id."""
    def run_series(image, count, *, patch="", limits=None, instance_id="", eval_script=None, regenerated=""):
        return [dataclasses.replace(run_eval(image, patch=patch, eval_script=eval_script), container="series")
                for _ in range(count)]
    return run_series


def stand_in(monkeypatch, run_eval) -> None:
    monkeypatch.setattr(instance, "run_eval", run_eval)
    monkeypatch.setattr(instance, "run_series", series_of(run_eval))


def statuses(fixed: bool) -> dict[str, str]:
    return {F2P: "P" if fixed else "F", **{t: "P" for t in P2P}}


def test_the_adaptive_gates_extra_runs_run_only_the_fail_to_pass_tests(monkeypatch, tmp_path):
    calls: list = []
    stand_in(monkeypatch, fake_runner(statuses, calls=calls))
    v, r = instance.validate_environment(env(), task(), log_dir=tmp_path)
    assert (r.verdict, r.FAIL_TO_PASS, r.PASS_TO_PASS) == ("valid", [F2P], P2P)
    assert r.runs_before == r.runs_after == 10  # one test, short runs: the strict target (2**-20)
    assert [ran for _, ran in calls[:10]] == [sorted([F2P, *P2P])] * 10  # 5 full runs a side
    assert [ran for _, ran in calls[10:]] == [[F2P]] * 10  # then 5 focused ones a side
    assert r.test_stability[F2P] == [0, 10, 10, 10]
    assert all(r.test_stability[t] == [5, 5, 5, 5] for t in P2P)  # out of the runs that ran them
    assert [run["tests"] for run in v.runs if run["side"] == "after"] == ["all"] * 5 + [[F2P]] * 5
    assert (r.gold_pass_rate, r.noop_fail_rate) == (1.0, 1.0)
    table = "\n".join(_table({"before": [], "after": []}, r))  # the explain table marks focused runs
    assert "not run (a focused run)" in table
    assert _focused(json.loads(json.dumps(v.runs)))[("after", 6)] == {F2P}


def test_a_focused_run_that_cannot_select_its_ids_is_set_aside_and_full_runs_follow(monkeypatch, tmp_path):
    calls: list = []
    stand_in(monkeypatch, fake_runner(statuses, select=lambda t: "[" not in t, calls=calls))
    v, r = instance.validate_environment(env(), task(), log_dir=tmp_path)
    assert (r.verdict, r.FAIL_TO_PASS, r.PASS_TO_PASS) == ("valid", [F2P], P2P)  # the same verdict and lists
    assert r.runs_before == r.runs_after == 10 and all(run["tests"] == "all" for run in v.runs)
    assert len(calls) == 30  # 20 kept runs and the focused series set aside, whose logs are kept apart
    assert (tmp_path / "after-unfocused-5.log").is_file() and not (tmp_path / "after-unfocused-6.log").exists()
    assert all(r.test_stability[t] == [10, 10, 10, 10] for t in P2P)


@pytest.mark.parametrize("series", [False, True])
def test_a_test_that_flips_in_a_focused_run_is_flaky_and_leaves_fail_to_pass(monkeypatch, tmp_path, series):
    seen = {"after": 0}

    def flipping(fixed: bool) -> dict[str, str]:
        if fixed:
            seen["after"] += 1
        return {F2P: "F" if fixed and seen["after"] == 7 else ("P" if fixed else "F"), **{t: "P" for t in P2P}}

    stand_in(monkeypatch, fake_runner(flipping))
    options = instance.ValidateOptions(parallel_runs=1, series=series)  # the stand-in counts in run order
    v, r = instance.validate_environment(env(), task(), log_dir=tmp_path, options=options)
    assert r.verdict == "invalid" and r.flaky_tests == [F2P] and r.reason == "flaky"
    # the gate stops at the first flip: at once with a container a run, at the end of its series otherwise
    # (the focused runs 6-10 share a container)
    assert r.runs_after == (10 if series else 7)
    assert [run["container"] for run in v.runs if run["side"] == "after"][5:] == (
        ["series"] * 5 if series else ["", ""])


def test_without_focus_or_side_by_side_runs_the_records_are_the_same(monkeypatch, tmp_path):
    stand_in(monkeypatch, fake_runner(statuses))
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    _, focused = instance.validate_environment(env(), task(), log_dir=tmp_path / "a")
    _, plain = instance.validate_environment(env(), task(), log_dir=tmp_path / "b",
                                             options=instance.ValidateOptions(focus=False, parallel_runs=1))
    assert (focused.FAIL_TO_PASS, focused.PASS_TO_PASS, focused.runs_before) == \
        (plain.FAIL_TO_PASS, plain.PASS_TO_PASS, plain.runs_before)
    assert plain.test_stability[P2P[0]] == [10, 10, 10, 10]
