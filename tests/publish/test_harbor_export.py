"""`openswe export --format harbor`: one Harbor task folder per instance, checked by the real `harbor lint`
(PyPI's harbor, in a Python 3.13 container) and graded for real: the task's own tests/test.sh, run in the
instance's image with no network, gives reward 1 with the gold patch and 0 without."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openswe_data.cli import make_app
from openswe_data.publish.harbor import AGENT_PATCH, export_harbor, image_pin
from openswe_data.store import Workspace

from harbor_image import harbor_image, harbor_lint
from publish_helpers import fill_workspace, make_record

DIGEST = "sha256:" + "ab" * 32
TASK_FILES = {"task.toml", "instruction.md", "environment/Dockerfile", "solution/solve.sh", "tests/test.sh",
              "tests/eval.sh", "tests/grade.py", "tests/config.json"}


def _valid(ws: Workspace) -> list:
    return [r for r in ws.stage("records") if r.verdict == "valid"]


@pytest.fixture
def published(tmp_path: Path) -> Workspace:
    """Records as a release carries them: images named in a registry, pinned by the registry's digest."""
    ws = Workspace(tmp_path / "ws-pub", create=True)
    recs = [make_record("acme", "widgets", 101), make_record("globex", "parser-kit", 7)]
    return fill_workspace(ws, [r.replace(image_name=f"127.0.0.1:5000/openswe/{r.instance_id.lower()}:v1",
                                         image_digest=DIGEST) for r in recs], trajectories=False)


def test_each_valid_record_becomes_a_harbor_task_folder_with_its_image_pinned(published, tmp_path):
    kinds = export_harbor(_valid(published), tmp_path / "tasks")
    assert kinds == {"registry": 2, "local": 0}
    for record in _valid(published):
        folder = tmp_path / "tasks" / record.instance_id
        assert {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} >= TASK_FILES
        cfg = tomllib.loads((folder / "task.toml").read_text())
        image = f"127.0.0.1:5000/openswe/{record.instance_id.lower()}@{DIGEST}"
        assert cfg["environment"]["docker_image"] == image and cfg["environment"]["workdir"] == "/testbed"
        assert (folder / "environment/Dockerfile").read_text().splitlines()[1] == f"FROM {image}"
        assert cfg["verifier"]["network_mode"] == "no-network" and cfg["verifier"]["environment_mode"] == "separate"
        assert AGENT_PATCH in cfg["verifier"]["collect"][0]["command"]
        assert cfg["metadata"]["FAIL_TO_PASS"] == record.FAIL_TO_PASS
        assert record.problem_statement in (folder / "instruction.md").read_text()
        assert record.patch.rstrip("\n") in (folder / "solution/solve.sh").read_text()
        assert (folder / "tests/eval.sh").read_text() == record.eval_script
        assert json.loads((folder / "tests/config.json").read_text())["PASS_TO_PASS"] == record.PASS_TO_PASS
        assert (folder / "tests/test.sh").stat().st_mode & 0o111


def test_a_workspace_image_is_named_by_its_local_tag_never_as_a_registry_digest():
    record = make_record("acme", "widgets", 101, image_digest=DIGEST)  # a local image id, not a registry digest
    assert image_pin(record) == (record.image_name, "local")


def test_openswe_export_format_harbor_writes_the_folders_and_says_how_images_are_pinned(workspace, tmp_path):
    result = CliRunner().invoke(make_app(), ["export", str(tmp_path / "t"), "--format", "harbor",
                                             "--workspace", str(workspace.path)])
    assert result.exit_code == 0, result.output
    assert "wrote 5 Harbor task folder(s)" in result.output and "local image tag: 5" in result.output
    assert len([p for p in (tmp_path / "t").iterdir() if (p / "task.toml").is_file()]) == 5
    bad = CliRunner().invoke(make_app(), ["export", str(tmp_path / "u"), "--format", "nope",
                                          "--workspace", str(workspace.path)])
    assert bad.exit_code == 2 and "unknown format" in bad.output


@pytest.mark.docker
@pytest.mark.slow
def test_harbors_own_linter_accepts_the_exported_folders_and_rejects_a_broken_one(published, tmp_path):
    tasks = tmp_path / "tasks"
    export_harbor(_valid(published), tasks)
    folders = sorted(p for p in tasks.iterdir() if p.is_dir())
    image = harbor_image()
    code, output = harbor_lint(image, folders, "--extend-select", "unpinned-image")
    assert (code, json.loads(output)) == (0, [])
    local = tmp_path / "local"
    export_harbor([make_record("acme", "widgets", 101)], local)  # a workspace's image: a tag, not a digest
    code, output = harbor_lint(image, [local / "acme__widgets-101"], "--extend-select", "unpinned-image")
    assert code == 1 and {f["rule"] for f in json.loads(output)} == {"unpinned-image"}
    broken = tmp_path / "broken" / folders[0].name
    shutil.copytree(folders[0], broken)
    (broken / "instruction.md").unlink()
    (broken / "task.toml").write_text((broken / "task.toml").read_text().replace("workdir =", "work_dir ="))
    code, output = harbor_lint(image, [broken])
    rules = {f["rule"] for f in json.loads(output)}
    assert code == 1 and rules == {"invalid-task-files", "unknown-config-field"}


