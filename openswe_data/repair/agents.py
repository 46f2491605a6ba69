"""The builder's four agents: explorer, Dockerfile, eval-script and test-analysis (which also reviews passes).

Input: a failed (or passed) turn of the closed loop. Output: structured answers — facts, typed fixes, a
fault and feedback, a legitimacy verdict. Every agent is one prompt folder (``builders/prompts/<agent>/``)
and one parse: the model answers in a ```yaml block, and anything it proposes must be a typed ``Fix`` of
the agent's own part of the vocabulary (the Dockerfile agent: what is installed; the eval-script agent: how
the tests run). A fix then goes through the loop like a rule's: rendered by the same templates, so the
build contract holds by construction, checked by the same eval-script check, built (only the layers it
touches) and validated. Every call goes through the ledger (cache first, one ``llm_calls`` row each).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from openswe_data import conventions as C
from openswe_data.agents import Ledger
from openswe_data.agents import prompts
from openswe_data.agents.tools import SnapshotTools
from openswe_data.build.recipe import DOCKERFILE_KINDS, EVAL_SCRIPT_KINDS, Fix, Recipe
from openswe_data.errors import AgentError
from openswe_data.records import Environment, Task, Validation

STAGE = "build"
BUILD_KINDS = DOCKERFILE_KINDS
"""What the Dockerfile agent may change by a typed fix: what the image installs and from which base."""
EVAL_KINDS = EVAL_SCRIPT_KINDS
"""What the eval-script agent may change by a typed fix: how the targeted tests are run."""
EDITS = {"dockerfile": ("dockerfile", "dockerfile"), "eval-script": ("eval_script", "bash")}
"""agent -> (the file it may edit, the fence of the block holding the whole new file)."""
AGENTS = ("explorer", "dockerfile", "eval-script", "test-analysis", "legitimacy-review")


@dataclass
class Advice:
    """One fixing agent's answer."""

    agent: str
    diagnosis: str = ""
    signature: str = ""
    """A regular expression for the log line showing the cause (becomes a candidate rule's pattern)."""
    fixes: list[Fix] = field(default_factory=list)
    give_up: str = ""
    edit: str = ""
    """``dockerfile`` or ``eval_script`` when the agent proposes a whole new file instead of typed fixes."""
    text: str = ""
    """That file (the eval script with its test-patch placeholder, as the agent saw it)."""


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110).strip() or "(none)"


def _tail(text: str, chars: int = 5000) -> str:
    """The end of a log, without what changes between runs of the same build (so the call cache and a
    replay recognise the same failure) and without the eval script's shell trace."""
    import re

    from openswe_data.logtext import stable

    # the eval script's shell trace goes to stderr and interleaves with the output differently each run
    lines = stable(re.sub(r"(?m)^\++ .*\n?", "", text)).splitlines()
    kept: list[str] = []
    size = 0
    for line in reversed(lines):  # whole lines only: a cut inside a line moves with every byte before it
        size += len(line) + 1
        if size > chars:
            break
        kept.append(line)
    return "\n".join(reversed(kept))


def build_excerpt(text: str) -> str:
    """A failed image build's log from its last step on (earlier steps print differently when cached)."""
    lines = text.splitlines()
    steps = [i for i, line in enumerate(lines) if line.startswith("Step ")]
    return "\n".join(lines[steps[-1]:]) if steps else text


def run_output(path: Path) -> str:
    import re

    """One eval-script run's own output: from the start marker to its exit status (the shell trace and the
    patch steps go to stderr and interleave with it differently each run); the whole log when it has no
    marker (the test patch did not apply, the script stopped early). Blank lines are left out: where one
    falls depends on the same interleaving."""
    if not path.is_file():
        return "(no log)"
    text = path.read_text(errors="replace")
    marker = re.search(rf"(?m)^{re.escape(C.START_TEST_OUTPUT)}$", text)  # the echo, not its trace line
    start = marker.start() if marker else -1
    if start >= 0:
        status = re.search(rf"(?m)^{re.escape(C.TEST_EXIT_PREFIX)}\d+$", text[start:])
        text = text[start: start + status.end() if status else None]
    return _tail("\n".join(line for line in text.splitlines() if line.strip()), 4000)


