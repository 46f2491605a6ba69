"""Token counts: a tokenizer whose data ships inside a PyPI package, or one the user supplies.

Specs (``TrajectoryOptions.tokenizer``, ``openswe trajectories build --tokenizer``):

- ``tiktoken:cl100k_base`` (default), ``tiktoken:o200k_base``, ``tiktoken:p50k_base``: tiktoken's BPE ranks
  read from the copies litellm ships inside its wheel (``litellm/litellm_core_utils/tokenizers/``, files
  named by the SHA-1 of tiktoken's download URL, which is how tiktoken's own cache names them). tiktoken
  itself would download them at first use; here nothing is fetched, and a missing file is an error that
  says so.
- ``hf:PATH``: a Hugging Face ``tokenizer.json`` the user supplies (read with the ``tokenizers`` library).
- ``chars4``: no tokenizer, 4 characters a token — the honest fallback, named as such in every record.

What is counted (``trajectory_tokens``): every message's content, every tool call's name and arguments,
and the tools schema once — the text a chat template wraps, without the template's own markers.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openswe_data.errors import ConfigError

DEFAULT = "tiktoken:cl100k_base"

_TIKTOKEN_URLS = {
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "p50k_base": "https://openaipublic.blob.core.windows.net/encodings/p50k_base.tiktoken",
}
"""The URLs tiktoken downloads from; the bundled files are named by their SHA-1 (tiktoken's cache key)."""
_ENV_LOCK = threading.Lock()


@dataclass(frozen=True)
class Tokenizer:
    name: str
    """The spec, recorded with every count (``tiktoken:cl100k_base``, ``hf:<file name>``, ``chars4``)."""
    count: Callable[[str], int]


def bundled_ranks_dir() -> Path | None:
    """The folder holding tiktoken BPE files inside the installed litellm wheel (not imported)."""
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.origin:
        return None
    folder = Path(spec.origin).parent / "litellm_core_utils" / "tokenizers"
    return folder if folder.is_dir() else None


@functools.lru_cache(maxsize=8)
def load(spec: str = DEFAULT) -> Tokenizer:
    """The tokenizer for ``spec``; ``ConfigError`` saying what to do when it cannot be loaded offline."""
    if spec == "chars4":
        return Tokenizer("chars4", lambda text: (len(text) + 3) // 4)
    if spec.startswith("tiktoken:"):
        return _tiktoken(spec.split(":", 1)[1])
    if spec.startswith("hf:"):
        return _hf(Path(spec.split(":", 1)[1]))
    raise ConfigError(f"unknown tokenizer {spec!r}",
                      hint="use tiktoken:cl100k_base, tiktoken:o200k_base, hf:/path/to/tokenizer.json or chars4")


def _tiktoken(name: str) -> Tokenizer:
    if name not in _TIKTOKEN_URLS:
        raise ConfigError(f"no bundled tiktoken encoding {name!r}", hint=f"use one of {', '.join(_TIKTOKEN_URLS)}")
    folder = bundled_ranks_dir()
    path = folder / hashlib.sha1(_TIKTOKEN_URLS[name].encode()).hexdigest() if folder else None
    if path is None or not path.is_file():
        raise ConfigError(f"the BPE file of {name} is not installed (looked for it inside litellm's wheel)",
                          hint="install litellm (a dependency of openswe-data), or pass --tokenizer chars4")
    import os

    import tiktoken

    # tiktoken looks for its files in TIKTOKEN_CACHE_DIR under exactly these names (and checks their hash);
    # pointing it at the bundled folder for the one call means it never reaches for the network.
    with _ENV_LOCK:
        saved = os.environ.get("TIKTOKEN_CACHE_DIR")
        os.environ["TIKTOKEN_CACHE_DIR"] = str(folder)
        try:
            enc = tiktoken.get_encoding(name)
        finally:
            if saved is None:
                os.environ.pop("TIKTOKEN_CACHE_DIR", None)
            else:
                os.environ["TIKTOKEN_CACHE_DIR"] = saved
    return Tokenizer(f"tiktoken:{name}", lambda text: len(enc.encode_ordinary(text)))


def _hf(path: Path) -> Tokenizer:
    if not path.is_file():
        raise ConfigError(f"no tokenizer file at {path}", hint="pass hf:/path/to/tokenizer.json")
    from tokenizers import Tokenizer as HFTokenizer

    try:
        tok = HFTokenizer.from_file(str(path))
    except Exception as exc:  # noqa: BLE001 - the library raises a bare Exception for a bad file
        raise ConfigError(f"{path} is not a tokenizers tokenizer.json: {exc}") from None
    return Tokenizer(f"hf:{path.name}", lambda text: len(tok.encode(text, add_special_tokens=False).ids))


def trajectory_text(messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> str:
    """The text whose tokens are counted: tools schema, then every content and tool call."""
    parts = [json.dumps(tools, ensure_ascii=False)] if tools else []
    for m in messages:
        parts.append(m.get("content") or "")
        for call in m.get("tool_calls") or []:
            fn = call.get("function") or {}
            parts.append(f"{fn.get('name', '')} {fn.get('arguments', '')}")
    return "\n".join(parts)


def trajectory_tokens(messages: list[dict[str, Any]], tools: list[dict[str, Any]], tokenizer: Tokenizer) -> int:
    return tokenizer.count(trajectory_text(messages, tools))
