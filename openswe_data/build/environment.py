"""One task -> one environment: snapshot, patch checks, setup facts, eval script, image, audit.

Input: a ``Task``. Output: an ``Environment`` record, ``status="built"`` with its image, Dockerfile,
eval script and history audit, or ``status="failed"`` with a machine-readable reason and the log path.
Never raises for a bad task: every failure becomes a reason. The order is cheapest-first, so a task
whose patch does not apply costs a ``git apply --check``, not an image build.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from openswe_data import conventions as C
from openswe_data.build import base_images, evalscript
from openswe_data.build.edits import dockerfile_problems
from openswe_data.build.context import assemble
from openswe_data import toolchains
from openswe_data.build.context import installable
from openswe_data.build.recipe import Recipe
from openswe_data.toolchains.python.cython import generate_command
from openswe_data.toolchains.python.facts import SetupFacts, choose_python, python_of_date, resolution_date
from openswe_data.build.images import BuildFailure, BuiltImage, audit_image, build_image, image_tag
from openswe_data.build.repair import FailedAttempt, Repairer, log_excerpt
from openswe_data.build.repo_cache import RepoCache
from openswe_data.toolchains.python.targets import touched_paths
from openswe_data.engine import labels
from openswe_data.errors import BuildError, OpensweError
from openswe_data.logtext import cut, write_log
from openswe_data.records import Environment, Task
from openswe_data.settings import Settings



@dataclass
class BuildOptions:
    max_attempts: int = 3
    """Build attempts per instance: the heuristic one plus repairs."""
    budget_usd: float = 2.0
    """Most a repairer may spend on one instance."""
    keep_context: bool = False
    """Keep the build context folder after a successful build (it is always kept after a failure)."""
    force: bool = False
    """Rebuild even when an image with the same content hash exists."""
    pythons: list[str] = field(default_factory=list)
    """Restrict base images to these Python versions (default: the whole suite)."""
    pin_to_pr_date: bool = False
    """Resolve dependencies as of the task's ``created_at`` (uv ``--exclude-newer``); versions are frozen either way."""
    test_timeout: int = evalscript.PER_TEST_TIMEOUT
    """Seconds one test may run before it fails alone (pytest-timeout, written into the eval script; 0: none)."""


def rfc3339(value: str) -> str:
    """``value`` as ``YYYY-MM-DDTHH:MM:SSZ`` (UTC), or ``""`` when it is no date (then nothing is pinned)."""
    import datetime as dt

    try:
        when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Prepared:
    """Everything an image build needs, worked out without Docker."""

    testbed: Path
    snapshot_sha: str
    future: list[str]
    test_files: list[str]
    facts: SetupFacts
    python: str
    script: str
    command: str
    log_parser: str
    version: str = ""
    runner_word: str = "pytest"
    names_its_targets: bool = True
    runner_packages: tuple[str, ...] = ()
    generate_sources: str = ""
    """The command generating C/C++ files from Cython sources before the project install (``""``: none)."""
    build_tools: bool = False
    """The eval script rebuilds with the build requirements an isolated build resolves (kept in the image)."""


def _compiled_sources_touched(patch: str) -> bool:
    import re

    return any(re.search(evalscript.COMPILED_PATTERN, p) for p in touched_paths(patch))


