"""The agent tier without Docker: the free legitimacy checks, budgets refusing a call before it is made,
routing by the test-analysis agent, an agent kept to its own fixes, candidate rules, and the dry run."""

from __future__ import annotations

import pytest
import yaml

from openswe_data.agents import ScriptedModel
from openswe_data.build.recipe import Recipe
from openswe_data.records import BuildAttempt, Environment, LLMCall, Task, Validation
from openswe_data.repair import legitimacy
from openswe_data.repair.tier import AgentBudget, AgentOptions, AgentTier

TEST_PATCH = ("diff --git a/tests/test_a.py b/tests/test_a.py\nnew file mode 100644\n--- /dev/null\n"
              "+++ b/tests/test_a.py\n@@ -0,0 +1 @@\n+def test_a(): pass\n")
TASK = Task(instance_id="o__r-1", repo="o/r", base_commit="abc", patch="", test_patch=TEST_PATCH, problem_statement="")
ENV = Environment(instance_id="o__r-1", status="built", test_files=["tests/test_a.py"], eval_script="#!/bin/bash\n",
                  test_command="python -m pytest tests/test_a.py", dockerfile="FROM x\n")


def passed(**kw) -> Validation:
    base = dict(instance_id="o__r-1", verdict="valid", FAIL_TO_PASS=["tests/test_a.py::test_a"],
                tests_before={"tests/test_a.py::test_a": "FAILED"}, tests_after={"tests/test_a.py::test_a": "PASSED"},
                exit_before=1, exit_after=0)
    return Validation(**{**base, **kw})


def test_an_honest_pass_has_no_legitimacy_problem():
    assert legitimacy.problems(TASK, ENV, passed()) == []


@pytest.mark.parametrize("change, words", [
    ({"exit_before": 0}, "exit status does not come from the test run"),
    ({"tests_before": {}}, "did not run on both sides"),
    ({"FAIL_TO_PASS": ["tests/test_other.py::test_b"]}, "outside the files the test patch touches"),
])
def test_a_pass_that_proves_nothing_is_caught_by_the_free_checks(change, words):
    found = legitimacy.problems(TASK, ENV, passed(**change))
    assert len(found) == 1 and words in found[0]


def yaml_reply(data, cost=0.0, match=None):
    r = {"content": "```yaml\n" + yaml.safe_dump(data) + "```", "cost_usd": cost}
    return {**r, "match": match} if match else r


ANALYSIS = yaml_reply({"fault": "environment", "cause": "c", "to": "eval_script", "feedback": "f"}, 0.25,
                      "# agent: test-analysis")


def session(replies, budget=None, workspace=None):
    tier = AgentTier(ScriptedModel(replies), workspace=workspace,
                     options=AgentOptions(budget=budget or AgentBudget(usd_per_instance=0.5, call_estimate_usd=0.1)))
    return tier, tier.session(TASK, None)


def propose(s, tmp_path, n=1, tried=()):
    attempt = BuildAttempt(instance_id="o__r-1", attempt=n, repo="o/r", stage="validate", outcome="invalid",
                           reason="gold_patch_fails")
    recipe = s.propose(attempt, ENV, passed(verdict="invalid"), "log", Recipe(), log_dir=tmp_path, tried=set(tried),
                       pythons=("3.11",))
    return attempt, recipe


def test_the_analysis_routes_to_the_eval_script_agent_and_its_fix_makes_the_next_recipe(tmp_path):
    _, s = session([ANALYSIS, yaml_reply({"diagnosis": "d", "fixes": [{"test_option": "-p x"}]}, 0.25,
                                         "# agent: eval-script")])
    attempt, recipe = propose(s, tmp_path)
    assert recipe is not None and recipe.test_options == ("-p x",)
    assert (attempt.tier, attempt.rule, attempt.fix, attempt.llm_calls) == ("agents", "agent:eval-script", "test_option=-p x", 2)
    assert attempt.cost_usd == pytest.approx(0.5)


def test_a_call_that_would_pass_the_instance_budget_is_refused_before_it_is_made(tmp_path):
    model_replies = [ANALYSIS, yaml_reply({"diagnosis": "d", "fixes": [{"test_option": "-v"}]}, 0.25, "# agent: eval-script")]
    tier, s = session(model_replies)
    propose(s, tmp_path)
    attempt, recipe = propose(s, tmp_path, n=2)
    assert recipe is None and attempt.diagnosis.startswith("agent_budget_spent")
    assert (attempt.llm_calls, s.usd, tier.ledger.paid_calls) == (0, pytest.approx(0.5), 2)


