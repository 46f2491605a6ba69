"""Publishing to a local folder with the Hub's layout, and reading it back with `datasets`."""

from __future__ import annotations

import json

import pytest
from publish_helpers import fill_workspace, make_record
from typer.testing import CliRunner

from openswe_data.cli import make_app
from openswe_data.errors import PublishError
from openswe_data.publish.assemble import data_hashes
from openswe_data.publish.card import read_front_matter
from openswe_data.publish.release import PublishOptions, publish
from openswe_data.records import Release, ValidatedRecord
from openswe_data.store import Workspace


def cli(*args: str) -> object:
    result = CliRunner().invoke(make_app(), list(args))
    return result


def test_validated_records_come_back_through_load_dataset_with_their_columns_and_types(workspace, tmp_path, monkeypatch):
    import datasets

    result = cli("publish", "--workspace", str(workspace.path), "--version", "0.1.0", "--out", str(tmp_path / "openswe"))
    assert result.exit_code == 0, result.output
    monkeypatch.chdir(tmp_path)
    env = datasets.load_dataset("openswe", "environments", split="test")
    assert env.num_rows == 5
    assert env.column_names[:12] == ["instance_id", "repo", "base_commit", "patch", "test_patch", "problem_statement",
                                     "hints_text", "created_at", "version", "FAIL_TO_PASS", "PASS_TO_PASS",
                                     "environment_setup_commit"]
    assert env.features["FAIL_TO_PASS"] == datasets.List(datasets.Value("string"))
    assert env.features["pull_number"] == datasets.Value("int64")
    assert env.features["cost_usd"] == datasets.Value("float64")
    assert env.features["code_withheld"] == datasets.Value("bool")
    row = next(r for r in env if r["instance_id"] == "acme__widgets-101")
    original = make_record("acme", "widgets", 101)
    assert row["patch"] == original.patch and row["FAIL_TO_PASS"] == original.FAIL_TO_PASS
    assert row["log_path"] == "", "a workspace path means nothing outside this machine"
    assert row["difficulty"] == "unsolved" and row["n_attempts"] == 4
    # what SWE-bench's v5 harness reads per instance (make_test_spec)
    assert row["image"] == original.image_name and row["eval_type"] == "pass_and_fail"
    assert row["log_parser"] == "parse_log_pytest"
    logs = datasets.load_dataset("openswe", "logs", split="test")
    assert set(logs.column_names) == {"instance_id", "build_log", "log_before", "log_after", "log_reruns", "logs_withheld"}
    traj = datasets.load_dataset("openswe", "trajectories", split="test")
    call = {"id": datasets.Value("string"), "type": datasets.Value("string"),
            "function": {"name": datasets.Value("string"), "arguments": datasets.Value("string")}}
    assert traj.features["messages"] == datasets.List({
        "role": datasets.Value("string"), "content": datasets.Value("string"), "tool_calls": datasets.List(call),
        "tool_call_id": datasets.Value("string"), "name": datasets.Value("string")})
    assert set(traj["kind"]) == {"sampled"}, "curated runs ship as sampled trajectories"


def test_the_card_lists_every_config_with_environments_as_the_default(workspace, tmp_path):
    publish(workspace, PublishOptions(version="0.1.0", out=tmp_path / "openswe"))
    front = read_front_matter(tmp_path / "openswe")
    configs = {c["config_name"]: c for c in front["configs"]}
    assert set(configs) == {"environments", "swebench", "trajectories", "logs"}
    assert configs["environments"]["default"] is True
    assert configs["logs"]["data_files"] == [{"split": "test", "path": "data/logs/test-*.parquet"}]
    assert front["size_categories"] == ["n<1K"] and front["license"] == "other"
    text = (tmp_path / "openswe" / "README.md").read_text()
    assert "**5 environments** from **4 repositories**" in text
    assert "First release: 5 environments." in text


def test_shards_have_the_hub_names_and_identical_input_gives_identical_bytes(workspace, tmp_path):
    a = publish(workspace, PublishOptions(version="0.1.0", out=tmp_path / "a" / "openswe",
                                          rows_per_shard={"environments": 2}))
    b = publish(workspace, PublishOptions(version="0.1.0", out=tmp_path / "b" / "openswe",
                                          rows_per_shard={"environments": 2}))
    names = sorted(p.name for p in (a.folder / "data" / "environments").iterdir())
    assert names == ["test-00000-of-00003.parquet", "test-00001-of-00003.parquet", "test-00002-of-00003.parquet"]
    assert data_hashes(a.folder) == data_hashes(b.folder)


