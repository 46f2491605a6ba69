"""`openswe run` — the README's main job — end to end on the bundled examples, in real Docker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytestmark = [pytest.mark.docker, pytest.mark.slow]
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_run_goes_from_crawled_prs_to_a_release_that_load_dataset_reads(examples_workspace, tmp_path):
    from openswe_data.cli import make_app

    ws, expected, _ = examples_workspace  # its repositories and dump; images are reused by content hash
    dump = ws.path.parent / "prs.jsonl"
    args = ["run", str(dump), "--workspace", str(tmp_path / "ws"), "--release", str(tmp_path / "openswe"),
            "--attempts", str(EXAMPLES / "attempts.jsonl"), "--workers", "2"]
    result = CliRunner().invoke(make_app(), args)
    assert result.exit_code == 0, result.output
    expected = json.loads((Path(__file__).parents[1] / "examples" / "expected.json").read_text())
    valid = sum(e["verdict"] == "valid" for e in expected.values())
    assert f"valid {valid}, invalid {len(expected) - valid}" in result.output
    assert "graded 32 attempt(s), 17 resolved" in result.output  # examples/attempts.jsonl: 4 per valid instance
    assert (tmp_path / "ws" / "report" / "report.html").exists()

    code = ("import json\nfrom datasets import load_dataset\n"
            "ds = load_dataset('openswe', 'environments', split='test')\n"
            "print(json.dumps(sorted(zip(ds['instance_id'], ds['difficulty']))))\n")
    env = {**os.environ, "HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    rows = dict(json.loads(out.stdout.strip().splitlines()[-1]))
    assert sorted(rows) == sorted(i for i, e in expected.items() if e["verdict"] == "valid")
    assert all(rows.values()), rows  # every released instance carries its measured difficulty

    again = CliRunner().invoke(make_app(), args)  # resumes: nothing is redone, nothing is duplicated
    assert again.exit_code == 0, again.output
    assert "0 new task(s), 11 already done" in again.output and "already done 11" in again.output
