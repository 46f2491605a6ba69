"""Validated records -> files other harnesses read as they are, without a release: SWE-bench JSONL.

Input: a workspace's ``records``. Output: one JSON object a line in SWE-bench's form (``FAIL_TO_PASS`` /
``PASS_TO_PASS`` as JSON-encoded strings) plus the fields SWE-bench's v5 harness reads per instance
(``image``, ``eval_type``, ``log_parser`` as its parser name) — the same values the release's
``environments`` and ``swebench`` configs carry, from ``schemas.harness_fields``.
"""

from __future__ import annotations

import json
from pathlib import Path

from openswe_data.publish.schemas import harness_fields
from openswe_data.store import Workspace


def export_swebench(workspace: Workspace, path: Path, *, include_invalid: bool = False) -> int:
    """Write the workspace's valid records (every one with ``include_invalid``) to ``path``; returns the count."""
    records = sorted((r for r in workspace.stage("records") if include_invalid or r.verdict == "valid"),
                     key=lambda r: r.instance_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps({**r.to_swebench(), **harness_fields(r)}, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return len(records)
