"""`openswe query` is restricted by default: it reads the workspace's views and nothing else, cannot write,
attach, install or reconfigure, and is bounded in time and memory; `--unrestricted` gives the owner full DuckDB."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from openswe_data.cli import make_app
from openswe_data.store import Workspace

runner = CliRunner()


@pytest.fixture
def ws(tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hardening"))
    from make_corpus import good_pr

    dump = tmp_path / "prs.jsonl"
    dump.write_text("".join(json.dumps(good_pr(i)) + "\n" for i in (1, 2)))
    result = runner.invoke(make_app(), ["collect", "dump", str(dump), "-w", str(tmp_path / "ws")])
    assert result.exit_code == 0, result.output
    (tmp_path / "outside.csv").write_text("secret\nhost-file\n")
    return Workspace(tmp_path / "ws")


def q(ws, sql, *extra):
    return runner.invoke(make_app(), ["query", sql, "-w", str(ws.path), "--format", "json", *extra])


def test_a_restricted_query_reads_the_views(ws):
    result = q(ws, "SELECT count(*) AS n FROM tasks")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip()) == {"n": 2}


@pytest.mark.parametrize("sql, reason", [
    ("SELECT * FROM read_csv('{outside}')", "bad_query"),
    ("SELECT * FROM read_text('/etc/passwd')", "bad_query"),
    ("COPY (SELECT 1) TO '{ws}/tasks/parts/x.csv'", "query_refused"),
    ("ATTACH '{ws}/x.db' AS x", "query_refused"),
    ("INSTALL httpfs", "query_refused"),
    ("SET enable_external_access = true", "query_refused"),
    ("SELECT 1; SET lock_configuration = false", "query_refused"),
    ("CREATE TABLE t AS SELECT 1", "query_refused"),
])
def test_a_restricted_query_cannot_reach_outside_write_attach_install_or_reconfigure(ws, sql, reason):
    sql = sql.format(outside=ws.path.parent / "outside.csv", ws=ws.path)
    before = sorted(p for p in ws.path.parent.rglob("*"))
    result = q(ws, sql)
    assert result.exit_code != 0
    assert f"error [{reason}]" in result.output and "Traceback" not in result.output
    assert "host-file" not in result.output
    assert sorted(p for p in ws.path.parent.rglob("*")) == before


def test_the_configuration_cannot_be_changed_from_inside_a_select(ws):
    result = q(ws, "SELECT current_setting('enable_external_access') AS on_")
    assert json.loads(result.output.strip()) == {"on_": False}


def test_a_restricted_query_is_stopped_at_its_time_limit(ws):
    result = q(ws, "SELECT count(*) FROM range(100000000000) a", "--timeout", "1")
    assert result.exit_code != 0 and "error [query_timeout]" in result.output


def test_a_restricted_query_is_bounded_in_memory(ws):
    result = q(ws, "SELECT list(repeat('x', 1000)) FROM range(3000000)", "--memory", "64MB")
    assert result.exit_code != 0 and "error [bad_query]" in result.output and "memory" in result.output.lower()


def test_unrestricted_gives_the_owner_full_duckdb(ws):
    outside = ws.path.parent / "outside.csv"
    result = q(ws, f"SELECT * FROM read_csv('{outside}')", "--unrestricted")
    assert result.exit_code == 0 and "host-file" in result.output
