"""Stored trajectories -> a JSONL file in a trainer's format (``openai``, ``sharegpt``, ``text``).

Input: the ``agent_trajectories`` (or ``verifier``) stage. Output: one JSON object a line: the rendered
trajectory (``render.render``) plus ``trajectory_id``, ``instance_id``, ``kind``, ``tokens`` (and ``label``
for verifier rows), written to a temp file and renamed, so a half-written export never looks finished.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from openswe_data.store import Workspace
from openswe_data.trajectories import render
from openswe_data.trajectories.records import STAGE, VERIFIER_STAGE, AgentTrajectory, VerifierExample


def export(ws: Workspace, out: Path, fmt: str = "openai", *, kinds: tuple[str, ...] | None = None,
           verifier: bool = False) -> int:
    """Write the file; returns how many rows it holds."""
    render.render(fmt, [], [])  # an unknown format fails before anything is written
    rows = ws.stage(VERIFIER_STAGE, VerifierExample) if verifier else ws.stage(STAGE, AgentTrajectory)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    n = 0
    with open(tmp, "w", encoding="utf-8") as fh:
        for r in sorted(rows, key=lambda r: r.key()):
            if kinds and r.kind not in kinds:
                continue
            obj = {"trajectory_id": r.trajectory_id, "instance_id": r.instance_id, "kind": r.kind, "tokens": r.tokens}
            if isinstance(r, VerifierExample):
                obj.update(example_id=r.example_id, label=r.label)
            obj.update(render.render(fmt, r.messages, r.tools))
            fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
            n += 1
    os.replace(tmp, out)
    return n
