"""Checks of what the pipeline needs (Docker, disk, base images, registry, Hub), each with a fix."""

from __future__ import annotations

import shutil
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from openswe_data.settings import Settings, scrub

MIN_FREE_GB = 10.0


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True


def check_docker() -> Check:
    from openswe_data import engine
    from openswe_data.errors import EngineUnavailable

    try:
        c = engine.client()
        v = c.version()
        return Check("docker", True, f"engine {v.get('Version')} ({v.get('Os')}/{v.get('Arch')})")
    except EngineUnavailable as exc:
        engine.client.cache_clear()
        return Check("docker", False, exc.message, "run `bash scripts/docker-up.sh` and export the DOCKER_HOST it prints")


def check_disk(workspace: Path) -> Check:
    probe = workspace if workspace.exists() else Path.cwd()
    free_gb = shutil.disk_usage(probe).free / 1e9
    ok = free_gb >= MIN_FREE_GB
    return Check("disk", ok, f"{free_gb:.1f} GB free at {probe}",
                 "" if ok else f"free space (images need room): at least {MIN_FREE_GB:.0f} GB recommended")


def check_base_images() -> Check:
    from openswe_data import engine
    from openswe_data.errors import EngineUnavailable

    try:
        images = engine.client().images.list(filters={"label": f"{engine.KIND_LABEL}=base"})
    except EngineUnavailable:
        engine.client.cache_clear()
        return Check("base images", False, "cannot list: no Docker engine", "start Docker first")
    tags = sorted(t for img in images for t in img.tags)
    if not tags:
        return Check("base images", False, "none built", "run `openswe images base`")
    return Check("base images", True, ", ".join(tags))


def check_registry(settings: Settings) -> Check:
    if not settings.registry:
        return Check("registry", True, "not configured (set OPENSWE_REGISTRY to push images)", required=False)
    url = f"http://{settings.registry}/v2/"
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return Check("registry", True, f"{settings.registry} answers ({resp.status})", required=False)
    except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
        return Check("registry", False, f"{settings.registry} does not answer: {exc}",
                     "start it (Debian's docker-registry listens on 127.0.0.1:5000) or fix OPENSWE_REGISTRY",
                     required=False)


def check_hub(settings: Settings, timeout: float = 5.0) -> Check:
    """Ask the Hub who the token belongs to (``/api/whoami-v2``): it answers, and the token works, or not."""
    import json
    import urllib.error

    endpoint = (settings.hf_endpoint or "https://huggingface.co").rstrip("/")
    token, source = settings.hf_token, "HF_TOKEN"
    if not token:
        try:
            from huggingface_hub import get_token

            token, source = get_token(), "the huggingface_hub login"
        except Exception:  # noqa: BLE001 - no stored login is not an error here
            token = None
    url, endpoint = endpoint, scrub(endpoint)  # the endpoint may carry credentials: messages show it scrubbed
    request = urllib.request.Request(f"{url}/api/whoami-v2",
                                     headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            name = json.loads(resp.read() or b"{}").get("name", "?")
        return Check("hub", True, f"{endpoint} answers; the token from {source} belongs to {name}", required=False)
    except urllib.error.HTTPError as exc:
        if exc.code == 401 and not token:
            return Check("hub", False, f"{endpoint} answers; no token (HF_TOKEN unset, no huggingface_hub login)",
                         "set HF_TOKEN to a write token before `openswe publish --hub`", required=False)
        if exc.code == 401:
            return Check("hub", False, f"{endpoint} answers but rejects the token from {source} (401)",
                         "renew the token (a write token) and set HF_TOKEN", required=False)
        return Check("hub", False, f"{endpoint} answered {exc.code} to whoami", "check HF_ENDPOINT", required=False)
    except Exception as exc:  # noqa: BLE001 - unreachable is reported, not raised
        reason = getattr(exc, "reason", exc)
        return Check("hub", False, f"{endpoint} does not answer: {scrub(str(reason))}",
                     "check the network or HF_ENDPOINT (publishing to a local folder needs no Hub)", required=False)


def run_checks(workspace: Path, settings: Settings | None = None) -> list[Check]:
    settings = settings or Settings()
    checks = [check_docker(), check_disk(workspace), check_base_images(), check_registry(settings), check_hub(settings)]
    if settings.executor == "ray":
        from openswe_data.execute.checks import check_cluster

        checks += check_cluster(settings)
    return checks
