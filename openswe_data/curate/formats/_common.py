"""What every reader returns, and the file-shape helpers they share (JSON, JSON list, JSONL)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openswe_data.fields import INT64_MAX
from openswe_data.jsonlines import read_any


@dataclass
class Parsed:
    """One attempt read from a file (``error`` unset), or one entry that could not be read (``error`` set)."""

    location: str
    """Where it came from: ``path:L12`` (a JSONL line), ``path[3]`` (a JSON list item), ``path`` (a file)."""
    instance_id: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    """Attempt fields (model, scaffold, patch, resolved, reason, messages, cost_usd, tokens)."""
    error: str | None = None


def objects(path: Path, *, expected: str, require: str | None = None) -> Iterator[tuple[str, dict[str, Any], str | None]]:
    """``(location, object, problem)`` for each record of ``path`` (see ``records``): ``problem`` says why a
    record is unusable — unreadable, not a JSON object, or without the ``require`` object."""
    for location, value, error in records(path):
        if error is None and require is not None:
            if not (isinstance(value, dict) and isinstance(value.get(require), dict)):
                error = f"not {expected}: no {require} object"
        elif error is None and not isinstance(value, dict):
            error = f"expected {expected}, got {type(value).__name__}"
        yield location, value if error is None else {}, error


def records(path: Path) -> Iterator[tuple[str, Any, str | None]]:
    """``(location, value, error)`` for each record in a JSONL file, a JSON list, or a single JSON value.

    A JSON object without an ``instance_id`` whose values include objects with one (SWE-agent's
    ``preds.json``) is read as one record per value; a value that is not such an object is one bad record.
    """
    for where, value, error in read_any(path):
        if where == "" and isinstance(value, dict) and "instance_id" not in value and any(
            isinstance(v, dict) and "instance_id" in v for v in value.values()
        ):
            for key, item in value.items():
                yield f"{path}[{key}]", item, None
            continue
        yield f"{path}{where}", value, error


def entries(path: Path, parse: Callable[[str, dict[str, Any]], Parsed], *, expected: str,
            require: str | None = None) -> Iterator[Parsed]:
    """Every record of ``path`` through ``parse``; an entry ``parse`` cannot read becomes a bad entry, and
    the file goes on (a scaffold's field holding the wrong type must not stop the import)."""
    for location, data, error in objects(path, expected=expected, require=require):
        if error is not None:
            yield Parsed(location, error=error)
            continue
        try:
            yield parse(location, data)
        except (ValueError, TypeError, AttributeError, KeyError, OverflowError, RecursionError) as exc:
            iid = data.get("instance_id")
            yield Parsed(location, iid if isinstance(iid, str) else None, error=f"unreadable entry: {exc}")


def want(data: Any, path: str, kind: type | tuple[type, ...] = dict, *, default: Any = None) -> Any:
    """``data`` at the dotted ``path``, or ``default`` when absent or null; ``ValueError`` naming the field
    when something on the way is not an object or the value is not of ``kind``."""
    cur = data
    keys = path.split(".")
    for i, key in enumerate(keys):
        if cur is None:
            return default
        if not isinstance(cur, dict):
            raise ValueError(f"{'.'.join(keys[:i]) or 'the entry'} must be an object, got {type(cur).__name__}")
        cur = cur.get(key)
    if cur is None:
        return default
    if not isinstance(cur, kind) or (kind in (int, float, (int, float)) and isinstance(cur, bool)):
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise ValueError(f"{path} must be {names.replace('dict', 'an object').replace('list', 'a list')}, "
                         f"got {type(cur).__name__}")
    return cur


def count(data: Any, path: str) -> int:
    """A token or call count at ``path``: a whole number within the 64-bit range, 0 when absent."""
    value = want(data, path, (int, float), default=0)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{path} is {value}, not a count")
    if isinstance(value, float) and not value.is_integer():
        value = round(value)
    if not 0 <= value <= INT64_MAX:
        raise ValueError(f"{path} is {value:.3g}, not a count (0 to 2^63-1)")
    return int(value)


def dig(data: Any, *keys: str, default: Any = None) -> Any:
    """``data[k1][k2]...`` or ``default`` when any step is missing or not a mapping."""
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return default
        data = data[key]
    return data


def number(value: Any, default: float = 0.0) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else default
