"""A validation's first pair of runs, kept so a later validation of the same environment can stand on it.

The closed loop's probe (``repair/loop.py``) validates each built turn with one run a side; the validate
stage then starts the same way, on the same image, with the same eval script, patches and limits. So every
validation writes ``first-pair.json`` beside its run logs: what those two runs were (exit status, time, the
container) and a fingerprint of everything that decided them. A later validation whose fingerprint is the
same takes the pair as its own first runs instead of running them again; each reused run keeps, as its
``origin``, the folder of the validation that ran it, and a record's ``runs`` says so. Anything different —
another image, script, patch or limits, a file missing — and the runs are made afresh.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

from openswe_data.records import Environment
from openswe_data.validate.runner import Limits, RunResult

FILE = "first-pair.json"
_META = ("exit_code", "timed_out", "oom_killed", "patch_failed", "seconds", "container")


def fingerprint(env: Environment, script: str | None, patch: str, limits: Limits) -> str:
    """What decides a first pair: the image (name and id), the eval script that ran, the gold patch, the limits."""
    parts = [env.image_name, env.image_digest or "", script or "", patch, json.dumps(asdict(limits), sort_keys=True)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def save(log_dir: Path, key: str, pair: tuple[RunResult, RunResult]) -> None:
    sides = {name: {k: getattr(r, k) for k in _META} for name, r in zip(("before", "after"), pair)}
    (log_dir / FILE).write_text(json.dumps({"fingerprint": key, **sides}, indent=1))


def load(log_dir: Path, key: str) -> tuple[RunResult, RunResult] | None:
    """The first pair kept in ``log_dir`` when its fingerprint is ``key`` and its logs are all there, else ``None``."""
    try:
        kept = json.loads((log_dir / FILE).read_text())
        if kept.get("fingerprint") != key:
            return None
        pair = []
        for name in ("before", "after"):
            files = {kind: log_dir / f"{name}-1.{kind}" for kind in ("log", "stdout", "junit.xml")}
            junit = files["junit.xml"].read_text(errors="replace") if files["junit.xml"].is_file() else None
            stdout = files["stdout"].read_text(errors="replace") if files["stdout"].is_file() else None
            meta = {k: kept[name][k] for k in _META}
            pair.append(RunResult(log=files["log"].read_text(errors="replace"), stdout=stdout, junit=junit,
                                  origin=str(log_dir), **meta))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return pair[0], pair[1]
