"""Log excerpts for records: records hold a cut log (start and end kept), the full file stays on disk."""

from __future__ import annotations

from pathlib import Path

EXCERPT_CHARS = 20_000
"""Longest log text a record carries; longer logs are cut in the middle (the file keeps everything)."""


def cut(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` if short enough, else its first and last halves around a note of what was cut."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n... [{len(text) - limit} characters cut; full log at log_path] ...\n{text[-half:]}"


def write_log(path: Path, text: str) -> Path:
    """Write a full log file with every secret scrubbed (``settings.scrub``): logs quote commands, URLs
    and environments, and a log file is an output like any other."""
    from openswe_data.settings import scrub

    path.write_text(scrub(text), encoding="utf-8", errors="surrogateescape")
    return path