def _run(client, image: str, command: str, mounts: dict[Path, str]) -> str:
    from openswe_data.engine import labels

    container = client.containers.run(
        image, ["bash", "-c", command + "; status=$?; chmod -R a+rwX /logs; exit $status"], detach=True,
        network_disabled=True, labels=labels("eval"),
        volumes={str(host): {"bind": inside, "mode": "ro" if inside in ("/tests", "/solution") else "rw"}
                 for host, inside in mounts.items()})
    try:
        code = container.wait(timeout=600)["StatusCode"]
        log = container.logs().decode("utf-8", "replace")
        assert code == 0, log[-3000:]
        return log
    finally:
        container.remove(force=True)


def _trial(client, record, task: Path, work: Path, *, solve: bool) -> float:
    """What Harbor does with the task, in plain containers: the agent's container (here the oracle's
    solve.sh, or nothing) -> the collect hook -> a fresh verifier container -> tests/test.sh -> reward."""
    cfg = tomllib.loads((task / "task.toml").read_text())
    artifacts, verifier = work / "artifacts", work / "verifier"
    artifacts.mkdir(parents=True)
    verifier.mkdir()
    agent = ("bash /solution/solve.sh && " if solve else "") + cfg["verifier"]["collect"][0]["command"]
    _run(client, record.image_name, agent, {task / "solution": "/solution", artifacts: "/logs/artifacts"})
    _run(client, record.image_name, "bash /tests/test.sh",
         {task / "tests": "/tests", artifacts: "/logs/artifacts", verifier: "/logs/verifier"})
    return float((verifier / "reward.txt").read_text())


@pytest.mark.docker
@pytest.mark.slow
def test_the_exported_verifier_gives_reward_1_with_the_gold_patch_and_0_without(examples_workspace, docker_client,
                                                                                 tmp_path):
    ws, _, _ = examples_workspace
    records = _valid(ws)
    export_harbor(records, tmp_path / "tasks")
    chosen = {"openswe-examples__fastsum-5": None}  # a C extension: untracked build output in /testbed
    for r in sorted(records, key=lambda r: r.instance_id):
        chosen.setdefault(r.log_parser, r)  # and one instance per parser the examples use
        if r.instance_id in chosen:
            chosen[r.instance_id] = r
    assert all(chosen.values())
    for record in {r.instance_id: r for r in chosen.values()}.values():
        task = tmp_path / "tasks" / record.instance_id
        assert _trial(docker_client, record, task, tmp_path / f"{record.instance_id}-gold", solve=True) == 1.0
        assert _trial(docker_client, record, task, tmp_path / f"{record.instance_id}-noop", solve=False) == 0.0
        report = json.loads((tmp_path / f"{record.instance_id}-noop" / "verifier" / "report.json").read_text())
        assert report["reason"] == "tests_failed" and set(record.FAIL_TO_PASS) <= set(report["failing"])


def _grade(task: Path, stdout: str, tmp_path: Path) -> tuple[str, dict]:
    import subprocess
    import sys

    (tmp_path / "out.txt").write_text(stdout)
    (tmp_path / "err.txt").write_text("+ echo OPENSWE_TEST_EXIT_CODE=0\n")  # a trace line is not the exit status
    subprocess.run([sys.executable, "-I", str(task / "tests/grade.py"),  # -I: only the shipped parser copy
                    "--config", str(task / "tests/config.json"),
                    "--stdout", str(tmp_path / "out.txt"), "--stderr", str(tmp_path / "err.txt"),
                    "--junit", str(tmp_path / "absent.xml"), "--reward", str(tmp_path / "reward.txt"),
                    "--report", str(tmp_path / "report.json")], check=True, capture_output=True)
    return (tmp_path / "reward.txt").read_text().strip(), json.loads((tmp_path / "report.json").read_text())


def test_the_shipped_grader_reads_the_run_with_the_records_own_parser(published, tmp_path):
    record = _valid(published)[0]
    export_harbor([record], tmp_path / "tasks")
    task = tmp_path / "tasks" / record.instance_id
    f2p, p2p = record.FAIL_TO_PASS[0], record.PASS_TO_PASS[0]

    def run(f2p_status: str, exit_code: int) -> str:
        return (">>>>> Start Test Output\n=========== short test summary info ===========\n"
                f"{f2p_status} {f2p}\nPASSED {p2p}\n========== 2 passed in 0.01s ==========\n"
                f">>>>> End Test Output\nOPENSWE_TEST_EXIT_CODE={exit_code}\n")

    assert _grade(task, run("PASSED", 0), tmp_path)[0] == "1"
    reward, report = _grade(task, run("FAILED", 1), tmp_path)
    assert reward == "0" and report["failing"] == [f2p] and report["reason"] == "tests_failed"
    reward, report = _grade(task, run("PASSED", 1), tmp_path)  # printed passes against a failing exit status
    assert reward == "0" and f2p in report["failing"]
    assert _grade(task, "", tmp_path)[1]["reason"] == "tests_did_not_run"
