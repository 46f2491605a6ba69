"""The agent tier of the closed loop: what runs when the rules propose no new recipe, within budgets.

Input: a failed turn (or a passed one, for the legitimacy review). Output: the next recipe and what the
agents said, or nothing (a give-up, with its reason on the attempt). Per instance a session keeps the
explorer's facts (asked for once, and only when a fixing agent needs them) and the spend; per repository
the tier keeps turns and dollars across instances. A call is refused *before* it is made when the spend so
far plus the call's estimate (the mean of the ledger's paid calls, or the configured guess) would pass a
budget. Cheap by construction: the call cache answers any call made before; a fix that validated an
instance is remembered for its repository (the loop's memory seeds the next instance with it) and written
out as a candidate rule for a maintainer to review (``candidate_rules/<instance>.yaml`` in the workspace).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openswe_data.agents import CallCache, Ledger, Model, ModelError
from openswe_data.build.edits import EditRefused
from openswe_data.build.recipe import Recipe
from openswe_data.errors import AgentError
from openswe_data.records import BuildAttempt, Environment, LLMCall, Task, Validation
from openswe_data.repair import legitimacy
from openswe_data.repair.agents import AGENTS, STAGE, Advice, BuildAgents


@dataclass
class AgentBudget:
    turns_per_instance: int = 3
    """Agent turns (each: analysis, a fixing agent, a rebuild) one instance may take."""
    usd_per_instance: float = 1.0
    """Dollars the agents may spend on one instance."""
    turns_per_repo: int = 12
    """Agent turns across all instances of one repository in one run."""
    usd_per_repo: float = 5.0
    """Dollars across all instances of one repository (the ledger's earlier spend on it counts)."""
    call_estimate_usd: float = 0.05
    """What a call is assumed to cost before the ledger has paid calls to average."""


@dataclass
class AgentOptions:
    budget: AgentBudget = field(default_factory=AgentBudget)
    """Turns and dollars per instance and per repository."""
    review: bool = True
    """Ask the test-analysis agent to review every pass for legitimacy (the free checks always run)."""
    explore_rounds: int = 1
    """How many times the explorer may ask to read deeper before answering."""
    recipes_dir: str | None = None
    """Where ``builders/`` is (default: the recipe search path)."""


EDIT_TRIES = 2
"""Answers a fixing agent may give in one turn: an edit refused by the checks is asked for once more."""


class BudgetSpent(AgentError):
    reason = "agent_budget_spent"


class AgentTier:
    """The agents, their ledger and the repository budgets of one build run."""

    def __init__(self, model: Model, *, workspace: Any = None, options: AgentOptions | None = None,
                 cache_dir: str | Path | None = None, record_to: str | Path | None = None) -> None:
        self.options = options or AgentOptions()
        sink = workspace.stage("llm_calls", LLMCall) if workspace is not None else None
        root = Path(cache_dir) if cache_dir else (workspace.path / "cache" / "llm" if workspace is not None else None)
        self.ledger = Ledger(model, sink=sink, cache=CallCache(root) if root else None, record_to=record_to)
        self.candidates = workspace.path / "candidate_rules" if workspace is not None else None
        history = [c for c in (sink or []) if c.stage == STAGE and c.agent in AGENTS]
        paid = [c.cost_usd for c in history if c.status == "ok"]
        self.call_estimate = sum(paid) / len(paid) if paid else self.options.budget.call_estimate_usd
        repo_of = {t.instance_id: t.repo for t in workspace.stage("tasks", Task)} if workspace is not None else {}
        self.repo_usd: dict[str, float] = {}
        for c in history:
            repo = repo_of.get(c.instance_id, "")
            self.repo_usd[repo] = self.repo_usd.get(repo, 0.0) + c.cost_usd
        self.repo_turns: dict[str, int] = {}
        self.lock = threading.Lock()

    def session(self, task: Task, git_dir: Path | None) -> AgentSession:
        return AgentSession(self, task, git_dir)


class AgentSession:
    """One instance's agent turns."""

    def __init__(self, tier: AgentTier, task: Task, git_dir: Path | None) -> None:
        self.tier, self.task, self.git_dir = tier, task, git_dir
        self.budget = tier.options.budget
        self.agents = BuildAgents(tier.ledger, recipes_dir=tier.options.recipes_dir,
                                  explore_rounds=tier.options.explore_rounds)
        self.agents.before_call, self.agents.after_call = self._check, self._spent
        self.usd, self.calls, self.turns = 0.0, 0, 0
        self.facts: dict[str, Any] | None = None
        self.found: list[tuple[BuildAttempt, Advice, str]] = []

    # -- budgets -----------------------------------------------------------------------------------
    def _check(self) -> None:
        repo = self.tier.repo_usd.get(self.task.repo, 0.0)
        if self.usd + self.tier.call_estimate > self.budget.usd_per_instance:
            raise BudgetSpent(f"${self.usd:.4f} spent on the instance; a call (~${self.tier.call_estimate:.4f}) "
                              f"would pass its ${self.budget.usd_per_instance}")
        if repo + self.tier.call_estimate > self.budget.usd_per_repo:
            raise BudgetSpent(f"${repo:.4f} spent on {self.task.repo}; a call would pass its ${self.budget.usd_per_repo}")

    def _spent(self, cost: float, cached: bool) -> None:
        self.calls += 1
        if not cached:
            self.usd += cost
            with self.tier.lock:
                self.tier.repo_usd[self.task.repo] = self.tier.repo_usd.get(self.task.repo, 0.0) + cost

    def _turn(self) -> None:
        with self.tier.lock:
            used = self.tier.repo_turns.get(self.task.repo, 0)
            if self.turns >= self.budget.turns_per_instance or used >= self.budget.turns_per_repo:
                raise BudgetSpent(f"{self.turns} agent turn(s) on the instance, {used} on {self.task.repo}")
            self.tier.repo_turns[self.task.repo] = used + 1
        self.turns += 1

    # -- the tier's two entry points ---------------------------------------------------------------
    def propose(self, attempt: BuildAttempt, env: Environment, validation: Validation | None, text: str,
                recipe: Recipe, *, log_dir: Path, tried: set[str], pythons: tuple[str, ...]) -> Recipe | None:
        """The next recipe the agents propose for a failed ``attempt`` (which records what they said)."""
        usd, calls = self.usd, self.calls
        try:
            self._turn()
            feedback, agent = "", "dockerfile"
            if attempt.stage == "validate" and validation is not None:
                analysis = self.agents.analyse(self.task, env, validation, attempt=attempt.attempt,
                                               reason=attempt.reason, detail=attempt.detail, log_dir=log_dir)
                if analysis["fault"] == "task":
                    attempt.diagnosis = f"agent: task fault: {analysis['cause']}"
                    return None
                agent = "dockerfile" if analysis["to"] == "dockerfile" else "eval-script"
                feedback = f"{analysis['cause']}: {analysis['feedback']}"
            refused: list[str] = []
            for _ in range(EDIT_TRIES):  # a refused edit is asked for once more, with the reasons
                advice = self.agents.fix(agent, self.task, env, attempt=attempt.attempt, stage=attempt.stage,
                                         reason=attempt.reason, text=text, detail=attempt.detail, log_dir=log_dir,
                                         recipe=recipe, facts=self._facts(env), feedback=feedback,
                                         refused="\n".join(refused))
                if advice.give_up:
                    attempt.diagnosis = f"agent gave up: {advice.give_up}"[:300]
                    return None
                try:
                    candidate, attempt.fix = self._apply(advice, attempt, env, text, recipe, pythons)
                    break
                except EditRefused as exc:
                    refused.append(f"{advice.agent} edit refused: {exc.message}")
                    attempt.refused = "\n".join(refused)[:2000]
            else:
                attempt.diagnosis = f"agent_edit_refused: {refused[-1]}"[:300]
                return None
            attempt.tier, attempt.rule = "agents", f"agent:{agent}"
            attempt.diagnosis = advice.diagnosis
            if candidate.key() in tried:
                attempt.diagnosis = f"agent proposed a recipe already tried ({attempt.fix})"
                return None
            self.found.append((attempt, advice, text))
            return candidate
        except BudgetSpent as exc:
            attempt.diagnosis = f"agent_budget_spent: {exc.message}"[:300]
            return None
        except (AgentError, ModelError) as exc:
            attempt.diagnosis = f"agent_error: {exc.message}"[:300]
            return None
        finally:
            attempt.cost_usd, attempt.llm_calls = round(self.usd - usd, 6), self.calls - calls

    def _apply(self, advice: Advice, attempt: BuildAttempt, env: Environment, text: str, recipe: Recipe,
               pythons: tuple[str, ...]) -> tuple[Recipe, str]:
        """The recipe with the agent's typed fixes or checked edit, and what the attempt records as its fix;
        an :class:`EditRefused` when the edit breaks the build contract or the eval-script checks."""
        from openswe_data.build import edits

        if advice.edit == "dockerfile":
            revision = edits.revise_dockerfile(env.dockerfile, advice.text,
                                               failed=edits.failed_step(text) if attempt.stage == "build" else None)
            note = "; ".join(revision.notes)
            return recipe.with_edit(dockerfile=revision.dockerfile, note=f"dockerfile ({note})"), f"edit dockerfile: {note}"
        if advice.edit == "eval_script":
            return recipe.with_edit(eval_script=self._checked_script(advice.text, env, recipe),
                                    note="eval_script"), "edit eval_script"
        candidate = recipe
        for fix in advice.fixes:
            candidate = candidate.with_fix(fix, failed_python=env.python_version, pythons=pythons)
        return candidate, "; ".join(f.describe() for f in advice.fixes)

    def _checked_script(self, edited: str, env: Environment, recipe: Recipe) -> str:
        """The agent's eval script with the test patch back, through the build's own eval-script check."""
        from openswe_data import conventions as C
        from openswe_data.build import edits
        from openswe_data.build.evalscript import check_eval_script

        if recipe.runner == "script":
            raise edits.EditRefused(["an eval script run by the repository's own command is changed only by typed "
                                     "fixes (its runner word is the repository's)"])
        script = edits.restore_eval_script(edited, self.task.test_patch)
        problems = check_eval_script(script, list(env.test_files), runner_word=recipe.runner,
                                     test_patch=self.task.test_patch, junit=C.JUNIT_PATH in (env.eval_script or ""))
        if problems:
            raise edits.EditRefused(problems)
        if script == env.eval_script:
            raise edits.EditRefused(["the edit changes nothing"])
        return script

    def review(self, attempt: BuildAttempt, env: Environment, validation: Validation) -> list[str]:
        """Why a passed probe is not legitimate (``[]``: it is); free checks first, then the model's review."""
        found = legitimacy.problems(self.task, env, validation)
        if found or not self.tier.options.review:
            return found
        usd, calls = self.usd, self.calls
        try:
            return self.agents.review(self.task, env, validation)
        except BudgetSpent as exc:
            attempt.detail = f"legitimacy review by the model skipped: {exc.message}"
            return []
        except (AgentError, ModelError) as exc:
            attempt.detail = f"legitimacy review by the model failed: {exc.message}"
            return []
        finally:
            attempt.cost_usd += round(self.usd - usd, 6)
            attempt.llm_calls += self.calls - calls

    def finish(self, valid: bool) -> Path | None:
        """When the instance validated with an agent's fix: write that fix as candidate rules."""
        if not valid or not self.found or self.tier.candidates is None:
            return None
        from openswe_data.repair.candidates import write_candidates

        return write_candidates(self.tier.candidates, self.task, self.found, model=self.tier.ledger.model)

    def _facts(self, env: Environment) -> dict[str, Any]:
        rule_facts = {k: v for k, v in (env.setup_facts or {}).items() if v not in (None, "", [], {})}
        if self.facts is None:
            self.facts = {}
            if self.git_dir is not None:
                from openswe_data.agents.tools import SnapshotTools

                self.facts = self.agents.explore(self.task, SnapshotTools(self.git_dir, self.task.base_commit),
                                                 rule_facts)
        return {"rules": rule_facts, "explorer": self.facts}