def _prepare(task: Task, cache: RepoCache, ctx_dir: Path, options: BuildOptions,
             recipe: Recipe) -> _Prepared | tuple[str, str]:
    """Snapshot, patch checks, targets, setup facts, Python and eval script — or ``(reason, detail)``."""
    try:
        snapshot_sha = cache.snapshot(task.repo_url or task.repo, task.base_commit, ctx_dir / "testbed")
        mirror = cache.mirror(task.repo_url or task.repo)
        future = cache.future_commits(mirror, task.base_commit)
        version = cache.version_at(mirror, task.base_commit)
    except OpensweError as exc:
        return exc.reason, exc.message
    testbed = ctx_dir / "testbed"
    for name, patch in (("gold patch", task.patch), ("test patch", task.test_patch)):
        complaint = cache.check_applies(testbed, patch)
        if complaint:
            return "patch_does_not_apply", f"the {name} does not apply to {task.base_commit}: {complaint}"
    try:
        toolchain = toolchains.select(testbed, recipe.runner)
    except BuildError as exc:  # the recipe's runner has nothing to run in this snapshot
        return exc.reason, exc.message
    # always the toolchain's choice: a task's test_files list every file of its test patch (conftest.py and
    # data files included), which is not what the runner should be given
    test_files = toolchain.targets(task.test_patch, testbed)
    if not test_files:
        return "no_test_files", "the test patch touches no test module, and no test module uses what it changes"
    touched = touched_paths(task.test_patch)
    reset = [p for p in touched if (testbed / p).exists()]
    facts: SetupFacts = toolchain.read_facts(testbed, test_files)
    for extra in recipe.extras:
        facts.requirements += [r for r in facts.extras.get(extra, []) if r not in facts.requirements]
    facts.requirements = recipe.apply_to_requirements(facts.requirements)
    facts.system_packages += [p for p in recipe.system_packages if p not in facts.system_packages]
    pythons = options.pythons or base_images.available_pythons()
    # resolved as of the PR's date, dependencies expect a Python of that day
    dated = python_of_date(facts, pythons, task.created_at) if (recipe.pin_build_date and not recipe.python) else None
    python = recipe.python or dated or choose_python(facts, pythons)
    command = recipe.wrap_command(toolchain.test_command(test_files, list(recipe.test_options)))
    generate = generate_command(testbed) if recipe.generate_cython else ""
    rebuild = recipe.rebuild_compiled or bool(generate) or _compiled_sources_touched(task.patch) or facts.has_c_extension
    dated = options.pin_to_pr_date or recipe.pin_build_date
    build_tools = rebuild and evalscript.isolated_install(recipe.install_mode, installable(testbed), dated,
                                                         (testbed / "pyproject.toml").is_file())
    script = evalscript.render_eval_script(
        task.test_patch, test_files, reset, [p for p in touched if p not in reset], command=command,
        # a recipe that switched our timeout plugin off (it refused the project) gets no --timeout either
        per_test_timeout=0 if "-p no:timeout" in recipe.test_options else options.test_timeout,
        rebuild=(evalscript.rebuild_command(recipe.install_mode, installable(testbed), generate, build_tools=build_tools)
                 if rebuild else ""),
        pythonpath=pythonpath(testbed) if recipe.install_mode == "source" else "")
    return _Prepared(testbed, snapshot_sha, future, test_files, facts, python, script, command, toolchain.log_parser,
                     version, toolchain.runner_word, toolchain.names_its_targets, toolchain.runner_packages, generate,
                     build_tools)


def pythonpath(testbed: Path) -> str:
    """What ``PYTHONPATH`` a project run from its checkout needs: ``src/`` first in a src layout."""
    from openswe_data import conventions as C

    return f"{C.TESTBED}/src:{C.TESTBED}" if (testbed / "src").is_dir() else C.TESTBED


