"""The drift report: the latest check per environment and image source, by repository and age bucket."""

from __future__ import annotations

from openswe_data import analyze
from openswe_data.records import Drift
from openswe_data.store import Workspace

from test_reports import check


def test_drift_counts_the_latest_check_per_environment_by_repository_and_age(tmp_path):
    ws = Workspace(tmp_path / "ws", create=True)
    stage = ws.stage("drift", Drift)
    d = dict(repo="acme/web", validated_at="2026-01-01T00:00:00Z")
    stage.put(Drift(instance_id="acme__web-1", image_source="pulled", checked_at="2026-01-10T00:00:00Z",
                    status="drift", age_days=9.0, lost_tests=["t::a"], **d))
    stage.put(Drift(instance_id="acme__web-1", image_source="pulled", checked_at="2026-03-01T00:00:00Z",
                    status="same", age_days=59.0, **d))  # the latest check of that image wins
    stage.put(Drift(instance_id="acme__web-2", image_source="rebuilt", checked_at="2026-03-01T00:00:00Z",
                    status="drift", age_days=59.0, lost_tests=["t::b", "t::c"], new_failures=["t::d"], **d))
    stage.put(Drift(instance_id="acme__web-3", image_source="rebuilt", checked_at="2027-02-01T00:00:00Z",
                    status="build_failed", age_days=396.0, **d))
    con = analyze.connect(ws.path)
    check("drift", con,
          ["repo", "image_source", "age", "checked", "same", "drifted", "unavailable", "lost_tests", "new_failures",
           "last_checked"],
          [("acme/web", "rebuilt", "30-180 days", 1, 0, 1, 0, 2, 1, "2026-03-01T00:00:00Z"),
           ("acme/web", "rebuilt", ">= 1 year", 1, 0, 0, 1, 0, 0, "2027-02-01T00:00:00Z"),
           ("acme/web", "pulled", "30-180 days", 1, 1, 0, 0, 0, 0, "2026-03-01T00:00:00Z")])
