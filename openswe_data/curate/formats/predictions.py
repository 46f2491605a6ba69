"""SWE-bench predictions (``instance_id``, ``model_patch``, ``model_name_or_path``) -> attempts.

Accepted shapes: JSON Lines, a JSON list, or SWE-agent's ``preds.json`` (an object keyed by instance id).
Predictions carry no conversation, so these attempts give pass rates but no trajectories.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openswe_data.curate.formats._common import Parsed, entries, want

SCAFFOLD = ""


def read(path: Path) -> Iterator[Parsed]:
    yield from entries(path, _parse, expected="a prediction object")


def _parse(location: str, data: dict[str, Any]) -> Parsed:
    instance_id = data.get("instance_id")
    if not isinstance(instance_id, str):
        return Parsed(location, error="no instance_id")
    patch = want(data, "model_patch", str, default="")
    return Parsed(location, instance_id, fields={
        "model": want(data, "model_name_or_path", str, default=""),
        "scaffold": SCAFFOLD,
        "patch": patch,
        "resolved": None,
        "reason": "",
        "messages": [],
        "cost_usd": 0.0,
        "tokens": 0,
    })
