"""Push environment images to a registry and record their digests.

Input: the records to publish (``image_name`` names the image as built on the local engine), the
registry (``--registry`` or ``OPENSWE_REGISTRY``), a naming convention and the release version.
Output: per instance, the published ``image_name`` (``<registry>/<namespace>/<name>:<version>``) and the
registry's manifest ``image_digest``, so users pull ``<name>@sha256:...`` and get exactly the image the
instance was validated with; failures per instance, with a reason, never stopping the batch.

Naming conventions (``CONVENTIONS``):

- ``openswe`` (default): ``<registry>/<namespace>/openswe.eval.<arch>.<instance_id>``, lower-cased.
- ``swebench``: SWE-bench's ``sweb.eval.<arch>.<instance_id>`` with ``__`` replaced by ``_1776_``
  (Docker Hub refuses ``__`` in names), lower-cased, so SWE-bench tooling finds the images by its own rule.

The docker SDK's ``push`` does not raise when the registry refuses a layer: errors arrive as ``error`` /
``errorDetail`` items in the JSON stream, so every stream is read to the end and checked. The registry
password goes to the engine as ``auth_config`` only and never into a message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from openswe_data import progress as live
from openswe_data.errors import ConfigError
from openswe_data.publish.retry import TransientError, with_retries
from openswe_data.records import ValidatedRecord
from openswe_data.settings import scrub

CONVENTIONS = ("openswe", "swebench")
DEFAULT_NAMESPACE = "openswe"
_DIGEST_RE = re.compile(r"digest: (sha256:[0-9a-f]{64})")
_REGISTRY_RE = re.compile(r"^[A-Za-z0-9.\-]+(:\d+)?$")


def image_repository(instance_id: str, *, registry: str, namespace: str = DEFAULT_NAMESPACE,
                     convention: str = "openswe", arch: str = "x86_64") -> str:
    """The repository (name without tag) an instance's image is published under."""
    if convention == "openswe":
        return f"{registry}/{namespace}/openswe.eval.{arch}.{instance_id}".lower()
    if convention == "swebench":
        key = f"{namespace}/sweb.eval.{arch}.{instance_id}".replace("__", "_1776_")
        return f"{registry}/{key}".lower()
    raise ConfigError(f"unknown image naming convention {convention!r}; one of {', '.join(CONVENTIONS)}")


def check_registry(registry: str) -> str:
    """``registry`` if it looks like ``HOST[:PORT]`` (no scheme, no path, no credentials)."""
    if not _REGISTRY_RE.match(registry or ""):
        raise ConfigError(f"{registry!r} is not a registry address", hint="use HOST:PORT, e.g. --registry 127.0.0.1:5000")
    return registry


def read_push_stream(events: Iterable[Any]) -> str:
    """The pushed manifest's digest from the engine's push stream; raises ``TransientError`` on an error item."""
    digest = None
    for event in events:
        if not isinstance(event, dict):
            continue
        if event.get("error") or event.get("errorDetail"):
            detail = event.get("errorDetail") or {}
            message = event.get("error") or (detail.get("message") if isinstance(detail, dict) else str(detail))
            raise TransientError(f"push failed: {scrub(str(message))}")
        aux = event.get("aux")
        if isinstance(aux, dict) and str(aux.get("Digest", "")).startswith("sha256:"):
            digest = aux["Digest"]
        m = _DIGEST_RE.search(str(event.get("status", "")))
        if m and digest is None:
            digest = m.group(1)
    if digest is None:
        raise TransientError("push finished without reporting a digest")
    return digest


@dataclass
class PushPlan:
    """One image to publish: the local source and where it goes."""

    instance_id: str
    source: str
    repository: str
    tag: str

    @property
    def reference(self) -> str:
        return f"{self.repository}:{self.tag}"


@dataclass
class PushResult:
    published: dict[str, tuple[str, str]] = field(default_factory=dict)  # instance_id -> (name:tag, digest)
    failed: dict[str, str] = field(default_factory=dict)  # instance_id -> reason


def plan(records: Iterable[ValidatedRecord], *, registry: str, version: str, namespace: str = DEFAULT_NAMESPACE,
         convention: str = "openswe", arch: str = "x86_64") -> list[PushPlan]:
    check_registry(registry)
    return [PushPlan(r.instance_id, r.image_name, image_repository(r.instance_id, registry=registry,
                     namespace=namespace, convention=convention, arch=arch), version)
            for r in records]


def push(plans: list[PushPlan], *, username: str | None = None, password: str | None = None, attempts: int = 4,
         base_delay: float = 1.0, client: Any = None, progress: Callable[[str], None] | None = None) -> PushResult:
    """Tag and push every planned image; one failure is recorded, not raised."""
    from openswe_data import engine

    docker = client or engine.client()
    auth = {"username": username, "password": password} if username and password else None
    result = PushResult()

    def one(p: PushPlan) -> str:
        """The pushed digest, or a failure ``reason: detail`` raised as ``_NotPushed``."""
        if not p.source:
            raise _NotPushed("image_missing: the record names no image")
        try:
            image = docker.images.get(p.source)
        except Exception as exc:  # docker.errors.ImageNotFound / APIError
            raise _NotPushed(f"image_missing: {p.source} is not on the engine ({type(exc).__name__})") from None
        image.tag(p.repository, tag=p.tag)

        def step() -> str:
            return read_push_stream(docker.api.push(p.repository, tag=p.tag, stream=True, decode=True, auth_config=auth))

        try:
            return with_retries(step, attempts=attempts, base_delay=base_delay)
        except Exception as exc:
            raise _NotPushed(f"push_failed: {scrub(str(exc))[:300]}") from None

    with live.track("publish images", len(plans), unit="image") as shown:
        for p in plans:
            shown.started(p)
            try:
                digest = one(p)
            except _NotPushed as why:
                result.failed[p.instance_id] = str(why)
                shown.finished(p, False, str(why).split(":", 1)[0])
                continue
            shown.finished(p)
            result.published[p.instance_id] = (p.reference, digest)
            if progress:
                progress(f"pushed {p.reference} {digest}")
    return result


class _NotPushed(Exception):
    """One image that could not be pushed, with its ``reason: detail``."""
