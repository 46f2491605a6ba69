"""Settings read from the environment, each with a one-line meaning.

Secrets (``hf_token``, ``registry_password``) are read here and nowhere else; ``Settings.redacted()`` is
what may be printed or logged. Build-time network settings (CA bundle, package index, proxies) are
configuration passed into builds, never hard-coded in recipes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    workspace: str = field(default_factory=lambda: _env("OPENSWE_WORKSPACE", "workspace") or "workspace")
    """Default workspace folder for every stage."""
    docker_host: str | None = field(default_factory=lambda: _env("DOCKER_HOST"))
    """The Docker engine to talk to (the docker SDK's own default when unset)."""
    registry: str | None = field(default_factory=lambda: _env("OPENSWE_REGISTRY"))
    """Container registry for environment images, e.g. ``127.0.0.1:5000``."""
    registry_user: str | None = field(default_factory=lambda: _env("OPENSWE_REGISTRY_USER"))
    """Registry user name, when the registry needs a login."""
    registry_password: str | None = field(default_factory=lambda: _env("OPENSWE_REGISTRY_PASSWORD"), repr=False)
    """Registry password (secret: never logged, never baked into an image)."""
    hf_endpoint: str | None = field(default_factory=lambda: _env("HF_ENDPOINT"))
    """Hugging Face Hub endpoint (the public Hub when unset)."""
    hf_token: str | None = field(default_factory=lambda: _env("HF_TOKEN"), repr=False)
    """Hub token (secret); the huggingface_hub login is used when unset."""
    ca_bundle: str | None = field(
        default_factory=lambda: _env("OPENSWE_CA_BUNDLE")
        or ("/etc/ssl/certs/ca-certificates.crt" if os.path.exists("/etc/ssl/certs/ca-certificates.crt") else None)
    )
    """CA bundle copied into builds so TLS to the package index works inside containers."""
    index_url: str | None = field(default_factory=lambda: _env("OPENSWE_INDEX_URL") or _env("PIP_INDEX_URL"))
    """Python package index used inside builds (pip's default when unset)."""
    http_proxy: str | None = field(default_factory=lambda: _env("OPENSWE_HTTP_PROXY") or _env("HTTP_PROXY"))
    """HTTP proxy for builds (passed as a build argument, not stored in layers)."""
    https_proxy: str | None = field(default_factory=lambda: _env("OPENSWE_HTTPS_PROXY") or _env("HTTPS_PROXY"))
    """HTTPS proxy for builds."""
    debian_mirror: str = field(default_factory=lambda: _env("OPENSWE_DEBIAN_MIRROR", "http://deb.debian.org/debian") or "")
    """Debian mirror used to build the local base-image suite."""
    base_image_prefix: str = field(default_factory=lambda: _env("OPENSWE_BASE_PREFIX", "openswe/base") or "")
    """Repository the base images are tagged into: ``<prefix>:py3.11``."""
    base_source: str = field(default_factory=lambda: _env("OPENSWE_BASE_SOURCE", "auto") or "auto")
    """Where base images come from: ``registry`` (official python:X.Y-slim), ``debian`` (mmdebstrap) or ``auto``."""
    workers: int = field(default_factory=lambda: int(_env("OPENSWE_WORKERS", "0") or 0))
    """Items running at once for builds, validation, sampling and grading (0: from cores and memory; on Ray,
    from the cluster's resources)."""
    executor: str = field(default_factory=lambda: _env("OPENSWE_EXECUTOR", "local") or "local")
    """Where stage work runs: ``local`` (a bounded pool on this machine) or ``ray`` (a Ray cluster)."""
    ray_address: str = field(default_factory=lambda: _env("OPENSWE_RAY_ADDRESS", "local") or "local")
    """The Ray cluster: ``local`` (start one in this process), ``auto`` (the one on this machine), ``HOST:PORT``
    of a head node, or ``ray://HOST:10001`` (Ray client)."""
    ray_cpus: float = field(default_factory=lambda: float(_env("OPENSWE_RAY_CPUS", "1") or 1))
    """CPUs one Ray task asks for (the container limits are set per stage, this is what the scheduler counts)."""
    ray_memory_gb: float = field(default_factory=lambda: float(_env("OPENSWE_RAY_MEMORY_GB", "4") or 4))
    """Memory (GB) one Ray task asks for; a Docker build or validation may need this much."""
    ray_disk_gb: float = field(default_factory=lambda: float(_env("OPENSWE_RAY_DISK_GB", "10") or 10))
    """Disk (GB) one Ray task asks for, counted against the ``disk_gb`` resource of nodes that declare it."""
    ray_retries: int = field(default_factory=lambda: int(_env("OPENSWE_RAY_RETRIES", "3") or 3))
    """Retries of a task after an infrastructure failure (worker or node lost, Docker engine gone)."""
    cluster_registry: str | None = field(default_factory=lambda: _env("OPENSWE_CLUSTER_REGISTRY") or _env("OPENSWE_REGISTRY"))
    """Registry that carries images between nodes on a cluster (push after build, pull by digest before use)."""

    SECRET_FIELDS = ("hf_token", "registry_password")

    def redacted(self) -> dict[str, str | int | None]:
        """The settings with secrets replaced by ``***`` (set) or ``None`` (unset)."""
        out: dict[str, str | int | None] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = ("***" if value else None) if f.name in self.SECRET_FIELDS else value
        return out

    def secrets(self) -> list[str]:
        """The secret values that are set (for scrubbing output)."""
        return [v for v in (getattr(self, n) for n in self.SECRET_FIELDS) if v]


def scrub(text: str, secrets: list[str] | None = None) -> str:
    """``text`` with every known secret value replaced by ``***``."""
    for secret in secrets if secrets is not None else Settings().secrets():
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text