def test_a_train_ratio_splits_by_hash_and_trajectories_follow_their_instance(tmp_path):
    ws = fill_workspace(Workspace(tmp_path / "ws", create=True),
                        [make_record("acme", "widgets", n) for n in range(1, 41)])
    result = publish(ws, PublishOptions(version="0.1.0", out=tmp_path / "openswe", train_ratio=0.5))
    splits = result.manifest["configs"]["environments"]["splits"]
    assert set(splits) == {"train", "test"} and splits["train"]["rows"] + splits["test"]["rows"] == 40
    import pyarrow.parquet as pq

    def ids(config: str, split: str) -> set[str]:
        files = (tmp_path / "openswe" / "data" / config).glob(f"{split}-*.parquet")
        return {i for f in files for i in pq.read_table(f).column("instance_id").to_pylist()}

    assert ids("trajectories", "train") <= ids("environments", "train")
    assert ids("trajectories", "test") <= ids("environments", "test")
    assert ids("logs", "train") == ids("environments", "train")


def test_code_is_withheld_where_the_license_policy_says_so(workspace, tmp_path):
    import pyarrow.parquet as pq

    publish(workspace, PublishOptions(version="0.1.0", out=tmp_path / "openswe"))
    env = {r["instance_id"]: r for r in pq.read_table(next((tmp_path / "openswe/data/environments").iterdir())).to_pylist()}
    gpl, unknown, mit = env["initech__tps-report-55"], env["umbrella__hive-3"], env["acme__widgets-101"]
    for row in (gpl, unknown):
        assert row["code_withheld"] is True and row["patch"] == "" and row["test_patch"] == "" and row["eval_script"] == ""
        assert row["FAIL_TO_PASS"], "the test names still ship"
    assert mit["code_withheld"] is False and mit["patch"].startswith("diff --git")
    logs = {r["instance_id"]: r for r in pq.read_table(next((tmp_path / "openswe/data/logs").iterdir())).to_pylist()}
    assert logs["initech__tps-report-55"]["logs_withheld"] is True and logs["initech__tps-report-55"]["log_before"] == ""
    traj_ids = {r["instance_id"] for f in (tmp_path / "openswe/data/trajectories").iterdir() for r in pq.read_table(f).to_pylist()}
    assert "initech__tps-report-55" not in traj_ids and "acme__widgets-102" in traj_ids


def test_a_license_the_policy_excludes_leaves_the_record_out(workspace, tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text("full: [MIT, Apache-2.0]\nexclude: [GPL-3.0]\ndefault: without_code\n")
    result = publish(workspace, PublishOptions(version="0.1.0", out=tmp_path / "openswe", license_policy=policy))
    assert result.manifest["configs"]["environments"]["splits"]["test"]["rows"] == 4
    assert result.manifest["left_out"] == {"license_excluded": 1}


def test_records_that_are_not_valid_are_not_published(workspace, tmp_path):
    workspace.stage("records", ValidatedRecord).put(
        make_record("acme", "widgets", 999, verdict="invalid", reason="no_fail_to_pass", FAIL_TO_PASS=[]))
    result = publish(workspace, PublishOptions(version="0.1.0", out=tmp_path / "openswe"))
    assert result.manifest["configs"]["environments"]["splits"]["test"]["rows"] == 5
    assert result.manifest["left_out"]["not_valid"] == 1


def test_a_second_release_notes_what_was_added_removed_and_changed(workspace, tmp_path):
    out = tmp_path / "openswe"
    publish(workspace, PublishOptions(version="0.1.0", out=out))
    records = workspace.stage("records", ValidatedRecord)
    records.put(make_record("acme", "widgets", 103))
    records.put(make_record("acme", "widgets", 101, FAIL_TO_PASS=["tests/test_core.py::test_parse_strips_spaces",
                                                                  "tests/test_core.py::test_parse_tabs"]))
    records.put(make_record("globex", "parser-kit", 7, verdict="invalid", reason="flaky"))
    result = publish(workspace, PublishOptions(version="0.2.0", out=out))
    notes = result.notes
    assert notes["previous_version"] == "0.1.0"
    assert notes["added_ids"] == ["acme__widgets-103"] and notes["removed_ids"] == ["globex__parser-kit-7"]
    assert notes["changed_ids"] == ["acme__widgets-101"] and notes["changed_fields"] == {"FAIL_TO_PASS": 1}
    text = (out / "README.md").read_text()
    assert "Since 0.1.0: 1 added, 1 removed,\n1 changed." in text
    assert "`FAIL_TO_PASS` 1" in text
    releases = {r.version: r for r in workspace.stage("releases", Release)}
    assert set(releases) == {"0.1.0", "0.2.0"}
    assert releases["0.2.0"].previous_version == "0.1.0"
    assert releases["0.2.0"].counts["environments"] == {"test": 5}


def test_the_same_version_with_different_data_is_refused_and_the_folder_kept(workspace, tmp_path):
    out = tmp_path / "openswe"
    publish(workspace, PublishOptions(version="0.1.0", out=out))
    before = data_hashes(out)
    publish(workspace, PublishOptions(version="0.1.0", out=out))  # identical data: accepted
    workspace.stage("records", ValidatedRecord).put(make_record("acme", "widgets", 104))
    with pytest.raises(PublishError) as exc:
        publish(workspace, PublishOptions(version="0.1.0", out=out))
    assert exc.value.reason == "version_exists"
    assert data_hashes(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".openswe.")], "staging folders are cleaned up"


