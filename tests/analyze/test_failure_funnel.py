"""Failure reasons and the funnel tell one story: each instance is counted once, at the stage where it left,
so every stage's failure total equals the funnel's drop at that step — also in a workspace as the real
stages write it (validate records a failed build again, attempts get rejects, a task file has a bad line)."""

from __future__ import annotations

import shutil
from pathlib import Path

from openswe_data import analyze
from openswe_data.records import Attempt, CuratedRecord, Validation
from openswe_data.store import Workspace

STEP_OF = {"prs": "filtered", "tasks": "filtered", "environments": "built", "validations": "valid",
           "curated": "curated"}


def build_workspace(fixture_ws: Path, path: Path) -> Workspace:
    """A copy of the shared hand-checked fixture workspace (see conftest.py) this test may change."""
    shutil.copytree(fixture_ws, path)
    return Workspace(path)


def _realistic(fixture_ws: Path, path: Path):
    ws = build_workspace(fixture_ws, path)
    vals = ws.stage("validations")
    # What validate writes for an environment whose build failed: an invalid validation with the build's reason.
    vals.put(Validation(instance_id="acme__web-4", verdict="invalid", reason="install_failed"))
    vals.put(Validation(instance_id="acme__lib-3", verdict="invalid", reason="no_python_version"))
    ws.stage("tasks").reject("lite.jsonl-L7", "malformed_record", "not JSON")
    ws.stage("attempts").reject("acme__web-1.a9", "sample_failed", "the engine went away")
    ws.stage("attempts").reject("acme__web-1.a8", "sample_failed", "the engine went away")
    return ws


def test_each_stages_failure_total_equals_the_funnels_drop_and_no_instance_counts_twice(fixture_ws, tmp_path):
    _realistic(fixture_ws, tmp_path / "ws")
    con = analyze.connect(tmp_path / "ws")
    try:
        funnel = {r["stage"]: r["instances"] for r in analyze.run_report("funnel", con).to_pylist()}
        reasons = analyze.run_report("failure_reasons", con).to_pylist()
    finally:
        con.close()
    order = ["crawled", "filtered", "built", "valid", "curated"]
    drops = {after: funnel[before] - funnel[after] for before, after in zip(order, order[1:])}
    totals = {step: 0 for step in drops}
    for r in reasons:
        totals[STEP_OF[r["stage"]]] += r["instances"]
    assert totals == drops == {"filtered": 3, "built": 2, "valid": 1, "curated": 2}
    assert sum(r["instances"] for r in reasons) == funnel["crawled"] - funnel["curated"]
    assert not any(r["reason"] == "sample_failed" for r in reasons), "attempts are not instances"


def test_instances_without_graded_attempts_have_no_difficulty_band(fixture_ws, tmp_path):
    ws = build_workspace(fixture_ws, tmp_path / "ws")
    ws.stage("curated").put(CuratedRecord(instance_id="acme__web-9", n_attempts=0, n_resolved=0, pass_rate=0.0,
                                          difficulty="", kept=False, reason="no_attempts", policy="band-1-2-of-4"))
    ws.stage("attempts").put(Attempt(instance_id="acme__web-1", attempt_index=9, model="m", resolved=None))
    con = analyze.connect(tmp_path / "ws")
    try:
        bands = analyze.run_report("difficulty", con).to_pylist()
        by_repo = analyze.run_report("difficulty_by_repo", con).to_pylist()
    finally:
        con.close()
    assert "(none)" not in {b["difficulty"] for b in bands} | {b["difficulty"] for b in by_repo}
    assert sum(b["instances"] for b in bands) == 5


def _drawn(monkeypatch, plot, df, tmp_path):
    from openswe_data.analyze import plots

    figs = []
    monkeypatch.setattr(plots, "_save", lambda fig, path: figs.append(fig) or path)
    plot(df, tmp_path / "p.png")
    (fig,) = figs
    fig.canvas.draw()
    return fig


def test_count_axes_tick_whole_numbers_and_log_axes_read_as_plain_numbers(monkeypatch, tmp_path):
    import pandas as pd

    from openswe_data.analyze import plots

    fig = _drawn(monkeypatch, plots.failure_reasons,
                 pd.DataFrame({"stage": ["environments", "validations"], "reason": ["a", "b"], "instances": [2, 1]}),
                 tmp_path)
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert ticks and all(t.replace(",", "").isdigit() for t in ticks), ticks
    fig = _drawn(monkeypatch, plots.repo_distribution,
                 pd.DataFrame({"repo": ["a", "b", "c"], "instances": [3, 2, 1], "rank": [1, 2, 3],
                               "cumulative_share": [0.5, 0.83, 1.0]}), tmp_path)
    labels = [t.get_text() for t in fig.axes[1].get_xticklabels(minor=True) + fig.axes[1].get_xticklabels()]
    assert not any("10^" in t or "×" in t or "$" in t for t in labels), labels
    assert plots._seconds_label(64) == "1m 4s" and plots._seconds_label(0.5) == "0.5s"
