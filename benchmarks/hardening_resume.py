"""The kill, debris and leak figures of ``bench_hardening.py`` (imported by it; not run on its own).

- kills: ``openswe collect dump`` of a 4,000-PR dump SIGKILLed at spread-out moments, each kill followed by
  the same command (a resume), then one run to the end: good items lost or stored twice.
- debris: what killed runs leave outside the store (a publish staging folder; with a Docker engine and a
  base image, a labelled eval container), then the resuming command: what is still there afterwards.
- leaks: fake secrets in every secret-looking setting, in ``HF_ENDPOINT``'s URL and in a dump's clone URL,
  through collect, query, report and doctor: occurrences in the terminal output and the workspace.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "hardening")]


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def _openswe(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "openswe_data", *args], env=env or _env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def kills(tmp: Path, n: int) -> dict[str, int]:
    from make_corpus import good_pr

    from openswe_data.store import Workspace

    dump, ws = tmp / "prs.jsonl", tmp / "kills-ws"
    total = 4000
    dump.write_text("".join(json.dumps(good_pr(i)) + "\n" for i in range(1, total + 1)))
    done = 0
    for k in range(n):
        run = _openswe("collect", "dump", str(dump), "-w", str(ws))
        time.sleep(1.0 + 1.2 * k / max(n - 1, 1))  # start-up takes ~1 s, then ~500 PRs a second
        if run.poll() is None:
            run.send_signal(signal.SIGKILL)
            done += 1
        run.communicate()
    before = len(Workspace(ws).stage("tasks").keys()) if (ws / "workspace.json").exists() else 0
    final = _openswe("collect", "dump", str(dump), "-w", str(ws))
    output, _ = final.communicate()
    ids = [t.instance_id for t in Workspace(ws).stage("tasks")]
    expected = {f"corpus-org__widget-{i}" for i in range(1, total + 1)}
    return {"kills": done, f"tasks stored by the killed runs (of {total})": before, "resumes that failed": int(final.returncode != 0),
            "lost after kills": len(expected - set(ids)), "duplicated after kills": len(ids) - len(set(ids))}


def _spawn(code: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code], env=_env(), stdout=subprocess.PIPE, text=True)


def debris(tmp: Path) -> dict[str, int | str]:
    from openswe_data.store import Workspace

    left, still = 0, 0
    release = tmp / "release"
    killed = _spawn("import time\nfrom pathlib import Path\nfrom openswe_data.publish.assemble import staging_dir\n"
                    f"p = staging_dir(Path({str(release)!r}))\n(p / 'data.parquet').write_text('half')\n"
                    "print(p, flush=True)\ntime.sleep(600)\n")
    folder = Path(killed.stdout.readline().strip())
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    left += folder.is_dir()
    ws = Workspace(tmp / "debris-ws", create=True).path
    _openswe("publish", "-w", str(ws), "--out", str(release), "--version", "0.1.0").communicate()
    still += folder.is_dir()
    containers = _container_debris(ws)
    if isinstance(containers, str):
        return {"debris left by kills": left, "debris left after resume": still, "container debris": containers}
    return {"debris left by kills": left + containers[0], "debris left after resume": still + containers[1]}


def _container_debris(ws: Path) -> tuple[int, int] | str:
    from openswe_data import engine

    if not engine.available():
        return "not measured (no Docker engine)"
    images = [i.tags[0] for i in engine.client().images.list(filters={"label": f"{engine.KIND_LABEL}=base"}) if i.tags]
    if not images:
        return "not measured (no base image)"

    def labelled() -> list:
        return engine.client().containers.list(all=True, filters={"label": f"{engine.WORKSPACE_LABEL}={ws.resolve()}"})

    killed = _spawn("from openswe_data import engine\nfrom openswe_data.validate.runner import Limits, run_script\n"
                    f"engine.bind_workspace({str(ws)!r})\n"
                    f"run_script({images[0]!r}, 'sleep 600', limits=Limits(timeout=900), "
                    "labels=engine.labels('eval', instance='o__r-1'))\n")
    try:
        deadline = time.monotonic() + 60
        while not labelled() and time.monotonic() < deadline:
            time.sleep(0.2)
        killed.send_signal(signal.SIGKILL)
        killed.wait()
        left = len(labelled())
        _openswe("validate", "-w", str(ws)).communicate()
        return left, len(labelled())
    finally:
        if killed.poll() is None:
            killed.kill()
        for c in labelled():
            c.remove(force=True)


def leaks(tmp: Path) -> dict[str, int]:
    from make_corpus import good_pr
    from test_secrets import CLONE_TOKEN, SECRETS, leaks_in, secret_env

    line = good_pr(7)
    line["repo"]["clone_url"] = f"https://x-access-token:{CLONE_TOKEN}@github.com/corpus-org/widget.git"
    line["pull"]["body"] = f"Fixes #1 (pushed with {SECRETS['GITHUB_TOKEN']})"
    dump, ws = tmp / "secret.jsonl", tmp / "leaks-ws"
    dump.write_text(json.dumps(line) + "\n")
    env = secret_env()
    outputs = [_openswe(*args, env=env).communicate()[0] for args in (
        ("collect", "dump", str(dump), "-w", str(ws)), ("query", "SELECT repo_url FROM tasks", "-w", str(ws)),
        ("report", "-w", str(ws)), ("doctor",))]
    return {"secrets planted": len(SECRETS) + 2, "leaks": len(leaks_in(ws, *outputs))}
