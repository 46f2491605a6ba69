"""The closed loop's reports, on a tiny hand-checked workspace: rules fired and rescues, what stayed
undiagnosed, and invalid records by fault."""

from __future__ import annotations

import pytest

from openswe_data.analyze import run_report
from openswe_data.records import BuildAttempt, ValidatedRecord
from openswe_data.store import Workspace


@pytest.fixture()
def ws(tmp_path):
    ws = Workspace(tmp_path / "ws", create=True)
    attempts = ws.stage("build_attempts")
    rows = [  # instance, attempt, stage, outcome, reason, fault, rule
        ("a__x-1", 1, "build", "failed", "install_failed", "environment", "missing-c-header"),
        ("a__x-1", 2, "validate", "valid", "", "", ""),
        ("a__x-2", 1, "validate", "invalid", "import_error", "environment", "test-dependency-missing"),
        ("a__x-2", 2, "validate", "invalid", "import_error", "environment", "missing-c-header"),
        ("a__x-2", 3, "validate", "invalid", "collection_error", "environment", ""),
        ("b__y-1", 1, "validate", "invalid", "no_fail_to_pass", "task", ""),
        ("b__y-2", 1, "build", "failed", "install_failed", "environment", ""),
        ("b__y-3", 1, "validate", "valid", "", "", ""),
    ]
    for iid, n, stage, outcome, reason, fault, rule in rows:
        attempts.put(BuildAttempt(instance_id=iid, attempt=n, stage=stage, outcome=outcome, reason=reason,
                                  fault=fault, rule=rule, diagnosis=rule.replace("-", "_")))
    records = ws.stage("records")
    for iid, reason, fault in (("a__x-2", "collection_error", "environment"), ("b__y-1", "no_fail_to_pass", "task"),
                               ("b__y-2", "install_failed", "environment"), ("b__y-4", "no_fail_to_pass", "task")):
        records.put(ValidatedRecord(instance_id=iid, repo="r/r", base_commit="c", patch="", test_patch="",
                                    problem_statement="", verdict="invalid", reason=reason, fault=fault))
    return ws


def rows(name, ws):
    return [tuple(r) for r in run_report(name, ws.path, as_pandas=True).itertuples(index=False)]


def test_rules_are_counted_by_attempts_instances_and_rescues(ws):
    assert rows("build_rules", ws) == [
        ("missing-c-header", "missing_c_header", 2, 2, 1),
        ("test-dependency-missing", "test_dependency_missing", 1, 1, 0),
    ]


def test_undiagnosed_failures_are_the_last_attempts_no_rule_fired_on(ws):
    assert rows("build_undiagnosed", ws) == [
        ("build", "install_failed", "environment", 1, "b__y-2"),
        ("validate", "collection_error", "environment", 1, "a__x-2"),
        ("validate", "no_fail_to_pass", "task", 1, "b__y-1"),
    ]


def test_invalid_records_are_split_by_fault(ws):
    got = rows("failure_faults", ws)
    assert [(f, r, n) for f, r, n, _ in got] == [
        ("task", "no_fail_to_pass", 2), ("environment", "collection_error", 1), ("environment", "install_failed", 1)]
    assert got[0][3] == pytest.approx(0.5)
