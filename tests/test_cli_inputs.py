"""Every command's file inputs, walked with a missing, an empty, a one-line and a malformed file: a bad file
is one clear ``error [reason]: ...`` line on stderr and exit code 2 (README: bad input or configuration), never
a traceback; a good one-line file works. Readers that take files line by line keep going past a bad line
(it becomes a reject with its ``path:L<n>``), so for them a malformed file is exit 0 with the reject counted."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openswe_data.cli import make_app
from openswe_data.store import Workspace

ROOT = Path(__file__).resolve().parents[1]
PATCH = "diff --git a/pkg/m.py b/pkg/m.py\n--- a/pkg/m.py\n+++ b/pkg/m.py\n@@ -1 +1 @@\n-a = 1\n+a = 2\n"
PREDICTION = json.dumps({"instance_id": "o__r-1", "model_name_or_path": "m", "model_patch": PATCH})
TASK = json.dumps({"instance_id": "o__r-1", "repo": "o/r", "base_commit": "a" * 40, "patch": PATCH,
                   "problem_statement": "It breaks."})


@dataclass
class Input:
    args: list[str]
    """The command, with ``{f}`` for the file and ``{ws}`` for a workspace."""
    suffix: str
    one_line: str
    malformed: str = "{not json\n"
    per_line: bool = False
    """Bad lines become rejects and the batch goes on (exit 0)."""
    empty_ok: bool = False
    """An empty file is a valid (empty) input here, e.g. an exclusion list."""


INPUTS = {
    "evaluate": Input(["evaluate", "{f}", "--source", "{ws}"], ".jsonl", PREDICTION),
    "evaluate-json": Input(["evaluate", "{f}", "--source", "{ws}"], ".json", PREDICTION, malformed='{"a": 1}'),
    "collect dump": Input(["collect", "dump", "{f}", "-w", "{ws}"], ".jsonl",
                          (ROOT / "examples" / "prs.jsonl").read_text().splitlines()[0], per_line=True),
    "collect swebench": Input(["collect", "swebench", "{f}", "-w", "{ws}"], ".jsonl", TASK, per_line=True),
    "curate import": Input(["curate", "import", "predictions", "{f}", "-w", "{ws}"], ".jsonl", PREDICTION,
                           per_line=True),
    "sample --scripted": Input(["sample", "--scripted", "{f}", "--dry-run", "-w", "{ws}"], ".yaml",
                               "- done", malformed="- [unclosed\n"),
    "build --agents": Input(["build", "--agents", "{f}", "-w", "{ws}"], ".yaml",
                            "{provider: scripted, replies: ['```yaml\\ngive_up: offline\\n```']}", malformed="- [unclosed\n"),
    "run": Input(["run", "{f}", "-w", "{ws}", "--no-release"], ".jsonl", "", per_line=True),
    "run --attempts": Input(["run", "{ws}/tasks.jsonl", "--attempts", "{f}", "-w", "{ws}"], ".jsonl", ""),
    "trajectories --benchmark": Input(["trajectories", "build", "--benchmark", "{f}", "--dry-run", "-w", "{ws}"],
                                      ".txt", "o__r-1", malformed="\x00\x01not an id\n"),
}


def _run(case: Input, path: Path, ws: Path):
    args = [a.replace("{f}", str(path)).replace("{ws}", str(ws)) for a in case.args]
    return CliRunner().invoke(make_app(), args)


def _one_clear_error(result) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith("error [") and "]: " in first, result.stderr


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    Workspace(tmp_path / "ws", create=True)
    (tmp_path / "ws" / "tasks.jsonl").write_text(TASK + "\n")
    return tmp_path / "ws"


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_a_missing_file_is_one_clear_error_with_exit_code_2(name, ws, tmp_path):
    case = INPUTS[name]
    result = _run(case, tmp_path / f"missing{case.suffix}", ws)
    _one_clear_error(result)
    assert "missing" in result.stderr


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_an_empty_file_is_one_clear_error_with_exit_code_2(name, ws, tmp_path):
    case = INPUTS[name]
    path = tmp_path / f"empty{case.suffix}"
    path.write_text("")
    result = _run(case, path, ws)
    if case.empty_ok:
        assert result.exit_code == 0, result.output
    else:
        _one_clear_error(result)
        assert "empty" in result.stderr


@pytest.mark.parametrize("name", sorted(n for n, case in INPUTS.items() if case.one_line))
def test_a_one_line_file_is_read_as_one_entry(name, ws, tmp_path):
    case = INPUTS[name]
    path = tmp_path / f"one{case.suffix}"
    path.write_text(case.one_line + "\n")
    result = _run(case, path, ws)
    assert result.exit_code == 0, (result.output, result.stderr, result.exception)
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name", sorted(n for n, case in INPUTS.items() if n not in ("run", "run --attempts")))
def test_a_malformed_file_is_one_clear_error_or_a_located_reject(name, ws, tmp_path):
    case = INPUTS[name]
    path = tmp_path / f"bad{case.suffix}"
    path.write_text(case.malformed)
    result = _run(case, path, ws)
    if case.per_line:
        assert result.exit_code == 0, (result.output, result.stderr)
        assert "Traceback" not in result.output
    else:
        _one_clear_error(result)
        assert str(path.name) in result.stderr


def test_a_one_line_predictions_file_is_one_prediction_not_a_keyed_object(ws, tmp_path):
    path = tmp_path / "one.jsonl"
    path.write_text(PREDICTION + "\n")
    result = CliRunner().invoke(make_app(), ["evaluate", str(path), "--source", str(ws)])
    assert result.exit_code == 0, result.stderr
    assert "unknown instances: o__r-1" in result.output
