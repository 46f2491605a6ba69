"""Sample: valid records -> k graded agent attempts each, with every model call in the cost ledger.

A small agent in mini-swe-agent's shape, behind three tiny interfaces:

- ``Model`` (``models.py``): messages -> reply with tokens and dollars. ``LitellmModel`` (any provider,
  key from the environment only) and ``ScriptedModel`` (fixed replies, offline, deterministic).
- ``Environment`` (``environment.py``): ``execute(command, timeout)`` and ``diff()`` in a long-lived
  container of the instance's image, without network, always removed.
- ``Agent`` (``agent.py``): the bash agent loop — one fenced bash block per reply, format errors fed back,
  submit marker, step limit, dollar budget.

``run.py`` plans, runs, grades (with validate's ``DockerGrader``) and stores the attempts. Nothing here
imports litellm or docker until an attempt actually runs.
"""

from __future__ import annotations

from openswe_data.sample.agent import Agent, AgentConfig, AgentResult, BashAgent, FormatError, TaskInfo, parse_action
from openswe_data.sample.environment import CommandOutput, DockerEnvironment, Environment
from openswe_data.agents.models import LitellmModel, Model, ModelError, Reply, ScriptedModel, load_scripted
from openswe_data.sample.run import SCAFFOLD, SamplePlan, SampleSummary, plan_sample, run_attempt, sample, source_for

__all__ = [
    "Agent", "AgentConfig", "AgentResult", "BashAgent", "CommandOutput", "DockerEnvironment", "Environment",
    "FormatError", "LitellmModel", "Model", "ModelError", "Reply",
    "SCAFFOLD", "SamplePlan", "SampleSummary", "ScriptedModel", "TaskInfo", "load_scripted", "parse_action",
    "plan_sample", "run_attempt", "sample", "source_for",
]
