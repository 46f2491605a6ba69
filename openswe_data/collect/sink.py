"""Where collected items land: ``PullRequest`` records in ``prs``, ``Task`` records and rejects in ``tasks``.

Input: normalized pull requests (or ready tasks) one at a time -> stored results, a funnel, resume.
Two write modes share one code path: per item (``Stage.put``/``Stage.reject``: the live crawler, where
each item is expensive and must survive a crash) and bulk (``put_many``: one Parquet part per batch for
imports of 100k lines). Resume is exact in both: an item is skipped only when its task or reject is stored,
and bulk batches flush the ``prs`` part before the ``tasks`` part, so a crash loses at most one batch of
work, which the re-run redoes (reads de-duplicate by key, so nothing is stored twice).
"""

from __future__ import annotations

from typing import Any

from openswe_data.collect.config import CollectConfig
from openswe_data.collect.filters import Deduper, Drop, judge
from openswe_data.collect.funnel import Funnel
from openswe_data.collect.normalize import make_task
from openswe_data.records import PullRequest, Reject, Task
from openswe_data.store import Workspace


class Sink:
    """Judges and stores items for one collect run; use as a context manager so the last batch is flushed."""

    def __init__(self, workspace: Workspace, config: CollectConfig, funnel: Funnel, *, bulk: bool) -> None:
        self.workspace = workspace
        self.config = config
        self.funnel = funnel
        self.bulk = bulk
        self.prs = workspace.stage("prs")
        self.tasks = workspace.stage("tasks")
        self.done: set[str] = self.tasks.done()
        self.dedupe = Deduper.from_stage(self.tasks) if config.reject_duplicates else None
        self._prs: list[PullRequest] = []
        self._tasks: list[Task] = []
        self._rejects: list[Reject] = []

    def __enter__(self) -> Sink:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.flush()

    # -- asking ---------------------------------------------------------------------------------------
    def is_done(self, item_id: str) -> bool:
        """True (and counted as ``already_done``) when a stored task or reject exists for ``item_id``."""
        if item_id in self.done:
            self.funnel.already_done += 1
            return True
        return False

    # -- adding ---------------------------------------------------------------------------------------
    def add_pr(self, pr: PullRequest, *, counted: bool = False, problem: str | None = None) -> str:
        """Judge and store one pull request; returns ``"task"`` or the drop reason.

        ``counted``: the caller already counted it as seen and checked it is not done (the crawler does,
        before spending requests on it). ``problem``: the task's problem statement when no linked issue
        gives one (commits mined from history).
        """
        if not counted:
            self.funnel.seen += 1
            if self.is_done(pr.instance_id):
                return "already_done"
        split, drop = judge(pr, self.config)
        task = make_task(pr, split, problem=problem) if split is not None and drop is None else None
        if task is not None and self.dedupe is not None:
            drop = self.dedupe.check(task.instance_id, task.patch, task.test_patch)
        self._store_pr(pr)
        if drop is not None:
            self.reject(pr.instance_id, drop, source=pr.source, repo=pr.repo)
            return drop.reason
        assert task is not None
        self._store_task(task)
        return "task"

    def add_task(self, task: Task) -> str:
        """Store a ready task (SWE-bench import) after the exclusion and duplicate checks."""
        self.funnel.seen += 1
        if self.is_done(task.instance_id):
            return "already_done"
        drop = None
        if task.instance_id in self.config.exclude_instance_ids or task.repo in self.config.exclude_repos:
            drop = Drop("excluded", f"{task.instance_id} is on the exclusion list")
        elif self.dedupe is not None:
            drop = self.dedupe.check(task.instance_id, task.patch, task.test_patch)
        if drop is not None:
            self.reject(task.instance_id, drop, source=task.source, repo=task.repo)
            return drop.reason
        self._store_task(task)
        return "task"

    def reject(self, item_id: str, drop: Drop, *, source: str = "", repo: str = "", count: bool = True) -> None:
        """Record a drop (``count=False`` for items the caller already counted as seen elsewhere)."""
        if count:
            self.funnel.drop(drop.reason)
        self.done.add(item_id)
        if self.bulk:
            self._rejects.append(Reject(item_id=item_id, stage="tasks", reason=drop.reason, detail=drop.detail,
                                        source=source, repo=repo))
            self._maybe_flush()
        else:
            self.tasks.reject(item_id, drop.reason, drop.detail, source=source, repo=repo)

    def _store_pr(self, pr: PullRequest) -> None:
        if self.bulk:
            self._prs.append(pr)
        else:
            self.prs.put(pr)

    def _store_task(self, task: Task) -> None:
        self.funnel.tasks += 1
        self.done.add(task.instance_id)
        if self.bulk:
            self._tasks.append(task)
            self._maybe_flush()
        else:
            self.tasks.put(task)

    # -- flushing -------------------------------------------------------------------------------------
    def _maybe_flush(self) -> None:
        if len(self._prs) + len(self._tasks) + len(self._rejects) >= self.config.batch_size:
            self.flush()

    def flush(self) -> None:
        """Write buffered records: ``prs`` first, then rejects and tasks (what resume reads)."""
        if self._prs:
            self.prs.put_many(self._prs, batch_size=self.config.batch_size)
        if self._rejects:
            self.tasks.rejects.put_many(self._rejects, batch_size=self.config.batch_size)
        if self._tasks:
            self.tasks.put_many(self._tasks, batch_size=self.config.batch_size)
        self._prs, self._tasks, self._rejects = [], [], []
