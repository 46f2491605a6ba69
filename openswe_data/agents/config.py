"""A model chosen by configuration: one YAML file says which provider, model and endpoint.

```yaml
provider: litellm            # litellm | scripted | replay
model: openai/qwen2.5-coder  # litellm's name; `openai/...` with api_base for any OpenAI-compatible server
api_base: http://127.0.0.1:8000/v1
api_key_env: LOCAL_LLM_KEY   # the variable holding the key (never the key itself)
price_per_mtok: [0.2, 0.6]   # $ per million prompt / completion tokens, when litellm has no price
```
``provider: scripted`` takes ``replies`` (see ``ScriptedModel``); ``provider: replay`` takes ``recording``
(a file written with ``record_to``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from openswe_data.agents.models import LitellmModel, Model, ScriptedModel
from openswe_data.errors import AgentError


class ModelConfig(BaseModel):
    """The model file's fields."""

    model_config = ConfigDict(extra="forbid")

    provider: Literal["litellm", "scripted", "replay"] = "litellm"
    """Where replies come from."""
    model: str = ""
    """litellm's model name (``provider: litellm``)."""
    name: str = ""
    """The name a scripted model is recorded under."""
    api_base: str | None = None
    """An OpenAI-compatible endpoint."""
    api_key_env: str | None = None
    """The environment variable holding the key."""
    price_per_mtok: tuple[float, float] | None = None
    """$ per million prompt and completion tokens."""
    temperature: float = 0.0
    """Sampling temperature."""
    max_tokens: int | None = 4096
    """Upper bound on one reply's tokens."""
    timeout: float = 300.0
    """Seconds one call may take."""
    replies: list[Any] = []
    """The scripted replies (``provider: scripted``)."""
    recording: str = ""
    """The recording to replay (``provider: replay``), relative to the config file."""


def load_model(path: str | Path) -> Model:
    """The model a config file describes; a bad file is an :class:`AgentError` naming the file and field."""
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        config = ModelConfig.model_validate(data)
    except OSError as exc:
        raise AgentError(f"cannot read the model config {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise AgentError(f"{path} is not valid YAML: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        raise AgentError(f"{path}: {'.'.join(map(str, first['loc'])) or 'the file'}: {first['msg']}",
                         hint="see docs/agents.md for the model config's fields") from None
    if config.provider == "scripted":
        try:
            return ScriptedModel(config.replies, name=config.name or "scripted")
        except AgentError as exc:
            raise AgentError(f"{path}: {exc.message}", hint=exc.hint) from None
    if config.provider == "replay":
        from openswe_data.agents.replay import ReplayModel

        if not config.recording:
            raise AgentError(f"{path}: provider replay needs `recording`")
        return ReplayModel(path.parent / config.recording)
    if not config.model:
        raise AgentError(f"{path}: provider litellm needs `model`")
    return LitellmModel(config.model, temperature=config.temperature, max_tokens=config.max_tokens,
                        timeout=config.timeout, api_base=config.api_base, api_key_env=config.api_key_env,
                        price_per_mtok=config.price_per_mtok)