def test_a_task_fault_ends_the_agents_turn_without_a_fix(tmp_path):
    _, s = session([yaml_reply({"fault": "task", "cause": "flaky_upstream"}, match="# agent: test-analysis")])
    attempt, recipe = propose(s, tmp_path)
    assert recipe is None and attempt.diagnosis == "agent: task fault: flaky_upstream" and attempt.tier == ""


def test_an_agent_proposing_a_fix_outside_its_part_gets_nothing(tmp_path):
    _, s = session([ANALYSIS, yaml_reply({"fixes": [{"add_system_package": "gcc"}]}, match="# agent: eval-script")])
    attempt, recipe = propose(s, tmp_path)
    assert recipe is None and "not its to change" in attempt.diagnosis


def test_the_repository_budget_counts_what_the_ledger_spent_on_it_before(tmp_path):
    from openswe_data.store import Workspace

    ws = Workspace(tmp_path / "ws", create=True)
    ws.stage("tasks").put(Task(instance_id="o__r-0", repo="o/r", base_commit="a", patch="", test_patch="",
                               problem_statement=""))
    ws.stage("llm_calls").put(LLMCall(call_id="c1", instance_id="o__r-0", stage="build", agent="dockerfile",
                                      cost_usd=4.95))
    _, s = session([ANALYSIS], budget=AgentBudget(usd_per_instance=100.0, usd_per_repo=5.0), workspace=ws)
    attempt, recipe = propose(s, tmp_path)
    assert recipe is None and "spent on o/r" in attempt.diagnosis


def test_the_dry_run_estimates_from_history_and_never_passes_the_budgets(tmp_path):
    from openswe_data.repair.spend import plan_spend
    from openswe_data.store import Workspace

    ws = Workspace(tmp_path / "ws", create=True)
    calls, attempts = ws.stage("llm_calls"), ws.stage("build_attempts")
    for i in range(4):
        attempts.put(BuildAttempt(instance_id=f"o__r-{i}", attempt=1, repo="o/r", tier="agents" if i == 0 else ""))
        calls.put(LLMCall(call_id=f"r{i}", instance_id=f"o__r-{i}", stage="build", agent="legitimacy-review",
                          cost_usd=0.01))
    calls.put(LLMCall(call_id="d", instance_id="o__r-0", stage="build", agent="dockerfile", cost_usd=0.4))
    calls.put(LLMCall(call_id="e", instance_id="o__r-0", stage="build", agent="explorer", status="cached"))
    tasks = [Task(instance_id=f"p__q-{i}", repo="p/q", base_commit="a", patch="", test_patch="", problem_statement="")
             for i in range(10)]
    plan = plan_spend(ws, tasks, AgentBudget(usd_per_instance=1.0, usd_per_repo=2.0))
    assert (plan.reached_before, plan.built_before, plan.paid_calls) == (1, 4, 5)
    assert plan.expected_usd == pytest.approx(10 * (0.25 * 0.4 + 0.04 / 4))
    assert plan.ceiling_usd == 2.0 and plan.cache_hit_rate == pytest.approx(1 / 6)
    assert "expected: $1.1000" in plan.lines()
    empty = plan_spend(Workspace(tmp_path / "ws2", create=True), tasks)
    assert empty.expected_usd is None and "unknown" in empty.lines()[1]


def test_a_candidate_rule_falls_back_to_the_last_error_line_when_the_signature_does_not_match():
    from openswe_data.build.recipe import Fix
    from openswe_data.repair.agents import Advice
    from openswe_data.repair.candidates import candidate_rules

    text = "Step 3/9 : RUN x\ncc -c a.c\na.c:1:10: fatal error: foo.h: No such file or directory\ndone\n"
    attempt = BuildAttempt(instance_id="o__r-1", attempt=1, stage="build", reason="install_failed")
    advice = Advice("dockerfile", diagnosis="missing_foo", signature="no such line",
                    fixes=[Fix(add_system_package="libfoo-dev")])
    [rule] = candidate_rules(TASK, [(attempt, advice, text)])
    assert rule["pattern"].startswith("a\\.c:1:10:\\ fatal\\ error") and "foo.h" in rule["example"]
    assert rule["fix"] == rule["expect"] == {"add_system_package": "libfoo-dev"} and rule["reasons"] == ["install_failed"]
