"""Images on one base share one copy of the Dockerfile's head, however many builds start at once."""

from __future__ import annotations

import io
import tarfile
import threading
import uuid
from pathlib import Path

import pytest

from openswe_data import engine
from openswe_data.build import context as context_module
from openswe_data.build.context import HEAD_DIR, Context
from openswe_data.toolchains.python.facts import SetupFacts
from openswe_data.build.images import build_image


def _base(client, tag: str) -> None:
    """A tiny base of its own (a unique payload): no layer of earlier runs is in its cache."""
    buf = io.BytesIO()
    payload = uuid.uuid4().hex.encode()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("base.txt")
        info.size = len(payload)
        tar.addfile(info, io.BytesIO(payload))
    repo, _, version = tag.partition(":")
    client.api.import_image_from_data(buf.getvalue(), repository=repo, tag=version)


def _context(root: Path, base: str, payload: str, key: str) -> Context:
    head = f"FROM {base}\nARG PIP_INDEX_URL\nARG PIP_CERT\nARG SSL_CERT_FILE\n"
    text = head + "COPY payload.txt /payload.txt\n"
    root.mkdir(parents=True)
    (root / "Dockerfile").write_text(text)
    (root / "payload.txt").write_text(payload)
    (root / HEAD_DIR).mkdir(parents=True)
    (root / HEAD_DIR / "Dockerfile").write_text(head)
    return Context(path=root, dockerfile=text, buildargs={}, content_hash=uuid.uuid4().hex, head_key=key)


def _bottom(client, tag: str, n: int) -> list[str]:
    return [h["Id"] for h in reversed(client.api.history(tag))][:n]


@pytest.mark.docker
def test_builds_started_together_share_one_copy_of_the_head(docker_client, tmp_path):
    run = uuid.uuid4().hex[:10]
    base = f"openswe-test/head-base:{run}"
    _base(docker_client, base)
    key = f"test-{run}"
    contexts = [_context(tmp_path / f"c{i}", base, f"payload {i}", key) for i in range(2)]
    tags = [f"openswe-test/head-env{i}:{run}" for i in range(2)]
    start = threading.Barrier(2)
    results: list[object] = [None, None]

    def build(i: int) -> None:
        start.wait()
        results[i] = build_image(contexts[i], tags[i], labels=engine.labels("env", purpose="head-test"))

    threads = [threading.Thread(target=build, args=(i,)) for i in range(2)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert all(getattr(r, "tag", None) for r in results), results
        # base + three ARG steps: one copy under both images (the engine's cache follows only the newest of
        # several copies, so a second copy would strand whatever was built on the first)
        assert _bottom(docker_client, tags[0], 4) == _bottom(docker_client, tags[1], 4)
    finally:
        for tag in [*tags, f"openswe/head:{key[:16]}", base]:
            try:
                docker_client.images.remove(tag, force=True)
            except Exception:  # noqa: BLE001 - not made
                pass


def test_a_context_from_the_template_carries_its_head_alone(tmp_path):
    (tmp_path / "testbed").mkdir()
    (tmp_path / "testbed" / "setup.py").write_text("from setuptools import setup\nsetup(name='p')\n")
    ctx = context_module.assemble(tmp_path, base_image="openswe/base:py3.11", base_image_id="sha256:abc",
                                  snapshot_sha="0" * 40, facts=SetupFacts(requirements=["six"]), eval_script="true\n")
    head = (tmp_path / HEAD_DIR / "Dockerfile").read_text()
    assert head.startswith("FROM openswe/base:py3.11\n") and "RUN" not in head
    body = "\n".join(line for line in ctx.dockerfile.splitlines() if not line.startswith("#"))
    assert body.lstrip("\n").startswith(head.rstrip("\n"))
    assert ctx.head_key
    # another base image (same tag, rebuilt): another head
    (tmp_path / "x" / "testbed").mkdir(parents=True)
    other = context_module.assemble(tmp_path / "x", base_image="openswe/base:py3.11", base_image_id="sha256:def",
                                    snapshot_sha="0" * 40, facts=SetupFacts(requirements=["six"]), eval_script="true\n")
    assert other.head_key != ctx.head_key
