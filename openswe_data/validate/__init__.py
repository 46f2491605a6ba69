"""Validate stage: environments -> validated records.

Input: the workspace's built ``environments`` and their ``tasks``. Output: a ``Validation`` per
environment in ``validations`` and the joined ``ValidatedRecord`` in ``records`` (valid, or invalid with
a reason); environments that failed to build get an invalid record carrying the build's reason, so every
task ends somewhere with a reason. Already-validated instances are skipped (resume).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from openswe_data import progress
from openswe_data.records import Environment, Task, Validation, ValidatedRecord
from openswe_data.store import Workspace
from openswe_data.validate.instance import ValidateOptions, join_record, validate_environment
from openswe_data.validate.runner import Limits

__all__ = ["Limits", "ValidateOptions", "ValidateSummary", "validate_environments", "validate_environment"]


@dataclass
class ValidateSummary:
    valid: int = 0
    invalid: int = 0
    skipped: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


def _current(record: ValidatedRecord | None, env: Environment, validated: set[str]) -> bool:
    """Whether ``record`` is the validation of ``env`` as it is now (resume skips it).

    A record of an older image (the environment was rebuilt or repaired since), of an earlier build
    failure, or one that ended in ``internal_error`` (the engine failed, not the instance) is redone.
    """
    if record is None or env.instance_id not in validated or record.reason == "internal_error":
        return False
    if env.status != "built":
        return record.reason == env.reason
    return record.image_digest == env.image_digest


def validate_environments(workspace: Workspace, *, ids: Iterable[str] | None = None, workers: int = 0,
                          options: ValidateOptions | None = None, force: bool = False) -> ValidateSummary:
    from openswe_data.execute import get_executor
    from openswe_data.execute.images import ensure_local

    options = options or ValidateOptions()
    tasks = {t.instance_id: t for t in workspace.stage("tasks", Task)}
    envs_stage = workspace.stage("environments", Environment)
    vals = workspace.stage("validations", Validation)
    records = workspace.stage("records", ValidatedRecord)
    wanted = set(ids) if ids is not None else None
    validated = vals.done()
    previous = {r.instance_id: r for r in records}
    summary = ValidateSummary()
    todo: list[Environment] = []
    carried: list[tuple[Environment, str, str | None]] = []
    for env in envs_stage:
        if wanted is not None and env.instance_id not in wanted:
            continue
        if env.instance_id not in tasks or (not force and _current(previous.get(env.instance_id), env, validated)):
            summary.skipped += 1
            continue
        if env.status != "built":
            v = Validation(instance_id=env.instance_id, verdict="invalid", reason=env.reason, log_path=env.log_path)
            vals.put(v)
            records.put(join_record(tasks[env.instance_id], env, v))
            summary.invalid += 1
            summary.reasons[env.reason] = summary.reasons.get(env.reason, 0) + 1
            carried.append((env, env.reason, env.log_path))
            continue
        todo.append(env)

    def one(env: Environment) -> tuple[Validation, ValidatedRecord]:
        ensure_local(env.image_name, env.image_digest)  # on a cluster: pulled by digest from the registry
        earlier = Path(env.log_path).parent if env.log_path and not force else None  # the loop's probe
        return validate_environment(env, tasks[env.instance_id], log_dir=vals.log_dir(env.instance_id),
                                    options=options, earlier=earlier)

    def outcome(env: Environment, result: object) -> tuple[bool, str, object]:
        v = None if isinstance(result, BaseException) else result[0]  # type: ignore[index]
        return (v is not None and v.verdict == "valid", v.reason if v else "internal_error",
                vals.log_dir(env.instance_id))

    def store(env: Environment, result: object) -> None:
        if isinstance(result, BaseException):
            v = Validation(instance_id=env.instance_id, verdict="invalid", reason="internal_error",
                           log_before=f"{type(result).__name__}: {result}")
            rec = join_record(tasks[env.instance_id], env, v)
        else:
            v, rec = result  # type: ignore[misc]
        vals.put(v)
        records.put(rec)
        if v.verdict == "valid":
            summary.valid += 1
        else:
            summary.invalid += 1
            summary.reasons[v.reason] = summary.reasons.get(v.reason, 0) + 1

    # A run raises only when the engine failed (a daemon restart, a dropped socket): such instances are
    # infrastructure failures, retried once the engine answers again; completed ones are stored as they come.
    retries = options.infra_retries
    pending = todo
    for attempt in range(retries + 1):
        failed = []
        pairs = get_executor(workers).map(one, pending)
        shown = progress.over("validate", pairs, len(pending), outcome=outcome,
                              failed_before=carried if attempt == 0 else [])
        for env, result in shown:
            if isinstance(result, BaseException) and attempt < retries:
                failed.append(env)
                continue
            store(env, result)
        if not failed:
            break
        from openswe_data import engine

        engine.wait_until_available(options.infra_wait_seconds)
        pending = failed
    return summary
