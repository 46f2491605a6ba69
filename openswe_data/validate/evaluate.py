"""Grading candidate patches in environment images: the harness a downstream user scores a model with.

Input: validated records (from a workspace or a release folder) and predictions (SWE-bench's
``instance_id``/``model_patch``/``model_name_or_path``). Output: one ``Grade`` per prediction and a report
with a per-instance line and a summary. An instance is resolved when every FAIL_TO_PASS and
PASS_TO_PASS test passes with the patch applied — SWE-bench's criterion — using the record's own eval
script in its own image, with the same limits and no network as validation.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from openswe_data import progress
from openswe_data.curate.grading import Grade
from openswe_data.errors import ValidateError
from openswe_data.execute.images import ensure_local
from openswe_data.records import ValidatedRecord
from openswe_data import toolchains
from openswe_data.toolchains.python.pytest_results import OK_STATUSES as OK
from openswe_data.validate.predictions import PredictionReject, read_predictions  # noqa: F401 - the API
from openswe_data.validate.runner import Limits, run_eval


class DockerGrader:
    """Runs the record's eval script in its image with the candidate patch applied (the curate seam)."""

    def __init__(self, limits: Limits = Limits()) -> None:
        self.limits = limits

    def grade(self, record: ValidatedRecord, patch: str) -> Grade:
        if not patch.strip():
            return Grade(resolved=False, reason="empty_patch")
        ensure_local(record.image_name, record.image_digest)  # on a cluster: pulled by digest from the registry
        result = run_eval(record.image_name, patch=patch if patch.endswith("\n") else patch + "\n",
                          limits=self.limits, instance_id=record.instance_id, eval_script=record.eval_script or None)
        if result.patch_failed:
            return Grade(resolved=False, reason="patch_does_not_apply", log=result.log)
        if result.timed_out:
            return Grade(resolved=False, reason="timeout", log=result.log)
        if result.oom_killed:
            return Grade(resolved=False, reason="oom", log=result.log)
        run = toolchains.parser(record.log_parser or "pytest")(result, record.test_files)
        if not run.tests:
            return Grade(resolved=False, reason="tests_did_not_run", log=result.log)
        wanted = list(record.FAIL_TO_PASS) + list(record.PASS_TO_PASS)
        failing = [t for t in wanted if run.tests.get(t) not in OK]
        if failing:
            return Grade(resolved=False, reason="tests_failed", tests=run.tests, log=result.log)
        return Grade(resolved=True, tests=run.tests, log=result.log)


@dataclass
class InstanceResult:
    instance_id: str
    model: str
    resolved: bool
    reason: str
    failing: list[str] = field(default_factory=list)


@dataclass
class EvaluationReport:
    results: list[InstanceResult]
    missing_instances: list[str]
    rejected: list[PredictionReject] = field(default_factory=list)
    """Rows of the predictions file that could not be read (each with its location and reason)."""

    def summary(self) -> dict[str, object]:
        n = len(self.results)
        resolved = sum(r.resolved for r in self.results)
        reasons: dict[str, int] = {}
        for r in self.results:
            if not r.resolved:
                reasons[r.reason] = reasons.get(r.reason, 0) + 1
        return {"submitted": n, "resolved": resolved, "resolved_rate": resolved / n if n else 0.0,
                "unresolved_reasons": reasons, "unknown_instances": self.missing_instances,
                "rejected": len(self.rejected)}

    def to_json(self) -> str:
        return json.dumps({"summary": self.summary(), "instances": [asdict(r) for r in self.results],
                           "rejected": [asdict(r) for r in self.rejected]}, indent=2)


def load_records(source: Path) -> dict[str, ValidatedRecord]:
    """Valid records from a workspace folder or a release folder (``data/environments/*.parquet``)."""
    from openswe_data.records import read_parquet
    from openswe_data.store import Workspace

    if (source / "workspace.json").exists():
        return {r.instance_id: r for r in Workspace(source).stage("records") if r.verdict == "valid"}
    files = sorted((source / "data" / "environments").glob("*.parquet"))
    if not files:
        raise ValidateError(f"{source} is neither a workspace nor a release folder with data/environments/")
    return {r.instance_id: r for f in files for r in read_parquet(f, ValidatedRecord)}


def evaluate(records: dict[str, ValidatedRecord], predictions: Iterable[dict], *, grader: DockerGrader | None = None,
             workers: int = 0, rejected: Iterable[PredictionReject] = ()) -> EvaluationReport:
    """Grades each prediction whose instance is in ``records``; ``rejected`` (the reader's bad rows) is
    carried into the report."""
    from openswe_data.execute import get_executor

    grader = grader or DockerGrader()
    known, missing = [], []
    for p in predictions:
        (known if p["instance_id"] in records else missing).append(p)

    def one(p: dict) -> Grade:
        return grader.grade(records[p["instance_id"]], p.get("model_patch") or "")

    def outcome(p: dict, grade: Grade | BaseException) -> tuple[bool, str, object]:
        return not isinstance(grade, BaseException), "grader_error", None

    results = []
    pairs = get_executor(workers).map(one, known)
    for p, grade in progress.over("evaluate", pairs, len(known), name=lambda p: p["instance_id"], outcome=outcome):
        if isinstance(grade, BaseException):
            grade = Grade(resolved=False, reason=f"grader_error: {type(grade).__name__}: {grade}")
        rec = records[p["instance_id"]]
        failing = sorted(t for t in rec.FAIL_TO_PASS + rec.PASS_TO_PASS if grade.tests and grade.tests.get(t) not in OK)
        results.append(InstanceResult(p["instance_id"], p.get("model_name_or_path", ""), grade.resolved,
                                      grade.reason, failing))
    results.sort(key=lambda r: (r.instance_id, r.model))
    return EvaluationReport(results, sorted(p["instance_id"] for p in missing), list(rejected))
