"""`openswe collect` only calls the library: it prints and saves the funnel, and resumes."""

from __future__ import annotations

import json

from collect_helpers import FIX, TEST, write_dump
from typer.testing import CliRunner

from openswe_data.cli import make_app

runner = CliRunner()


def test_collect_dump_prints_the_funnel_and_a_re_run_resumes(make_pr, tmp_path):
    dump = write_dump(tmp_path / "d.jsonl", [make_pr("good", {**FIX, **TEST}), make_pr("t", TEST, number=2),
                                             "not json"])
    ws = tmp_path / "ws"
    filters = tmp_path / "f.yaml"
    filters.write_text("min_stars: 1\n")
    result = runner.invoke(make_app(), ["collect", "dump", str(dump), "-w", str(ws), "--filters", str(filters)])
    assert result.exit_code == 0, result.output
    assert "- tests_only" in result.output and "- malformed_record" in result.output and "= tasks" in result.output
    saved = json.loads((ws / "collect" / "funnel.json").read_text())
    assert saved["totals"] == {"tasks": 1, "dropped": {"malformed_record": 1, "tests_only": 1}}
    again = runner.invoke(make_app(), ["collect", "dump", str(dump), "-w", str(ws)])
    assert "3 already done" in again.output
    shown = runner.invoke(make_app(), ["collect", "funnel", "-w", str(ws)])
    assert '"tasks": 1' in shown.output


def test_collect_github_replays_a_recording_and_a_bad_filters_file_is_exit_code_2(tmp_path):
    from pathlib import Path

    rec = Path(__file__).parent / "fixtures" / "github" / "crawl.json"
    bad = tmp_path / "bad.yaml"
    bad.write_text("nope: 1\n")
    result = runner.invoke(make_app(), ["collect", "github", "--replay", str(rec), "-w", str(tmp_path / "w"),
                                        "--filters", str(bad)])
    assert result.exit_code == 2 and "unknown collect setting" in result.output


def test_a_missing_input_file_is_a_clear_error(tmp_path):
    result = runner.invoke(make_app(), ["collect", "dump", str(tmp_path / "nope.jsonl"), "-w", str(tmp_path / "w")])
    assert result.exit_code == 2 and "does not exist" in result.output  # bad input: exit 2, as README says
