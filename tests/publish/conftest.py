"""Fixtures for the publish stage: a real workspace filled with small, realistic records through the store,
a Hub stand-in server on loopback, and a real Docker registry on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from openswe_data.store import Workspace

from publish_helpers import DEFAULT_RECORDS, HERE, fill_workspace, free_port, make_record, run_python  # noqa: F401


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A workspace with five valid records (two licenses that ship without code) and their neighbours."""
    ws = Workspace(tmp_path / "ws", create=True)
    return fill_workspace(ws, [make_record(o, n, k, license=lic, cost=c) for o, n, k, lic, c in DEFAULT_RECORDS])


@pytest.fixture
def hub_server() -> Iterator[object]:
    """The Hub stand-in on a free loopback port (in this process, in a thread)."""
    from hub_server import HubServer

    server = HubServer(port=free_port(), token="hf_fixture_write_token_1234567890")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def hub_env(hub_server, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment pointing huggingface_hub at the stand-in, with a write token."""
    env = {"HF_ENDPOINT": hub_server.url, "HF_TOKEN": hub_server.token, "HF_HUB_DISABLE_XET": "1"}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return env


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[str]:
    """Debian's docker-registry on 127.0.0.1:<free port>, storage in tmp; yields HOST:PORT."""
    from registry_server import serve_registry

    with serve_registry(tmp_path / "registry") as address:
        yield address
