"""A validation's first pair stands in for a later validation's of the same environment (the closed loop's
probe, then the validate stage) only where nothing that decides it changed (``validate/first_pair.py``)."""

from __future__ import annotations

import dataclasses

from test_focus import F2P, P2P, env, fake_runner, stand_in, statuses, task

from openswe_data.validate import instance
from openswe_data.validate.runner import Limits


def probe_then_validate(monkeypatch, tmp_path, *, later_env=None, later_options=None, spoil=None):
    calls: list = []
    stand_in(monkeypatch, fake_runner(statuses, calls=calls))
    probe_dir, stage_dir = tmp_path / "probe", tmp_path / "stage"
    probe_dir.mkdir(parents=True), stage_dir.mkdir()
    instance.validate_environment(env(), task(), log_dir=probe_dir, options=instance.ValidateOptions(reruns=0, k=1))
    assert len(calls) == 2  # the probe: one run a side
    if spoil:
        spoil(probe_dir)
    v, r = instance.validate_environment(later_env or env(), task(), log_dir=stage_dir, earlier=probe_dir,
                                         options=later_options)
    return calls[2:], v, r, probe_dir


def test_the_probes_pair_is_the_validations_first_and_says_where_it_ran(monkeypatch, tmp_path):
    calls, v, r, probe_dir = probe_then_validate(monkeypatch, tmp_path)
    assert (r.verdict, r.FAIL_TO_PASS, r.PASS_TO_PASS, r.runs_before, r.runs_after) == ("valid", [F2P], P2P, 10, 10)
    assert len(calls) == 18  # 20 runs, 2 of them the probe's
    assert [run["origin"] for run in v.runs if run["run"] == 1] == [str(probe_dir)] * 2
    assert all(run["origin"] == "" for run in v.runs if run["run"] > 1)
    assert (tmp_path / "stage" / "after-1.junit.xml").read_text() == (probe_dir / "after-1.junit.xml").read_text()
    assert r.test_stability[F2P] == [0, 10, 10, 10]


def test_another_image_script_or_limits_or_a_missing_log_runs_the_pair_afresh(monkeypatch, tmp_path):
    other_image = dataclasses.replace(env(), image_digest="sha256:" + "1" * 64)
    other_script = env()
    other_script.eval_script += "\n# changed\n"
    cases = [{"later_env": other_image}, {"later_env": other_script},
             {"later_options": instance.ValidateOptions(limits=Limits(timeout=60))},
             {"spoil": lambda d: (d / "before-1.log").unlink()}]
    for i, case in enumerate(cases):
        calls, v, r, _ = probe_then_validate(monkeypatch, tmp_path / str(i), **case)
        assert len(calls) == 20 and r.verdict == "valid", case
        assert all(run["origin"] == "" for run in v.runs), case
