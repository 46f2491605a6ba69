"""Environmental replays over a workspace: the gold change of every valid record, and graded attempts.

Input: a run's shared state (``run._Run``): valid ``records`` with images, graded ``attempts`` with a
patch. Output: ``AgentTrajectory`` results of kind ``environmental`` (``<id>.gold``, ``<id>.replay-a<n>``)
or a ``replay_failed`` reject naming what went wrong. Each replay runs in its own container of the
record's image (``sample.environment.DockerEnvironment``: no network, validation's limits, always
removed) and is stored the moment it ends. Without a Docker engine the step is skipped with a note and
nothing is rejected, so the next run does it.

Which attempts: per instance, the first ``replays_per_label`` resolved and the first unresolved ones (by
attempt index) — what the verifier's success / failure pairs need, at no LLM cost.
"""

from __future__ import annotations

from typing import Any

from openswe_data.records import Attempt, ValidatedRecord
from openswe_data.trajectories import make


def chosen_attempts(attempts: list[Attempt], per_label: int) -> list[Attempt]:
    """The attempts to replay: graded, with a patch, ``per_label`` of each outcome, lowest index first."""
    out: list[Attempt] = []
    for outcome in (True, False):
        side = sorted((a for a in attempts if a.resolved is outcome and a.patch.strip()), key=lambda a: a.attempt_index)
        out.extend(side[:per_label])
    return sorted(out, key=lambda a: a.attempt_index)


def replay_all(run: Any) -> None:
    from openswe_data import engine

    records = sorted((r for r in run.ws.stage("records", ValidatedRecord) if r.verdict == "valid" and r.image_name),
                     key=lambda r: r.instance_id)
    if not records:
        return
    if not engine.available():
        run.summary.notes.append("environmental: skipped, no Docker engine answers (re-run when one does)")
        return
    attempts: dict[str, list[Attempt]] = {}
    if run.opts.replays_per_label > 0:
        for a in run.ws.stage("attempts", Attempt):
            attempts.setdefault(a.instance_id, []).append(a)
    for record in records:
        jobs: list[tuple[str, Attempt | None]] = [(make.gold_id(record.instance_id), None)]
        jobs += [(make.replay_id(record.instance_id, a.attempt_index), a)
                 for a in chosen_attempts(attempts.get(record.instance_id, []), run.opts.replays_per_label)]
        for tid, attempt in jobs:
            if run.skip(tid) or run.excluded(tid, record.instance_id, record.created_at, record.repo):
                continue
            one(run, record, tid, attempt)


def one(run: Any, record: ValidatedRecord, tid: str, attempt: Attempt | None) -> None:
    """Replay one change and store the trajectory (or a ``replay_failed`` reject)."""
    from openswe_data.sample.environment import DockerEnvironment
    from openswe_data.trajectories.environmental import replay

    try:
        with DockerEnvironment(record.image_name, instance_id=record.instance_id) as env:
            result = replay(record, env, patch=None if attempt is None else attempt.patch,
                            run_tests=attempt is None, recipes_path=run.opts.recipes)
    except Exception as exc:  # noqa: BLE001 - one failed replay is a reject; the batch goes on
        run.writer.reject(tid, "replay_failed", f"{type(exc).__name__}: {exc}", repo=record.repo)
        run.writer.flush()
        return
    resolved = (result.exit_after == 0) if attempt is None else attempt.resolved
    t = make.environmental(record, result.messages, run.tokenizer, resolved=resolved,
                           attempt_index=None if attempt is None else attempt.attempt_index)
    run.keep(t, now=True)
    run.writer.flush()
