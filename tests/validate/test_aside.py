"""A run the runner itself broke off (pytest's INTERNALERROR, exit 3: a plugin or xdist's worker channel
failed, not a test) on a side whose other runs completed is set aside and replaced, never graded; a side
whose runner fails from its first run on stays ``runner_error``. The runner is the stand-in of
``test_focus.py``; a real pytest INTERNALERROR under xdist is what multidict's crash attribution met."""

from __future__ import annotations

import dataclasses

from test_focus import F2P, P2P, env, fake_runner, stand_in, statuses, task

from openswe_data import conventions as C
from openswe_data.validate import explain, instance

INTERNAL = "\n".join([C.START_TEST_OUTPUT, "INTERNALERROR> BrokenPipeError: [Errno 32] Broken pipe",
                      C.END_TEST_OUTPUT, f"{C.TEST_EXIT_PREFIX}3"])


def breaking(on: set[tuple[bool, int]]):
    """The stand-in runner, whose ``n``-th run of a side (fixed or not) in ``on`` ends in INTERNALERROR."""
    runner, seen = fake_runner(statuses), {False: 0, True: 0}

    def run_eval(image, *, patch="", limits=None, instance_id="", eval_script=None):
        result = runner(image, patch=patch, eval_script=eval_script)
        seen[bool(patch)] += 1
        if (bool(patch), seen[bool(patch)]) in on:
            return dataclasses.replace(result, log=INTERNAL, stdout=INTERNAL, junit=None)
        return result
    return run_eval


def test_a_run_the_runner_broke_off_is_set_aside_and_replaced(monkeypatch, tmp_path):
    stand_in(monkeypatch, breaking({(False, 3)}))
    v, r = instance.validate_environment(env(), task(), log_dir=tmp_path,
                                         options=instance.ValidateOptions(parallel_runs=1))
    assert (r.verdict, r.FAIL_TO_PASS, r.PASS_TO_PASS) == ("valid", [F2P], P2P)
    assert (r.runs_before, r.runs_after) == (10, 11)  # the broken run is not one of them (its pair ran once more)
    kept = [run for run in v.runs if "run" in run]
    assert all(run["exit_cause"] != "runner_internal_error" for run in kept)
    aside = [run for run in v.runs if "aside" in run]
    assert aside == [{"side": "before", "aside": 1, "exit_code": 3, "exit_cause": "runner_internal_error",
                      "seconds": 1.0, "container": "series",
                      "why": "the runner failed in itself where this side's other runs completed"}]
    assert "INTERNALERROR" in (tmp_path / "before-aside-1.log").read_text()
    assert "INTERNALERROR" not in "".join((tmp_path / f"before-{i}.log").read_text() for i in range(1, 11))
    assert explain._aside(v.runs, str(tmp_path)) == [
        f"before set aside 1: exit 3 (runner_internal_error): {aside[0]['why']}; log {tmp_path / 'before-aside-1.log'}"]


def test_a_runner_that_fails_from_its_first_run_on_is_a_runner_error(monkeypatch, tmp_path):
    stand_in(monkeypatch, breaking({(False, n) for n in range(1, 30)}))
    _, r = instance.validate_environment(env(), task(), log_dir=tmp_path)
    assert (r.verdict, r.reason, r.fault) == ("invalid", "runner_error", "environment")
    assert not list(tmp_path.glob("*-aside-*"))


def test_set_asides_are_bounded_and_then_the_side_is_unusable(monkeypatch, tmp_path):
    stand_in(monkeypatch, breaking({(False, n) for n in range(2, 60)}))  # every run after the first breaks
    v, r = instance.validate_environment(env(), task(), log_dir=tmp_path)
    assert (r.verdict, r.reason) == ("invalid", "runner_error")
    assert len([run for run in v.runs if "aside" in run]) == instance.ValidateOptions().runs_per_side