def build_environment(task: Task, *, cache: RepoCache, work: Path, log_dir: Path,
                      settings: Settings | None = None, options: BuildOptions | None = None,
                      repairer: Repairer | None = None, recipe: Recipe | None = None) -> Environment:
    """Build ``task``'s environment with ``recipe`` (default: the heuristic one); a failure at any step is
    an ``Environment`` with a reason."""
    from openswe_data import engine

    settings = settings or Settings()
    options = options or BuildOptions()
    start = time.monotonic()
    log_path = log_dir / "build.log"
    ctx_dir = work / task.instance_id

    def failed(reason: str, detail: str, log: str = "", **kw: object) -> Environment:
        write_log(log_path, f"{detail}\n{log}")
        return Environment(instance_id=task.instance_id, status="failed", reason=reason,
                           build_log=cut(f"{detail}\n{log}"), log_path=str(log_path),
                           build_seconds=time.monotonic() - start, **kw)  # type: ignore[arg-type]

    recipe = recipe or Recipe()
    shutil.rmtree(ctx_dir, ignore_errors=True)  # a fresh context for every attempt
    prep = _prepare(task, cache, ctx_dir, options, recipe)
    if isinstance(prep, tuple):
        return failed(*prep, recipe=recipe.model_dump(mode="json"))
    script = recipe.eval_script or prep.script  # an agent's edited script, checked below like ours
    common = dict(python_version=prep.python, test_files=prep.test_files, setup_facts=prep.facts.to_dict(),
                  test_command=prep.command, eval_script=script, log_parser=prep.log_parser,
                  recipe=recipe.model_dump(mode="json"))
    try:
        base = base_images.ensure_base_images([prep.python], settings=settings)[prep.python]
        base_id = engine.client().images.get(base).id
    except OpensweError as exc:
        return failed("base_image_unavailable", exc.message, **common)

    # Heuristic attempt first; on failure the repairer (if any) proposes a new Dockerfile and/or eval
    # script, which goes through exactly the same checks and build.
    dockerfile: str | None = recipe.dockerfile  # an agent's edited Dockerfile, checked below (the contract)
    cost, tokens, attempts = 0.0, 0, 0
    logs: list[str] = []
    for attempt in range(1, options.max_attempts + 1):
        attempts = attempt
        problems = evalscript.check_eval_script(script, prep.test_files, runner_word=prep.runner_word,
                                                targets_named=prep.names_its_targets, test_patch=task.test_patch,
                                                junit=C.JUNIT_PATH in prep.command)
        unsafe = dockerfile_problems(dockerfile) if dockerfile else []  # a file not from the template
        if problems:
            outcome: object = BuildFailure("eval_script_unsafe", "\n".join(problems), 0.0, problems[0])
        elif unsafe:
            outcome = BuildFailure("dockerfile_unsafe", "\n".join(unsafe), 0.0, unsafe[0])
        else:
            ctx = assemble(ctx_dir, base_image=base, base_image_id=base_id, snapshot_sha=prep.snapshot_sha,
                           facts=prep.facts, eval_script=script, settings=settings, dockerfile=dockerfile,
                           exclude_newer=(rfc3339(resolution_date(task.created_at, prep.python))
                                          if options.pin_to_pr_date or recipe.pin_build_date else ""),
                           install_mode=recipe.install_mode, scm_version=prep.version,
                           runner_packages=prep.runner_packages, generate_sources=prep.generate_sources,
                           build_tools=prep.build_tools)
            dockerfile = ctx.dockerfile
            outcome = build_image(ctx, image_tag(task.instance_id, ctx.content_hash),
                                  labels=labels("env", instance=task.instance_id, context_hash=ctx.content_hash),
                                  log_path=log_dir / f"build-{attempt}.log", force=options.force)
        logs.append(outcome.log)  # type: ignore[attr-defined]
        if not isinstance(outcome, BuildFailure):
            break
        proposal = None
        if repairer is not None and attempt < options.max_attempts and cost < options.budget_usd:
            proposal = repairer.propose(task, FailedAttempt(attempt, outcome.reason, log_excerpt(outcome.log),
                                                            dockerfile or "", script),
                                        budget_usd=options.budget_usd - cost)
        if proposal is not None:
            cost, tokens = cost + proposal.cost_usd, tokens + proposal.tokens
        if proposal is None or not (proposal.dockerfile or proposal.eval_script):
            return failed(outcome.reason, outcome.detail, "\n".join(logs), dockerfile=dockerfile or "",
                          attempts=attempts, cost_usd=cost, tokens=tokens, **common)
        dockerfile = proposal.dockerfile or dockerfile
        script = common["eval_script"] = proposal.eval_script or script

    built: BuiltImage = outcome  # type: ignore[assignment]
    compiled = prep.facts.packages if prep.facts.has_c_extension and recipe.install_mode != "source" else None
    audit = audit_image(built.tag, prep.future, compiled_packages=compiled)
    full_log = "\n".join(logs)
    write_log(log_path, full_log)
    env = Environment(
        instance_id=task.instance_id, status="built" if audit.ok else "failed", reason=audit.reason,
        image_name=built.tag, image_digest=built.image_id, context_hash=built.tag.rsplit(":", 1)[1],
        dockerfile=dockerfile or "", build_method="heuristic" if attempts == 1 else "agent", attempts=attempts,
        cost_usd=cost, tokens=tokens, build_seconds=time.monotonic() - start, frozen_requirements=audit.frozen,
        history_audit=audit.to_dict(), build_log=cut(full_log), log_path=str(log_path),
        image_size_bytes=built.size_bytes, **common,  # type: ignore[arg-type]
    )
    if not options.keep_context:
        shutil.rmtree(ctx_dir, ignore_errors=True)
    return env


def rebuild_image(task: Task, env: Environment, *, cache: RepoCache, work: Path, tag: str, log_path: Path,
                  settings: Settings | None = None) -> BuiltImage | BuildFailure:
    """Build ``env``'s own Dockerfile again from a fresh context, without any cache, as ``tag`` (never
    ``env``'s tag): what the same recipe gives today (``openswe revalidate``)."""
    from openswe_data import engine

    recipe = Recipe.model_validate(env.recipe) if env.recipe else Recipe()
    ctx_dir = work / f"{task.instance_id}.rebuild"
    shutil.rmtree(ctx_dir, ignore_errors=True)
    try:
        prep = _prepare(task, cache, ctx_dir, BuildOptions(), recipe)
        if isinstance(prep, tuple):
            return BuildFailure(prep[0], prep[1], 0.0, prep[1][:500])
        base = base_images.ensure_base_images([prep.python], settings=settings)[prep.python]
        ctx = assemble(ctx_dir, base_image=base, base_image_id=engine.client().images.get(base).id,
                       snapshot_sha=prep.snapshot_sha, facts=prep.facts, eval_script=env.eval_script or prep.script,
                       settings=settings, dockerfile=env.dockerfile or None, install_mode=recipe.install_mode,
                       exclude_newer=rfc3339(resolution_date(task.created_at, prep.python)) if recipe.pin_build_date else "",
                       scm_version=prep.version, runner_packages=prep.runner_packages,
                       generate_sources=prep.generate_sources)
        return build_image(ctx, tag, labels=labels("env", instance=task.instance_id, purpose="revalidate"),
                           log_path=log_path, force=True, nocache=True)
    finally:
        shutil.rmtree(ctx_dir, ignore_errors=True)
