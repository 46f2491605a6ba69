"""Where a collected task's repository comes from: a folder of mirrors under any of the documented names,
the task's own local path, an explicit owner/name=PATH — and the command says what resolved to what."""

from __future__ import annotations

import json
import subprocess

from typer.testing import CliRunner

from openswe_data.cli import make_app
from openswe_data.collect import collect_swebench, parse_repo_roots
from openswe_data.store import Workspace

PATCH = "diff --git a/pkg/m.py b/pkg/m.py\n--- a/pkg/m.py\n+++ b/pkg/m.py\n@@ -1 +1 @@\n-a = 1\n+a = 2\n"


def _row(iid: str, repo: str, **over) -> dict:
    return {"instance_id": iid, "repo": repo, "base_commit": "a" * 40, "patch": PATCH.replace("a = 2", f"a = {iid}"),
            "problem_statement": "It breaks.", **over}


def _bare(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "--bare", str(path)], check=True)
    return path


def test_a_folder_of_mirrors_resolves_every_documented_naming_and_names_what_it_missed(tmp_path):
    mirrors = tmp_path / "mirrors"
    expected = {"a/one": _bare(mirrors / "a__one.git"), "b/two": _bare(mirrors / "B+Two"),
                "c/three": _bare(mirrors / "c" / "three"), "d/four": _bare(mirrors / "four.git")}
    roots = parse_repo_roots([str(mirrors)])
    for repo, path in expected.items():
        assert roots.find(repo) == str(path.resolve()), repo
    assert roots.find("e/five") is None
    lines = roots.describe()
    assert "a/one -> " + str(expected["a/one"].resolve()) + " (mirror folder)" in lines
    assert any(line.startswith("e/five: no mirror under ") for line in lines)


def test_a_tasks_own_local_path_is_used_relative_to_its_file_and_an_explicit_root_wins(tmp_path):
    own = _bare(tmp_path / "data" / "repos" / "r")
    src = tmp_path / "data" / "tasks.jsonl"
    src.write_text(json.dumps(_row("o__r-1", "o/r", repo_path="repos/r")) + "\n"
                   + json.dumps(_row("p__q-2", "p/q", repo_url="repos/r")) + "\n")
    explicit = _bare(tmp_path / "elsewhere" / "q")
    ws = Workspace(tmp_path / "ws", create=True)
    roots = parse_repo_roots([f"p/q={explicit}"])
    collect_swebench(src, ws, repo_roots=roots)
    assert ws.stage("tasks").get("o__r-1").repo_url == str(own.resolve())
    assert ws.stage("tasks").get("p__q-2").repo_url == str(explicit.resolve())
    assert roots.resolved["o/r"] == (str(own.resolve()), "task file")


def test_collect_swebench_prints_which_repository_resolved_to_what(tmp_path):
    mirror = _bare(tmp_path / "mirrors" / "o__r")
    src = tmp_path / "t.jsonl"
    src.write_text(json.dumps(_row("o__r-1", "o/r")) + "\n" + json.dumps(_row("x__y-2", "x/y")) + "\n")
    result = CliRunner().invoke(make_app(), ["collect", "swebench", str(src), "-w", str(tmp_path / "ws"),
                                             "--repo-root", str(tmp_path / "mirrors")])
    assert result.exit_code == 0, result.output
    assert f"o/r -> {mirror.resolve()} (mirror folder)" in result.output
    assert "x/y: no mirror under" in result.output
