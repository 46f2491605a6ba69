"""Ungraded attempts -> graded ones, through a :class:`Grader` (the seam for running eval scripts).

Input: attempts with ``resolved`` unset (imported without a harness report), the workspace's ``records``
stage (the validated instances, with their eval scripts and images). Output: the same attempts with
``resolved`` and ``reason`` set, written back to the ``attempts`` stage one by one (atomic per attempt, so
an interrupted grading run resumes where it stopped).

This module never runs Docker itself: a grader does. ``openswe evaluate`` plugs in the grader that runs
the instance's eval script in its image; :class:`PatchMatchGrader` here is the cheap, engine-free one
(resolved iff the candidate patch is the gold patch up to formatting), useful as an exact-match floor.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from openswe_data import progress
from openswe_data.records import Attempt, ValidatedRecord
from openswe_data.store import Workspace


@dataclass
class Grade:
    """The verdict on one candidate patch."""

    resolved: bool
    reason: str = ""
    """Machine-readable why-not when unresolved (``patch_failed``, ``tests_failed``, ``timeout``, ...)."""
    tests: dict[str, str] = field(default_factory=dict)
    """Test name -> status (``PASSED``, ``FAILED``, ...), as the eval script's parser reports them."""
    log: str = ""


@runtime_checkable
class Grader(Protocol):
    """Anything that can tell whether ``patch`` resolves ``record``'s instance."""

    def grade(self, record: ValidatedRecord, patch: str) -> Grade: ...


class PatchMatchGrader:
    """Resolved iff the candidate patch equals the gold patch after normalization (no engine needed)."""

    def grade(self, record: ValidatedRecord, patch: str) -> Grade:
        from openswe_data.curate.cleaning import normalized_patch

        if not patch.strip():
            return Grade(resolved=False, reason="empty_patch")
        same = normalized_patch(patch) == normalized_patch(record.patch)
        return Grade(resolved=same, reason="" if same else "differs_from_gold")


@dataclass
class GradingSummary:
    graded: int = 0
    resolved: int = 0
    skipped_unknown_instance: int = 0
    errors: list[str] = field(default_factory=list)


def grade_attempts(workspace: Workspace, grader: Grader, *, regrade: bool = False, limit: int | None = None,
                   workers: int = 0) -> GradingSummary:
    """Grade every ungraded attempt (every attempt with ``regrade``) with ``grader``.

    An attempt whose instance is not in the ``records`` stage is skipped (there is no eval script to run).
    A grader that raises for one attempt records ``resolved=False, reason='grader_error: ...'`` for it and
    the batch goes on. Gradings run through the configured executor (``workers`` at once, 0: from cores and
    memory; on Ray, as tasks); attempts are read in batches as workers free up, so patches never all sit in
    memory.
    """
    import pyarrow.compute as pc

    from openswe_data.curate.table import columns, joined_keys
    from openswe_data.execute import get_executor

    records = {r.instance_id: r for r in workspace.stage("records")}
    stage = workspace.stage("attempts")
    table = columns(stage, ["resolved"])
    if not regrade:
        table = table.filter(pc.is_null(table.column("resolved")))
    if limit is not None:
        table = table.slice(0, limit)
    summary = GradingSummary()
    if table.num_rows == 0:
        return summary
    full = columns(stage, [n for n in Attempt.field_names() if n not in Attempt.KEY],
                   where_keys=joined_keys(table, list(Attempt.KEY)))

    def known() -> Iterator[Attempt]:
        for batch in full.to_batches(max_chunksize=256):
            for row in batch.to_pylist():
                attempt = Attempt.from_dict(row)
                if attempt.instance_id in records:
                    yield attempt
                else:
                    summary.skipped_unknown_instance += 1

    def one(attempt: Attempt) -> Grade:
        return grader.grade(records[attempt.instance_id], attempt.patch)

    def outcome(attempt: Attempt, grade: Grade | BaseException) -> tuple[bool, str, object]:
        return not isinstance(grade, BaseException), "grader_error", None

    pairs = get_executor(workers).map(one, known())
    for attempt, grade in progress.over("curate grade", pairs, table.num_rows, name=Attempt.key, outcome=outcome):
        if isinstance(grade, BaseException):  # one bad grading never stops the batch
            grade = Grade(resolved=False, reason=f"grader_error: {type(grade).__name__}: {grade}"[:500])
            summary.errors.append(f"{attempt.key()}: {grade.reason}")
        stage.put(attempt.replace(resolved=grade.resolved, reason=grade.reason))
        summary.graded += 1
        summary.resolved += grade.resolved
    return summary



