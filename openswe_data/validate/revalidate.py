"""Re-validation over time (bit-rot): published environments, later -> ``Drift`` records.

Input: a workspace or a published release folder (its valid records). For each record, two images are
validated again, each side run k times (the same gates as validation): the environment **rebuilt** from its
own Dockerfile in a fresh context without any build cache, and the published image **pulled** by digest (a
registry's ``name@sha256:...``, else the local image with that id). Output: one ``Drift`` per record and
image source in the ``drift`` stage of the workspace given — same or changed FAIL_TO_PASS / PASS_TO_PASS,
tests the runner no longer reports, tests that no longer pass with the gold patch, or a build that no longer
works — and a summary. The report's "Drift" section reads them by repository and age.

Why both images: a rebuild shows what the recipe gives today (a dependency that moved, a wheel that
vanished); the pulled image shows whether the artifact users grade with still behaves as recorded.
Nothing here replaces a record: drift is a separate, dated observation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from openswe_data.records import Drift, Environment, Task, ValidatedRecord
from openswe_data.store import Workspace
from openswe_data.validate.instance import ValidateOptions, now, validate_environment
from openswe_data.validate.runner import Limits


@dataclass
class RevalidateOptions:
    k: int = 3
    """Runs per side; a test counts as passing (failing) only when it does so in all k."""
    rebuild: bool = True
    """Rebuild each environment from its Dockerfile without cache (needs the task's repository)."""
    pull: bool = True
    """Validate the published image, pulled by digest."""
    limits: Limits = Limits()
    ids: list[str] | None = None
    """Only these instances (default: every valid record)."""
    repo_roots: dict[str, str] = field(default_factory=dict)
    """``owner/name`` -> a local clone, for rebuilding a release's environments (a release names no
    clone URL: without an entry the rebuild fetches from GitHub)."""


@dataclass
class RevalidateSummary:
    checked: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    drifted: list[str] = field(default_factory=list)
    """``instance_id (source): what changed`` for each record that no longer behaves as recorded."""

    def describe(self) -> str:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(self.by_status.items())) or "nothing checked"
        return f"re-validated {self.checked} image(s): {counts}"


def _age_days(validated_at: str, checked_at: str) -> float | None:
    try:
        a = dt.datetime.fromisoformat(validated_at.replace("Z", "+00:00"))
        b = dt.datetime.fromisoformat(checked_at.replace("Z", "+00:00"))
    except ValueError:
        return None
    return round((b - a).total_seconds() / 86400, 3)


def task_of(record: ValidatedRecord) -> Task:
    """The task behind a published record (a release carries every field a rebuild and a run need)."""
    return Task(instance_id=record.instance_id, repo=record.repo, base_commit=record.base_commit,
                patch=record.patch, test_patch=record.test_patch, problem_statement=record.problem_statement,
                pull_number=record.pull_number, created_at=record.created_at,
                environment_setup_commit=record.environment_setup_commit, test_files=list(record.test_files))


def compare(record: ValidatedRecord, source: str, image: str, validation, checked_at: str, runs: int) -> Drift:  # noqa: ANN001
    """What changed between the record and a new validation of ``image``."""
    recorded = set(record.FAIL_TO_PASS) | set(record.PASS_TO_PASS)
    reported = set(validation.tests_after or {})
    lost = sorted(recorded - reported)
    # reported but no longer a FAIL_TO_PASS or PASS_TO_PASS test: it stopped passing (reliably) with the fix
    new_failures = sorted((recorded & reported) - set(validation.FAIL_TO_PASS) - set(validation.PASS_TO_PASS))
    same_f2p = sorted(validation.FAIL_TO_PASS) == sorted(record.FAIL_TO_PASS)
    same_p2p = sorted(validation.PASS_TO_PASS) == sorted(record.PASS_TO_PASS)
    status = "same" if same_f2p and same_p2p and validation.verdict == "valid" else "drift"
    detail = "" if status == "same" else "; ".join(filter(None, [
        "" if same_f2p else f"FAIL_TO_PASS {len(record.FAIL_TO_PASS)} -> {len(validation.FAIL_TO_PASS)}",
        "" if same_p2p else f"PASS_TO_PASS {len(record.PASS_TO_PASS)} -> {len(validation.PASS_TO_PASS)}",
        f"lost {lost[:3]}" if lost else "", f"now failing {new_failures[:3]}" if new_failures else "",
        f"verdict {validation.verdict} ({validation.reason})" if validation.verdict != "valid" else ""]))
    return Drift(instance_id=record.instance_id, image_source=source, checked_at=checked_at, repo=record.repo,
                 status=status, image=image, validated_at=record.validated_at,
                 age_days=_age_days(record.validated_at, checked_at), runs=runs, same_fail_to_pass=same_f2p,
                 same_pass_to_pass=same_p2p, lost_tests=lost, new_failures=new_failures,
                 FAIL_TO_PASS=list(validation.FAIL_TO_PASS), PASS_TO_PASS=list(validation.PASS_TO_PASS),
                 verdict=validation.verdict, reason=validation.reason, detail=detail, log_path=validation.log_path)


