"""The real ``harbor`` package (PyPI, Python >= 3.12) in an image derived from our ``openswe/base:py3.13``: the
host has Python 3.11, so Harbor's own linter runs in a container over the exported task folders.

The image is tagged by a hash of its Dockerfile, so it is built once per machine (CI pays it once per run);
the CA bundle and index reach pip as build arguments (``openswe_data.build.network``), never hard-coded."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

HARBOR = "harbor==0.26.0"
BASE = "openswe/base:py3.13"


def harbor_image() -> str:
    """The tag of an image with ``harbor`` installed in ``/opt/harbor`` (built when missing)."""
    from docker.errors import ImageNotFound

    from openswe_data import engine
    from openswe_data.build.network import build_network_args, network_dockerfile_lines

    buildargs, files = build_network_args()
    dockerfile = (f"FROM {BASE}\n{network_dockerfile_lines(files)}\n"
                  f"RUN python3 -m venv /opt/harbor && /opt/harbor/bin/pip install -q --no-cache-dir '{HARBOR}'\n")
    tag = f"openswe-test/harbor:{hashlib.sha256(dockerfile.encode()).hexdigest()[:16]}"
    client = engine.client()
    try:
        client.images.get(tag)
        return tag
    except ImageNotFound:
        pass
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in {"Dockerfile": dockerfile.encode(), **files}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    buf.seek(0)
    client.images.build(fileobj=buf, custom_context=True, tag=tag, buildargs=buildargs, rm=True,
                        labels=engine.labels("test"))
    return tag


def harbor_lint(image: str, tasks: list[Path], *extra: str) -> tuple[int, str]:
    """``harbor lint --json TASK...`` in ``image`` with the folders mounted read-only; ``(exit code, output)``."""
    from openswe_data import engine

    client = engine.client()
    mounts = {str(p.resolve()): {"bind": f"/tasks/{p.name}", "mode": "ro"} for p in tasks}
    container = client.containers.run(
        image, ["/opt/harbor/bin/harbor", "lint", "--json", *extra, *(f"/tasks/{p.name}" for p in tasks)],
        volumes=mounts, network_disabled=True, detach=True, working_dir="/tasks", labels=engine.labels("test"))
    try:
        code = container.wait(timeout=300)["StatusCode"]
        return code, container.logs().decode("utf-8", "replace")
    finally:
        container.remove(force=True)
