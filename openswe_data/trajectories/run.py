"""The ``trajectories`` step over a workspace: every input stage -> ``agent_trajectories`` + ``verifier``.

Input: ``prs`` (and ``tasks`` imported without a PR) for contextual trajectories; valid ``records``, their
images and graded ``attempts`` for environmental replays; curated ``trajectories`` and ``attempts`` with
messages for sampled ones. Output: ``AgentTrajectory`` results and rejects in ``agent_trajectories``
(reasons: ``benchmark_overlap``, ``after_cutoff``, ``near_duplicate``, ``contextual_failed``,
``replay_failed``), ``VerifierExample`` rows in ``verifier``, and an ``llm_calls`` row per optional summary.

Resume: an id with a result or a reject is skipped, so a killed run redoes at most one batch of contextual
trajectories (written in Parquet batches: there can be millions) and the replay that was running (each
replay is stored the moment it ends: it cost a container). One bad PR or replay is a reject with its
reason; the batch goes on. Decisions are made in sorted id order, so near-duplicate removal keeps the
same trajectory whatever ran before.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openswe_data.records import Attempt, PullRequest, Reject, Task, Trajectory, ValidatedRecord
from openswe_data.store import Stage, Workspace
from openswe_data.trajectories import make, tokens, verifier
from openswe_data.trajectories.contextual import PRContext
from openswe_data.trajectories.decontam import Decontaminator, group_of, load_benchmark
from openswe_data.trajectories.records import KINDS, STAGE, VERIFIER_STAGE, AgentTrajectory, VerifierExample
from openswe_data.trajectories.summary import summarize


@dataclass
class TrajectoryOptions:
    kinds: tuple[str, ...] = KINDS
    """Which kinds to make: ``contextual``, ``environmental``, ``sampled``."""
    tokenizer: str = tokens.DEFAULT
    """``tiktoken:cl100k_base`` (bundled), ``tiktoken:o200k_base``, ``hf:PATH`` (a tokenizer.json) or ``chars4``."""
    context_budget: int = 4000
    """Tokens of imported files added to a contextual trajectory's view of the code (0: none)."""
    read_repos: bool = True
    """Read touched files from the repository at the base commit (else only the diff's context lines)."""
    benchmark: Path | None = None
    """A file of benchmark instance ids whose PRs are excluded (``benchmark_overlap``)."""
    cutoff: str | None = None
    """An ISO date (``2024-06-01``): PRs created after it are excluded (``after_cutoff``)."""
    max_distance: int = 3
    """SimHash bits within which two trajectories are near-duplicates (0: exact duplicates only)."""
    replays_per_label: int = 1
    """Graded attempts replayed per instance and outcome (resolved / not): the verifier's pairs."""
    pairs_per_instance: int = 2
    """Verifier pairs per instance at most."""
    summary_model: Any = None
    """A ``agents.models.Model`` that writes an optional PR summary (each call in the cost ledger)."""
    recipes: str | None = None
    """A folder holding a ``builders/`` that overrides the shipped prompts."""
    batch_size: int = 1000
    """Contextual trajectories per Parquet part."""


@dataclass
class TrajectorySummary:
    made: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    already_done: int = 0
    tokens: int = 0
    verifier_examples: int = 0
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        made = ", ".join(f"{k} {v}" for k, v in sorted(self.made.items())) or "none"
        rejected = ", ".join(f"{k} {v}" for k, v in sorted(self.rejected.items())) or "none"
        return (f"made {made} ({self.tokens:,} tokens); already done {self.already_done}; rejected {rejected}; "
                f"verifier examples {self.verifier_examples}" + "".join(f"\n  {n}" for n in self.notes))


