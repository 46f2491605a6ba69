"""A gym-style environment over one validated record and its image, for RL trainers and agent loops.

``reset()`` starts a fresh container of the record's image (no network; the CPU, memory and process limits of
validation) and returns the task: the problem statement, the repository at ``/testbed``. ``step(action)`` runs
one action there and returns its real output: a bash command (``"ls"`` or ``{"bash": "ls"}``), a file write
(``{"write": {"path", "content"}}``) or a string replacement (``{"edit": {"path", "old", "new"}}``), each
under a timeout. ``reward()`` takes the diff of ``/testbed`` and grades it the way validation and
``openswe evaluate`` do — the record's own eval script in another fresh container — and returns 1.0 when
resolved, else 0.0, with the per-test table.

Clean-up: ``close()`` (or leaving a ``with`` block, or the process exiting normally) removes the container;
and each container runs ``sleep <max_seconds>`` under ``--rm``, so even a caller killed with SIGKILL leaves
nothing running past its episode's time limit. ``openswe clean`` prunes leftovers by label anyway.

Many at once: the ``a``-prefixed methods run the blocking calls in threads, so an asyncio trainer can keep
many episodes in flight (Docker does the work; see ``docs/env.md`` for SkyRL / verl / rLLM-style adapters).
"""

from __future__ import annotations

import asyncio
import atexit
import weakref
from dataclasses import dataclass, field
from typing import Any

from openswe_data import conventions as C
from openswe_data.errors import OpensweError
from openswe_data.records import ValidatedRecord
from openswe_data.sample.environment import CommandOutput, DockerEnvironment, cut_output
from openswe_data.validate.runner import Limits


class EnvError(OpensweError, ValueError):
    """An action the environment cannot take (malformed, after the episode ended, before ``reset``)."""

    reason = "bad_action"


@dataclass(frozen=True)
class EnvOptions:
    command_timeout: float = 120.0
    """Seconds one action may run before it is killed (the container lives on)."""
    max_steps: int = 100
    """Actions per episode; the step that reaches it is ``truncated``."""
    max_seconds: float = 3600.0
    """Wall time of an episode; the container removes itself after this even if the caller died."""
    output_limit: int = 10_000
    """Characters of an observation (the middle is left out past this)."""
    limits: Limits = field(default_factory=Limits)
    """CPU, memory, processes and grading timeout, as in validation."""


@dataclass
class Task:
    instance_id: str
    repo: str
    problem_statement: str
    workdir: str = C.TESTBED


@dataclass
class Step:
    observation: str
    """The command's stdout and stderr (cut in the middle past ``output_limit``)."""
    returncode: int
    timed_out: bool = False
    truncated: bool = False
    """The step limit or the episode's time ended the episode."""
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class Reward:
    value: float
    """1.0 when every FAIL_TO_PASS and PASS_TO_PASS test passes with the diff, else 0.0."""
    resolved: bool
    reason: str
    """Why not (``tests_failed``, ``patch_does_not_apply``, ``empty_patch``, ``timeout``, ...)."""
    tests: dict[str, str]
    patch: str


_open: weakref.WeakSet[SWEEnv] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for env in list(_open):
        env.close()


