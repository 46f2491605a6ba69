"""Every SQL report on the fixture workspace returns its documented columns with hand-computed values.

The fixture (tests/analyze/conftest.py) holds 10 PRs from acme/web (5), acme/lib (4) and solo/tool (1).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from openswe_data import analyze


@pytest.fixture(scope="module")
def con(fixture_ws: Path) -> Any:
    connection = analyze.connect(fixture_ws)
    yield connection
    connection.close()


def rows(name: str, con: Any) -> tuple[list[str], list[tuple]]:
    table = analyze.run_report(name, con)
    return table.column_names, [tuple(r.values()) for r in table.to_pylist()]


def same(actual: list[tuple], expected: list[tuple]) -> bool:
    """Row-by-row equality, floats compared to 1e-9, None only equal to None."""
    if len(actual) != len(expected):
        return False
    for a_row, e_row in zip(actual, expected):
        if len(a_row) != len(e_row):
            return False
        for a, e in zip(a_row, e_row):
            if isinstance(e, float) and isinstance(a, (int, float)) and a is not None:
                if not math.isclose(a, e, rel_tol=1e-9, abs_tol=1e-12):
                    return False
            elif a != e:
                return False
    return True


def check(name: str, con: Any, columns: list[str], expected: list[tuple]) -> None:
    got_columns, got = rows(name, con)
    assert got_columns == columns
    assert same(got, expected), f"{name}:\n got      {got}\n expected {expected}"


def test_the_funnel_counts_each_step_and_its_share_of_crawled_and_of_the_previous_step(con):
    check("funnel", con, ["step", "stage", "instances", "share_of_crawled", "share_of_previous"], [
        (1, "crawled", 10, 1.0, None),
        (2, "filtered", 8, 0.8, 0.8),
        (3, "built", 6, 0.6, 0.75),
        (4, "valid", 5, 0.5, 5 / 6),
        (5, "curated", 3, 0.3, 0.6),
    ])


def test_the_funnel_by_repository_splits_every_step_per_repository(con):
    check("funnel_by_repo", con, ["repo", "crawled", "filtered", "built", "valid", "curated", "valid_rate"], [
        ("acme/web", 5, 4, 3, 3, 2, 0.6),
        ("acme/lib", 4, 3, 2, 1, 0, 0.25),
        ("solo/tool", 1, 1, 1, 1, 1, 1.0),
    ])


def test_cost_by_stage_groups_the_ledger_by_stage_agent_and_model(con):
    check("cost_by_stage", con, ["stage", "agent", "model", "calls", "prompt_tokens", "completion_tokens", "tokens",
                                 "cost_usd", "share_of_cost"], [
        ("build", "dockerfile", "gpt-4o", 3, 2300, 500, 2800, 1.15, 1.15 / 2.45),
        ("build", "eval_script", "claude", 1, 2000, 300, 2300, 1.00, 1.00 / 2.45),
        ("curate", "sampler", "gpt-4o-mini", 3, 400, 300, 700, 0.20, 0.20 / 2.45),
        ("build", "exploration", "claude", 1, 300, 50, 350, 0.10, 0.10 / 2.45),
    ])


def test_cost_by_repository_divides_spend_by_that_repositorys_valid_environments(con):
    check("cost_by_repo", con, ["repo", "calls", "tokens", "cost_usd", "valid", "usd_per_valid"], [
        ("acme/web", 5, 4500, 1.85, 3, 1.85 / 3),
        ("acme/lib", 3, 1650, 0.60, 1, 0.60),
    ])


def test_the_cost_summary_gives_dollars_per_valid_environment_from_the_ledger(con):
    check("cost_summary", con, ["llm_calls", "failed_calls", "tokens", "llm_usd", "build_usd", "attempts_usd",
                                "valid", "usd_per_valid"], [
        (8, 1, 6150, 2.45, 2.25, 2.0, 5, 2.45 / 5),
    ])


def test_difficulty_bands_are_listed_easiest_first_with_what_the_policy_kept(con):
    check("difficulty", con, ["difficulty", "instances", "kept", "mean_pass_rate", "share"], [
        ("trivial", 1, 0, 1.0, 0.2),
        ("medium", 2, 2, 0.5, 0.4),
        ("hard", 1, 1, 0.25, 0.2),
        ("unsolvable", 1, 0, 0.0, 0.2),
    ])


def test_difficulty_by_repository_lists_each_repositorys_bands(con):
    check("difficulty_by_repo", con, ["repo", "difficulty", "instances", "kept", "mean_pass_rate"], [
        ("acme/lib", "unsolvable", 1, 0, 0.0),
        ("acme/web", "trivial", 1, 0, 1.0),
        ("acme/web", "medium", 1, 1, 0.5),
        ("acme/web", "hard", 1, 1, 0.25),
        ("solo/tool", "medium", 1, 1, 0.5),
    ])


def test_the_repository_distribution_ranks_repositories_with_a_running_share(con):
    check("repo_distribution", con, ["rank", "repo", "instances", "share", "cumulative_share"], [
        (1, "acme/web", 3, 0.6, 0.6),
        (2, "acme/lib", 1, 0.2, 0.8),
        (3, "solo/tool", 1, 0.2, 1.0),
    ])


def test_repository_concentration_gives_hhi_gini_and_the_long_tail(con):
    # shares .6/.2/.2 -> HHI .36+.04+.04; Gini of [1, 1, 3]: 2*(1*1+2*1+3*3)/(3*5) - 4/3 = 4/15
    check("repo_concentration", con, ["repos", "instances", "top1_share", "top10_share", "hhi", "gini",
                                      "single_instance_repos", "single_instance_share"], [
        (3, 5, 0.6, 1.0, 0.44, 4 / 15, 2, 0.4),
    ])


def test_python_versions_count_built_environments_and_how_many_validated(con):
    check("python_versions", con, ["python_version", "built", "valid", "valid_rate"], [
        ("3.11", 3, 3, 1.0),
        ("3.9", 2, 1, 0.5),
        ("3.13", 1, 1, 1.0),
    ])


def test_time_distributions_give_nearest_rank_percentiles_per_phase(con):
    # heuristic builds: 0.5, 5, 10, 20, 40, 50 -> mean 125.5/6, p50 10 (3rd of 6), p90 50 (6th of 6)
    # valid validations: 1, 2, 4, 8, 16 -> mean 6.2, p50 4, p90 16
    check("time_distributions", con, ["phase", "grp", "instances", "mean_seconds", "p50_seconds", "p90_seconds",
                                      "max_seconds", "total_hours"], [
        ("build", "agent", 2, 45.0, 30.0, 60.0, 60.0, 90 / 3600),
        ("build", "heuristic", 6, 125.5 / 6, 10.0, 50.0, 50.0, 125.5 / 3600),
        ("validate", "invalid", 1, 3.0, 3.0, 3.0, 3.0, 3 / 3600),
        ("validate", "valid", 5, 6.2, 4.0, 16.0, 16.0, 31 / 3600),
    ])


def test_the_time_histogram_puts_each_time_in_its_doubling_bucket(con):
    check("time_histogram", con, ["phase", "bucket_low", "bucket_high", "instances"], [
        ("build", 0.0, 1.0, 1),      # 0.5
        ("build", 4.0, 8.0, 1),      # 5
        ("build", 8.0, 16.0, 1),     # 10
        ("build", 16.0, 32.0, 2),    # 20, 30
        ("build", 32.0, 64.0, 3),    # 40, 50, 60
        ("validate", 1.0, 2.0, 1),   # 1
        ("validate", 2.0, 4.0, 2),   # 2, 3
        ("validate", 4.0, 8.0, 1),   # 4
        ("validate", 8.0, 16.0, 1),  # 8
        ("validate", 16.0, 32.0, 1),  # 16
    ])


def test_failure_reasons_cover_rejects_failed_builds_invalid_validations_and_curation_drops(con):
    check("failure_reasons", con, ["stage", "reason", "instances", "share_of_stage", "example"], [
        ("tasks", "no_tests", 1, 0.5, "acme__web-5"),
        ("tasks", "too_large", 1, 0.5, "acme__lib-4"),
        ("environments", "install_failed", 1, 0.5, "acme__web-4"),
        ("environments", "no_python_version", 1, 0.5, "acme__lib-3"),
        ("validations", "no_fail_to_pass", 1, 1.0, "acme__lib-2"),
        ("curated", "trivial", 1, 0.5, "acme__web-2"),
        ("curated", "unsolvable", 1, 0.5, "acme__lib-1"),
    ])


def test_flaky_tests_are_counted_per_repository_most_frequent_first(con):
    check("flaky_tests", con, ["repo", "test", "instances"], [
        ("acme/web", "tests/test_a.py::test_f1", 2),
        ("acme/lib", "tests/test_b.py::test_x", 1),
        ("acme/web", "tests/test_a.py::test_f2", 1),
    ])


def test_image_disk_usage_counts_a_shared_image_once(con):
    # acme/web: web-1 and web-2 share sha256:d1 (100 B), web-3 300 B; acme/lib: lib-2 was not measured.
    check("image_disk", con, ["repo", "images", "distinct_images", "measured_images", "total_bytes", "mean_bytes",
                              "max_bytes"], [
        ("acme/web", 3, 2, 2, 400, 200.0, 300),
        ("solo/tool", 1, 1, 1, 400, 400.0, 400),
        ("acme/lib", 2, 2, 1, 200, 200.0, 200),
        ("(all)", 6, 5, 4, 1000, 250.0, 400),
    ])


def test_every_report_has_a_test_here():
    """Every report is checked by name (``check("name"`` or ``rows("name"``) in a test of this folder."""
    import re

    tested = {m.group(1) for f in Path(__file__).parent.glob("test_*.py")
              for m in re.finditer(r'(?:check|rows)\("(\w+)"', f.read_text())}
    assert set(analyze.list_reports()) <= tested


def test_reports_run_on_an_empty_workspace_and_return_their_columns(tmp_path):
    from openswe_data.store import Workspace

    Workspace(tmp_path / "empty", create=True)
    con = analyze.connect(tmp_path / "empty")
    for name in analyze.list_reports():
        table = analyze.run_report(name, con)
        assert table.num_columns > 0
    assert rows("funnel", con)[1][0] == (1, "crawled", 0, None, None)
    assert rows("cost_summary", con)[1] == [(0, 0, 0, 0.0, 0.0, 0.0, 0, None)]


# --- agent-native trajectories: their own small workspace ---------------------------------------------
@pytest.fixture(scope="module")
def traj_con(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from openswe_data.store import Workspace
    from openswe_data.trajectories import STAGE, VERIFIER_STAGE, AgentTrajectory, VerifierExample

    ws = Workspace(tmp_path_factory.mktemp("traj") / "ws", create=True)
    stage = ws.stage(STAGE, AgentTrajectory)
    # (id, kind, repo, tokens, tool calls, resolved); the sampled one has no repo: repo_of() fills it in
    for tid, kind, repo, tokens, calls, resolved in [
        ("acme__web-1.contextual", "contextual", "acme/web", 300, 4, None),
        ("acme__web-2.contextual", "contextual", "acme/web", 700, 6, None),
        ("acme__lib-1.contextual", "contextual", "acme/lib", 1500, 8, None),
        ("acme__web-1.gold", "environmental", "acme/web", 2000, 6, True),
        ("acme__web-1.replay-a0", "environmental", "acme/web", 1000, 3, True),
        ("acme__web-1.replay-a1", "environmental", "acme/web", 600, 3, False),
        ("acme__lib-1.sampled-a0", "sampled", "", 5000, 10, False),
    ]:
        stage.put(AgentTrajectory(trajectory_id=tid, instance_id=tid.split(".")[0], kind=kind, repo=repo,
                                  tokens=tokens, n_tool_calls=calls, resolved=resolved))
    stage.reject("acme__web-3.contextual", "near_duplicate", "within 3 bits of acme__web-1.contextual")
    stage.reject("acme__lib-2.contextual", "benchmark_overlap")
    stage.reject("acme__web-4.contextual", "benchmark_overlap")
    verifier = ws.stage(VERIFIER_STAGE, VerifierExample)
    verifier.put(VerifierExample(example_id="acme__web-1.p0.success", instance_id="acme__web-1", pair_index=0,
                                 label=True, tokens=1000))
    verifier.put(VerifierExample(example_id="acme__web-1.p0.failure", instance_id="acme__web-1", pair_index=0,
                                 label=False, tokens=600))
    connection = analyze.connect(ws.path)
    yield connection
    connection.close()


def test_trajectory_tokens_count_each_kind_with_percentiles_and_the_resolved_share(traj_con):
    check("trajectory_tokens", traj_con, ["kind", "trajectories", "instances", "tokens", "mean_tokens", "p50_tokens",
                                          "p90_tokens", "max_tokens", "mean_tool_calls", "resolved_share"], [
        ("sampled", 1, 1, 5000, 5000.0, 5000, 5000, 5000, 10.0, 0.0),
        ("environmental", 3, 1, 3600, 1200.0, 1000, 2000, 2000, 4.0, 2 / 3),
        ("contextual", 3, 3, 2500, 2500 / 3, 700, 1500, 1500, 6.0, None),
    ])


def test_trajectory_tokens_by_repository_fall_back_to_the_id_for_the_repository(traj_con):
    check("trajectory_tokens_by_repo", traj_con, ["repo", "trajectories", "contextual", "environmental", "sampled",
                                                  "tokens", "share_of_tokens"], [
        ("acme/lib", 2, 1, 0, 1, 6500, 6500 / 11100),
        ("acme/web", 5, 2, 3, 0, 4600, 4600 / 11100),
    ])


def test_trajectory_lengths_fall_in_doubling_token_buckets_per_kind(traj_con):
    check("trajectory_lengths", traj_con, ["kind", "bucket_low", "bucket_high", "trajectories"], [
        ("contextual", 256, 512, 1), ("contextual", 512, 1024, 1), ("contextual", 1024, 2048, 1),
        ("environmental", 512, 1024, 2), ("environmental", 1024, 2048, 1), ("sampled", 4096, 8192, 1),
    ])


def test_trajectory_exclusions_count_each_reason_with_an_example(traj_con):
    check("trajectory_exclusions", traj_con, ["reason", "trajectories", "example"], [
        ("benchmark_overlap", 2, "acme__lib-2.contextual"),
        ("near_duplicate", 1, "acme__web-3.contextual"),
    ])


def test_verifier_pairs_count_instances_pairs_and_both_labels(traj_con):
    check("verifier_pairs", traj_con, ["instances", "pairs", "successes", "failures", "tokens"], [(1, 1, 1, 1, 1600)])
