"""The adaptive flake gate: a FAIL_TO_PASS resting on one test or on short runs gets more runs, and every
valid record says how likely a coin-flip test would have slipped through."""

from __future__ import annotations

import pytest

from openswe_data.validate.instance import ValidateOptions, miss_probability


@pytest.mark.parametrize("fail_to_pass, seconds, runs", [
    (["t::a", "t::b"], 60.0, 5),   # several tests, long runs: 5 + 5 runs reach 1e-3
    (["t::a"], 60.0, 10),          # one test: 10 + 10 runs reach 1e-6
    (["t::a", "t::b"], 2.0, 10),   # short runs are cheap to repeat: the strict target
])
def test_runs_needed_follow_the_evidence_a_verdict_rests_on(fail_to_pass, seconds, runs):
    assert ValidateOptions().runs_needed(fail_to_pass, seconds) == runs


def test_the_gate_never_runs_below_the_configured_runs_or_above_its_cap():
    assert ValidateOptions(reruns=7).runs_needed(["a", "b"], 60.0) == 8
    assert ValidateOptions(strict_miss=1e-12).runs_needed(["a"], 1.0) == 12


def test_the_residual_miss_probability_is_a_coin_flip_test_passing_every_gate_run():
    assert miss_probability(5, 5) == 2 ** -10
    assert miss_probability(10, 10) < 1e-6


def test_no_reruns_means_no_adaptive_runs_either_so_the_loops_probe_runs_once_a_side():
    from openswe_data.repair import LoopOptions

    assert ValidateOptions(reruns=0).runs_needed(["t::a"], 1.0) == 3  # the k/k gate alone
    assert LoopOptions().probe.runs_needed(["t::a"], 1.0) == 1