class _Writer:
    """Results and rejects of one run: contextual ones in Parquet batches, replays one at a time."""

    def __init__(self, stage: Stage[AgentTrajectory], summary: TrajectorySummary, batch: int) -> None:
        self.stage, self.summary, self.batch = stage, summary, batch
        self.results: list[AgentTrajectory] = []
        self.rejects: list[Reject] = []

    def put(self, t: AgentTrajectory, *, now: bool = False) -> None:
        self.summary.made[t.kind] += 1
        self.summary.tokens += t.tokens
        if now:
            self.stage.put(t)
            return
        self.results.append(t)
        if len(self.results) >= self.batch:
            self.flush()

    def reject(self, item_id: str, reason: str, detail: str = "", repo: str = "") -> None:
        self.summary.rejected[reason] += 1
        self.rejects.append(Reject(item_id=item_id, stage=STAGE, reason=reason, detail=detail[:2000], repo=repo))
        if len(self.rejects) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self.results:
            self.stage.put_many(self.results)
            self.results = []
        if self.rejects:
            self.stage.rejects.put_many(self.rejects)
            self.rejects = []


def build_trajectories(ws: Workspace, options: TrajectoryOptions | None = None,
                       say: Callable[[str], None] = lambda s: None) -> TrajectorySummary:
    """Make every missing trajectory of the workspace, then rebuild the verifier pairs."""
    from openswe_data.errors import ConfigError

    opts = options or TrajectoryOptions()
    unknown = set(opts.kinds) - set(KINDS)
    if unknown:
        raise ConfigError(f"unknown trajectory kind(s): {', '.join(sorted(unknown))}", hint=f"use {', '.join(KINDS)}")
    tokenizer = tokens.load(opts.tokenizer)
    stage = ws.stage(STAGE, AgentTrajectory)
    summary = TrajectorySummary()
    done = stage.done()
    decon = Decontaminator(load_benchmark(opts.benchmark) if opts.benchmark else None, opts.cutoff, opts.max_distance)
    for tid, fingerprint, group in _fingerprints(stage):
        decon.remember(fingerprint, tid, group)
    writer = _Writer(stage, summary, opts.batch_size)
    ctx = _Run(ws, opts, tokenizer, decon, writer, done, summary)
    if "contextual" in opts.kinds:
        say("trajectories: contextual, from every collected PR")
        ctx.contextual()
        writer.flush()
    if "environmental" in opts.kinds:
        say("trajectories: environmental, replayed in the validated images")
        from openswe_data.trajectories.replays import replay_all

        replay_all(ctx)
    if "sampled" in opts.kinds:
        ctx.sampled()
        writer.flush()
    examples = verifier.pairs(stage, opts.pairs_per_instance)
    vstage = ws.stage(VERIFIER_STAGE, VerifierExample)
    if examples:
        vstage.put_many(examples)
        vstage.compact()
    summary.verifier_examples = len(examples)
    return summary


def _fingerprints(stage: Stage[AgentTrajectory]) -> list[tuple[str, int, str]]:
    """(id, SimHash, group) of every stored trajectory, reading only those columns of the Parquet parts (a
    row shadowed by a later one of the same id gives the same answer, so no de-duplication is needed)."""
    import json

    import pyarrow.parquet as pq

    out = []
    columns = ["trajectory_id", "simhash", "kind", "resolved"]
    for part in sorted(stage.parts.glob("part-*.parquet")) if stage.parts.is_dir() else []:
        table = pq.read_table(part, columns=columns).to_pydict()
        out += [(t, int(h, 16), group_of(k, r)) for t, h, k, r in zip(*(table[c] for c in columns)) if h]
    for path in sorted(stage.items.glob("*/*.json")) if stage.items.is_dir() else []:
        if not path.name.startswith("."):
            row = json.loads(path.read_text(encoding="utf-8"))["data"]
            if row.get("simhash"):
                out.append((row["trajectory_id"], int(row["simhash"], 16), group_of(row["kind"], row.get("resolved"))))
    return out


