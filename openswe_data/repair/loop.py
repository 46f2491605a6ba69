"""The closed loop, per task: build -> validate -> diagnose -> repair -> rebuild / re-validate.

Input: a ``Task``. Output: the ``Environment`` of the last attempt (what the validate stage then grades in
full) and one ``BuildAttempt`` per turn. Each turn builds with a ``Recipe``; a failure — of the build, or a
validation that is the environment's fault (or a task-looking one whose log blames the environment) — is
diagnosed by the rules (``builders/rules``), and the first fix that yields a recipe not tried yet is the
next turn. Bounded by attempts and wall time. Images are reused when the Dockerfile and context are
unchanged (a content hash), so a fix that only changes the eval script rebuilds only its last layer.

Repository memory seeds the first turn with the recipe that validated the nearest earlier instance of the
same repository; when that recipe fails and nothing diagnoses it, the loop starts over from the heuristic.

The agent tier (``agents``, optional; ``repair/tier.py``) is the last resort of a turn: it is asked only
when the rules (and the restart from a failed seed) propose no recipe not tried yet, within its own turn
and dollar budgets; with it, every pass is also reviewed for legitimacy before the loop accepts it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from openswe_data import engine
from openswe_data.build.environment import BuildOptions, build_environment
from openswe_data.build.recipe import Recipe
from openswe_data.build.repair import Repairer
from openswe_data.build.repo_cache import RepoCache
from openswe_data.logtext import cut
from openswe_data.reasons import fault_of
from openswe_data.records import BuildAttempt, Environment, Task, Validation
from openswe_data.repair.rules import diagnose, distributions_of
from openswe_data.settings import Settings
from openswe_data.validate.instance import ValidateOptions, validate_environment

if TYPE_CHECKING:
    from openswe_data.repair.tier import AgentSession, AgentTier

UNFIXABLE = ("patch_does_not_apply", "no_test_files", "base_commit_missing", "repo_unavailable",
             "eval_script_unsafe", "dockerfile_unsafe", "leak", "internal_error", "unreported_test_id", "base_image_unavailable")
"""Reasons no recipe change can rescue."""


@dataclass
class LoopOptions:
    max_attempts: int = 5
    """Turns per instance, the first included."""
    max_seconds: float = 1800.0
    """Wall time per instance after which no new turn starts."""
    infra_retries: int = 2
    """Times a turn that failed for the engine's sake (``internal_error``) is repeated as it was, after a pause."""
    infra_pause: float = 5.0
    """Seconds before such a repeat."""
    infra_wait_seconds: float = 180.0
    """How long such a repeat waits, after the pause, for the engine to answer again (a daemon restart)."""
    memory: bool = True
    """Seed the first turn with the repository's remembered recipe."""
    probe: ValidateOptions = field(default_factory=lambda: ValidateOptions(reruns=0, k=1))
    """The quick validation each built turn gets (one run a side; the validate stage then runs the gate)."""


@dataclass
class LoopResult:
    environment: Environment
    attempts: list[BuildAttempt]
    valid: bool
    recipe: Recipe


def _engine_errors() -> tuple[type[BaseException], ...]:
    """What the engine's client raises when the engine itself fails (its socket gone in a restart)."""
    from docker.errors import APIError

    return (APIError, *engine.connection_errors())


def _failure_text(env: Environment) -> str:
    path = Path(env.log_path) if env.log_path else None
    text = path.read_text(errors="replace") if path and path.is_file() else env.build_log
    audit = (env.history_audit or {}).get("detail", "")
    return f"{audit}\n{text[-60_000:]}" if audit else text[-60_000:]


def _validation_text(detail: str, log_dir: Path) -> str:
    """What validate rules read: the reason's detail, then the first run with and without the fix, merged
    (pytest reports a conftest that cannot be imported on stderr, not in its results)."""
    parts = [detail]
    for name in ("after-1", "before-1"):
        p = log_dir / f"{name}.log"
        if p.is_file():
            parts.append(p.read_text(errors="replace")[-40_000:])
    return "\n".join(parts)


