"""The release layout: names, shard files, split assignment and versions, in one place.

A release is a folder with the Hub's layout, so the same folder loads locally and from the Hub::

    openswe/README.md                                        the card (YAML front matter + prose)
    openswe/release.json                                     the manifest (version, schema, counts, files)
    openswe/data/<config>/<split>-NNNNN-of-MMMMM.parquet     the shards

Why deterministic: rows are sorted by key and cut into shards of a fixed row count, and each instance's
split comes from a hash of its id, so the same input always gives byte-identical shards. Unchanged shards
then hash the same, and the Hub upload skips them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from openswe_data.errors import ConfigError

DEFAULT_FOLDER = "openswe"
"""The local release folder name: ``load_dataset("openswe", ...)`` works from its parent directory."""

MANIFEST = "release.json"
CARD = "README.md"
DATA_DIR = "data"

CONFIGS = ("environments", "swebench", "trajectories", "verifier", "logs")
"""Config names, in card order; ``environments`` is the default config."""

DEFAULT_CONFIG = "environments"
SPLITS = ("train", "test")

ROWS_PER_SHARD = {"environments": 5_000, "swebench": 5_000, "trajectories": 2_000, "verifier": 2_000, "logs": 2_000}
"""Rows per shard file; logs and trajectories hold long text, so their shards hold fewer rows."""

ROW_GROUP_SIZE = 500
"""Rows per Parquet row group (small enough for streaming readers, large enough to compress well)."""

_SHARD_RE = re.compile(r"^(?P<split>[a-z]+)-(?P<i>\d{5})-of-(?P<n>\d{5})\.parquet$")
_VERSION_RE = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


def shard_name(split: str, index: int, count: int) -> str:
    """``test-00000-of-00002.parquet``: the Hub's shard naming."""
    return f"{split}-{index:05d}-of-{count:05d}.parquet"


def shard_path(config: str, split: str, index: int, count: int) -> str:
    """The shard's path inside the release folder (always ``/``-separated, as on the Hub)."""
    return f"{DATA_DIR}/{config}/{shard_name(split, index, count)}"


def parse_shard(name: str) -> tuple[str, int, int] | None:
    """``(split, index, count)`` for a shard file name, or None when it is not one."""
    m = _SHARD_RE.match(name)
    return (m["split"], int(m["i"]), int(m["n"])) if m else None


def shard_count(rows: int, per_shard: int) -> int:
    """How many shards ``rows`` rows make (at least one, so an empty split still has a file)."""
    return max(1, -(-rows // per_shard))


def split_for(instance_id: str, train_ratio: float) -> str:
    """The split of an instance: ``train`` when the hash of its id falls below ``train_ratio``.

    The default ratio 0.0 puts everything in ``test``, as SWE-bench does. Trajectories and logs follow
    their instance's split, so no instance is in one split's environments and another split's trajectories.
    """
    if train_ratio <= 0.0:
        return "test"
    if train_ratio >= 1.0:
        return "train"
    digest = hashlib.sha256(instance_id.encode("utf-8")).digest()
    fraction = int.from_bytes(digest[:8], "big") / 2**64
    return "train" if fraction < train_ratio else "test"


@dataclass(frozen=True, order=True)
class Version:
    """A release version ``X.Y.Z``; its Hub tag is ``vX.Y.Z``."""

    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> Version:
        value = text[1:] if text.startswith("v") else text
        m = _VERSION_RE.match(value)
        if not m:
            raise ConfigError(
                f"{text!r} is not a release version", hint="use three numbers, e.g. --version 0.1.0"
            )
        return cls(int(m[1]), int(m[2]), int(m[3]))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"

    @property
    def tag(self) -> str:
        return f"v{self}"


def size_category(n: int) -> str:
    """The Hub's ``size_categories`` value for ``n`` rows."""
    bounds = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
              (10_000_000, "1M<n<10M")]
    for bound, label in bounds:
        if n < bound:
            return label
    return "10M<n<100M"
