"""Kill, then resume: the resumed command removes what its killed predecessor left outside the store (its
labelled containers, a publish staging folder) and says so; what a live run still owns is left alone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openswe_data.cli import make_app
from openswe_data.store import Workspace

ROOT = Path(__file__).resolve().parents[1]


def _spawn(code: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)


def _kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def _base_image() -> str:
    from openswe_data import engine

    for image in engine.client().images.list(filters={"label": f"{engine.KIND_LABEL}=base"}):
        if image.tags:
            return image.tags[0]
    pytest.skip("no base image to start a container from (run `openswe images build`)")


def _containers(ws: Path) -> list:
    from openswe_data import engine

    return engine.client().containers.list(
        all=True, filters={"label": f"{engine.WORKSPACE_LABEL}={ws.resolve()}"})


def _start_validation_like_container(ws: Path, image: str) -> subprocess.Popen[str]:
    """A process that, like a validation, runs a labelled container for its workspace; it prints when the
    container is up, then waits for it."""
    return _spawn(
        "from openswe_data import engine\n"
        "from openswe_data.validate.runner import Limits, run_script\n"
        f"engine.bind_workspace({str(ws)!r})\n"
        "import threading, time\n"
        "threading.Thread(target=lambda: (time.sleep(1.5), print('up', flush=True))).start()\n"
        "run_script(" + repr(image) + ", 'sleep 600', limits=Limits(timeout=900), "
        "labels=engine.labels('eval', instance='o__r-1'))\n")


@pytest.mark.docker
def test_a_resumed_validate_removes_the_killed_runs_containers_and_says_so(tmp_path):
    from openswe_data import engine

    if not engine.available():
        pytest.skip("no Docker engine answers")
    image = _base_image()
    ws = Workspace(tmp_path / "ws", create=True).path
    killed, live = _start_validation_like_container(ws, image), None
    try:
        assert killed.stdout.readline().strip() == "up"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _containers(ws):
            time.sleep(0.2)
        _kill(killed)  # SIGKILL: its `finally: container.remove()` never runs
        left = _containers(ws)
        assert len(left) == 1, "the killed run should leave its container behind"

        live = _start_validation_like_container(ws, image)  # another run on the same workspace, alive
        assert live.stdout.readline().strip() == "up"
        while len(_containers(ws)) < 2:
            time.sleep(0.2)

        result = CliRunner().invoke(make_app(), ["validate", "-w", str(ws)])
        assert result.exit_code == 0, result.output
        assert "resume: removed 1 container(s) left by a killed run" in result.output
        remaining = _containers(ws)
        assert [c.name for c in remaining] != [left[0].name] and len(remaining) == 1, "only the dead run's goes"
        assert remaining[0].labels[engine.OWNER_LABEL] == engine.process_owner(live.pid)

        again = CliRunner().invoke(make_app(), ["validate", "-w", str(ws)])
        assert "resume: removed" not in again.output  # nothing left to reap: nothing said
    finally:
        for proc in (killed, live):
            if proc is not None and proc.poll() is None:
                _kill(proc)
        for c in _containers(ws):
            c.remove(force=True)


def test_a_resumed_publish_removes_the_killed_publishs_staging_folder_and_says_so(tmp_path):
    out = tmp_path / "release"
    code = ("import time\nfrom pathlib import Path\nfrom openswe_data.publish.assemble import staging_dir\n"
            f"p = staging_dir(Path({str(out)!r}))\n(p / 'data.parquet').write_text('half written')\n"
            "print(p, flush=True)\ntime.sleep(600)\n")
    killed, live = _spawn(code), _spawn(code)
    try:
        dead_folder = Path(killed.stdout.readline().strip())
        live_folder = Path(live.stdout.readline().strip())
        _kill(killed)
        assert dead_folder.is_dir() and live_folder.is_dir()
        ws = Workspace(tmp_path / "ws", create=True)
        result = CliRunner().invoke(make_app(), ["publish", "-w", str(ws.path), "--out", str(out), "--version", "0.1.0"])
        assert "resume: removed 1 publish staging folder(s) left by a killed run" in result.output
        assert not dead_folder.exists() and live_folder.is_dir()
        assert "Traceback" not in result.output
    finally:
        for proc in (killed, live):
            if proc.poll() is None:
                _kill(proc)