def run_loop(task: Task, *, cache: RepoCache, work: Path, log_dir: Path, settings: Settings | None = None,
             options: BuildOptions | None = None, loop: LoopOptions | None = None,
             seed: tuple[Recipe, str] | None = None, repairer: Repairer | None = None,
             agents: AgentTier | None = None) -> LoopResult:
    """Run the closed loop for ``task``; ``seed`` is ``(recipe, instance it validated)`` from memory."""
    loop = loop or LoopOptions()
    options = options or BuildOptions()
    start = time.monotonic()
    recipe, seeded_from = seed if (seed and loop.memory) else (Recipe(), "")
    tried: set[str] = set()
    pythons = tuple(options.pythons) or _pythons()  # the suite a python fix of "older"/"newer" steps through
    attempts: list[BuildAttempt] = []
    env: Environment | None = None
    valid = False
    infra_left = loop.infra_retries
    context: dict[str, set[str]] | None = None
    session = agents.session(task, _git_dir(cache, task)) if agents is not None else None
    furthest: tuple[int, Environment, Recipe] | None = None  # the turn that got furthest, and its recipe
    gone = _engine_errors()
    for n in range(1, loop.max_attempts + 1):
        tried.add(recipe.key())
        turn_start = time.monotonic()
        turn_dir = log_dir / f"attempt-{n}"
        turn_dir.mkdir(parents=True, exist_ok=True)
        try:
            env = build_environment(task, cache=cache, work=work, log_dir=turn_dir, settings=settings,
                                    options=options, repairer=repairer, recipe=recipe)
        except gone as exc:  # the engine went away after the image build (its audit): the turn is repeated
            env = Environment(instance_id=task.instance_id, status="failed", reason="internal_error",
                              build_log=f"the engine went away during the turn ({type(exc).__name__}: {exc})")
        attempt = BuildAttempt(instance_id=task.instance_id, attempt=n, repo=task.repo,
                               recipe=recipe.model_dump(mode="json"), recipe_key=recipe.key(),
                               seeded_from=seeded_from, image_name=env.image_name)
        validation = None
        if env.status != "built":
            attempt.stage, attempt.outcome, attempt.reason = "build", "failed", env.reason
            text = _failure_text(env)
        else:
            try:
                validation, _ = validate_environment(env, task, log_dir=turn_dir, options=loop.probe)
            except gone as exc:  # a run raises only when the engine itself failed (a restart): repeated below
                validation = Validation(instance_id=task.instance_id, verdict="invalid", reason="internal_error",
                                        reason_detail=f"the engine went away during the probe ({type(exc).__name__}: {exc})")
            attempt.stage, attempt.outcome, attempt.reason = "validate", validation.verdict, validation.reason
            attempt.detail = cut(validation.reason_detail, 2000)
            text = _validation_text(validation.reason_detail, turn_dir)
            valid = validation.verdict == "valid"
            if valid and session is not None:  # the agent tier's legitimacy review of every pass
                valid = _legitimate(session, attempt, env, validation)
        attempt.fault = fault_of(attempt.reason)
        attempt.seconds = time.monotonic() - turn_start
        attempts.append(attempt)
        if furthest is None or _progress(attempt) >= furthest[0]:
            furthest = (_progress(attempt), env, recipe)
        if attempt.reason == "internal_error" and infra_left > 0 and time.monotonic() - start < loop.max_seconds:
            infra_left -= 1  # the engine failed, not the recipe: the same turn again (recorded, not diagnosed)
            time.sleep(loop.infra_pause)
            engine.wait_until_available(loop.infra_wait_seconds)  # a daemon restart: once it answers again
            continue
        if valid or attempt.reason in UNFIXABLE:
            break
        if context is None:  # every turn builds the same commit: its imports are read once per instance
            context = _context(env, task, cache, work)
        proposals = diagnose(attempt.stage, attempt.reason, text, context)
        next_recipe = None
        for p in proposals:
            candidate = recipe.with_fix(p.fix, failed_python=env.python_version, pythons=pythons)
            if p.fix.kind == "python" and candidate.python is None:
                continue  # the suite has no such Python (older than its oldest, or below a removal)
            if candidate.key() not in tried:
                attempt.diagnosis, attempt.rule, attempt.fix = p.diagnosis, p.rule, p.fix.describe()
                attempt.tier = "rules"
                next_recipe = candidate
                break
        if next_recipe is None and seeded_from and Recipe().key() not in tried and attempt.fault != "task":
            # the remembered recipe failed to build or run the tests: the normal loop from scratch (not when
            # the tests ran and the verdict is the task's — the heuristic would only walk the same turns again)
            next_recipe, seeded_from = Recipe(), ""
            attempt.diagnosis = "seed_failed"
        if next_recipe is None and session is not None:  # the agent tier: only when the rules have nothing new
            next_recipe = session.propose(attempt, env, validation, text, recipe, log_dir=turn_dir, tried=tried,
                                          pythons=pythons)
        if next_recipe is None or time.monotonic() - start > loop.max_seconds:
            break
        recipe = next_recipe
    assert env is not None
    if not valid and furthest is not None and furthest[1] is not env:
        # a later turn went down a worse path (a restart after a failed seed, a rule's guess): the turn whose
        # runs were usable on both sides stands, with what they showed (a test that does not fail before the
        # fix is the task's verdict; a later environment failure would hide it)
        _, env, recipe = furthest
    env.attempts = len(attempts)
    env.build_seconds = time.monotonic() - start
    if len(attempts) > 1 and env.build_method == "heuristic":
        env.build_method = "agent" if any(a.tier == "agents" for a in attempts) else "rules"
    if session is not None:
        env.cost_usd = round(env.cost_usd + sum(a.cost_usd for a in attempts), 6)
        session.finish(valid)
    return LoopResult(env, attempts, valid, recipe)


