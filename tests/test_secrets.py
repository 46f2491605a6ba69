"""Secrets placed in every secret-looking setting and inside URLs never come out: not on the terminal (our
messages, library log records, warnings), not in the workspace (records, logs, reports), not in a release,
not in an image. A clone URL's token is stripped before it is stored."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SECRETS = {
    "HF_TOKEN": "hf_FAKEtoken_0001",
    "OPENSWE_REGISTRY_PASSWORD": "FAKEregistrypw_0003",
    "OPENAI_API_KEY": "sk-FAKEopenai_0004",
    "GITHUB_TOKEN": "ghp_FAKEgithub_0005",
    "MY_SERVICE_SECRET": "FAKEservice_0007",
}
ENDPOINT_PASSWORD = "FAKEendpointpw_0002"
CLONE_TOKEN = "ghp_FAKEcloneurl_0006"
ALL = [*SECRETS.values(), ENDPOINT_PASSWORD, CLONE_TOKEN]


def secret_env(**extra: str) -> dict[str, str]:
    return {**os.environ, **SECRETS, "HF_ENDPOINT": f"http://hubuser:{ENDPOINT_PASSWORD}@127.0.0.1:9",
            "HF_HUB_DISABLE_XET": "1", "PYTHONPATH": str(ROOT), **extra}


def openswe(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real command (its own ``main``, as a user runs it), output captured."""
    return subprocess.run([sys.executable, "-m", "openswe_data", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=1800)


def text_of(path: Path) -> str:
    """What a file says, Parquet and gzip included (a secret inside a compressed column is still a leak)."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return json.dumps(pq.read_table(path).to_pylist(), default=str)
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return data.decode("utf-8", "replace")


def leaks_in(*places: Path | str) -> list[str]:
    found = []
    for place in places:
        if isinstance(place, str):
            found += [f"output: {s}" for s in ALL if s in place]
            continue
        for path in [place] if place.is_file() else sorted(p for p in place.rglob("*") if p.is_file()):
            text = text_of(path)
            found += [f"{path}: {s}" for s in ALL if s in text]
    return found


def test_scrub_hides_secret_settings_and_url_credentials(monkeypatch):
    from openswe_data.settings import scrub, secret_values, strip_url_credentials

    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HF_ENDPOINT", f"https://hubuser:{ENDPOINT_PASSWORD}@hub.example")
    monkeypatch.setenv("OPENSWE_WORKERS", "1")  # not secret-looking: "1" must not be scrubbed from text
    assert set(secret_values()) >= {*SECRETS.values(), ENDPOINT_PASSWORD}
    known = [s for s in ALL if s != CLONE_TOKEN]  # the clone token is in no setting: only its URL gives it away
    text = " ".join(known) + f" https://{CLONE_TOKEN}@github.com/a/b ssh://git@host/x worker 1"
    clean = scrub(text)
    assert leaks_in(clean) == []
    assert "https://***@github.com/a/b" in clean and "ssh://git@host/x" in clean and "worker 1" in clean
    assert strip_url_credentials(f"https://x:{CLONE_TOKEN}@github.com/a.git") == "https://github.com/a.git"


def test_library_and_third_party_log_records_and_warnings_are_scrubbed(tmp_path):
    code = (
        "import logging, os, warnings\n"
        "from openswe_data.settings import install_log_scrubber\n"
        "install_log_scrubber()\n"
        "logging.basicConfig(level=logging.INFO)\n"
        "url = os.environ['HF_ENDPOINT']\n"
        "logging.getLogger('huggingface_hub.utils._http').warning('Retrying in 1s [Retry 1/5]: %s/api', url)\n"
        "logging.getLogger('urllib3.connectionpool').warning('Retrying (%r) after %s', 'token=' + os.environ['HF_TOKEN'], url)\n"
        "try:\n    raise RuntimeError('auth failed for ' + os.environ['OPENAI_API_KEY'])\n"
        "except RuntimeError:\n    logging.getLogger('litellm').exception('call failed')\n"
        "warnings.warn('registry password ' + os.environ['OPENSWE_REGISTRY_PASSWORD'])\n"
        "print('done')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], env=secret_env(), capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Retrying in 1s" in result.stderr and "auth failed for ***" in result.stderr
    assert leaks_in(result.stdout, result.stderr) == []


def test_a_dump_token_never_reaches_the_workspace_the_report_or_the_terminal(tmp_path):
    sys.path.insert(0, str(ROOT / "tests" / "hardening"))
    from make_corpus import good_pr

    line = good_pr(7)
    line["repo"]["clone_url"] = f"https://x-access-token:{CLONE_TOKEN}@github.com/corpus-org/widget.git"
    line["pull"]["body"] = f"Fixes #1 (pushed with {SECRETS['GITHUB_TOKEN']})"  # a secret quoted in prose
    dump = tmp_path / "prs.jsonl"
    dump.write_text(json.dumps(line) + "\n")
    ws = tmp_path / "ws"
    env = secret_env()
    outputs = [openswe("collect", "dump", str(dump), "-w", str(ws), env=env, cwd=tmp_path),
               openswe("query", "SELECT repo_url, instance_id FROM tasks", "-w", str(ws), env=env, cwd=tmp_path),
               openswe("report", "-w", str(ws), env=env, cwd=tmp_path),
               openswe("doctor", env=env, cwd=tmp_path)]
    assert [o.returncode for o in outputs[:3]] == [0, 0, 0], [o.stderr for o in outputs]
    assert "https://github.com/corpus-org/widget.git" in outputs[1].stdout
    assert "hub: http://***@127.0.0.1:9 does not answer" in outputs[3].stdout
    assert leaks_in(ws, *(o.stdout + o.stderr for o in outputs)) == []


@pytest.mark.docker
@pytest.mark.slow
def test_secrets_in_every_setting_reach_no_image_record_log_or_release(tmp_path):
    """One example end to end (`openswe run`: build, validate, trajectories, report, release) with secrets
    in every setting, then a Hub upload that fails against an endpoint carrying a password; every file of
    the workspace and the release, the terminal, and each image (its layers, history and config) searched."""
    from openswe_data import engine

    if not engine.available():
        pytest.skip("no Docker engine answers")
    subprocess.run([sys.executable, str(ROOT / "examples" / "make_repos.py"), "--out", str(tmp_path / "repos"),
                    "--dump", str(tmp_path / "all.jsonl"), "--quiet"], check=True)
    first = (tmp_path / "all.jsonl").read_text().splitlines()[0]
    (tmp_path / "prs.jsonl").write_text(first + "\n")
    env = secret_env()
    ws, release = tmp_path / "ws", tmp_path / "release"
    run = openswe("run", str(tmp_path / "prs.jsonl"), "-w", str(ws), "--release", str(release), "--workers", "1",
                  env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    hub = openswe("publish", "-w", str(ws), "--out", str(tmp_path / "release2"), "--hub", "org/openswe",
                  "--skip-bad", env=env, cwd=tmp_path)
    assert hub.returncode != 0  # the endpoint does not answer: the failure message is what is searched
    found = leaks_in(ws, release, run.stdout, run.stderr, hub.stdout, hub.stderr)
    from openswe_data.store import Workspace

    images = {e.image_name for e in Workspace(ws).stage("environments") if e.image_name}
    assert images, "the example built no image"
    for image in images:
        history = subprocess.run(["docker", "history", "--no-trunc", image], capture_output=True, text=True).stdout
        inspect = subprocess.run(["docker", "image", "inspect", image], capture_output=True, text=True).stdout
        saved = tmp_path / "image.tar"
        subprocess.run(["docker", "save", "-o", str(saved), image], check=True)
        layers = tmp_path / "layers"
        subprocess.run(["tar", "-xf", str(saved), "-C", str(layers.mkdir() or layers)], check=True)
        for tar in layers.rglob("*"):
            if tar.is_file() and tar.stat().st_size and subprocess.run(["tar", "-tf", str(tar)], capture_output=True).returncode == 0:
                into = tar.with_suffix(".d")
                into.mkdir()
                subprocess.run(["tar", "-xf", str(tar), "-C", str(into)], capture_output=True)
        blob = b"".join(p.read_bytes() for p in layers.rglob("*") if p.is_file() and not p.is_symlink())
        found += [f"image {image}: {s}" for s in ALL if s.encode() in blob or s in history or s in inspect]
        subprocess.run(["rm", "-rf", str(layers), str(saved)])
    assert found == []