def pulled_image(record: ValidatedRecord) -> tuple[str | None, str]:
    """``(reference, detail)`` of the published image by digest: pulled from its registry when the record
    names one, else the local image with that id; ``(None, why)`` when neither exists."""
    from openswe_data import engine
    from openswe_data.publish.schemas import pullable

    client = engine.client()
    reference = pullable(record.image_name, record.image_digest)
    if "@sha256:" in reference:
        try:
            client.images.pull(reference)
            return reference, ""
        except Exception as exc:  # noqa: BLE001 - any pull failure is recorded as a missing image
            why = f"pull {reference} failed: {str(exc)[:200]}"
    else:
        why = f"{record.image_name} names no registry"
    if record.image_digest:
        try:
            client.images.get(record.image_digest)
            return record.image_digest, ""
        except Exception:  # noqa: BLE001
            why += f"; no local image {record.image_digest[:19]}"
    return None, why


def revalidate(source: str | Path, workspace: Workspace, options: RevalidateOptions | None = None,
               say=print) -> RevalidateSummary:  # noqa: ANN001
    """Re-validate the valid records of ``source`` (a workspace or release folder) into ``workspace``."""
    from openswe_data.validate.evaluate import load_records

    options = options or RevalidateOptions()
    source = Path(source)
    records = load_records(source)
    if options.ids:
        records = {i: r for i, r in records.items() if i in set(options.ids)}
    source_ws = Workspace(source) if (source / "workspace.json").exists() else None
    tasks = {t.instance_id: t for t in source_ws.stage("tasks", Task)} if source_ws else {}
    # the build recipe (a rule's or an agent's repair) lives with the environment; a release does not carry
    # it, so a release's rebuild uses the default recipe and a repaired build may fail to rebuild
    built = {e.instance_id: e for e in source_ws.stage("environments", Environment)} if source_ws else {}
    stage = workspace.stage("drift", Drift)
    summary = RevalidateSummary()
    checked_at = now()
    validate = ValidateOptions(k=options.k, reruns=max(options.k - 1, 0), limits=options.limits)
    for iid, record in sorted(records.items()):
        task = tasks.get(iid) or task_of(record)
        if record.repo in options.repo_roots:
            task = task.replace(repo_url=str(Path(options.repo_roots[record.repo]).resolve()))
        env = Environment(instance_id=iid, status="built", image_name=record.image_name,
                          eval_script=record.eval_script, test_files=list(record.test_files),
                          log_parser=record.log_parser, dockerfile=record.dockerfile)
        for kind, image, why in _images(record, built.get(iid), task, source_ws or workspace, options, checked_at):
            log_dir = stage.log_dir(f"{iid}~{kind}~{checked_at.replace(':', '')}")
            if image is None:
                drift = Drift(instance_id=iid, image_source=kind, checked_at=checked_at, repo=record.repo,
                              status="build_failed" if kind == "rebuilt" else "image_missing",
                              validated_at=record.validated_at, age_days=_age_days(record.validated_at, checked_at),
                              detail=why[:2000], log_path=str(log_dir))
            else:
                validation, _ = validate_environment(env.replace(image_name=image), task, log_dir=log_dir,
                                                     options=validate)
                drift = compare(record, kind, image, validation, checked_at, validate.runs_per_side)
            stage.put(drift)
            summary.checked += 1
            summary.by_status[drift.status] = summary.by_status.get(drift.status, 0) + 1
            if drift.status != "same":
                summary.drifted.append(f"{iid} ({kind}): {drift.status} {drift.detail}".strip())
            say(f"  {iid} {kind}: {drift.status} {drift.detail}".rstrip())
    return summary


def _images(record: ValidatedRecord, original: Environment | None, task: Task, ws: Workspace,  # noqa: ANN202
            options: RevalidateOptions, stamp: str):
    """``(source, image or None, why not)`` for each image to validate."""
    if options.rebuild:
        from openswe_data.build.environment import rebuild_image
        from openswe_data.build.images import BuildFailure
        from openswe_data.build.repo_cache import RepoCache

        repo = record.image_name.rsplit(":", 1)[0] if record.image_name else f"openswe/env.{record.instance_id}"
        tag = f"{repo}:revalidate-{stamp.replace(':', '').replace('-', '').lower()}"
        log_dir = ws.stage("drift", Drift).log_dir(f"{record.instance_id}~rebuilt~{stamp.replace(':', '')}")
        try:
            env = Environment(instance_id=record.instance_id, status="built", dockerfile=record.dockerfile,
                              eval_script=record.eval_script, recipe=original.recipe if original else {})
            built = rebuild_image(task, env,
                                  cache=RepoCache(ws.path / "cache" / "repos"), work=ws.path / "cache" / "contexts",
                                  tag=tag, log_path=log_dir / "rebuild.log")
        except Exception as exc:  # noqa: BLE001 - a rebuild that cannot even start is a failed rebuild, recorded
            built = BuildFailure("build_failed", "", 0.0, f"{type(exc).__name__}: {exc}")
        if isinstance(built, BuildFailure):
            yield "rebuilt", None, f"{built.reason}: {built.detail}"
        else:
            yield "rebuilt", built.tag, ""
    if options.pull:
        image, why = pulled_image(record)
        yield "pulled", image, why