def test_the_dry_run_replaces_nothing_and_reports_the_differences(workspace, tmp_path):
    out = tmp_path / "openswe"
    publish(workspace, PublishOptions(version="0.1.0", out=out))
    before = data_hashes(out)
    workspace.stage("records", ValidatedRecord).put(make_record("acme", "widgets", 105))
    result = cli("publish", "-w", str(workspace.path), "--version", "0.2.0", "--out", str(out), "--dry-run")
    assert result.exit_code == 0, result.output
    assert data_hashes(out) == before
    assert "dry run" in result.output
    assert "~ data/environments/test-00000-of-00001.parquet" in result.output
    assert "rows environments/test: 5 -> 6" in result.output
    assert json.loads((out / "release.json").read_text())["version"] == "0.1.0"
    assert {r.version for r in workspace.stage("releases", Release)} == {"0.1.0"}


def test_publishing_an_empty_workspace_says_what_to_do(tmp_path):
    ws = Workspace(tmp_path / "ws", create=True)
    result = cli("publish", "-w", str(ws.path), "--version", "0.1.0", "--out", str(tmp_path / "openswe"))
    assert result.exit_code == 1
    assert "nothing to publish" in result.output and not (tmp_path / "openswe").exists()


def test_a_bad_version_is_a_usage_error(workspace, tmp_path):
    result = cli("publish", "-w", str(workspace.path), "--version", "1.0", "--out", str(tmp_path / "openswe"))
    assert result.exit_code == 2 and "not a release version" in result.output


def test_a_release_rewritten_in_place_is_not_served_from_a_stale_datasets_cache(tmp_path):
    """datasets keys its cache for a local folder on the card's dataset_info (huggingface/datasets#2956):
    the card carries rows and bytes per split, so new content in the same folder is read anew."""
    import os
    import subprocess
    import sys

    from openswe_data.publish import PublishOptions, publish
    from openswe_data.store import Workspace

    def record(i: int) -> ValidatedRecord:
        return make_record("o", "r", i)

    code = ("from datasets import load_dataset\n"
            "print(load_dataset('openswe', 'environments', split='test').num_rows)\n")
    env = {**os.environ, "HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1"}
    rows = []
    for n in (2, 3):
        ws = Workspace(tmp_path / f"ws{n}", create=True)
        for i in range(n):
            ws.stage("records").put(record(i + 1))
        import shutil

        shutil.rmtree(tmp_path / "openswe", ignore_errors=True)
        publish(ws, PublishOptions(version="0.1.0", out=tmp_path / "openswe"))
        out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                             check=True).stdout
        rows.append(int(out.strip().splitlines()[-1]))
    assert rows == [2, 3]


def test_the_swebench_config_has_swebenchs_exact_types_and_loads_with_datasets(workspace, tmp_path):
    import json

    import datasets

    publish(workspace, PublishOptions(version="0.1.0", out=tmp_path / "openswe"))
    folder = str(tmp_path / "openswe")
    plain = datasets.load_dataset(folder, "swebench", split="test")
    typed = datasets.load_dataset(folder, "environments", split="test")
    assert plain.features["FAIL_TO_PASS"].dtype == "string" and plain.features["PASS_TO_PASS"].dtype == "string"
    assert all(plain.features[c].dtype == "string" for c in plain.column_names)
    lists = {r["instance_id"]: (r["FAIL_TO_PASS"], r["PASS_TO_PASS"]) for r in typed}
    assert len(plain) == len(typed) == 5
    for row in plain:
        assert (json.loads(row["FAIL_TO_PASS"]), json.loads(row["PASS_TO_PASS"])) == lists[row["instance_id"]]
        assert row["eval_type"] == "pass_and_fail" and row["log_parser"].startswith("parse_log_")


def test_export_writes_what_the_swebench_harness_grades_as_is(workspace, tmp_path):
    import json

    from openswe_data.publish.export import export_swebench

    n = export_swebench(workspace, tmp_path / "out.jsonl")
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert n == len(rows) == 5
    for row in rows:
        assert isinstance(row["FAIL_TO_PASS"], str) and isinstance(json.loads(row["FAIL_TO_PASS"]), list)
        assert row["image"] and row["eval_type"] == "pass_and_fail" and row["log_parser"].startswith("parse_log_")
