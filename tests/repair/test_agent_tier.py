"""The agent tier in real Docker, driven by a scripted model (no network): fixture projects no rule can
fix end valid through the agents (or give up within budget), a cheating eval script is caught, a second
instance of a repository costs no diagnosis, a recorded run replays to the same records with zero new
calls, and a run killed (SIGKILL) after a paid call resumes without paying for it again."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from openswe_data.records import BuildAttempt, Environment, LLMCall

import git_projects  # type: ignore[import-not-found]
from agent_projects import PREFIX, PROJECTS, SCRIPT, EditingModel  # type: ignore[import-not-found]

pytestmark = [pytest.mark.docker, pytest.mark.slow]

HERE = Path(__file__).parent


def options():
    from openswe_data.repair.tier import AgentBudget, AgentOptions

    return AgentOptions(budget=AgentBudget(usd_per_instance=0.35, call_estimate_usd=0.10))


def make_workspace(root: Path, names: list[str], *, second_syslib: bool = False):
    from openswe_data.store import Workspace

    ws = Workspace(root / "ws", create=True)
    tasks = ws.stage("tasks")
    for name in names:
        tasks.put(git_projects.make_task(name, root / "repos", PROJECTS[name], prefix=PREFIX))
    if second_syslib:  # a later pull request of the same repository: memory should make it free
        tasks.put(git_projects.make_task("syslib", root / "repos", PROJECTS["syslib"], prefix=PREFIX, number=2,
                                         created_at="2024-03-01T00:00:00Z"))
    return ws


def run(ws, model, **tier_kw):
    from openswe_data.repair import LoopOptions, build_with_loop
    from openswe_data.repair.tier import AgentTier

    tier = AgentTier(model, workspace=ws, options=options(), **tier_kw)
    summary = build_with_loop(ws, workers=1, loop=LoopOptions(max_attempts=6), agents=tier)
    return tier, summary


NAMES = ["syslib", "envvar", "cheat", "stubborn", "sysenv", "evaledit"]


@pytest.fixture(scope="session")
def agent_run(tmp_path_factory, docker_client):
    root = tmp_path_factory.mktemp("agents")
    ws = make_workspace(root, NAMES, second_syslib=True)
    recording = root / "recording.jsonl"
    tier, summary = run(ws, EditingModel(SCRIPT, name="scripted-agents"), record_to=recording)
    return ws, tier, summary, recording


def attempts_of(ws, iid: str) -> list[BuildAttempt]:
    return sorted((a for a in ws.stage("build_attempts", BuildAttempt) if a.instance_id == iid), key=lambda a: a.attempt)


def story(attempts) -> list[tuple]:
    return [(a.attempt, a.stage, a.outcome, a.reason, a.tier, a.rule, a.fix, a.diagnosis) for a in attempts]


def calls_of(ws, iid: str) -> list[LLMCall]:
    return [c for c in ws.stage("llm_calls", LLMCall) if c.instance_id == iid]


def test_an_unknown_system_library_is_found_by_the_explorer_and_added_by_the_dockerfile_agent(agent_run):
    ws, *_ = agent_run
    attempts = attempts_of(ws, f"{PREFIX}__syslib-1")
    assert attempts[-1].outcome == "valid", story(attempts)
    assert attempts[0].stage == "build" and attempts[0].outcome == "failed", story(attempts)
    first_log = ws.stage("environments").log_dir(f"{PREFIX}__syslib-1") / "attempt-1" / "build.log"
    assert "sodium.h: No such file or directory" in first_log.read_text(), "the first build must fail on the header"
    fixed = [a for a in attempts if a.tier == "agents"]
    assert [(a.rule, a.fix) for a in fixed] == [("agent:dockerfile", "add_system_package=libsodium-dev")], story(attempts)
    env = ws.stage("environments", Environment).get(f"{PREFIX}__syslib-1")
    assert env.build_method == "agent" and "libsodium-dev" in env.dockerfile
    assert sorted(c.agent for c in calls_of(ws, f"{PREFIX}__syslib-1")) == ["dockerfile", "explorer", "legitimacy-review"]


def test_a_suite_needing_its_own_test_command_is_routed_to_the_eval_script_agent(agent_run):
    ws, *_ = agent_run
    attempts = attempts_of(ws, f"{PREFIX}__envvar-1")
    assert [(a.outcome, a.tier, a.fix) for a in attempts] == [
        ("invalid", "agents", "test_command=PKG_TESTING=1 {command}"), ("valid", "", "")], story(attempts)
    env = ws.stage("environments", Environment).get(f"{PREFIX}__envvar-1")
    assert "PKG_TESTING=1 python -m pytest" in env.eval_script
    agents = [c.agent for c in sorted(calls_of(ws, f"{PREFIX}__envvar-1"), key=lambda c: c.created_at)]
    assert sorted(agents) == ["eval-script", "explorer", "legitimacy-review", "test-analysis"]
    assert all(c.prompt_version.startswith(f"{c.agent if c.agent != 'eval-script' else 'eval-script-agent'}")
               or c.agent in ("dockerfile",) for c in calls_of(ws, f"{PREFIX}__envvar-1"))


def test_a_script_that_exits_0_whatever_the_tests_do_is_caught_and_replaced(agent_run):
    ws, *_ = agent_run
    attempts = attempts_of(ws, f"{PREFIX}__cheat-1")
    assert [a.reason or a.outcome for a in attempts] == ["gold_patch_fails", "not_legitimate", "valid"], story(attempts)
    assert "exit status" in attempts[1].detail and "|| python -c" in attempts[1].recipe["test_command"]
    env = ws.stage("environments", Environment).get(f"{PREFIX}__cheat-1")
    assert "|| python -c" not in env.eval_script and "PKG_TESTING=1 python -m pytest" in env.eval_script


def test_an_instance_the_agents_cannot_fix_gives_up_within_its_budget(agent_run):
    ws, *_ = agent_run
    iid = f"{PREFIX}__stubborn-1"
    attempts = attempts_of(ws, iid)
    assert attempts[-1].outcome != "valid" and attempts[-1].diagnosis.startswith("agent_budget_spent"), story(attempts)
    spent = sum(c.cost_usd for c in calls_of(ws, iid))
    assert spent == pytest.approx(0.30) and spent <= options().budget.usd_per_instance
    assert sum(a.cost_usd for a in attempts) == pytest.approx(spent)
    env = ws.stage("environments", Environment).get(iid)
    assert env.cost_usd == pytest.approx(spent)


def test_the_second_instance_of_a_repository_is_seeded_and_pays_for_no_diagnosis(agent_run):
    ws, _, summary, _ = agent_run
    attempts = attempts_of(ws, f"{PREFIX}__syslib-2")
    assert [(a.outcome, a.seeded_from) for a in attempts] == [("valid", f"{PREFIX}__syslib-1")], story(attempts)
    assert [c.agent for c in calls_of(ws, f"{PREFIX}__syslib-2")] == ["legitimacy-review"]
    assert summary.agent_rescued == 5


def test_a_build_variable_no_typed_fix_sets_is_added_by_an_edit_of_the_dockerfile_in_layer_order(agent_run):
    ws, *_ = agent_run
    iid = f"{PREFIX}__sysenv-1"
    attempts = attempts_of(ws, iid)
    assert [(a.stage, a.outcome, a.tier, a.rule) for a in attempts] == [
        ("build", "failed", "agents", "agent:dockerfile"), ("validate", "valid", "", "")], story(attempts)
    first_log = ws.stage("environments").log_dir(iid) / "attempt-1" / "build.log"
    assert "build with SPKG_LIBSODIUM=system" in first_log.read_text()
    assert attempts[0].fix.startswith("edit dockerfile: moved `ENV SPKG_LIBSODIUM=system` from above step 2"), story(attempts)
    env = ws.stage("environments", Environment).get(iid)
    lines = env.dockerfile.splitlines()
    step_after = next(line for line in lines[lines.index("ENV SPKG_LIBSODIUM=system") + 1:] if not line.startswith("#"))
    assert step_after.startswith("RUN git reset --quiet")  # the step that installs the project
    assert lines.index("ENV SPKG_LIBSODIUM=system") > lines.index("COPY testbed/ /testbed/")
    assert "libsodium-dev" in env.dockerfile and env.build_method == "agent"
    assert attempts[1].recipe["dockerfile"] == env.dockerfile
    assert iid not in {r.instance_id for r in ws.stage("recipes")}, "an edited file is not the repository's to reuse"


def test_an_edit_of_the_eval_script_rescues_a_suite_needing_its_test_mode_after_a_cheating_edit_is_refused(agent_run):
    ws, *_ = agent_run
    iid = f"{PREFIX}__evaledit-1"
    attempts = attempts_of(ws, iid)
    assert [(a.outcome, a.tier, a.fix) for a in attempts] == [
        ("invalid", "agents", "edit eval_script"), ("valid", "", "")], story(attempts)
    assert "eval-script edit refused" in attempts[0].refused and "hard-coded exit status" in attempts[0].refused
    env = ws.stage("environments", Environment).get(iid)
    assert "export PKG_TESTING=1" in env.eval_script and 'OPENSWE_TEST_EXIT_CODE=${openswe_status}"' in env.eval_script
    assert sorted(c.agent for c in calls_of(ws, iid)) == ["eval-script", "eval-script", "explorer", "legitimacy-review",
                                                          "test-analysis"]


def test_a_fix_the_agents_found_is_written_as_a_candidate_rule_that_diagnoses_its_own_example(agent_run):
    from openswe_data.build.recipe import Fix
    from openswe_data.repair.rules import Rule

    ws, *_ = agent_run
    rules = yaml.safe_load((ws.path / "candidate_rules" / f"{PREFIX}__syslib-1.yaml").read_text())
    assert len(rules) == 1
    rule = Rule.model_validate(rules[0])
    assert rule.stage == "build" and Fix.model_validate(rule.fix).describe() == "add_system_package=libsodium-dev"
    import re

    assert re.search(rule.pattern, rule.example, re.M)
    assert not (ws.path / "candidate_rules" / f"{PREFIX}__stubborn-1.yaml").exists()


REPLAYED = ["syslib", "envvar", "cheat"]
"""Replayed instances: every agent speaks at least once among them (explorer, Dockerfile, eval script, test
analysis, the legitimacy review); the rest of the recording is left unused (replaying all seven would cost
as much Docker time again)."""


def test_a_recorded_run_replays_to_the_same_records_with_zero_new_calls(agent_run, tmp_path):
    from openswe_data.agents import ReplayModel

    ws, tier, _, recording = agent_run
    replay = ReplayModel(recording)
    ws2 = make_workspace(tmp_path, REPLAYED)
    ids = {t.instance_id for t in ws2.stage("tasks")}
    run(ws2, replay)
    assert replay.misses == 0, replay.missed
    recorded = [e for e in replay.entries if e.get("instance_id") in ids]
    assert {e.get("agent") for e in recorded} >= {"explorer", "dockerfile", "eval-script", "legitimacy-review"}
    assert replay.exact + len(replay.drifted) == len(recorded) == len(
        [c for c in ws.stage("llm_calls", LLMCall) if c.status == "ok" and c.instance_id in ids])
    print(f"replay: {replay.exact} exact, {len(replay.drifted)} by order: {replay.drifted}")
    fields = ("instance_id", "attempt", "stage", "outcome", "reason", "tier", "rule", "fix", "diagnosis",
              "recipe_key", "cost_usd", "llm_calls", "seeded_from")

    def rows(w):
        return sorted(tuple(getattr(a, f) for f in fields) for a in w.stage("build_attempts", BuildAttempt)
                      if a.instance_id in ids)

    assert rows(ws2) == rows(ws)
    assert len([c for c in ws2.stage("llm_calls", LLMCall) if c.status == "ok"]) == len(recorded)


KILLER = textwrap.dedent("""
    import os, signal, sys
    sys.path[:0] = [{here!r}, {tests!r}]
    from openswe_data.agents import ScriptedModel
    from openswe_data.repair import LoopOptions, build_with_loop
    from openswe_data.repair.tier import AgentTier
    from openswe_data.store import Workspace
    from agent_projects import SCRIPT

    class DiesOnSecondCall(ScriptedModel):
        calls = 0
        def query(self, messages):
            type(self).calls += 1
            if type(self).calls == 2:
                os.kill(os.getpid(), signal.SIGKILL)  # killed after the first paid reply was stored
            return super().query(messages)

    ws = Workspace({ws!r})
    tier = AgentTier(DiesOnSecondCall(SCRIPT, name="scripted-agents"), workspace=ws)
    build_with_loop(ws, workers=1, loop=LoopOptions(max_attempts=6), agents=tier)
""")


def test_a_run_killed_after_a_paid_call_resumes_without_paying_for_it_again(docker_client, tmp_path):
    from openswe_data.agents import ScriptedModel

    ws = make_workspace(tmp_path, ["syslib"])
    code = KILLER.format(here=str(HERE), tests=str(HERE.parent), ws=str(ws.path))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent.parent), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == -9, proc.stderr[-2000:]
    paid_before = [c for c in ws.stage("llm_calls", LLMCall) if c.status == "ok"]
    assert [c.agent for c in paid_before] == ["explorer"]

    class Counting(ScriptedModel):
        asked: list[str] = []

        def query(self, messages):
            self.asked.append(messages[0]["content"].splitlines()[0])
            return super().query(messages)

    model = Counting(SCRIPT, name="scripted-agents")
    run(ws, model)
    assert model.asked == ["# agent: dockerfile", "# agent: legitimacy-review"], "the explorer's paid reply was reused"
    calls = [c for c in ws.stage("llm_calls", LLMCall)]
    assert [c.agent for c in calls if c.status == "cached"] == ["explorer"]
    assert attempts_of(ws, f"{PREFIX}__syslib-1")[-1].outcome == "valid"
