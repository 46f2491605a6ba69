"""The shared LLM layer: models, the call cache and ``llm_calls`` ledger, prompts as recipes, read-only tools.

Used by the builder's agents (``openswe_data.repair.agents``), the sampler and the trajectory summaries;
it imports no stage. Pieces, each small:

- ``models.py``: the ``Model`` interface (messages -> ``Reply`` with tokens and dollars), ``LitellmModel``
  (any litellm provider, any OpenAI-compatible endpoint) and ``ScriptedModel`` (offline, deterministic).
- ``config.py``: a model chosen by a YAML file (provider, model, endpoint, key variable, price).
- ``ledger.py``: every call through the content-addressed cache, one ``LLMCall`` row each; recording.
- ``replay.py``: ``ReplayModel`` answers only from a recording: zero new calls.
- ``prompts.py``: ``builders/prompts/<agent>/`` rendered with ``StrictUndefined``, versioned by hash.
- ``tools.py``: read-only tools over a repository snapshot (tree, file, search, setup instructions).

Nothing here imports litellm until a litellm model answers.
"""

from __future__ import annotations

from openswe_data.agents.config import ModelConfig, load_model
from openswe_data.agents.ledger import CallCache, Ledger, call_key
from openswe_data.agents.models import (LitellmModel, Model, ModelError, Reply, ScriptedModel, estimate_tokens,
                                        load_scripted, scrub_secrets)
from openswe_data.agents.replay import ReplayModel

__all__ = ["CallCache", "Ledger", "LitellmModel", "Model", "ModelConfig", "ModelError", "ReplayModel", "Reply",
           "ScriptedModel", "call_key", "estimate_tokens", "load_model", "load_scripted", "scrub_secrets"]