def failure_excerpt(stage: str, text: str, detail: str, log_dir: Path) -> str:
    """What a fixing agent reads of a failure: the build's last step, or the probe's two test runs."""
    if stage != "validate":
        return _tail(build_excerpt(text))
    return "\n".join([_tail(detail, 1500), "== with the fix", run_output(log_dir / "after-1.log"),
                      "== without the fix", run_output(log_dir / "before-1.log")])


def tests_table(validation: Validation | None) -> str:
    if validation is None:
        return "(no test ran)"
    before, after = dict(validation.tests_before or {}), dict(validation.tests_after or {})
    rows = [f"{t}: {before.get(t, '-')} -> {after.get(t, '-')}" for t in sorted(set(before) | set(after))]
    return "\n".join(rows[:80]) or "(no per-test results on either side)"


class BuildAgents:
    """The four agents over one ledger; stateless between instances (the tier keeps budgets and facts)."""

    def __init__(self, ledger: Ledger, *, recipes_dir: str | Path | None = None, explore_rounds: int = 1) -> None:
        self.ledger = ledger
        self.recipes_dir = recipes_dir
        self.explore_rounds = explore_rounds
        self.before_call: Any = None
        """Called before each call (the tier's budget check: it raises to refuse the call)."""
        self.after_call: Any = None
        """Called after each call with its cost and whether the cache answered it."""

    def ask(self, folder: str, variables: dict[str, Any], *, agent: str, instance_id: str) -> dict[str, Any]:
        """One call of ``agent`` with the prompts of ``folder``; its yaml answer."""
        return prompts.yaml_answer(self.call(folder, variables, agent=agent, instance_id=instance_id))

    def call(self, folder: str, variables: dict[str, Any], *, agent: str, instance_id: str) -> str:
        """One call of ``agent`` with the prompts of ``folder``; the reply's text."""
        common = {"testbed": C.TESTBED, "eval_script_path": C.EVAL_SCRIPT_PATH}
        messages, version = prompts.messages(folder, {**common, **variables}, explicit=self.recipes_dir)
        if self.before_call is not None and not self.ledger.has_answer(messages):
            self.before_call()  # a call the cache answers costs nothing: never refused
        reply = self.ledger.ask(messages, stage=STAGE, agent=agent, instance_id=instance_id, prompt_version=version)
        if self.after_call is not None:
            self.after_call(reply.cost_usd, reply.cached)
        return reply.content

    def explore(self, task: Task, tools: SnapshotTools, rule_facts: dict[str, Any]) -> dict[str, Any]:
        """Facts the rules missed, document-first; deeper reads only when the explorer asks for them."""
        extra: list[dict[str, str]] = []
        variables = {"repo": task.repo, "instance_id": task.instance_id, "rule_facts": _dump(rule_facts),
                     "tree": tools.tree(), "setup_docs": tools.setup_docs(), "max_rounds": self.explore_rounds}
        for _ in range(self.explore_rounds + 1):
            answer = self.ask("explorer", {**variables, "extra": extra}, agent="explorer", instance_id=task.instance_id)
            if isinstance(answer.get("facts"), dict) or len(extra) >= 8 * self.explore_rounds:
                return dict(answer.get("facts") or {})
            for path in list(answer.get("read") or [])[:4]:
                extra.append({"title": f"File {path}", "text": tools.read_file(str(path))})
            for pattern in list(answer.get("search") or [])[:4]:
                extra.append({"title": f"Search {pattern}", "text": tools.search(str(pattern))})
        return {}

    def fix(self, agent: str, task: Task, env: Environment, *, attempt: int, stage: str, reason: str, text: str,
            detail: str, log_dir: Path, recipe: Recipe, facts: dict[str, Any], feedback: str,
            refused: str = "") -> Advice:
        """The Dockerfile (``agent="dockerfile"``) or eval-script agent's typed fixes — or its edit of its file
        — for a failed attempt (``refused``: why its previous edit in this turn was refused)."""
        from openswe_data.build.edits import PATCH_PLACEHOLDER, eval_script_view

        kinds = BUILD_KINDS if agent == "dockerfile" else EVAL_KINDS
        docs = {k: " ".join((Fix.model_fields[k].description or "").split()) for k in kinds}
        shown = recipe.model_dump(mode="json", exclude={"dockerfile", "eval_script"})  # the files are shown as files
        variables = {"repo": task.repo, "instance_id": task.instance_id, "attempt": attempt, "stage": stage,
                     "reason": reason, "feedback": feedback, "recipe": _dump(shown), "refused": refused,
                     "eval_script": eval_script_view(env.eval_script or "", task.test_patch),
                     "facts": _dump(facts), "fix_kinds": docs,
                     "log_excerpt": failure_excerpt(stage, text, detail, log_dir),
                     "dockerfile": env.dockerfile or "(the build failed before its Dockerfile was written)",
                     "test_command": env.test_command or "", "start_marker": C.START_TEST_OUTPUT,
                     "patch_placeholder": PATCH_PLACEHOLDER,
                     "end_marker": C.END_TEST_OUTPUT}
        content = self.call(f"{agent}-agent", variables, agent=agent, instance_id=task.instance_id)
        answer = prompts.yaml_answer(content)
        if answer.get("give_up"):
            return Advice(agent, give_up=str(answer["give_up"]))
        if answer.get("edit"):
            name, fence = EDITS[agent]
            if str(answer["edit"]).replace("-", "_") != name or answer.get("fixes"):
                raise AgentError(f"the {agent} agent may edit only its own file ({name}), and not with fixes too")
            return Advice(agent, diagnosis=str(answer.get("diagnosis") or f"{agent}_edit"),
                          signature=str(answer.get("signature") or ""), edit=name,
                          text=prompts.fenced_block(content, fence, "sh") if fence == "bash"
                          else prompts.fenced_block(content, fence))
        fixes: list[Fix] = []
        for item in answer.get("fixes") or []:
            try:
                fix = Fix.model_validate(item)
            except ValidationError as exc:
                raise AgentError(f"the {agent} agent proposed a fix that is not one: {item!r} ({exc.errors()[0]['msg']})") from None
            if fix.kind not in kinds:
                raise AgentError(f"the {agent} agent proposed `{fix.kind}`, which is not its to change")
            fixes.append(fix)
        if not fixes:
            return Advice(agent, give_up="the answer proposed no fix")
        return Advice(agent, diagnosis=str(answer.get("diagnosis") or f"{agent}_fix"),
                      signature=str(answer.get("signature") or ""), fixes=fixes)

    def analyse(self, task: Task, env: Environment, validation: Validation, *, attempt: int, reason: str,
                detail: str, log_dir: Path) -> dict[str, str]:
        """Environment or task fault, the cause, and feedback addressed to ``dockerfile`` or ``eval_script``."""
        answer = self.ask("test-analysis", {
            "repo": task.repo, "instance_id": task.instance_id, "attempt": attempt, "reason": reason,
            "detail": _tail(detail, 2000), "tests": tests_table(validation),
            "test_command": env.test_command or "", "log_before": run_output(log_dir / "before-1.log"), "log_after": run_output(log_dir / "after-1.log")},
            agent="test-analysis", instance_id=task.instance_id)
        fault = str(answer.get("fault") or "environment")
        to = str(answer.get("to") or "dockerfile").replace("-", "_")
        if fault not in ("environment", "task") or to not in ("dockerfile", "eval_script"):
            raise AgentError(f"the test-analysis agent answered fault={fault!r}, to={to!r}")
        return {"fault": fault, "cause": str(answer.get("cause") or ""), "to": to,
                "feedback": str(answer.get("feedback") or "")}

    def review(self, task: Task, env: Environment, validation: Validation) -> list[str]:
        """The model's legitimacy review of a pass: the problems it names (``[]``: legitimate)."""
        from openswe_data.toolchains.python.targets import touched_paths

        answer = self.ask("legitimacy-review", {
            "repo": task.repo, "instance_id": task.instance_id, "touched": "\n".join(touched_paths(task.test_patch)),
            "fail_to_pass": "\n".join(validation.FAIL_TO_PASS), "tests": tests_table(validation),
            "exit_before": validation.exit_before, "exit_after": validation.exit_after,
            "eval_script": env.eval_script}, agent="legitimacy-review", instance_id=task.instance_id)
        if answer.get("legitimate") is True:
            return []
        return [str(p) for p in answer.get("problems") or []] or ["the review found the pass not legitimate"]
