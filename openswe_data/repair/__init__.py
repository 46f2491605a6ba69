"""Diagnose and repair: the closed build loop over a workspace (tasks -> environments, with every attempt).

Input: the workspace's ``tasks``. Output: ``environments`` (the last attempt of each task, which
``openswe validate`` then grades with the full gate), ``build_attempts`` (one row per turn: recipe,
outcome, reason, fault, the rule that fired and its fix) and ``recipes`` (repository memory: the recipe
that validated an instance, offered to the next instances of its repository, nearest PR date first).

Why a package of its own: the loop spans build and validate and feeds what it learns back into build, so it
sits after both in the data flow and imports them, never the other way round.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from openswe_data import progress
from openswe_data.build.environment import BuildOptions
from openswe_data.build.recipe import Fix, Recipe
from openswe_data.build.repair import Repairer
from openswe_data.records import BuildAttempt, Environment, RepoRecipe, Task
from openswe_data.repair.loop import LoopOptions, LoopResult, run_loop
from openswe_data.repair.rules import Proposal, diagnose, load_rules
from openswe_data.settings import Settings
from openswe_data.store import Workspace

if TYPE_CHECKING:
    from openswe_data.repair.tier import AgentTier

__all__ = ["Fix", "LoopOptions", "LoopResult", "LoopSummary", "Proposal", "Recipe", "build_with_loop",
           "diagnose", "load_rules", "run_loop", "seed_for", "to_build"]


@dataclass
class LoopSummary:
    built: int = 0
    failed: int = 0
    skipped: int = 0
    valid_in_loop: int = 0
    rescued: int = 0
    """Instances valid only after a rule's fix."""
    seeded: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    rules: dict[str, int] = field(default_factory=dict)
    """Rule name -> how often it fired."""
    agent_rescued: int = 0
    """Instances valid only after an agent's fix."""
    agent_usd: float = 0.0
    """What the agent tier spent (cache hits are $0)."""
    agent_calls: int = 0
    """The agent tier's model calls, cache hits included."""


def _days(a: str, b: str) -> float:
    import datetime as dt

    def parse(v: str) -> dt.datetime | None:
        try:
            d = dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError:
            return None
        return d if d.tzinfo else d.replace(tzinfo=dt.timezone.utc)

    x, y = parse(a), parse(b)
    return abs((x - y).total_seconds()) / 86400 if x and y else float("inf")


def seed_for(task: Task, memory: list[RepoRecipe]) -> tuple[Recipe, str] | None:
    """The remembered recipe of ``task``'s repository nearest in PR date (ties: the latest remembered)."""
    same = [m for m in memory if m.repo == task.repo and m.instance_id != task.instance_id]
    if not same:
        return None
    best = min(same, key=lambda m: _days(m.created_at, task.created_at))
    return Recipe.model_validate(best.recipe or {}), best.instance_id


def _first_instances_first(tasks: list[Task]) -> list[Task]:
    """Every repository's earliest task first, then every second one, ...: by the time a later instance of a
    repository starts, an earlier one has usually validated and left its recipe in memory."""
    by_repo: dict[str, list[Task]] = {}
    for t in sorted(tasks, key=lambda t: (t.created_at, t.instance_id)):
        by_repo.setdefault(t.repo, []).append(t)
    ranked = [(i, t.repo, t) for group in by_repo.values() for i, t in enumerate(group)]
    return [t for _, _, t in sorted(ranked, key=lambda x: (x[0], x[1]))]


def to_build(workspace: Workspace, *, ids: Iterable[str] | None = None, force: bool = False,
             retry_failed: bool = False) -> tuple[list[Task], int]:
    """The tasks a build would take up (not built yet, or only ``ids``), and how many it would skip."""
    wanted = set(ids) if ids is not None else None
    done = {e.instance_id: e for e in workspace.stage("environments", Environment)}
    todo: list[Task] = []
    skipped = 0
    for t in workspace.stage("tasks", Task):
        if wanted is not None and t.instance_id not in wanted:
            continue
        prev = done.get(t.instance_id)
        retry = prev is not None and prev.status != "built" and (retry_failed or prev.reason == "internal_error")
        if prev is not None and not retry and not force:
            skipped += 1
        else:
            todo.append(t)
    return todo, skipped


