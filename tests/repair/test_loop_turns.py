"""The loop's turn logic without Docker: builds and validations replaced by scripted outcomes."""

from __future__ import annotations

from pathlib import Path

import pytest

from openswe_data.records import Environment, Task, Validation
from openswe_data.repair import loop as loop_module
from openswe_data.repair.loop import LoopOptions, run_loop


def scripted(monkeypatch, outcomes: list[tuple[str, str]]) -> list[object]:
    """Each turn takes the next (build reason, validation verdict) and records the recipe it was given."""
    seen: list[object] = []
    script = iter(outcomes)
    current: dict[str, str] = {}

    def build(task, *, recipe, **kw):
        seen.append(recipe)
        current["build"], current["verdict"] = next(script)
        status = "built" if not current["build"] else "failed"
        return Environment(instance_id=task.instance_id, status=status, reason=current["build"],
                           image_name="img", python_version="3.11", log_parser="pytest")

    def validate(env, task, **kw):
        valid = current["verdict"] == "valid"
        return Validation(instance_id=task.instance_id, verdict=current["verdict"],
                          reason="" if valid else "no_fail_to_pass"), None

    monkeypatch.setattr(loop_module, "build_environment", build)
    monkeypatch.setattr(loop_module, "validate_environment", validate)
    monkeypatch.setattr(loop_module, "_context", lambda *a: {})  # no repository behind these tasks
    return seen


def task() -> Task:
    return Task(instance_id="o__r-1", repo="o/r", base_commit="a" * 40, patch="", test_patch="",
                problem_statement="", created_at="2024-01-01T00:00:00Z")


def test_an_engine_failure_repeats_the_same_turn_instead_of_ending_the_loop(monkeypatch, tmp_path: Path):
    seen = scripted(monkeypatch, [("internal_error", ""), ("", "valid")])
    result = run_loop(task(), cache=None, work=tmp_path, log_dir=tmp_path / "logs",  # type: ignore[arg-type]
                      loop=LoopOptions(infra_pause=0), options=None)
    assert result.valid and [a.reason for a in result.attempts] == ["internal_error", ""]
    assert seen[0] == seen[1]  # the same recipe again: nothing was diagnosed
    assert result.attempts[0].fault == "infrastructure"


def test_engine_failures_are_repeated_a_bounded_number_of_times(monkeypatch, tmp_path: Path):
    scripted(monkeypatch, [("internal_error", "")] * 5)
    result = run_loop(task(), cache=None, work=tmp_path, log_dir=tmp_path / "logs",  # type: ignore[arg-type]
                      loop=LoopOptions(infra_pause=0, infra_retries=2), options=None)
    assert not result.valid and len(result.attempts) == 3


def test_rules_read_the_repositorys_imports_after_a_built_attempts_context_is_gone(monkeypatch, tmp_path: Path):
    """A validation failure comes after the build removed its context folder: the imports that decide
    whether a rule may install a name are read from a snapshot of their own."""
    import git_projects  # type: ignore[import-not-found]

    from openswe_data.build.recipe import Recipe
    from openswe_data.build.repo_cache import RepoCache

    spec = {"base": {"pkg/__init__.py": "", "pkg/backends.py": "import trio\n", "tests/test_a.py": "def test_a(): pass\n"},
            "gold": {"pkg/__init__.py": "X = 1\n"}, "tests": {"tests/test_a.py": "def test_a(): assert 1\n"}}
    t = git_projects.make_task("imports", tmp_path / "repos", spec, prefix="loop")
    recipes: list[Recipe] = []

    def build(task, *, recipe, **kw):
        recipes.append(recipe)
        return Environment(instance_id=task.instance_id, status="built", image_name="img", python_version="3.11",
                           log_parser="pytest", setup_facts={"packages": ["pkg"]})

    def validate(env, task, *, log_dir, **kw):
        (log_dir / "after-1.log").write_text("SKIPPED [1] tests/test_a.py:3: trio is not available\n")
        return Validation(instance_id=task.instance_id, verdict="invalid", reason="no_fail_to_pass"), None

    monkeypatch.setattr(loop_module, "build_environment", build)
    monkeypatch.setattr(loop_module, "validate_environment", validate)
    result = run_loop(t, cache=RepoCache(tmp_path / "cache"), work=tmp_path / "work", log_dir=tmp_path / "logs",
                      loop=LoopOptions(max_attempts=2), options=None)
    assert result.attempts[0].rule == "skipped-for-a-module-said-to-be-missing"
    assert "trio" in recipes[1].add_requirements
    assert not list((tmp_path / "work").glob("*.imports"))  # the snapshot read for imports is gone


def _seeded_run(monkeypatch, tmp_path: Path, seed, reason: str, log: str, builds: list[str] | None = None):
    from openswe_data.build.recipe import Recipe

    recipes: list[Recipe] = []
    script = iter(builds or [])

    def build(task, *, recipe, **kw):
        recipes.append(recipe)
        failed = next(script, "")
        return Environment(instance_id=task.instance_id, status="failed" if failed else "built", reason=failed,
                           image_name="img", python_version=recipe.python or "3.11", log_parser="pytest")

    def validate(env, task, *, log_dir, **kw):
        (log_dir / "after-1.log").write_text(log)
        return Validation(instance_id=task.instance_id, verdict="invalid", reason=reason), None

    monkeypatch.setattr(loop_module, "build_environment", build)
    monkeypatch.setattr(loop_module, "validate_environment", validate)
    monkeypatch.setattr(loop_module, "_context", lambda *a: {})
    monkeypatch.setattr(loop_module, "_pythons", lambda: ("3.9", "3.11", "3.13"))
    result = run_loop(task(), cache=None, work=tmp_path, log_dir=tmp_path / "logs",  # type: ignore[arg-type]
                      loop=LoopOptions(max_attempts=5), options=None, seed=(seed, "o__r-0"))
    return result, recipes


