"""Settings read from the environment, each with a one-line meaning.

Secrets (``hf_token``, ``registry_password``) are read here and nowhere else; ``Settings.redacted()`` is
what may be printed or logged. Build-time network settings (CA bundle, package index, proxies) are
configuration passed into builds, never hard-coded in recipes.
"""

from __future__ import annotations

import os
import re
import traceback
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
    ray_resources: str = field(default_factory=lambda: _env("OPENSWE_RAY_RESOURCES", "") or "")
    """Custom resources every Ray task asks for besides ``docker``, as JSON (``{"builder": 1}``): runs a stage
    only on the nodes that declare them (``ray start --resources``)."""
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
        """The secret values that are set (for scrubbing output): these settings' and every other
        secret-looking setting in the environment (``secret_values``)."""
        own = [v for v in (getattr(self, n) for n in self.SECRET_FIELDS) if v]
        return sorted(set(own) | set(secret_values()), key=len, reverse=True)


_SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSW|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIAL|AUTH", re.I)
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^/@\s:]*)(?::([^/@\s]*))?@")
_NOT_SECRET = {"true", "false", "yes", "no", "none", "null", "0", "1"}
MIN_SECRET_LEN = 4
"""Shorter values are not replaced: scrubbing "ab" out of every log would destroy the log, not hide a secret."""


def secret_values(environ: dict[str, str] | None = None) -> list[str]:
    """Every secret the environment holds, longest first: the value of each setting whose name looks secret
    (``*TOKEN*``, ``*SECRET*``, ``*PASSWORD*``, ``*API_KEY*``, ...) and the credentials inside any URL-valued
    setting (``HF_ENDPOINT=https://user:token@host`` gives ``token``; an ``https://token@host`` gives
    ``token``)."""
    env = os.environ if environ is None else environ
    found: set[str] = set()
    for name, value in env.items():
        if not value:
            continue
        if _SECRET_NAME.search(name) and value.lower() not in _NOT_SECRET:
            found.add(value)
        for match in _URL_USERINFO.finditer(value):
            user, password = match.group(2), match.group(3)
            if password:
                found.add(password)
            elif user and match.group(1).lower().startswith("http"):
                found.add(user)  # https://TOKEN@host: the user part is the token
    return sorted((v for v in found if len(v) >= MIN_SECRET_LEN), key=len, reverse=True)


def scrub(text: str, secrets: list[str] | None = None) -> str:
    """``text`` with every secret replaced by ``***``: the known values (``secret_values``) and any
    credentials written into a URL (``https://user:pw@host`` -> ``https://***@host``).

    The one scrubber: the CLI's output, log records (ours and third-party libraries', see
    ``install_log_scrubber``), log files and stored records all go through it.
    """
    if not text:
        return text
    for secret in secrets if secrets is not None else secret_values():
        if secret and len(secret) >= MIN_SECRET_LEN:
            text = text.replace(secret, "***")
    return _URL_USERINFO.sub(_hide_userinfo, text) if "@" in text else text


def _hide_userinfo(match: re.Match[str]) -> str:
    scheme, user, password = match.group(1), match.group(2), match.group(3)
    if password is None and not scheme.lower().startswith("http"):
        return match.group(0)  # ssh://git@host: a user name, no secret
    return f"{scheme}***@"


def scrub_value(value: object, secrets: list[str]) -> object:
    """``value`` with known secret values replaced in every string inside it (lists and dicts included).
    URL patterns are left alone: a stored diff may legitimately show ``https://user:pw@example.com``."""
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, "***")
        return value
    if isinstance(value, list):
        return [scrub_value(v, secrets) for v in value]
    if isinstance(value, dict):
        return {k: scrub_value(v, secrets) for k, v in value.items()}
    return value


class _ScrubbingFactory:
    """A log-record factory that scrubs the message and its arguments of every record, whichever logger
    (ours, ``huggingface_hub``'s retries, ``urllib3``'s warnings) made it."""

    def __init__(self, inner: object) -> None:
        self.inner = inner

    def __call__(self, *args: object, **kwargs: object) -> object:
        record = self.inner(*args, **kwargs)  # type: ignore[operator]
        try:
            message = record.getMessage()
        except Exception:  # a record whose own arguments do not format: leave it to logging to report
            return record
        secrets = secret_values()
        clean = scrub(message, secrets)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = scrub("".join(traceback.format_exception(*record.exc_info)), secrets)
            record.exc_info = None
        return record


def install_log_scrubber() -> None:
    """Scrub every log record and warning of this process (idempotent). The CLI calls it at start; a
    program using the library calls it once before anything logs."""
    import logging
    import warnings

    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _ScrubbingFactory):
        logging.setLogRecordFactory(_ScrubbingFactory(factory))
    shown = warnings.showwarning
    if not getattr(shown, "_openswe_scrubbed", False):
        def showwarning(message, category, filename, lineno, file=None, line=None):  # noqa: ANN001, ANN202
            shown(scrub(str(message)), category, filename, lineno, file, line)

        showwarning._openswe_scrubbed = True  # type: ignore[attr-defined]
        warnings.showwarning = showwarning


_HTTP_USERINFO = re.compile(r"(?i)\b(https?://)[^/@\s]+@")
_PASSWORD = re.compile(r"\b([A-Za-z][A-Za-z0-9+.-]*://[^/:@\s]+):[^/@\s]*@")


def strip_url_credentials(text: str) -> str:
    """``text`` with URL credentials removed, for what is stored: all of ``https://user:token@`` and
    ``https://token@``, and the password of any other scheme (``ssh://git@host`` keeps its user name)."""
    return _PASSWORD.sub(r"\1@", _HTTP_USERINFO.sub(r"\1", text))
