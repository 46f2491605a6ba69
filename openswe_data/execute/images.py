"""Images between cluster nodes: push after a build, pull by digest before a validation or a grading.

Each node has its own Docker engine, so an image built on node A is not on node B. On a cluster run the
node that built an image pushes it to the cluster registry (``OPENSWE_CLUSTER_REGISTRY``, else
``OPENSWE_REGISTRY``) under ``<registry>/openswe/cluster:<image id hex>``; a node that needs it asks the
registry for that tag's manifest digest and pulls ``...@sha256:<manifest>`` — by digest, so what arrives
is exactly what was pushed — and checks the pulled image's id against the record's ``image_digest``
before tagging it with the record's ``image_name``. Nothing is added to the records: the image id the
build stage already records is the key, so the same workspace works with and without a cluster.

Base images travel the same way (``offer_base`` / ``fetch_base``), keyed by their recipe hash under
``<registry>/openswe/cluster-base:<hash>``: the first node with a current base pushes it, a node without one
pulls it by digest instead of building it (minutes from Debian's archive). A node that only validates, samples
or grades needs no base image at all: the environment image it pulls carries the base's layers.

Only tasks the Ray executor runs share images (it sets ``OPENSWE_SHARE_IMAGES=1`` in their environment);
a local run never pushes. Registry failures raise ``ImageTransferFailed``, which the executor counts as an
infrastructure failure and retries with backoff.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterable
from typing import Any

from openswe_data.errors import ImageTransferFailed
from openswe_data.settings import Settings, scrub

SHARE_ENV = "OPENSWE_SHARE_IMAGES"
REPOSITORY = "openswe/cluster"
BASE_REPOSITORY = "openswe/cluster-base"
"""Base images between nodes, tagged with their recipe hash: built once on the cluster, pulled by the others."""
_offered: set[tuple[str, str]] = set()  # (registry, recipe hash) this process found in the registry or pushed
_MANIFEST_TYPES = ", ".join([
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.index.v1+json",
])


def sharing(settings: Settings | None = None) -> str | None:
    """The registry images travel through in this process, or ``None`` (local runs, no registry set)."""
    if os.environ.get(SHARE_ENV) != "1":
        return None
    return (settings or Settings()).cluster_registry


def cluster_tag(image_id: str) -> str:
    """The tag an image travels under: its id's hex, so the tag names the content."""
    return image_id.split(":", 1)[-1]


def push(image_name: str, image_id: str, registry: str, docker: Any = None) -> str:
    """Push the local image ``image_name`` (id ``image_id``); returns ``<registry>/<repo>@<manifest digest>``."""
    return _push(image_name, registry, REPOSITORY, cluster_tag(image_id), docker)


def _push(image_name: str, registry: str, repository: str, tag: str, docker: Any = None) -> str:
    from openswe_data import engine
    from openswe_data.publish.images import read_push_stream
    from openswe_data.publish.retry import with_retries

    docker = docker or engine.client()
    target = f"{registry}/{repository}"
    try:
        docker.images.get(image_name).tag(target, tag=tag)
        digest = with_retries(lambda: read_push_stream(docker.api.push(target, tag=tag, stream=True, decode=True)),
                              attempts=3, base_delay=1.0)
    except Exception as exc:  # noqa: BLE001 - the engine and the push stream fail in many types
        raise ImageTransferFailed(f"push of {image_name} to {registry} failed: {scrub(str(exc))[:300]}",
                                  hint="check `openswe doctor --executor ray` (registry reachable from every node)") from None
    finally:
        try:
            docker.images.remove(f"{target}:{tag}", noprune=True)
        except Exception:  # noqa: BLE001 - only the extra tag goes; the image stays under its own name
            pass
    return f"{target}@{digest}"


def manifest_digest(registry: str, image_id: str) -> str | None:
    """The registry's manifest digest for an image id's tag (``None``: not pushed there)."""
    return _manifest(registry, REPOSITORY, cluster_tag(image_id))


def _manifest(registry: str, repository: str, tag: str) -> str | None:
    url = f"http://{registry}/v2/{repository}/manifests/{tag}"
    req = urllib.request.Request(url, method="HEAD", headers={"Accept": _MANIFEST_TYPES})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.headers.get("Docker-Content-Digest")
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise ImageTransferFailed(f"registry {registry} answered {exc.code} for {url}") from None
    except OSError as exc:
        raise ImageTransferFailed(f"registry {registry} does not answer: {exc}") from None


