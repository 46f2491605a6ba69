"""Helpers for the executor tests: the workers and containers of this test run, a worker killer, and a
recorder of the executors the stages ask for, and the comparison of records with the local run's."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest


def capture_executors(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every executor the stages ask for from now on, in order (to read their progress afterwards)."""
    import openswe_data.execute as execute

    made: list[object] = []
    real = execute.get_executor

    def recording(*args, **kwargs):
        ex = real(*args, **kwargs)
        made.append(ex)
        return ex

    monkeypatch.setattr(execute, "get_executor", recording)
    return made


def ray_task_pids(name: str = "run_item") -> list[int]:
    """Pids of this run's Ray workers currently executing ``name`` (Ray titles them ``ray::<name>``)."""
    mine = descendants(os.getpid())
    found = []
    for pid in mine:
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if cmd.startswith(f"ray::{name}"):
            found.append(pid)
    return found


def descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = set(), [root]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


def wait_for(predicate, timeout: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def leftovers(docker_client) -> list[str]:
    """Our containers (labelled managed) whose owner is dead, or is one of this run's Ray workers or drivers
    (any process below this one but itself: its own, made by other tests' local runs, are theirs to remove).

    The engine is shared with other runs: a live container of someone else's live process is not ours."""
    from openswe_data.engine import MANAGED_LABEL, OWNER_LABEL, owner_alive

    mine = descendants(os.getpid())
    found = []
    for c in docker_client.containers.list(all=True, filters={"label": [f"{MANAGED_LABEL}=1", OWNER_LABEL]}):
        owner = c.labels[OWNER_LABEL]
        pid = owner.split(":")[1] if owner.count(":") == 2 else ""
        if not owner_alive(owner) or (pid.isdigit() and int(pid) in mine):
            found.append(f"{c.name} ({owner}, {c.status})")
    return found


class WorkerKiller:
    """A thread that SIGKILLs the first Ray worker busy with a task for ``after`` seconds for which
    ``ready(pid)`` holds (e.g. "one of its containers is running"), once."""

    def __init__(self, after: float = 1.0, ready=lambda pid: True) -> None:
        import threading

        self.after, self.ready = after, ready
        self.killed: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "WorkerKiller":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        import signal

        seen: dict[int, float] = {}
        while not self._stop.is_set() and not self.killed:
            now = time.monotonic()
            for pid in ray_task_pids():
                seen.setdefault(pid, now)
                if now - seen[pid] >= self.after and self.ready(pid):
                    os.kill(pid, signal.SIGKILL)
                    self.killed.append(pid)
                    break
            time.sleep(0.1)


def running_container_of(docker_client, pid: int) -> bool:
    """Whether a container owned by process ``pid`` is running now."""
    from openswe_data.engine import MANAGED_LABEL, OWNER_LABEL

    for c in docker_client.containers.list(filters={"label": [f"{MANAGED_LABEL}=1", OWNER_LABEL]}):
        if c.labels[OWNER_LABEL].split(":")[1:2] == [str(pid)]:
            return True
    return False


def outcome(record) -> tuple:
    """What a validation found: verdict, reason and its tests — not the image id (a layer rebuilt after a
    killed build has a new id; what the image does is what must match)."""
    return record.verdict, record.reason, sorted(record.FAIL_TO_PASS), sorted(record.PASS_TO_PASS)


def assert_same_records(ws, local, ids) -> None:
    """``ws`` holds a record for exactly ``ids``, each with the outcome of the local run's (``local``), and one
    result file per instance in every stage it wrote (nothing written twice)."""
    mine = {r.instance_id: r for r in ws.stage("records")}
    assert set(mine) == set(ids), sorted(mine)
    for iid in ids:
        assert outcome(mine[iid]) == outcome(local.stage("records").get(iid)), iid
    for stage in ("environments", "validations", "records"):
        if (ws.path / stage).exists():
            assert len(list((ws.path / stage / "items").rglob("*.json"))) == len(ids), stage
