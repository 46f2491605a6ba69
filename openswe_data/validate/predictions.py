"""Reading a predictions file for ``openswe evaluate``: per row, so one bad row costs only itself.

Input: SWE-bench predictions (``instance_id``, ``model_patch``, ``model_name_or_path``) as JSON Lines, a
JSON list, or SWE-agent's ``preds.json`` (an object keyed by instance id). Output: the good predictions,
and one ``PredictionReject`` per bad row — a machine-readable reason, a detail naming the field, and where
the row sits (``path:L12`` for a line, ``path[3]`` for a list item, ``path[key]`` for a keyed value), the
same locations ``openswe curate import`` gives. A missing, unreadable or empty file, or one with no
readable prediction at all, raises ``InputFileError`` naming it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openswe_data.errors import InputFileError, InputFileNotFound, RecordError

HINT = "each prediction is an object with instance_id, model_patch, model_name_or_path"
REASONS = ("unreadable", "not_an_object", "bad_instance_id", "bad_field", "duplicate")
"""Why a row was rejected: not JSON or not UTF-8; JSON but not an object; no or an unsafe instance_id; a
field of the wrong type or with undecodable text; the same (instance_id, model) as an earlier row."""


@dataclass(frozen=True)
class PredictionReject:
    source: str
    reason: str
    detail: str


def read_predictions(path: Path) -> tuple[list[dict[str, str]], list[PredictionReject]]:
    """``(predictions, rejects)`` for ``path``; every good prediction has the three string fields."""
    from openswe_data.curate.formats._common import objects

    path = Path(path)
    if not path.exists():
        raise InputFileNotFound(f"predictions file {path} does not exist")
    if path.is_dir():
        raise InputFileError(f"predictions file {path} is a folder", hint=HINT)
    good: list[dict[str, str]] = []
    rejects: list[PredictionReject] = []
    first_at: dict[tuple[str, str], str] = {}
    for location, data, error in objects(path, expected="a prediction object"):
        if error is not None:
            if location == str(path):  # the file as a whole: empty, unreadable, or one broken document
                raise InputFileError(f"predictions file {path}: {error}", hint=HINT)
            reason = "not_an_object" if error.startswith("expected ") else "unreadable"
            rejects.append(PredictionReject(location, reason, error))
            continue
        try:
            row = _row(data)
        except _Bad as exc:
            rejects.append(PredictionReject(location, exc.reason, str(exc)))
            continue
        key = (row["instance_id"], row["model_name_or_path"])
        if key in first_at:
            rejects.append(PredictionReject(location, "duplicate", f"instance_id {key[0]!r} with model {key[1]!r} "
                                                                   f"was already given at {first_at[key]}"))
            continue
        first_at[key] = location
        good.append(row)
    if not good and rejects:
        raise InputFileError(f"predictions file {path}: no prediction could be read; first problem at "
                             f"{rejects[0].source}: {rejects[0].detail}", hint=HINT)
    return good, rejects


class _Bad(ValueError):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


def _row(data: dict[str, Any]) -> dict[str, str]:
    from openswe_data.fields import check_id, check_text

    if "instance_id" not in data:
        raise _Bad("bad_instance_id", "no instance_id")
    try:
        iid = check_id(data["instance_id"])
    except RecordError as exc:
        raise _Bad("bad_instance_id", str(exc)) from None
    row = {"instance_id": iid}
    for name in ("model_patch", "model_name_or_path"):
        value = data.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise _Bad("bad_field", f"{name} must be a string, got {type(value).__name__}")
        try:
            row[name] = check_text(value, item=iid, field_name=name)
        except RecordError as exc:
            raise _Bad("bad_field", f"{name}: {exc}") from None
    return row
