"""The RL environment over a validated example record in real Docker: reset gives the task, steps return the
real output of bash, write and edit actions, reward grades the diff with the record's own eval script (the
gold patch 1.0, no change 0.0), there is no network, and no container outlives the episode — also when the
caller crashes mid-episode. The trainer adapter example runs many episodes at once with scripted policies."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path

import pytest

from openswe_data.env import EnvError, EnvOptions, SWEEnv

pytestmark = [pytest.mark.docker, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def records(examples_workspace):
    return sorted((r for r in examples_workspace[0].stage("records") if r.verdict == "valid"),
                  key=lambda r: r.instance_id)[:2]


def _env_containers(docker_client, instance_id: str) -> list[str]:
    # sparse: no per-container lookup, which races with Docker removing an --rm container
    found = docker_client.containers.list(all=True, sparse=True,
                                          filters={"label": ["openswe.managed=1", f"openswe.instance={instance_id}"]})
    return [c.id for c in found]


def _gone(docker_client, instance_id: str, within: float = 20.0, *, only: str | None = None) -> bool:
    """No episode container of the instance (or just ``only``) left within ``within`` seconds (Docker removes
    --rm ones asynchronously; other sessions on a shared engine may run the same instance, hence ``only``)."""
    import time

    def left() -> list[str]:
        return [c for c in _env_containers(docker_client, instance_id) if only is None or c == only]

    deadline = time.monotonic() + within
    while left() and time.monotonic() < deadline:
        time.sleep(0.5)
    return not left()


def test_steps_return_real_output_and_the_reward_grades_the_diff(records, docker_client):
    record = records[0]
    with SWEEnv(record, EnvOptions(command_timeout=20)) as env:
        task = env.reset()
        cid = env.container_id
        assert cid in _env_containers(docker_client, record.instance_id)
        assert task.instance_id == record.instance_id and task.workdir == "/testbed"
        assert task.problem_statement == record.problem_statement
        step = env.step("git log --oneline | wc -l; pwd")
        assert step.observation.split() == ["1", "/testbed"] and step.returncode == 0
        assert env.step({"bash": "python -c 'import urllib.request as u; u.urlopen(\"http://1.1.1.1\", timeout=3)'"}).returncode != 0
        assert env.step({"bash": "sleep 30"}).timed_out
        assert env.reward().value == 0.0
        written = env.step({"write": {"path": "notes/x.txt", "content": "a 'quoted' line\n"}})
        assert written.returncode == 0 and env.step("cat notes/x.txt").observation == "a 'quoted' line\n"
        assert env.step({"edit": {"path": "notes/x.txt", "old": "quoted", "new": "edited"}}).returncode == 0
        assert env.step({"edit": {"path": "notes/x.txt", "old": "absent", "new": "x"}}).returncode == 1
        with pytest.raises(EnvError):
            env.step({"teleport": "x"})
        env.step({"bash": "rm -rf notes"})
        env.step({"write": {"path": "/tmp/gold.diff", "content": record.patch}})
        assert env.step("git apply /tmp/gold.diff").returncode == 0
        reward = env.reward()
        assert reward.value == 1.0 and reward.resolved
        assert all(reward.tests[t] == "PASSED" for t in record.FAIL_TO_PASS)
    assert _gone(docker_client, record.instance_id, only=cid)


def test_a_caller_killed_mid_episode_leaves_no_container_past_the_episode_time(records, docker_client, tmp_path):
    import subprocess
    import time

    record = records[0]
    script = tmp_path / "crash.py"
    script.write_text(
        "import os, signal, sys\n"
        "from openswe_data.env import EnvOptions, SWEEnv\n"
        "from openswe_data.records import ValidatedRecord, read_jsonl\n"
        f"(r,) = read_jsonl({str(tmp_path / 'r.jsonl')!r}, ValidatedRecord)\n"
        "env = SWEEnv(r, EnvOptions(max_seconds=5)); env.reset(); env.step('true')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n")
    from openswe_data.records import write_jsonl

    write_jsonl([record], tmp_path / "r.jsonl")
    proc = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr
    assert _env_containers(docker_client, record.instance_id), "the episode's container should still be running"
    deadline = time.monotonic() + 60
    while _env_containers(docker_client, record.instance_id) and time.monotonic() < deadline:
        time.sleep(1)
    assert _env_containers(docker_client, record.instance_id) == []


def test_the_trainer_adapter_runs_many_episodes_at_once_gold_rewarded_noop_not(records, docker_client):
    spec = importlib.util.spec_from_file_location("rl_adapter", ROOT / "examples" / "rl_adapter.py")
    adapter = importlib.util.module_from_spec(spec)
    sys.modules["rl_adapter"] = adapter  # its dataclasses look their module up
    spec.loader.exec_module(adapter)
    gold = asyncio.run(adapter.rollouts(records, adapter.GoldPolicy({r.instance_id: r.patch for r in records})))
    noop = asyncio.run(adapter.rollouts(records, adapter.NoopPolicy()))
    assert [e.reward for e in gold] == [1.0] * len(records)
    assert [e.reward for e in noop] == [0.0] * len(records)
    assert all(e.reason == "empty_patch" for e in noop)
    assert gold[0].messages[0]["role"] == "user" and gold[0].messages[-1]["role"] == "tool"
    for r in records:
        assert _gone(docker_client, r.instance_id)
