"""Shared fixtures: a Docker engine (real, or a clear skip locally / a failure in CI), isolated caches
and tokens, and tiny real git repositories."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
_OUR_SOCKET = "/var/lib/openswe-docker/docker.sock"

if not os.environ.get("DOCKER_HOST") and not os.path.exists("/var/run/docker.sock") and os.path.exists(_OUR_SOCKET):
    os.environ["DOCKER_HOST"] = f"unix://{_OUR_SOCKET}"
os.environ["HF_HUB_DISABLE_XET"] = "1"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def _engine_answers() -> bool:
    from openswe_data import engine

    return engine.available()


_ENGINE: bool | None = None


def pytest_runtest_setup(item: pytest.Item) -> None:
    global _ENGINE
    if item.get_closest_marker("docker") is None:
        return
    if _ENGINE is None:
        _ENGINE = _engine_answers()
    if not _ENGINE:
        msg = "no Docker engine answers (run `bash scripts/docker-up.sh` and export DOCKER_HOST)"
        if IN_CI:
            pytest.fail(f"CI=true and {msg}: docker tests must run in CI", pytrace=False)
        pytest.skip(msg)


@pytest.fixture(autouse=True)
def _isolated_caches(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's Hub token, caches or recipe overrides."""
    home = tmp_path_factory.getbasetemp() / "hf-home"
    monkeypatch.setenv("HF_HOME", str(home))
    monkeypatch.setenv("HF_DATASETS_CACHE", str(home / "datasets"))
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HUGGING_FACE_HUB_TOKEN", raising=False)
    monkeypatch.delenv("OPENSWE_RECIPES", raising=False)
    monkeypatch.setenv("HF_HUB_DISABLE_XET", "1")


@pytest.fixture(scope="session")
def docker_client():
    """A connected docker SDK client (tests using it must also be marked ``docker``)."""
    from openswe_data import engine

    return engine.client()


GIT_ENV = {
    "GIT_AUTHOR_NAME": "Fixture Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Fixture Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00+00:00",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00+00:00",
}


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout.strip()


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    """``make_repo(name, {path: text}, ...)``: a real git repo with one commit per files mapping."""

    def _make(name: str, *commits: dict[str, str | None], messages: list[str] | None = None) -> Path:
        repo = tmp_path / name
        repo.mkdir()
        git(repo, "init", "-q", "-b", "main")
        for i, files in enumerate(commits):
            for rel, text in files.items():
                p = repo / rel
                if text is None:
                    p.unlink()
                    continue
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_text(text)
            git(repo, "add", "-A")
            git(repo, "commit", "-q", "-m", (messages or [])[i] if messages and i < len(messages) else f"commit {i}")
        return repo

    return _make


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="session")
def examples_workspace(tmp_path_factory: pytest.TempPathFactory):
    """The bundled examples collected, built and validated once per session in real Docker.

    Returns ``(workspace, expected, timings)``; tests using it must be marked ``docker`` and ``slow``.
    """
    import json
    import sys
    import time

    from openswe_data import engine
    from openswe_data.repair import build_with_loop
    from openswe_data.collect import collect_dump
    from openswe_data.store import Workspace
    from openswe_data.validate import validate_environments

    if not engine.available():
        pytest.skip("no Docker engine answers")
    root = tmp_path_factory.mktemp("examples")
    subprocess.run([sys.executable, str(EXAMPLES / "make_repos.py"), "--out", str(root / "repos"),
                    "--dump", str(root / "prs.jsonl"), "--quiet"], check=True)
    ws = Workspace(root / "ws", create=True)
    timings = {}
    collect_dump([root / "prs.jsonl"], ws)
    t = time.monotonic()
    timings["build"] = build_with_loop(ws, workers=2)  # the closed loop, as `openswe build` runs it
    timings["build_seconds"] = time.monotonic() - t
    t = time.monotonic()
    timings["validate"] = validate_environments(ws, workers=2)
    timings["validate_seconds"] = time.monotonic() - t
    expected = json.loads((EXAMPLES / "expected.json").read_text())
    return ws, expected, timings


@pytest.fixture
def tiny_image(docker_client, tmp_path: Path) -> Callable[[str], str]:
    """``tiny_image(tag)``: a one-file image made by ``docker import`` (nothing pulled), labelled as ours."""
    import io
    import tarfile

    from openswe_data.engine import labels

    made: list[str] = []

    def _make(tag: str, content: str = "hello", extra_labels: dict[str, str] | None = None) -> str:
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            data = content.encode()
            info = tarfile.TarInfo("hello.txt")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        changes = [f"LABEL {k}={v}" for k, v in {**labels("env"), **(extra_labels or {})}.items()]
        repo, _, t = tag.partition(":")
        docker_client.api.import_image_from_data(buf.getvalue(), repository=repo, tag=t or "latest", changes=changes)
        made.append(tag)
        return docker_client.images.get(tag).id

    yield _make
    for tag in made:
        try:
            docker_client.images.remove(tag, force=True)
        except Exception:
            pass
