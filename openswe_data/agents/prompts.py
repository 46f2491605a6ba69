"""Prompts are recipes: ``builders/prompts/<agent>/system.md.j2`` and ``user.md.j2``, rendered with
``StrictUndefined``; a prompt's version is a hash of its two template files, recorded with every call (so
a report can tell which prompt a dollar bought, and a changed prompt never reuses a cached reply: its
rendered text differs).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import yaml

from openswe_data import recipes
from openswe_data.errors import AgentError

_YAML_BLOCK = re.compile(r"```ya?ml[^\n]*\n(.*?)```", re.S | re.I)


def messages(folder: str, variables: dict[str, Any], *,
             explicit: str | Path | None = None) -> tuple[list[dict[str, str]], str]:
    """The system and user messages of ``prompts/<folder>/`` and the prompt's version."""
    names = (f"prompts/{folder}/system.md.j2", f"prompts/{folder}/user.md.j2")
    digest = hashlib.sha256()
    for name in names:
        digest.update(recipes.find("builders", name, explicit=explicit).read_bytes())
    rendered = [recipes.render("builders", name, variables, explicit=explicit) for name in names]
    return ([{"role": "system", "content": rendered[0]}, {"role": "user", "content": rendered[1]}],
            f"{folder}@{digest.hexdigest()[:10]}")


def yaml_answer(content: str) -> dict[str, Any]:
    """The mapping in the reply's one ```yaml block; an :class:`AgentError` when there is none or it is not
    a mapping (the agent then gives up for that turn, its cost already counted)."""
    blocks = _YAML_BLOCK.findall(content)
    if len(blocks) != 1:
        raise AgentError(f"the reply has {len(blocks)} ```yaml blocks, expected exactly one")
    try:
        data = yaml.safe_load(blocks[0])
    except yaml.YAMLError as exc:
        raise AgentError(f"the reply's yaml block does not parse: {exc}") from None
    if not isinstance(data, dict):
        raise AgentError("the reply's yaml block is not a mapping")
    return data


def fenced_block(content: str, *languages: str) -> str:
    """The text of the reply's one fenced block in one of ``languages`` (```dockerfile, ```bash, ...)."""
    names = "|".join(re.escape(lang) for lang in languages)
    blocks = re.findall(rf"```(?:{names})[ \t]*\n(.*?)```", content, re.S | re.I)
    if len(blocks) != 1:
        raise AgentError(f"the reply has {len(blocks)} ```{languages[0]} blocks, expected exactly one (the whole file)")
    return blocks[0]
