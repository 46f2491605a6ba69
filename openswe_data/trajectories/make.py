"""Pure constructors: inputs -> ``AgentTrajectory`` records, with token counts and fingerprints filled in.

No workspace, no Docker: ``run.py`` reads the stages and calls these; the benchmark calls them on
synthetic PRs. Trajectory ids say what a trajectory is: ``<instance>.contextual``, ``<instance>.gold``
(the gold replay), ``<instance>.replay-a<n>`` (attempt ``n`` replayed), ``<instance>.sampled-a<n>``.
"""

from __future__ import annotations

from typing import Any

from openswe_data.trajectories import decontam, tokens
from openswe_data.trajectories.contextual import PRContext, build_messages
from openswe_data.trajectories.records import AgentTrajectory
from openswe_data.trajectories.sampled import structure
from openswe_data.trajectories.sources import Sources
from openswe_data.trajectories.tools import count_tool_calls, tools_schema


def contextual_id(instance_id: str) -> str:
    return f"{instance_id}.contextual"


def gold_id(instance_id: str) -> str:
    return f"{instance_id}.gold"


def replay_id(instance_id: str, attempt_index: int) -> str:
    return f"{instance_id}.replay-a{attempt_index}"


def sampled_id(instance_id: str, attempt_index: int) -> str:
    return f"{instance_id}.sampled-a{attempt_index}"


def finish(t: AgentTrajectory, tokenizer: tokens.Tokenizer) -> AgentTrajectory:
    """``t`` with its counts, tokens and SimHash of its actions."""
    t.n_messages = len(t.messages)
    t.n_tool_calls = count_tool_calls(t.messages)
    t.tokens = tokens.trajectory_tokens(t.messages, t.tools, tokenizer)
    t.tokenizer = tokenizer.name
    t.simhash = f"{decontam.simhash(decontam.actions_text(t.messages)):016x}"
    return t


def contextual(ctx: PRContext, sources: Sources, tokenizer: tokens.Tokenizer, *, summary: str = "",
               recipes: str | None = None) -> AgentTrajectory:
    messages = build_messages(ctx, sources, summary=summary, recipes_path=recipes)
    return finish(AgentTrajectory(
        trajectory_id=contextual_id(ctx.instance_id), instance_id=ctx.instance_id, kind="contextual", repo=ctx.repo,
        source=ctx.source, created_at=ctx.created_at, license=ctx.license, messages=messages, tools=tools_schema(),
        files_source=sources.origin, summary=summary), tokenizer)


def environmental(record: Any, messages: list[dict[str, Any]], tokenizer: tokens.Tokenizer, *, resolved: bool | None,
                  attempt_index: int | None = None, created_at: str = "") -> AgentTrajectory:
    tid = gold_id(record.instance_id) if attempt_index is None else replay_id(record.instance_id, attempt_index)
    source = "replay:gold" if attempt_index is None else f"replay:attempt:{attempt_index}"
    return finish(AgentTrajectory(
        trajectory_id=tid, instance_id=record.instance_id, kind="environmental", repo=record.repo, source=source,
        created_at=created_at or record.created_at, license=record.license, messages=messages, tools=tools_schema(),
        resolved=resolved), tokenizer)


def sampled(instance_id: str, attempt_index: int, messages: list[dict[str, str]], tokenizer: tokens.Tokenizer, *,
            repo: str = "", source: str = "", resolved: bool | None = None, created_at: str = "",
            license: str | None = None) -> AgentTrajectory:
    structured, tools = structure(messages)
    return finish(AgentTrajectory(
        trajectory_id=sampled_id(instance_id, attempt_index), instance_id=instance_id, kind="sampled", repo=repo,
        source=source, created_at=created_at, license=license, messages=structured, tools=tools,
        resolved=resolved), tokenizer)