def build_with_loop(workspace: Workspace, *, ids: Iterable[str] | None = None, workers: int = 0,
                    options: BuildOptions | None = None, loop: LoopOptions | None = None,
                    settings: Settings | None = None, repairer: Repairer | None = None,
                    retry_failed: bool = False, agents: AgentTier | None = None) -> LoopSummary:
    """Build every task not yet built (or only ``ids``) through the closed loop (with ``agents``, the agent
    tier after the rules: ``openswe_data.repair.tier.AgentTier``)."""
    from openswe_data.build.repo_cache import RepoCache
    from openswe_data.execute import get_executor
    from openswe_data.execute.images import share

    loop = loop or LoopOptions()
    options = options or BuildOptions()
    envs = workspace.stage("environments", Environment)
    attempts_stage = workspace.stage("build_attempts", BuildAttempt)
    memory_stage = workspace.stage("recipes", RepoRecipe)
    summary = LoopSummary()
    todo, summary.skipped = to_build(workspace, ids=ids, force=options.force, retry_failed=retry_failed)
    todo = _first_instances_first(todo)
    cache = RepoCache(workspace.path / "cache" / "repos")
    work = workspace.path / "cache" / "contexts"

    def one(task: Task) -> LoopResult:
        seed = seed_for(task, list(memory_stage)) if loop.memory else None
        result = run_loop(task, cache=cache, work=work, log_dir=envs.log_dir(task.instance_id), settings=settings,
                          options=options, loop=loop, seed=seed, repairer=repairer, agents=agents)
        share(result.environment)  # on a cluster: pushed for the other nodes
        return result

    def outcome(task: Task, result: LoopResult | BaseException) -> tuple[bool, str, object]:
        env = getattr(result, "environment", None)
        built = env is not None and env.status == "built"
        return built, env.reason if env is not None else "internal_error", envs.log_dir(task.instance_id)

    pairs = get_executor(workers).map(one, todo)
    for task, result in progress.over("build", pairs, len(todo), outcome=outcome):
        if isinstance(result, BaseException):
            env = Environment(instance_id=task.instance_id, status="failed", reason="internal_error",
                              build_log=f"{type(result).__name__}: {result}")
            envs.put(env)
            summary.failed += 1
            summary.reasons["internal_error"] = summary.reasons.get("internal_error", 0) + 1
            continue
        for a in result.attempts:
            attempts_stage.put(a)
            if a.rule:
                summary.rules[a.rule] = summary.rules.get(a.rule, 0) + 1
            summary.agent_usd += a.cost_usd
            summary.agent_calls += a.llm_calls
        summary.seeded += bool(result.attempts and result.attempts[0].seeded_from)
        envs.put(result.environment)
        if result.valid:
            summary.valid_in_loop += 1
            summary.rescued += any(a.rule for a in result.attempts)
            summary.agent_rescued += any(a.tier == "agents" for a in result.attempts)
            kept = result.recipe.reusable()
            edit_only = kept.key() != result.recipe.key() and kept.key() == Recipe().key()
            if not edit_only:  # an edited file alone leaves nothing another instance can reuse
                memory_stage.put(RepoRecipe(instance_id=task.instance_id, repo=task.repo, base_commit=task.base_commit,
                                            created_at=task.created_at, recipe=kept.model_dump(mode="json"),
                                            python_version=result.environment.python_version,
                                            attempts=len(result.attempts)))
        if result.environment.status == "built":
            summary.built += 1
        else:
            summary.failed += 1
            r = result.environment.reason
            summary.reasons[r] = summary.reasons.get(r, 0) + 1
    return summary