def test_a_python_the_suite_does_not_have_is_no_new_turn(monkeypatch, tmp_path: Path):
    """`_dummy_thread` left the standard library in 3.9, the suite's oldest: no turn with some other Python
    (nor a requirement named after the module)."""
    from openswe_data.build.recipe import Recipe

    log = "E   ModuleNotFoundError: No module named '_dummy_thread'\n"
    result, recipes = _seeded_run(monkeypatch, tmp_path, Recipe(python="3.9"), "collection_error", log)
    assert [r.python for r in recipes][:2] == ["3.9", None]  # the failed seed's restart, not a python fix
    assert all(not r.add_requirements for r in recipes)
    assert all(a.rule != "stdlib-module-removed-in-newer-python" for a in result.attempts)


def test_a_seed_whose_tests_ran_to_a_task_verdict_is_not_walked_again_from_scratch(monkeypatch, tmp_path: Path):
    from openswe_data.build.recipe import Recipe

    seed = Recipe(add_requirements=("py",))
    result, recipes = _seeded_run(monkeypatch, tmp_path, seed, "gold_patch_fails", "1 failed, 182 passed\n")
    assert len(result.attempts) == 1 and result.attempts[0].diagnosis != "seed_failed"
    # a seed that cannot even build still gives way to the heuristic
    result, recipes = _seeded_run(monkeypatch, tmp_path, seed, "gold_patch_fails", "", builds=["install_failed"])
    assert result.attempts[0].diagnosis == "seed_failed" and recipes[1] == Recipe()


def test_the_turn_that_got_furthest_stands_when_a_later_one_fails_earlier(monkeypatch, tmp_path: Path):
    """Found on jmespath: a turn ran the tests (none failed before the fix: the task's verdict), later turns
    failed in the environment, and the last turn used to stand."""
    from openswe_data.build.recipe import Fix, Recipe
    from openswe_data.repair.rules import Proposal

    turns = iter([("", "no_fail_to_pass"), ("helper_install_failed", ""), ("", "runner_error")])

    def build(task, *, recipe, **kw):
        build.reason, build.verdict = next(turns)  # type: ignore[attr-defined]
        build.n = getattr(build, "n", 0) + 1  # type: ignore[attr-defined]
        return Environment(instance_id=task.instance_id, status="failed" if build.reason else "built",
                           reason=build.reason, image_name=f"img-{build.n}", python_version="3.11",  # type: ignore[attr-defined]
                           log_parser="pytest")

    def validate(env, task, **kw):
        return Validation(instance_id=task.instance_id, verdict="invalid", reason=build.verdict), None  # type: ignore[attr-defined]

    monkeypatch.setattr(loop_module, "build_environment", build)
    monkeypatch.setattr(loop_module, "validate_environment", validate)
    monkeypatch.setattr(loop_module, "_context", lambda *a: {})
    monkeypatch.setattr(loop_module, "_pythons", lambda: ("3.9", "3.11", "3.13"))
    python = {"validate": "3.9", "build": "3.13"}  # a rule for each failure, each naming a new recipe once
    monkeypatch.setattr(loop_module, "diagnose", lambda stage, *a: [Proposal("r", "d", Fix(python=python[stage]))])
    result = run_loop(task(), cache=None, work=tmp_path, log_dir=tmp_path / "logs",  # type: ignore[arg-type]
                      loop=LoopOptions(), options=None)
    assert [a.reason for a in result.attempts] == ["no_fail_to_pass", "helper_install_failed", "runner_error"]
    assert not result.valid and result.environment.image_name == "img-1" and result.recipe == Recipe()
    assert result.environment.attempts == 3


@pytest.mark.parametrize("gone", ["requests", "urllib3"])
def test_an_engine_that_goes_away_after_the_build_or_in_the_probe_repeats_the_turn(monkeypatch, tmp_path: Path, gone):
    """Found by the daemon-restart test: an image built just before the restart, whose audit or probe then
    met the dead engine, used to escape the loop as an exception (no attempt, no retry); later, under load,
    a streamed build answer cut mid-read raised urllib3's own ``ProtocolError``, unwrapped by requests."""
    from requests.exceptions import ConnectionError
    from urllib3.exceptions import ProtocolError

    Gone = ConnectionError if gone == "requests" else ProtocolError

    for where in ("build", "probe"):
        scripted(monkeypatch, [("", "valid"), ("", "valid")])
        real = {"build": loop_module.build_environment, "probe": loop_module.validate_environment}[where]
        calls = {"n": 0}

        def once(*a, real=real, calls=calls, **kw):
            calls["n"] += 1
            if calls["n"] == 1:
                raise Gone("('Connection aborted.', FileNotFoundError(2, 'No such file or directory'))")
            return real(*a, **kw)

        monkeypatch.setattr(loop_module, "build_environment" if where == "build" else "validate_environment", once)
        monkeypatch.setattr(loop_module.engine, "wait_until_available", lambda *a: True)
        result = run_loop(task(), cache=None, work=tmp_path, log_dir=tmp_path / where,  # type: ignore[arg-type]
                          loop=LoopOptions(infra_pause=0), options=None)
        assert [(a.stage, a.reason) for a in result.attempts] == [
            ("build" if where == "build" else "validate", "internal_error"), ("validate", "")], where
        assert result.valid, where
