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


def stable(text: str) -> str:
    """``text`` without what changes from one run of the same thing to the next (durations, BuildKit step
    timings, temporary names, container and object ids), so a prompt built from a log is the same prompt
    again — and the call cache answers it — when nothing but the clock changed."""
    import re

    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)  # terminal colours
    text = re.sub(r"(?m)^#(\d+) \d+\.\d+ ", r"#\1 ", text)  # BuildKit: "#8 12.34 output"
    text = re.sub(r"(?m)^#\d+ (DONE|CACHED) ?[\d.]*s?$", "", text)
    text = re.sub(r"\b\d+(\.\d+)?s\b", "<t>s", text)  # "in 0.12s", "DONE 3.4s"
    text = re.sub(r"\b\d+(\.\d+)? ?(ms|seconds?)\b", "<t>", text)
    text = re.sub(r"(/tmp/|/var/tmp/)[\w.-]+", r"\1<tmp>", text)
    text = re.sub(r"\b[0-9a-f]{12,64}\b", "<id>", text)
    return re.sub(r"\n{3,}", "\n\n", text)
