"""Field kinds of the record types: how a dataclass annotation maps to an Arrow type, and how a value is
checked on the way in.

Kinds: ``str``, ``int``, ``float``, ``bool``, ``list[str|int|float]``, ``json`` (any JSON value, stored as a
JSON string) and ``messages`` (chat messages, a list of ``{role, content}`` structs). A value that does not
fit raises ``RecordError`` naming the field and the item; so does text that is not valid UTF-8 and an id
that could escape a folder.
"""

from __future__ import annotations

import json
import re
import types
import typing
from dataclasses import dataclass, field
from typing import Any

from openswe_data.errors import RecordError

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_MAX_ID = 200
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
"""What a Parquet ``int64`` column holds: a larger integer is refused here, not by Arrow at write time."""


def json_field(default_factory: Any = dict) -> Any:
    """A field holding any JSON value; stored in Arrow/Parquet as a JSON-encoded string."""
    return field(default_factory=default_factory, metadata={"json": True})


def check_id(value: Any, *, field_name: str = "instance_id", item: str | None = None) -> str:
    """``value`` if it is a safe item id (letters, digits, ``_.-``; no ``/``, no leading dot)."""
    if not isinstance(value, str):
        raise RecordError(f"expected a string id, got {type(value).__name__}", item=item, field=field_name)
    if not value or len(value) > _MAX_ID or not _ID_RE.match(value) or ".." in value:
        raise RecordError(
            f"{value!r} is not a safe id: use letters, digits and '_', '.', '-' only "
            f"(no '/', no '..', at most {_MAX_ID} characters), e.g. 'owner__repo-123'",
            item=item if item is not None else (value if isinstance(value, str) else None),
            field=field_name,
        )
    return value




@dataclass(frozen=True)
class Kind:
    name: str  # str, int, float, bool, list[str], list[int], json, messages
    optional: bool


def kind_of(annotation: Any, meta: typing.Mapping[str, Any]) -> Kind:
    if meta.get("json"):
        return Kind("json", True)
    optional = False
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        optional = True
        (annotation,) = [a for a in args if a is not type(None)]
    if annotation in (str, int, float, bool):
        return Kind(annotation.__name__, optional)
    if typing.get_origin(annotation) is list:
        (inner,) = typing.get_args(annotation)
        if inner in (str, int, float):
            return Kind(f"list[{inner.__name__}]", optional)
        if inner == dict[str, str]:
            return Kind("messages", optional)
    raise TypeError(f"unsupported field annotation {annotation!r}")


def arrow_type(kind: Kind) -> Any:
    import pyarrow as pa

    return {
        "str": pa.string(),
        "int": pa.int64(),
        "float": pa.float64(),
        "bool": pa.bool_(),
        "list[str]": pa.list_(pa.string()),
        "list[int]": pa.list_(pa.int64()),
        "list[float]": pa.list_(pa.float64()),
        "json": pa.string(),
        "messages": pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())])),
    }[kind.name]


def check_text(value: str, *, item: str | None, field_name: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise RecordError(
            "text is not valid UTF-8 (it holds undecodable bytes); decode it with errors='replace' "
            "or drop the item",
            item=item,
            field=field_name,
        ) from None
    return value


def coerce(value: Any, kind: Kind, *, item: str | None, field_name: str) -> Any:
    """Check ``value`` against ``kind``; return it in its canonical Python form."""
    if value is None:
        if kind.optional:
            return None
        raise RecordError("is required but missing (None)", item=item, field=field_name)

    def bad(expected: str) -> RecordError:
        return RecordError(
            f"expected {expected}, got {type(value).__name__} {str(value)[:60]!r}", item=item, field=field_name
        )

    name = kind.name
    if name == "json":
        if isinstance(value, str) and value[:1] in ("{", "[") or value == "null":
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                pass
        try:
            json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError, RecursionError):
            raise bad("a JSON-serialisable value (not nested too deep)") from None
        return value
    if name == "str":
        if isinstance(value, bytes):
            try:
                value = value.decode("utf-8")
            except UnicodeDecodeError:
                raise RecordError("bytes are not valid UTF-8", item=item, field=field_name) from None
        if not isinstance(value, str):
            raise bad("a string")
        return check_text(value, item=item, field_name=field_name)
    if name == "bool":
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if name == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            if not (isinstance(value, float) and value.is_integer()):
                raise bad("an integer")
            value = int(value)
        if not INT64_MIN <= value <= INT64_MAX:
            raise RecordError(f"{value:.3g} is outside the 64-bit integer range", item=item, field=field_name)
        return value
    if name == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad("a number")
        return float(value)
    if name.startswith("list["):
        if isinstance(value, str) and value.startswith("["):  # SWE-bench's JSON-encoded lists
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise bad("a list") from None
        if isinstance(value, tuple) or (hasattr(value, "tolist") and not isinstance(value, str)):
            value = list(value.tolist() if hasattr(value, "tolist") else value)
        if not isinstance(value, list):
            raise bad("a list")
        inner = Kind(name[5:-1], False)
        return [coerce(v, inner, item=item, field_name=f"{field_name}[{i}]") for i, v in enumerate(value)]
    if name == "messages":
        if hasattr(value, "tolist"):
            value = value.tolist()
        if not isinstance(value, list):
            raise bad("a list of {role, content} messages")
        out = []
        for i, m in enumerate(value):
            if not isinstance(m, dict) or not isinstance(m.get("role"), str):
                raise RecordError("expected a {role, content} message", item=item, field=f"{field_name}[{i}]")
            content = m.get("content")
            content = "" if content is None else content
            if not isinstance(content, str):
                content = json.dumps(content, ensure_ascii=False)
            out.append({"role": m["role"], "content": check_text(content, item=item, field_name=field_name)})
        return out
    raise AssertionError(name)  # pragma: no cover


