"""Valid records -> k graded agent attempts each (``attempts`` stage) and their model calls (``llm_calls``).

For every valid record (stage ``records``, verdict ``valid``) the bash agent runs ``k`` times in a fresh
container of the instance's image; each patch is graded by :class:`~openswe_data.validate.evaluate.DockerGrader`
(the record's own eval script in a fresh container) and stored as an ``Attempt`` with
``scaffold="openswe-bash-agent"`` and ``source="sample:<model>"``. Every model call is a row of the cost
ledger the moment it returns, so money spent is accounted for even when the attempt later fails.

Resume: attempts are counted per (instance, source). A re-run only runs the missing ones; their indexes are
the instance's lowest free ones (0..k-1 in a workspace holding only this model's samples), so attempts
imported from elsewhere are never overwritten. An attempt that cannot run (the image will not start, the
engine goes away) becomes a reject ``sample_failed`` in ``attempts/rejects`` and is retried on the next run;
it never stops the batch. A patch the grader could not grade is stored ungraded (``resolved`` null), for
``openswe curate grade`` to finish without paying for the model again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field

from openswe_data import progress
from openswe_data.logtext import write_log
from openswe_data.curate.grading import Grader
from openswe_data.errors import SampleError, summarize_problems
from openswe_data.records import Attempt, LLMCall, ValidatedRecord
from openswe_data.sample.agent import SUBMITTED, AgentConfig, AgentResult, BashAgent, TaskInfo
from openswe_data.agents.models import Model, Reply
from openswe_data.store import Stage, Workspace
from openswe_data.validate.runner import Limits

SCAFFOLD = "openswe-bash-agent"
AGENT = "bash-agent"
STAGE = "sample"


def source_for(model_name: str) -> str:
    """The ``source`` of attempts this model sampled: what resume counts them by."""
    return f"sample:{model_name}"


def reject_id(instance_id: str, attempt_index: int) -> str:
    return f"{instance_id}.a{attempt_index}"


@dataclass
class SamplePlan:
    """What a run would do: which (instance, attempt index) pairs, for which model."""

    model: str
    source: str
    k: int
    instances: list[str]
    todo: list[tuple[str, int]]
    already_done: int

    def estimate_usd(self, per_attempt_usd: float) -> float:
        """Dollars for the attempts still to run, at ``per_attempt_usd`` each."""
        return len(self.todo) * per_attempt_usd

    def describe(self, per_attempt_usd: float) -> str:
        full = self.k * len(self.instances) * per_attempt_usd
        lines = [f"model {self.model}: {len(self.instances)} instance(s) x k={self.k} = "
                 f"{self.k * len(self.instances)} attempt(s); {self.already_done} already stored, "
                 f"{len(self.todo)} to run",
                 f"estimated cost: ${self.estimate_usd(per_attempt_usd):.2f} to run "
                 f"(${full:.2f} for all k x instances) at ${per_attempt_usd:.2f} an attempt"]
        by_instance: dict[str, list[int]] = {}
        for iid, idx in self.todo:
            by_instance.setdefault(iid, []).append(idx)
        lines += [f"  {iid}: attempts {', '.join(map(str, idxs))}" for iid, idxs in by_instance.items()]
        return "\n".join(lines)


@dataclass
class SampleSummary:
    planned: int = 0
    ran: int = 0
    resolved: int = 0
    ungraded: int = 0
    failed: list[str] = field(default_factory=list)
    exit_statuses: Counter = field(default_factory=Counter)
    cost_usd: float = 0.0
    tokens: int = 0
    notes: set[str] = field(default_factory=set)

    def describe(self) -> str:
        lines = [f"ran {self.ran} of {self.planned} attempt(s): {self.resolved} resolved, "
                 f"{self.ungraded} ungraded, {len(self.failed)} failed to run; "
                 f"${self.cost_usd:.4f}, {self.tokens} tokens",
                 "  ended: " + (", ".join(f"{k}={v}" for k, v in sorted(self.exit_statuses.items())) or "none")]
        lines += [f"  note: {n}" for n in sorted(self.notes)]
        if self.failed:
            lines.append("  failed (re-run to retry them):\n" + summarize_problems(self.failed))
        return "\n".join(lines)


def valid_records(workspace: Workspace) -> dict[str, ValidatedRecord]:
    return {r.instance_id: r for r in workspace.stage("records") if r.verdict == "valid"}


def plan_sample(workspace: Workspace, model_name: str, k: int = 4, ids: list[str] | None = None) -> SamplePlan:
    """The attempts a run of ``model_name`` would make (nothing runs, nothing is written)."""
    from openswe_data.curate.table import columns

    if k < 1:
        raise SampleError(f"k must be at least 1, got {k}")
    records = valid_records(workspace)
    if ids:
        unknown = sorted(set(ids) - set(records))
        if unknown:
            raise SampleError("not valid records in this workspace:\n" + summarize_problems(unknown),
                              hint="check the ids with `openswe report` or validate them first")
    instances = sorted(set(ids) if ids else set(records))
    source = source_for(model_name)
    used: dict[str, set[int]] = {}
    ours: dict[str, int] = Counter()
    for row in columns(workspace.stage("attempts"), ["source"]).to_pylist():
        used.setdefault(row["instance_id"], set()).add(row["attempt_index"])
        if row["source"] == source:
            ours[row["instance_id"]] += 1
    todo: list[tuple[str, int]] = []
    for iid in instances:
        taken, index = used.get(iid, set()), 0
        for _ in range(max(0, k - ours[iid])):
            while index in taken:
                index += 1
            todo.append((iid, index))
            index += 1
    done = sum(min(k, ours[iid]) for iid in instances)
    return SamplePlan(model_name, source, k, instances, todo, done)


def _ledger_hook(ledger: Stage, instance_id: str, model_name: str):
    def record(reply: Reply | None, seconds: float, status: str) -> None:
        ledger.put(LLMCall(
            call_id=f"sample-{uuid.uuid4().hex}", instance_id=instance_id, stage=STAGE, agent=AGENT,
            model=model_name, prompt_tokens=reply.prompt_tokens if reply else 0,
            completion_tokens=reply.completion_tokens if reply else 0, cost_usd=reply.cost_usd if reply else 0.0,
            latency_seconds=round(seconds, 3), status=status,
            created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")))
    return record


def run_attempt(workspace: Workspace, record: ValidatedRecord, attempt_index: int, model: Model, config: AgentConfig,
                *, grader: Grader, limits: Limits = Limits()) -> tuple[Attempt, AgentResult]:
    """One agent run at ``record`` in a fresh container, graded; the ``Attempt`` is returned, not stored."""
    from openswe_data.env import EnvOptions, SWEEnv

    hook = _ledger_hook(workspace.stage("llm_calls"), record.instance_id, model.name)
    budget = max(3600.0, (config.step_limit or 100) * config.command_timeout * 2)  # the container outlives no crash longer
    with SWEEnv(record, EnvOptions(command_timeout=config.command_timeout, max_seconds=budget, limits=limits)) as env:
        env.reset()
        result = BashAgent(model, env, config, on_call=hook).run(
            TaskInfo(record.instance_id, record.repo, record.problem_statement))
    reasons = [] if result.exit_status == SUBMITTED else [result.exit_status]
    if result.detail:
        reasons[-1] += f" ({result.detail})"
    resolved: bool | None
    try:
        grade = grader.grade(record, result.patch)
        resolved = grade.resolved
        if not grade.resolved:
            reasons.append(grade.reason)
        if grade.log:
            logs = workspace.stage("attempts").log_dir(reject_id(record.instance_id, attempt_index))
            write_log(logs / "grade.log", grade.log)
    except Exception as exc:  # noqa: BLE001 - keep the paid trajectory; `openswe curate grade` finishes it
        resolved = None
        reasons.append(f"grader_error: {type(exc).__name__}: {exc}"[:300])
    attempt = Attempt(
        instance_id=record.instance_id, attempt_index=attempt_index, model=model.name, scaffold=SCAFFOLD,
        patch=result.patch, resolved=resolved, reason="; ".join(r for r in reasons if r), messages=result.messages,
        cost_usd=result.cost_usd, tokens=result.prompt_tokens + result.completion_tokens,
        source=source_for(model.name))
    return attempt, result


def sample(workspace: Workspace, model: Model, k: int = 4, ids: list[str] | None = None, workers: int = 0,
           step_limit: int = 50, budget_usd: float = 3.0, *, config: AgentConfig | None = None,
           limits: Limits = Limits(), grader: Grader | None = None) -> SampleSummary:
    """Run the missing attempts of ``model`` (k per valid record, or per id in ``ids``), grade and store them.

    ``workers`` attempts run at once (0: one per core, bounded by memory). ``step_limit`` and
    ``budget_usd`` (dollars per attempt) end a run early; ``config`` overrides every agent setting.
    """
    from openswe_data.execute import get_executor
    from openswe_data.execute.images import ensure_local
    from openswe_data.validate.evaluate import DockerGrader

    plan = plan_sample(workspace, model.name, k, ids)
    records = valid_records(workspace)
    config = config or AgentConfig(step_limit=step_limit, budget_usd=budget_usd)
    grader = grader or DockerGrader(limits)
    attempts = workspace.stage("attempts")
    summary = SampleSummary(planned=len(plan.todo))

    def one(item: tuple[str, int]) -> tuple[Attempt, AgentResult]:
        iid, index = item
        ensure_local(records[iid].image_name, records[iid].image_digest)  # on a cluster: pulled by digest
        return run_attempt(workspace, records[iid], index, model, config, grader=grader, limits=limits)

    def ended(item: tuple[str, int], outcome: object) -> tuple[bool, str, object]:
        return not isinstance(outcome, BaseException), "sample_failed", None

    pairs = get_executor(workers).map(one, plan.todo)
    for (iid, index), outcome in progress.over("sample", pairs, len(plan.todo), outcome=ended):
        rid = reject_id(iid, index)
        if isinstance(outcome, BaseException):
            detail = f"{type(outcome).__name__}: {outcome}"[:1000]
            attempts.reject(rid, "sample_failed", detail, source=plan.source)
            summary.failed.append(f"{rid}: {detail[:200]}")
            continue
        attempt, result = outcome
        attempts.put(attempt)
        attempts.rejects.delete(rid)
        summary.ran += 1
        summary.resolved += bool(attempt.resolved)
        summary.ungraded += attempt.resolved is None
        summary.exit_statuses[result.exit_status] += 1
        summary.cost_usd += attempt.cost_usd
        summary.tokens += attempt.tokens
        summary.notes |= result.notes
    return summary