class SWEEnv:
    """One record's environment. Use as a context manager, or call ``close()``; see the module docstring."""

    def __init__(self, record: ValidatedRecord, options: EnvOptions | None = None, *, grader: Any = None) -> None:
        if record.verdict != "valid" or not record.image_name:
            raise EnvError(f"{record.instance_id} is not a valid record with an image ({record.reason or 'no image'})")
        self.record = record
        self.options = options or EnvOptions()
        self._grader = grader
        self._box: DockerEnvironment | None = None
        self.steps = 0
        self._started = 0.0

    # -- the episode -------------------------------------------------------------------------------------
    def reset(self) -> Task:
        """A fresh container at the base commit (any previous one removed); the task to solve."""
        import time

        self.close()
        self._box = DockerEnvironment(self.record.image_name, instance_id=self.record.instance_id,
                                      limits=self.options.limits, lifetime=self.options.max_seconds)
        _open.add(self)
        self.steps, self._started = 0, time.monotonic()
        return Task(self.record.instance_id, self.record.repo, self.record.problem_statement)

    def step(self, action: str | dict[str, Any]) -> Step:
        """Run one action; its real output comes back. Raises ``EnvError`` for a malformed action."""
        import time

        box = self._require()
        self.steps += 1
        result = self._act(box, action)
        text, cut = cut_output(result.output, self.options.output_limit)
        over_time = time.monotonic() - self._started >= self.options.max_seconds
        return Step(text, result.returncode, result.timed_out,
                    truncated=self.steps >= self.options.max_steps or over_time,
                    info={"step": self.steps, "output_cut": cut})

    @property
    def container_id(self) -> str | None:
        """The running episode's container (None before ``reset`` and after ``close``)."""
        return self._box.container.id if self._box is not None else None

    def diff(self) -> str:
        """The episode's changes to ``/testbed`` as a patch (new files included)."""
        return self._require().diff()

    def reward(self) -> Reward:
        """Grade the current diff with the record's eval script in a fresh container (the episode goes on)."""
        from openswe_data.validate.evaluate import DockerGrader

        patch = self.diff()
        grader = self._grader or DockerGrader(self.options.limits)
        grade = grader.grade(self.record, patch)
        return Reward(1.0 if grade.resolved else 0.0, grade.resolved, grade.reason, dict(grade.tests), patch)

    def close(self) -> None:
        """Remove the container (safe to call twice)."""
        box, self._box = self._box, None
        if box is not None:
            box.close()
        _open.discard(self)

    # -- the Environment interface of the sampler's agent loop (execute / diff / close) ------------------
    def execute(self, command: str, timeout: float) -> CommandOutput:
        return self._require().execute(command, timeout)

    # -- async, for trainers with many episodes in flight -------------------------------------------------
    async def areset(self) -> Task:
        return await asyncio.to_thread(self.reset)

    async def astep(self, action: str | dict[str, Any]) -> Step:
        return await asyncio.to_thread(self.step, action)

    async def areward(self) -> Reward:
        return await asyncio.to_thread(self.reward)

    async def aclose(self) -> None:
        await asyncio.to_thread(self.close)

    def __enter__(self) -> SWEEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- actions ----------------------------------------------------------------------------------------
    def _require(self) -> DockerEnvironment:
        if self._box is None:
            raise EnvError(f"{self.record.instance_id}: call reset() first (or the environment was closed)")
        return self._box

    def _act(self, box: DockerEnvironment, action: str | dict[str, Any]) -> CommandOutput:
        timeout = self.options.command_timeout
        if isinstance(action, str):
            return box.execute(action, timeout)
        if not isinstance(action, dict) or len(action) != 1:
            raise EnvError("an action is a bash command, or one of {'bash': ...}, {'write': {...}}, {'edit': {...}}")
        (kind, arg), = action.items()
        if kind == "bash" and isinstance(arg, str):
            return box.execute(arg, timeout)
        if kind == "write" and isinstance(arg, dict) and {"path", "content"} <= set(arg):
            return box.write(str(arg["path"]), str(arg["content"]))
        if kind == "edit" and isinstance(arg, dict) and {"path", "old", "new"} <= set(arg):
            return self._edit(box, str(arg["path"]), str(arg["old"]), str(arg["new"]))
        raise EnvError(f"unknown or malformed action {kind!r}: use bash, write {{path, content}} or "
                       "edit {path, old, new}")

    def _edit(self, box: DockerEnvironment, path: str, old: str, new: str) -> CommandOutput:
        current = box.read(path)
        if current is None:
            return CommandOutput(f"{path}: no such file", 1)
        n = current.count(old) if old else 0
        if n != 1:
            return CommandOutput(f"{path}: the text to replace occurs {n} times (it must occur exactly once)", 1)
        return box.write(path, current.replace(old, new, 1))
