"""The columns of each release config, and the Arrow tables built from a selection.

``environments`` is ``ValidatedRecord``'s schema (SWE-bench's field names, then ours) plus the release's
own columns (difficulty from curation, ``code_withheld`` from the license policy). ``trajectories`` is
``AgentTrajectory``'s and ``verifier`` ``VerifierExample``'s, with ``messages`` as a typed list of
OpenAI-style messages (``tool_calls``, ``tool_call_id``, ``name``: what chat templates read) instead of the
workspace's JSON text; ``tools`` stays a JSON string, as LLaMA-Factory and the Hub viewer expect (tool
schemas differ in shape, which one Arrow type cannot hold). ``logs`` holds the long texts, kept out of
``environments`` so the main config stays light. The guard compares every shard against these schemas, so a column renamed in code without a
schema-version bump is refused before it reaches users.
"""

from __future__ import annotations

from typing import Any

from openswe_data.records import SCHEMA_VERSION, ValidatedRecord


def _release_fields() -> list[Any]:
    import pyarrow as pa

    return [
        pa.field("difficulty", pa.string(), nullable=True),
        pa.field("pass_rate", pa.float64(), nullable=True),
        pa.field("n_attempts", pa.int64(), nullable=True),
        pa.field("n_resolved", pa.int64(), nullable=True),
        pa.field("code_withheld", pa.bool_(), nullable=False),
        pa.field("image", pa.string(), nullable=False),
        pa.field("eval_type", pa.string(), nullable=False),
    ]


RELEASE_COLUMNS = ("difficulty", "pass_rate", "n_attempts", "n_resolved", "code_withheld", "image", "eval_type")
"""Columns the release adds to ``ValidatedRecord``'s. ``image`` and ``eval_type`` are the fields SWE-bench's
v5 harness reads per instance (``make_test_spec``): ``image`` is the pullable reference (``name@sha256:...``
when the image was pushed), ``eval_type`` is ``pass_and_fail`` (FAIL_TO_PASS must pass, PASS_TO_PASS must
stay passing)."""


SWEBENCH_COLUMNS = ("instance_id", "repo", "base_commit", "patch", "test_patch", "problem_statement", "hints_text",
                    "created_at", "version", "FAIL_TO_PASS", "PASS_TO_PASS", "environment_setup_commit",
                    "image", "eval_type", "log_parser", "eval_script")
"""The ``swebench`` config: SWE-bench's own columns with its exact types — every one a string, FAIL_TO_PASS /
PASS_TO_PASS JSON-encoded lists — then what its v5 harness reads per instance. Loaders written for
SWE-bench (``json.loads(row["FAIL_TO_PASS"])``) read it as is; ``environments`` keeps the list-typed form."""


def swebench_row(env_row: dict[str, Any]) -> dict[str, Any]:
    """A ``swebench`` row from an ``environments`` row."""
    import json

    row = {name: env_row.get(name) for name in SWEBENCH_COLUMNS}
    for name in ("FAIL_TO_PASS", "PASS_TO_PASS"):
        row[name] = json.dumps(list(row[name] or []))
    return {k: "" if v is None else str(v) for k, v in row.items()}


def harness_fields(record: ValidatedRecord, *, pushed: bool = False) -> dict[str, str]:
    """What the SWE-bench v5 harness reads per instance besides SWE-bench's columns: ``image``,
    ``eval_type`` and ``log_parser`` (its parser name)."""
    return {"image": pullable(record.image_name, record.image_digest) if pushed else record.image_name,
            "eval_type": "pass_and_fail", "log_parser": swebench_log_parser(record.log_parser)}


def swebench_log_parser(name: str) -> str:
    """SWE-bench's parser name for ours: ``pytest`` -> ``parse_log_pytest`` (names already in that form pass)."""
    return name if not name or name.startswith("parse_log_") else f"parse_log_{name}"


def pullable(image_name: str, image_digest: str) -> str:
    """``repository@sha256:...`` when the digest is a registry digest, else the name as built."""
    if image_digest.startswith("sha256:") and "/" in image_name:
        return f"{image_name.rsplit(':', 1)[0] if ':' in image_name.rsplit('/', 1)[-1] else image_name}@{image_digest}"
    return image_name


def schema(config: str) -> Any:
    """The ``pyarrow.Schema`` every shard of ``config`` must have."""
    import pyarrow as pa

    meta = {"openswe.config": config, "openswe.schema_version": SCHEMA_VERSION}
    if config == "environments":
        base = ValidatedRecord.schema()
        return pa.schema(list(base) + _release_fields(), metadata=meta)
    if config in ("trajectories", "verifier"):
        from openswe_data.trajectories.records import AgentTrajectory, VerifierExample

        base = (AgentTrajectory if config == "trajectories" else VerifierExample).schema()
        return pa.schema([pa.field("messages", message_type()) if f.name == "messages" else f for f in base],
                         metadata=meta)
    if config == "swebench":
        return pa.schema([pa.field(name, pa.string(), nullable=False) for name in SWEBENCH_COLUMNS], metadata=meta)
    if config == "logs":
        return pa.schema(
            [pa.field("instance_id", pa.string(), nullable=False)]
            + [pa.field(f, pa.string(), nullable=False) for f in ("build_log", "log_before", "log_after", "log_reruns")]
            + [pa.field("logs_withheld", pa.bool_(), nullable=False)],
            metadata=meta,
        )
    raise KeyError(config)


def message_type() -> Any:
    """The Arrow type of a ``messages`` column: OpenAI-style messages with tool calls."""
    import pyarrow as pa

    call = pa.struct([("id", pa.string()), ("type", pa.string()),
                      ("function", pa.struct([("name", pa.string()), ("arguments", pa.string())]))])
    return pa.list_(pa.struct([("role", pa.string()), ("content", pa.string()), ("tool_calls", pa.list_(call)),
                               ("tool_call_id", pa.string()), ("name", pa.string())]))


def trajectory_row(record: Any) -> dict[str, Any]:
    """A ``trajectories`` / ``verifier`` row: the record's row with typed messages and ``tools`` as JSON."""
    row = record.to_row()
    row["messages"] = [{"role": m.get("role"), "content": m.get("content") or "",
                        "tool_calls": m.get("tool_calls") or None, "tool_call_id": m.get("tool_call_id"),
                        "name": m.get("name")} for m in record.messages]
    return row


def columns(config: str) -> dict[str, str]:
    """Column name -> Arrow type name, as written into the manifest (for column diffs)."""
    return {f.name: str(f.type) for f in schema(config)}


def environment_row(record: ValidatedRecord, curated: Any | None, withheld: bool, *, pushed: bool = False) -> dict[str, Any]:
    """The ``environments`` row of a record; ``pushed``: its image went to a registry with this release."""
    row = record.to_row()
    row.update(harness_fields(record, pushed=pushed))
    row.update(
        difficulty=curated.difficulty if curated is not None and curated.difficulty else None,
        pass_rate=curated.pass_rate if curated is not None else None,
        n_attempts=curated.n_attempts if curated is not None else None,
        n_resolved=curated.n_resolved if curated is not None else None,
        code_withheld=withheld,
    )
    return row


def table(config: str, rows: list[dict[str, Any]]) -> Any:
    """A ``pyarrow.Table`` of ``rows`` in ``config``'s schema."""
    import pyarrow as pa

    return pa.Table.from_pylist(rows, schema=schema(config))
