"""Decontamination: benchmark overlap, a date cutoff, and near-duplicate trajectories.

Input: a benchmark list — a file the user supplies (one instance id a line, or JSON / JSONL objects with
an ``instance_id``, e.g. SWE-bench Verified's ids) — a cutoff date, and trajectories as they are made.
Output: for each trajectory, ``None`` (keep) or ``(reason, detail)``: ``benchmark_overlap`` (its repository
and PR number match a listed instance: ``owner__name-123`` matches case-blind, whatever the source of the
id), ``after_cutoff`` (its PR was created after the cutoff), ``near_duplicate`` (its actions' SimHash is
within ``max_distance`` bits of a trajectory already kept; the detail names that one).

Why SimHash of the actions: two PRs cherry-picked onto two branches, or one PR collected twice under two
ids, make the same edits with different ids and dates; comparing what the agent *does* finds them.
Fingerprints are split into four 16-bit bands, so a candidate is compared only with trajectories sharing a
band (any two within 3 bits share one): memory and time stay linear.
"""

from __future__ import annotations

import json
import re
from array import array
from pathlib import Path
from typing import Any

from openswe_data.errors import ConfigError

_ID = re.compile(r"^(?P<repo>.+)-(?P<number>\d+)$")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+")  # words and numbers: JSON punctuation would make every call look alike
BANDS = 4


def pr_key(instance_id: str) -> tuple[str, int] | None:
    """``owner__name-12`` -> ``("owner/name", 12)`` (lower-case), or None when it is not such an id."""
    m = _ID.match(instance_id.strip())
    if not m or "__" not in m["repo"]:
        return None
    return m["repo"].replace("__", "/", 1).lower(), int(m["number"])


def load_benchmark(path: str | Path) -> set[tuple[str, int]]:
    """The (repository, PR number) pairs of a benchmark list file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the benchmark list {path}: {exc.strerror}",
                          hint="pass a file of instance ids, one a line (or JSON/JSONL with instance_id)") from None
    ids: list[str] = []
    stripped = text.lstrip()
    if stripped.startswith("["):
        ids = [_id_of(x) for x in json.loads(stripped)]
    else:
        for n, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                ids.append(_id_of(json.loads(line)) if line.startswith("{") else line)
            except (ValueError, KeyError):
                raise ConfigError(f"{path}:{n}: not an instance id or a JSON object with one") from None
    keys = {pr_key(i) for i in ids if i}
    keys.discard(None)
    if ids and not keys:
        raise ConfigError(f"{path}: no line is an instance id like owner__name-123")
    return keys  # type: ignore[return-value]


def _id_of(obj: Any) -> str:
    return obj["instance_id"] if isinstance(obj, dict) else str(obj)


def simhash(text: str, *, limit: int = 20_000) -> int:
    """A 64-bit SimHash of the word 3-grams of ``text``'s first ``limit`` characters (0 for no text)."""
    import zlib

    import numpy as np

    words = _WORD.findall(text[:limit])
    if not words:
        return 0
    grams = [" ".join(words[i:i + 3]).encode() for i in range(max(len(words) - 2, 1))]
    hashes = np.fromiter(((zlib.crc32(g) << 32) | zlib.crc32(g, 0x9E3779B9) for g in grams), dtype=np.uint64,
                         count=len(grams))
    bits = np.unpackbits(hashes.astype(">u8").view(np.uint8).reshape(-1, 8), axis=1)  # MSB first
    ones = bits.sum(axis=0, dtype=np.int64)
    value = 0
    for b in np.flatnonzero(ones * 2 > len(grams)):
        value |= 1 << (63 - int(b))
    return value


def actions_text(messages: list[dict[str, Any]]) -> str:
    """What the agent does: the tool calls' names and arguments (observations and prose left out)."""
    return "\n".join(f"{(c.get('function') or {}).get('name', '')} {(c.get('function') or {}).get('arguments', '')}"
                     for m in messages for c in (m.get("tool_calls") or []))


class Decontaminator:
    """Judges trajectories one at a time; remembers the fingerprints it kept, per group.

    A group is what a duplicate must share to count as one: the trajectory's kind and outcome. A contextual
    and an environmental trajectory of one PR make the same edits on purpose, and a failed attempt close to
    a successful one is exactly the hard negative a verifier needs; neither is a duplicate.
    """

    def __init__(self, benchmark: set[tuple[str, int]] | None = None, cutoff: str | None = None,
                 max_distance: int = 3) -> None:
        self.benchmark = benchmark or set()
        self.cutoff = cutoff
        self.max_distance = max_distance
        # compact on purpose (about 80 bytes a kept trajectory): fingerprints in one array, ids in one list,
        # and per group and band a bucket of positions into them
        self._fps = array("Q")
        self._ids: list[str] = []
        self._bands: dict[str, list[dict[int, array]]] = {}

    def remember(self, fingerprint: int, trajectory_id: str, group: str = "") -> None:
        bands = self._bands.setdefault(group, [{} for _ in range(BANDS)])
        pos = len(self._ids)
        self._fps.append(fingerprint)
        self._ids.append(trajectory_id)
        for i, band in enumerate(bands):
            key = fingerprint >> (16 * i) & 0xFFFF
            bucket = band.get(key)
            if bucket is None:
                bucket = band[key] = array("I")
            bucket.append(pos)

    def duplicate_of(self, fingerprint: int, group: str = "") -> str | None:
        for i, band in enumerate(self._bands.get(group, ())):
            for pos in band.get(fingerprint >> (16 * i) & 0xFFFF, ()):
                if bin(self._fps[pos] ^ fingerprint).count("1") <= self.max_distance:
                    return self._ids[pos]
        return None

    def excluded(self, instance_id: str, created_at: str) -> tuple[str, str] | None:
        """Whether an instance is excluded before anything is made for it (benchmark list, cutoff)."""
        key = pr_key(instance_id)
        if key is not None and key in self.benchmark:
            return "benchmark_overlap", f"{key[0]}#{key[1]} is in the benchmark list"
        if self.cutoff and created_at and created_at[:len(self.cutoff)] > self.cutoff:
            return "after_cutoff", f"created {created_at}, after the cutoff {self.cutoff}"
        return None

    def judge(self, trajectory_id: str, fingerprint: int, group: str = "") -> tuple[str, str] | None:
        """``near_duplicate`` when a kept trajectory of the group is that close; else keep (and remember) it."""
        if fingerprint:
            other = self.duplicate_of(fingerprint, group)
            if other is not None and other != trajectory_id:
                return "near_duplicate", f"within {self.max_distance} bits of {other}"
            self.remember(fingerprint, trajectory_id, group)
        return None


def group_of(kind: str, resolved: bool | None) -> str:
    """The near-duplicate group of a trajectory: its kind and outcome."""
    return f"{kind}:{resolved}"
