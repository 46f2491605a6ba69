"""Build stage: tasks -> environments.

Input: the workspace's ``tasks``. Output: one ``Environment`` per task in ``environments`` (built, or
failed with a reason), full build logs under ``logs/environments/<id>/``. Already-built instances are
skipped (resume); images are keyed by a content hash, so a rebuild of an unchanged context is free.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from openswe_data import progress
from openswe_data.build.environment import BuildOptions, build_environment
from openswe_data.build.repair import Repairer
from openswe_data.records import Environment, Task
from openswe_data.settings import Settings
from openswe_data.store import Workspace

__all__ = ["BuildOptions", "BuildSummary", "build_environments", "build_environment"]


@dataclass
class BuildSummary:
    built: int = 0
    failed: int = 0
    skipped: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


def build_environments(workspace: Workspace, *, ids: Iterable[str] | None = None, workers: int = 0,
                       options: BuildOptions | None = None, repairer: Repairer | None = None,
                       settings: Settings | None = None, retry_failed: bool = False) -> BuildSummary:
    """Build an environment for every task not yet built (or only ``ids``)."""
    from openswe_data.build.repo_cache import RepoCache
    from openswe_data.execute import get_executor
    from openswe_data.execute.images import share

    tasks_stage = workspace.stage("tasks", Task)
    envs = workspace.stage("environments", Environment)
    wanted = set(ids) if ids is not None else None
    tasks = [t for t in tasks_stage if wanted is None or t.instance_id in wanted]
    done = {e.instance_id: e for e in envs}
    summary = BuildSummary()
    todo = []
    for t in tasks:
        prev = done.get(t.instance_id)
        retry = prev is not None and prev.status != "built" and (retry_failed or prev.reason == "internal_error")
        if prev is not None and not retry and not (options and options.force):
            summary.skipped += 1
        else:
            todo.append(t)
    cache = RepoCache(workspace.path / "cache" / "repos")
    work = workspace.path / "cache" / "contexts"

    def one(task: Task) -> Environment:
        return share(build_environment(task, cache=cache, work=work, log_dir=envs.log_dir(task.instance_id),
                                       settings=settings, options=options, repairer=repairer))  # cluster: push

    def outcome(task: Task, env: Environment | BaseException) -> tuple[bool, str, object]:
        failed = isinstance(env, BaseException) or env.status != "built"
        return not failed, getattr(env, "reason", "internal_error"), envs.log_dir(task.instance_id)

    pairs = get_executor(workers).map(one, todo)
    for task, result in progress.over("build", pairs, len(todo), outcome=outcome):
        if isinstance(result, BaseException):
            result = Environment(instance_id=task.instance_id, status="failed", reason="internal_error",
                                 build_log=f"{type(result).__name__}: {result}")
        envs.put(result)
        if result.status == "built":
            summary.built += 1
        else:
            summary.failed += 1
            summary.reasons[result.reason] = summary.reasons.get(result.reason, 0) + 1
    return summary
