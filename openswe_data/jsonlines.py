"""Reading JSON from files someone else wrote: one place for the damage every reader meets.

Input: a JSON Lines file, a JSON list or a single JSON document, as bytes. Output: ``(line, value, error)``
per record, where ``error`` is a short sentence (``invalid JSON (column 12): Expecting ','``) and the value
is ``None``; one damaged line never hides the lines around it. Handled here so each reader does not have
to: a UTF-8 byte-order mark, bytes that are not UTF-8 (per line, not per file), nesting deeper than the
parser can follow (a ``RecursionError`` inside ``json``), and a file that starts with ``[`` but is JSON
Lines (a first line that is a JSON array).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BOM = b"\xef\xbb\xbf"


def loads(data: str | bytes) -> Any:
    """``json.loads`` whose every failure is a ``ValueError`` with a readable message."""
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON (column {exc.colno}): {exc.msg}") from None
    except RecursionError:
        raise ValueError("JSON nested too deeply to read") from None


def decode_line(raw: bytes, *, errors: str = "strict") -> str:
    """A line's text; ``ValueError`` naming the first bad byte when it is not UTF-8 (``errors='strict'``)."""
    try:
        return raw.decode("utf-8", errors)
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})") from None


def read_lines(path: Path, *, errors: str = "strict") -> Iterator[tuple[int, Any, str | None]]:
    """``(line number, value, error)`` for every non-blank line of a JSON Lines file, streaming.

    ``errors='surrogateescape'`` keeps undecodable bytes as lone surrogates, so a caller can pin the damage
    on the field that holds it instead of refusing the whole line.
    """
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if lineno == 1 and raw.startswith(BOM):
                raw = raw[len(BOM):]
            if not raw.strip():
                continue
            try:
                yield lineno, loads(decode_line(raw, errors=errors)), None
            except ValueError as exc:
                yield lineno, None, str(exc)


def read_any(path: Path) -> Iterator[tuple[str, Any, str | None]]:
    """``(where, value, error)`` for each record of a JSON list, a single JSON document or JSON Lines.

    ``where`` is ``[i]`` for a list item, ``""`` for a whole document and ``:L<n>`` for a line. A file that
    does not parse as one document is read as JSON Lines, so one bad line costs only that line.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield "", None, f"unreadable file: {exc.strerror or exc}"
        return
    if data.startswith(BOM):
        data = data[len(BOM):]
    if not data.strip():
        yield "", None, "empty file"
        return
    head = data.lstrip()[:1]
    if head in (b"[", b"{"):
        try:
            value = loads(decode_line(data))
        except ValueError as exc:
            if b"\n" not in data.strip():  # a single document: nothing else to fall back to
                yield "", None, str(exc)
                return
        else:
            if isinstance(value, list):
                for i, item in enumerate(value):
                    yield f"[{i}]", item, None
            else:
                yield "", value, None
            return
    for n, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            yield f":L{n}", loads(decode_line(raw)), None
        except ValueError as exc:
            yield f":L{n}", None, f"on this line: {exc}"