def _progress(attempt: BuildAttempt) -> int:
    """How far a failed turn got: 0 the build failed, 1 its runs were unusable (the environment's fault),
    2 usable runs on both sides graded the task itself (``no_fail_to_pass``, ``gold_patch_fails``)."""
    if attempt.stage != "validate":
        return 0
    return 2 if attempt.fault == "task" else 1


def _context(env: Environment, task: Task, cache: RepoCache, work: Path) -> dict[str, set[str]]:
    """What rules may check a matched name against: the project's own modules, every module (and the
    distribution providing it) that the repository's code, tests or build script import, and the toolchain's
    other sets (``pyx_stems``). Read from a snapshot of its own: a built attempt's context folder is gone by
    the time a validation fails."""
    import shutil
    import subprocess

    from openswe_data import toolchains
    from openswe_data.errors import OpensweError

    project = set((env.setup_facts or {}).get("packages", []))
    testbed = work / f"{task.instance_id}.imports"
    try:
        cache.snapshot(task.repo_url or task.repo, task.base_commit, testbed)
        toolchain = toolchains.for_parser(env.log_parser or "pytest")
        imported, sets = toolchain.imports(testbed), toolchain.snapshot_sets(testbed)
    except (OpensweError, OSError, subprocess.SubprocessError):
        imported, sets = set(), {}  # no snapshot, no snapshot-based rule: the others still apply
    finally:
        shutil.rmtree(testbed, ignore_errors=True)
    return {**sets, "project_modules": project, "imported_distributions": distributions_of(imported | project)}


def _legitimate(session: AgentSession, attempt: BuildAttempt, env: Environment, validation: Validation) -> bool:
    problems = session.review(attempt, env, validation)
    if problems:
        attempt.outcome, attempt.reason = "invalid", "not_legitimate"
        attempt.detail = cut("; ".join(problems), 2000)
    return not problems


def _git_dir(cache: RepoCache, task: Task) -> Path | None:
    """The repository's mirror, for the explorer's read-only tools (``None`` when it cannot be had)."""
    from openswe_data.errors import OpensweError

    try:
        return cache.mirror(task.repo_url or task.repo)
    except OpensweError:
        return None


def _pythons() -> tuple[str, ...]:
    from openswe_data.build import base_images

    return tuple(base_images.available_pythons())
