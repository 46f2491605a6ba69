"""The closed loop in real Docker: each fixture project fails with the heuristic recipe and ends valid
through the loop, with the rule that rescued it recorded; a second instance of a repository is seeded
from memory and validates in one attempt."""

from __future__ import annotations

import pytest

from openswe_data.records import BuildAttempt, Environment

import git_projects  # type: ignore[import-not-found]
from loop_projects import PROJECTS, RESCUED_BY  # type: ignore[import-not-found]

pytestmark = [pytest.mark.docker, pytest.mark.slow]


@pytest.fixture(scope="session")
def loop_workspace(tmp_path_factory, docker_client):
    from openswe_data.repair import build_with_loop
    from openswe_data.store import Workspace

    root = tmp_path_factory.mktemp("loop")
    ws = Workspace(root / "ws", create=True)
    tasks = ws.stage("tasks")
    for name, spec in PROJECTS.items():
        tasks.put(git_projects.make_task(name, root / "repos", spec, prefix="loop"))
    # a later pull request of the mocker repository: memory should seed it with the rescued recipe
    tasks.put(git_projects.make_task("mocker", root / "repos", PROJECTS["mocker"], prefix="loop", number=2,
                                     created_at="2024-03-01T00:00:00Z"))
    summary = build_with_loop(ws, workers=2)
    from openswe_data.validate import validate_environments

    validate_environments(ws, ids=["loop__unittestonly-1"])
    return ws, summary


def attempts_of(ws, iid: str) -> list[BuildAttempt]:
    return sorted((a for a in ws.stage("build_attempts", BuildAttempt) if a.instance_id == iid), key=lambda a: a.attempt)


@pytest.mark.parametrize("name", sorted(RESCUED_BY))
def test_each_mechanism_ends_valid_through_the_loop_with_its_rule_recorded(loop_workspace, name):
    ws, _ = loop_workspace
    iid = f"loop__{name}-1"
    attempts = attempts_of(ws, iid)
    story = [(a.attempt, a.stage, a.outcome, a.reason, a.rule, a.fix) for a in attempts]
    assert attempts and attempts[-1].outcome == "valid", f"{story} {attempts[-1].detail if attempts else ''}"
    rule = RESCUED_BY[name]
    if rule is None:
        assert len(attempts) == 1, story
    else:
        assert len(attempts) >= 2 and attempts[0].outcome != "valid", story
        assert rule in [a.rule for a in attempts], story
        env = ws.stage("environments", Environment).get(iid)
        assert env.build_method == "rules" and env.attempts == len(attempts)
        assert env.recipe["fixes"], env.recipe


def test_the_c_fix_is_rebuilt_inside_the_eval_script(loop_workspace):
    ws, _ = loop_workspace
    env = ws.stage("environments", Environment).get("loop__ccode-1")
    assert "--no-build-isolation" in env.eval_script and "git diff --name-only HEAD" in env.eval_script
    # with the build tools of the isolated install (the base image's setuptools refuses the license string)
    assert "PYTHONPATH=/openswe/build-tools" in env.eval_script and "--target /openswe/build-tools" in env.dockerfile


def test_generated_c_sources_are_made_again_from_a_patched_pyx_and_stay_out_of_git_diff(loop_workspace, docker_client):
    ws, _ = loop_workspace
    env = ws.stage("environments", Environment).get("loop__cython-1")
    assert env.recipe["generate_cython"] and "python -m cython cypkg/_speed.pyx" in env.dockerfile
    # the gold fix is in the .pyx: validation passed only because the eval script generated the C file again
    assert "( PYTHONPATH=/openswe/cython" in env.eval_script and "-e . )" in env.eval_script
    status = docker_client.containers.run(env.image_name, ["git", "-C", "/testbed", "status", "--porcelain"],
                                          remove=True, network_disabled=True)
    assert status.decode().strip() == ""  # cypkg/_speed.c, the build's output: in .git/info/exclude


def test_a_later_instance_of_a_repository_is_seeded_from_memory_and_validates_in_one_attempt(loop_workspace):
    ws, summary = loop_workspace
    attempts = attempts_of(ws, "loop__mocker-2")
    assert [(a.attempt, a.outcome, a.seeded_from) for a in attempts] == [(1, "valid", "loop__mocker-1")]
    assert summary.seeded >= 1 and summary.rescued == sum(r is not None for r in RESCUED_BY.values())


def test_a_run_from_source_puts_the_src_layout_on_the_path(loop_workspace):
    ws, _ = loop_workspace
    env = ws.stage("environments", Environment).get("loop__nobackend-1")
    assert env.recipe["install_mode"] == "source"
    assert "export PYTHONPATH=/testbed/src:/testbed" in env.eval_script


def test_a_suite_pytest_cannot_run_is_run_and_read_by_unittest(loop_workspace):
    ws, _ = loop_workspace
    env = ws.stage("environments", Environment).get("loop__unittestonly-1")
    assert env.log_parser == "unittest" and "python -m unittest -v" in env.test_command
    record = ws.stage("records").get("loop__unittestonly-1")
    assert (record.verdict, record.log_parser) == ("valid", "unittest"), record.reason_detail
    assert record.FAIL_TO_PASS == ["tests/test_middle.py::MiddleTest::test_three"]
    assert record.PASS_TO_PASS == ["tests/test_middle.py::MiddleTest::test_one"]
