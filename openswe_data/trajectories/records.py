"""The record types of agent-native data: ``AgentTrajectory`` and ``VerifierExample``.

They follow ``openswe_data.records``: checked dataclasses with one Arrow schema derived from their
annotations, stored through the workspace like every stage. They live here, not in ``records.py``,
because only this stage writes them and only analysis and publish read them.

``messages`` is the one structured form (OpenAI-style): ``{role, content}`` plus ``tool_calls``
(``[{id, type: "function", function: {name, arguments: JSON string}}]``) on assistant turns and
``tool_call_id`` / ``name`` on ``tool`` turns; ``tools`` is the JSON schema list of the tools the
trajectory may call. In the workspace both are JSON fields (any shape survives); the release gives
``messages`` a typed Arrow struct (``publish/schemas.py``), so ``datasets`` and chat templates read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from openswe_data.fields import json_field
from openswe_data.records import Record

STAGE = "agent_trajectories"
"""The workspace stage (and DuckDB view) holding ``AgentTrajectory`` records."""
VERIFIER_STAGE = "verifier"
"""The workspace stage (and DuckDB view) holding ``VerifierExample`` records."""

KINDS = ("contextual", "environmental", "sampled")
"""``contextual``: rebuilt from a PR's information flow, no environment; ``environmental``: replayed in the
validated image, every observation a real command's output; ``sampled``: an agent's own run."""


@dataclass
class AgentTrajectory(Record):
    """One agent-native trajectory: structured messages, the tools schema, and what it is made of."""

    KEY: ClassVar[tuple[str, ...]] = ("trajectory_id",)
    trajectory_id: str
    instance_id: str
    kind: str  # contextual | environmental | sampled
    repo: str = ""
    source: str = ""
    """Where it came from: ``pr``, ``task``, ``replay:gold``, ``replay:attempt:<n>``, ``curated:<policy>``, ..."""
    created_at: str = ""
    """The PR's (or task's) creation time: what the date cutoff compares."""
    license: str | None = None
    messages: Any = json_field(list)
    tools: Any = json_field(list)
    n_messages: int = 0
    n_tool_calls: int = 0
    tokens: int = 0
    tokenizer: str = ""
    resolved: bool | None = None
    """Whether the final change passes the instance's eval script (None: not graded, e.g. contextual)."""
    files_source: str = ""
    """For contextual ones: ``repository`` (files read at the base commit) or ``hunks`` (only diff context)."""
    simhash: str = ""
    """64-bit SimHash of the actions, as 16 hex digits: what near-duplicate removal compares."""
    summary: str = ""
    """The optional LLM summary of the PR (empty when none was asked for)."""


@dataclass
class VerifierExample(Record):
    """One side of a success / failure pair of an instance, labelled, as SWE-Gym trains verifiers."""

    KEY: ClassVar[tuple[str, ...]] = ("example_id",)
    example_id: str
    instance_id: str
    pair_index: int
    label: bool
    """True: the trajectory's change resolves the instance (the eval script passes)."""
    trajectory_id: str = ""
    kind: str = ""
    repo: str = ""
    license: str | None = None
    messages: Any = json_field(list)
    tools: Any = json_field(list)
    tokens: int = 0
