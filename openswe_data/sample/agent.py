"""The ``Agent`` interface and the bash agent: a conversation where each reply runs one shell command.

Input: a task (problem statement, repository), a :class:`~openswe_data.agents.models.Model`, an
:class:`~openswe_data.sample.environment.Environment`. Output: :class:`AgentResult` — the trajectory as chat
messages (``system``, ``user``, ``assistant``), why it ended, the patch, tokens and dollars.

The format is mini-swe-agent's: every reply carries exactly one fenced ``bash`` block. A reply with none or
several gets the format-error message back (worded like mini-swe-agent's, so curation recognizes and masks
that step); a command whose output starts with the submit marker ends the run. The step limit (model calls)
and the dollar budget end it too. Prompts are files in ``builders/prompts/<prompts>/``, rendered strictly.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from openswe_data import conventions as C
from openswe_data import recipes
from openswe_data.sample.environment import Environment, cut_output
from openswe_data.agents.models import Model, ModelError, Reply, scrub_secrets

SUBMITTED, STEP_LIMIT, BUDGET, MODEL_ERROR = "submitted", "step_limit", "budget", "model_error"
"""Why a run ended (``AgentResult.exit_status``)."""

_ACTION = re.compile(r"```bash\s*\n(.*?)\n```", re.DOTALL)


@dataclass(frozen=True)
class AgentConfig:
    step_limit: int = 50
    """Model calls per attempt (format errors count); 0 for no limit."""
    budget_usd: float = 3.0
    """Dollars one attempt may spend; checked before each call; 0 for no limit."""
    command_timeout: float = 120.0
    """Seconds one command may run before it is killed."""
    output_limit: int = 10_000
    """Characters of a command's output shown to the model (the middle is left out past this)."""
    submit_marker: str = "COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT"
    """A command whose output starts with this line submits."""
    prompts: str = "prompts/bash-agent"
    """The folder of prompt templates under ``builders/``."""
    recipes_path: str | None = None
    """A folder holding a ``builders/`` that overrides the shipped prompts."""


@dataclass
class TaskInfo:
    instance_id: str
    repo: str
    problem_statement: str


@dataclass
class AgentResult:
    messages: list[dict[str, str]]
    exit_status: str
    """``submitted``, ``step_limit``, ``budget`` or ``model_error``."""
    patch: str = ""
    detail: str = ""
    """The error text when the model failed."""
    steps: int = 0
    format_errors: int = 0
    cost_usd: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    notes: set[str] = field(default_factory=set)


class FormatError(ValueError):
    def __init__(self, n_blocks: int) -> None:
        super().__init__(f"expected exactly one bash block, found {n_blocks}")
        self.n_blocks = n_blocks


def parse_action(text: str) -> str:
    """The command in the reply's one ```` ```bash ```` block; :class:`FormatError` for none or several."""
    blocks = _ACTION.findall(text)
    if len(blocks) != 1:
        raise FormatError(len(blocks))
    return blocks[0].strip()


def is_submission(output: str, marker: str) -> bool:
    """True when the command's output starts with the submit marker line."""
    lines = output.lstrip().splitlines()
    return bool(lines) and lines[0].strip() == marker


CallHook = Callable[[Reply | None, float, str], None]
"""Called after every model call with (reply or None on failure, seconds, status ``ok``/``error``)."""


class Agent(Protocol):
    def run(self, task: TaskInfo) -> AgentResult: ...


class BashAgent:
    """Query, parse one bash block, execute, observe — until submitted or a limit is reached."""

    def __init__(self, model: Model, env: Environment, config: AgentConfig = AgentConfig(), *,
                 on_call: CallHook | None = None) -> None:
        self.model, self.env, self.config = model, env, config
        self.on_call = on_call or (lambda reply, seconds, status: None)

    def render(self, name: str, **variables: object) -> str:
        c = self.config
        common = {"submit_marker": c.submit_marker, "testbed": C.TESTBED, "command_timeout": int(c.command_timeout),
                  "step_limit": c.step_limit}
        return recipes.render("builders", f"{c.prompts}/{name}.md.j2", {**common, **variables},
                              explicit=c.recipes_path).strip()

    def run(self, task: TaskInfo) -> AgentResult:
        c = self.config
        result = AgentResult(messages=[
            {"role": "system", "content": self.render("system")},
            {"role": "user", "content": self.render("instance", instance_id=task.instance_id, repo=task.repo,
                                                    problem_statement=task.problem_statement)},
        ], exit_status="")
        while not result.exit_status:
            if c.step_limit and result.steps >= c.step_limit:
                result.exit_status = STEP_LIMIT
            elif c.budget_usd and result.cost_usd >= c.budget_usd:
                result.exit_status = BUDGET
            else:
                self.step(result)
        if result.exit_status == SUBMITTED or result.steps:
            result.patch = self.env.diff()
        return result

    def step(self, result: AgentResult) -> None:
        c = self.config
        start = time.monotonic()
        try:
            reply = self.model.query(result.messages)
        except Exception as exc:  # noqa: BLE001 - a model that cannot answer ends this attempt, not the batch
            self.on_call(None, time.monotonic() - start, "error")
            detail = exc.message if isinstance(exc, ModelError) else f"{type(exc).__name__}: {exc}"
            result.exit_status, result.detail = MODEL_ERROR, scrub_secrets(detail)[:500]
            return
        self.on_call(reply, time.monotonic() - start, "ok")
        result.steps += 1
        result.cost_usd += reply.cost_usd
        result.prompt_tokens += reply.prompt_tokens
        result.completion_tokens += reply.completion_tokens
        if reply.note:
            result.notes.add(reply.note)
        result.messages.append({"role": "assistant", "content": reply.content})
        try:
            command = parse_action(reply.content)
        except FormatError as exc:
            result.format_errors += 1
            result.messages.append({"role": "user", "content": self.render("format_error", n_blocks=exc.n_blocks)})
            return
        out = self.env.execute(command, timeout=c.command_timeout)
        if is_submission(out.output, c.submit_marker):
            result.exit_status = SUBMITTED
            return
        shown, cut = cut_output(out.output, c.output_limit)
        result.messages.append({"role": "user", "content": self.render(
            "observation", returncode=out.returncode, output=shown.rstrip("\n"), cut=cut, total_chars=len(out.output),
            timed_out=out.timed_out)})