@dataclass
class _Run:
    """One run's shared state; each kind is a method (environmental replays live in ``replays.py``)."""

    ws: Workspace
    opts: TrajectoryOptions
    tokenizer: tokens.Tokenizer
    decon: Decontaminator
    writer: _Writer
    done: set[str]
    summary: TrajectorySummary

    def skip(self, tid: str) -> bool:
        if tid in self.done:
            self.summary.already_done += 1
            return True
        return False

    def keep(self, t: AgentTrajectory, *, now: bool = False) -> None:
        """Store ``t`` unless it is a near-duplicate of one already kept."""
        dup = self.decon.judge(t.trajectory_id, int(t.simhash, 16), group_of(t.kind, t.resolved))
        if dup is not None:
            self.writer.reject(t.trajectory_id, *dup, repo=t.repo)
        else:
            self.writer.put(t, now=now)

    def excluded(self, tid: str, instance_id: str, created_at: str, repo: str) -> bool:
        why = self.decon.excluded(instance_id, created_at)
        if why is not None:
            self.writer.reject(tid, *why, repo=repo)
        return why is not None

    def contextual(self) -> None:
        from openswe_data.trajectories.edits import touched_paths
        from openswe_data.trajectories.sources import Sources, read_sources

        prs = {p.instance_id: p for p in self.ws.stage("prs", PullRequest)}
        contexts = [PRContext.from_pr(prs[i]) for i in sorted(prs)]
        contexts += sorted((PRContext.from_task(t) for t in self.ws.stage("tasks", Task) if t.instance_id not in prs),
                           key=lambda c: c.instance_id)
        cache = self.ws.path / "cache" / "repos"
        for c in contexts:
            tid = make.contextual_id(c.instance_id)
            if self.skip(tid) or self.excluded(tid, c.instance_id, c.created_at, c.repo):
                continue
            try:
                sources = (read_sources(cache, c.repo_url, c.base_commit, touched_paths(c.diff),
                                        budget_tokens=self.opts.context_budget, count=self.tokenizer.count)
                           if self.opts.read_repos else Sources())
                text = summarize(self.ws, c, self.opts.summary_model, self.opts.recipes) if self.opts.summary_model else ""
                t = make.contextual(c, sources, self.tokenizer, summary=text, recipes=self.opts.recipes)
            except Exception as exc:  # noqa: BLE001 - one bad PR is a reject; the batch goes on
                self.writer.reject(tid, "contextual_failed", f"{type(exc).__name__}: {exc}", repo=c.repo)
                continue
            self.keep(t)

    def sampled(self) -> None:
        records = {r.instance_id: r for r in self.ws.stage("records", ValidatedRecord)}
        curated = {(t.instance_id, t.attempt_index): t for t in self.ws.stage("trajectories", Trajectory)}
        attempts = {(a.instance_id, a.attempt_index): a for a in self.ws.stage("attempts", Attempt) if a.messages}
        for key in sorted(set(curated) | set(attempts)):
            iid, idx = key
            tid = make.sampled_id(iid, idx)
            rec, cur, att = records.get(iid), curated.get(key), attempts.get(key)
            created, repo = (rec.created_at, rec.repo) if rec else ("", "")
            if self.skip(tid) or self.excluded(tid, iid, created, repo):
                continue
            messages = cur.messages if cur is not None else att.messages  # type: ignore[union-attr]
            resolved = att.resolved if att is not None else (cur.resolved if cur is not None else None)
            source = f"curated:{cur.policy}" if cur is not None else f"attempt:{att.scaffold or att.source}"  # type: ignore[union-attr]
            try:
                t = make.sampled(iid, idx, messages, self.tokenizer, repo=repo, source=source, resolved=resolved,
                                 created_at=created, license=rec.license if rec else None)
            except Exception as exc:  # noqa: BLE001 - one bad attempt is a reject
                self.writer.reject(tid, "sampled_failed", f"{type(exc).__name__}: {exc}", repo=repo)
                continue
            self.keep(t)
