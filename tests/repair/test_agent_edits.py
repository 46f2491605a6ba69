"""The Dockerfile agent's build repair through the agent tier, without Docker: its call lands in the
``llm_calls`` ledger, the same repair asked again is answered by the call cache at no cost, an edit that
breaks the build contract is refused with its reason recorded and asked for once more, and the accepted edit
is in layer order. (The same edits rescue real builds in tests/repair/test_agent_tier.py.)"""

from __future__ import annotations

import pytest

from openswe_data.agents import ScriptedModel
from openswe_data.build.recipe import Recipe
from openswe_data.records import BuildAttempt, Environment, LLMCall, Task
from openswe_data.store import Workspace

DOCKERFILE = """FROM openswe-base:py3.11
COPY openswe/build-requirements.txt openswe/requirements.txt openswe/helpers.sh /openswe/
RUN echo ">>>>> openswe: install dependencies" && pip install -r /openswe/requirements.txt
COPY testbed/ /testbed/
WORKDIR /testbed
RUN echo ">>>>> openswe: install project" && pip install -e .
COPY openswe/eval.sh /eval.sh
"""
LOG = ("Step 5/7 : WORKDIR /testbed\n ---> 1\nStep 6/7 : RUN echo \">>>>> openswe: install project\" && pip install -e .\n"
       "spkg/_sodium.c:2:10: fatal error: sodium.h: No such file or directory\n")
FIXED = (DOCKERFILE.replace("FROM openswe-base:py3.11\n", "FROM openswe-base:py3.11\nENV SPKG_LIBSODIUM=system\n"
                                                             "RUN apt-get update && apt-get install -y libsodium-dev\n"))


FIRST, AFTER_REFUSAL = r"(?s)\A(?!.*previous answer was refused)", "previous answer was refused"


def edit(dockerfile: str, cost: float = 0.02, match: str | None = None) -> dict:
    return {**({"match": match} if match else {}), "content": ("```yaml\ndiagnosis: libsodium_from_the_system\nsignature: 'sodium\\.h: No such file'\n"
                        f"edit: dockerfile\n```\n```dockerfile\n{dockerfile}```\n"),
            "prompt_tokens": 1000, "completion_tokens": 200, "cost_usd": cost}


class Counting(ScriptedModel):
    asked = 0

    def query(self, messages):
        type(self).asked += 1
        return super().query(messages)


def propose(ws: Workspace, model) -> tuple[Recipe | None, BuildAttempt]:
    from openswe_data.repair.tier import AgentTier

    task = Task(instance_id="o__spkg-1", repo="o/spkg", base_commit="c" * 40, patch="", test_patch="",
                problem_statement="")
    ws.stage("tasks").put(task)
    session = AgentTier(model, workspace=ws).session(task, git_dir=None)  # no mirror: no explorer call
    env = Environment(instance_id=task.instance_id, status="failed", reason="install_failed", dockerfile=DOCKERFILE,
                      python_version="3.11")
    attempt = BuildAttempt(instance_id=task.instance_id, attempt=1, stage="build", outcome="failed",
                           reason="install_failed")
    recipe = session.propose(attempt, env, None, LOG, Recipe(), log_dir=ws.path, tried={Recipe().key()},
                             pythons=("3.11",))
    return recipe, attempt


def test_a_repair_call_lands_in_the_ledger_and_the_same_repair_again_is_a_cache_hit(tmp_path):
    ws = Workspace(tmp_path / "ws", create=True)
    Counting.asked = 0
    recipe, attempt = propose(ws, Counting([edit(FIXED)], name="scripted"))
    assert recipe is not None and Counting.asked == 1
    assert (attempt.tier, attempt.rule, attempt.llm_calls, attempt.cost_usd) == ("agents", "agent:dockerfile", 1, 0.02)
    (call,) = list(ws.stage("llm_calls", LLMCall))
    assert (call.stage, call.agent, call.status, call.cost_usd, call.prompt_tokens) == ("build", "dockerfile", "ok", 0.02, 1000)
    assert call.prompt_version.startswith("dockerfile-agent@")

    again, attempt2 = propose(ws, Counting(["never asked"], name="scripted"))
    assert Counting.asked == 1 and again == recipe
    assert (attempt2.llm_calls, attempt2.cost_usd) == (1, 0.0)
    assert sorted(c.status for c in ws.stage("llm_calls", LLMCall)) == ["cached", "ok"]


def test_the_accepted_edit_is_in_layer_order_the_variable_just_above_the_step_that_failed(tmp_path):
    recipe, attempt = propose(Workspace(tmp_path / "ws", create=True), ScriptedModel([edit(FIXED)], name="s"))
    lines = recipe.dockerfile.splitlines()
    assert lines[1].startswith("RUN apt-get update")  # the system package stays in its stable layer
    assert lines[lines.index("ENV SPKG_LIBSODIUM=system") + 1].startswith('RUN echo ">>>>> openswe: install project"')
    assert attempt.fix.startswith("edit dockerfile: moved `ENV SPKG_LIBSODIUM=system` from above step 2 to above step 6")
    assert "rebuilds from step 2" in attempt.fix and recipe.fixes[-1].startswith("edit=dockerfile")


def test_an_edit_breaking_the_contract_is_refused_with_its_reason_and_asked_for_once_more(tmp_path):
    ws = Workspace(tmp_path / "ws", create=True)
    broken = FIXED.replace("COPY testbed/ /testbed/\n", "RUN git clone https://example.org/spkg /testbed\n")
    recipe, attempt = propose(ws, ScriptedModel([edit(broken, match=FIRST), edit(FIXED, match=AFTER_REFUSAL)],
                                             name="s"))
    assert recipe is not None and "libsodium-dev" in recipe.dockerfile
    assert "dockerfile edit refused" in attempt.refused and "exactly one `COPY testbed/ /testbed/`" in attempt.refused
    assert "writes the repository from elsewhere than the snapshot" in attempt.refused
    second = [c for c in ws.stage("llm_calls", LLMCall)]
    assert len(second) == 2 and attempt.cost_usd == pytest.approx(0.04)


def test_two_refused_edits_end_the_turn_with_the_reason(tmp_path):
    broken = FIXED.replace("COPY openswe/eval.sh /eval.sh\n", "")
    recipe, attempt = propose(Workspace(tmp_path / "ws", create=True), ScriptedModel([edit(broken)], name="s"))
    assert recipe is None and attempt.diagnosis.startswith("agent_edit_refused: dockerfile edit refused:")
    assert attempt.refused.count("dockerfile edit refused") == 2


@pytest.mark.parametrize("flag, value", [("--repair-model", "openai/gpt-4o"), ("--repair-scripted", "replies.yaml")])
def test_the_retired_single_shot_repair_flags_say_where_repair_went(flag, value, tmp_path):
    from typer.testing import CliRunner

    from openswe_data.cli import make_app

    Workspace(tmp_path / "ws", create=True)
    result = CliRunner().invoke(make_app(), ["build", flag, value, "-w", str(tmp_path / "ws")])
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert "retired" in result.stderr and "--agents" in result.stderr
    assert not list(Workspace(tmp_path / "ws").stage("environments")), "nothing was built"