def pull(image_name: str, image_id: str, registry: str, docker: Any = None) -> str:
    """Pull the image with id ``image_id`` by manifest digest and tag it ``image_name``; returns the reference."""
    digest = manifest_digest(registry, image_id)
    if digest is None:
        raise ImageTransferFailed(f"{image_name} ({image_id[:19]}) is not on this node and not in registry {registry}",
                                  reason="image_not_shared",
                                  hint="it was built before images were shared: rebuild it with --force")
    ref = f"{registry}/{REPOSITORY}@{digest}"
    pulled = _pull_as(ref, image_name, docker)
    if pulled.id != image_id:
        raise ImageTransferFailed(f"{ref} is {pulled.id}, not the recorded {image_id}")
    return ref


def _pull_as(ref: str, image_name: str, docker: Any = None) -> Any:
    """Pull ``ref`` (by digest) and tag it ``image_name``; returns the image."""
    from openswe_data import engine

    docker = docker or engine.client()
    try:
        for _ in docker.api.pull(ref, stream=True, decode=True):
            pass
        pulled = docker.images.get(ref)
    except Exception as exc:  # noqa: BLE001
        raise ImageTransferFailed(f"pull of {ref} failed: {scrub(str(exc))[:300]}") from None
    repo, _, tag = image_name.rpartition(":")
    pulled.tag(repo or image_name, tag=tag if repo else "latest")
    return pulled


def ensure_local(image_name: str, image_id: str, docker: Any = None) -> bool:
    """Make sure this node's engine has the image (pulling it from the cluster registry); True if pulled.

    An image the cluster registry does not hold (e.g. a released record's, named by its own registry) is
    left to the caller, which reports a missing image as it does on one machine.
    """
    registry = sharing()
    if registry is None or not image_name or not image_id:
        return False
    from openswe_data import engine

    docker = docker or engine.client()
    try:
        if docker.images.get(image_name).id == image_id:
            return False
    except Exception:  # noqa: BLE001 - docker.errors.ImageNotFound: fetch it below
        pass
    if manifest_digest(registry, image_id) is None:
        return False
    pull(image_name, image_id, registry, docker)
    return True


def share(env: Any) -> Any:
    """Push a built environment's image for the other nodes (a no-op outside a cluster run); returns ``env``."""
    registry = sharing()
    if registry is not None and getattr(env, "status", "") == "built" and env.image_name and env.image_digest:
        push(env.image_name, env.image_digest, registry)
    return env


def offer_base(tag: str, recipe_hash: str, docker: Any = None) -> bool:
    """On a cluster run, push this node's base image ``tag`` (built from recipe hash ``recipe_hash``) for the
    nodes that lack it, unless the registry holds it already (asked once per process); True if pushed."""
    registry = sharing()
    if registry is None or not recipe_hash or (registry, recipe_hash) in _offered:
        return False
    pushed = False
    if _manifest(registry, BASE_REPOSITORY, recipe_hash) is None:
        _push(tag, registry, BASE_REPOSITORY, recipe_hash, docker)
        pushed = True
    _offered.add((registry, recipe_hash))
    return pushed


def fetch_base(tag: str, recipe_hashes: Iterable[str], docker: Any = None) -> str | None:
    """On a cluster run, pull the base image another node built from the same recipe (any of ``recipe_hashes``)
    by digest and tag it ``tag``; returns the recipe hash it was built from, or None (not a cluster run, or no
    node shared it yet: the caller builds it)."""
    registry = sharing()
    if registry is None:
        return None
    for recipe_hash in recipe_hashes:
        digest = _manifest(registry, BASE_REPOSITORY, recipe_hash)
        if digest is not None:
            _pull_as(f"{registry}/{BASE_REPOSITORY}@{digest}", tag, docker)
            return recipe_hash
    return None


def registry_tags(registry: str, repository: str = REPOSITORY) -> list[str]:
    """The tags in a cluster repository (used by doctor and tests)."""
    try:
        with urllib.request.urlopen(f"http://{registry}/v2/{repository}/tags/list", timeout=10) as resp:
            return list(json.load(resp).get("tags") or [])
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return []
        raise
