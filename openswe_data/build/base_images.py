"""The base-image suite: Python versions -> tagged images (``openswe/base:py3.11``) that environments start from.

Input: the recipes in ``builders/base/`` and the settings (``OPENSWE_BASE_PREFIX``, ``OPENSWE_BASE_SOURCE``,
``OPENSWE_DEBIAN_MIRROR``, the build network settings). Output: one image per Python version, each providing
``python``/``pip`` from a virtualenv at /opt/venv of its own (pip works despite PEP 668, and the distribution's
Python packages never satisfy a repository's pins), pinned pytest, setuptools and wheel in it, git, patch,
gcc/make and the Python headers, with WORKDIR /testbed.

Why content-hash reuse: every image carries ``openswe.recipe_hash``; ``ensure_base_images`` rebuilds only a
version whose image is missing or whose recipe (file, common part, hook or template, mirror) changed, so CI
builds each once and a second call only asks the engine for labels. Where a registry is reachable the
official ``python:X.Y-slim`` is the start (``source: registry``); where none is, Debian's archive
(``source: debian``); ``auto`` tries the registry and falls back to Debian.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from openswe_data import progress
from openswe_data.build.base_recipes import BaseRecipe, load_recipes, recipe_hash, resolve_source, version_key
from openswe_data.errors import BuildError, ConfigError, summarize_problems
from openswe_data.settings import Settings

HASH_LABEL = "openswe.recipe_hash"
SOURCE_LABEL = "openswe.source"


@dataclass(frozen=True)
class BaseImage:
    """One ensured base image and what it cost."""

    python: str
    tag: str
    image_id: str
    source: str
    built: bool
    seconds: float
    size_bytes: int


def tag_for(python: str, settings: Settings | None = None) -> str:
    """The tag of the base image for ``python`` (``<prefix>:py3.11``)."""
    prefix = (settings or Settings()).base_image_prefix
    if not prefix or ":" in prefix.rsplit("/", 1)[-1]:
        raise ConfigError(f"OPENSWE_BASE_PREFIX must be a repository name without a tag, got {prefix!r}")
    return f"{prefix}:py{python}"


def available_pythons(*, recipes: str | Path | None = None) -> list[str]:
    """The Python versions the suite covers (one recipe each), oldest first."""
    return list(load_recipes(explicit=recipes))


def choose_python(requested: str, available: list[str]) -> str:
    """The best available version for ``requested``: the same minor, else the nearest (newer on a tie).

    ``"3.11.4"`` and ``"3.11"`` both choose 3.11; ``"3.10"`` chooses 3.11 over 3.9 because code that
    needs 3.10 features runs on 3.11, not on 3.9. Another major version is an error listing what exists.
    """
    parts = str(requested).strip().lstrip("v").split(".")
    try:
        major, minor = int(parts[0]), int(parts[1]) if len(parts) > 1 and parts[1] else None
    except ValueError:
        raise ConfigError(f"cannot read Python version {requested!r}; expected e.g. 3.11") from None
    same_major = [v for v in available if version_key(v)[0] == major]
    if not same_major:
        raise ConfigError(
            f"no base image for Python {requested}; the suite has {', '.join(available) or 'none'}",
            hint="add a recipe builders/base/python<X.Y>.yaml for it",
        )
    if minor is None:
        return max(same_major, key=version_key)
    return min(same_major, key=lambda v: (abs(version_key(v)[1] - minor), -version_key(v)[1]))


def base_image_for(python_version: str, *, settings: Settings | None = None, recipes: str | Path | None = None) -> str:
    """The base-image tag to build an environment for ``python_version`` on (see ``choose_python``)."""
    return tag_for(choose_python(python_version, available_pythons(recipes=recipes)), settings)


def _selected(all_recipes: dict[str, BaseRecipe], versions: list[str] | None) -> list[BaseRecipe]:
    if not versions:
        return list(all_recipes.values())
    missing = [v for v in versions if v not in all_recipes]
    if missing:
        raise ConfigError(
            f"no base-image recipe for Python {', '.join(missing)}; the suite has {', '.join(all_recipes)}",
            hint="pick listed versions, or add builders/base/python<X.Y>.yaml",
        )
    return [all_recipes[v] for v in dict.fromkeys(versions)]


def _existing(tag: str) -> tuple[str, str, str, int] | None:
    """(id, recipe hash, source, size) of the image tagged ``tag``, or None."""
    from docker.errors import ImageNotFound

    from openswe_data import engine

    try:
        image = engine.client().images.get(tag)
    except ImageNotFound:
        return None
    labels = image.labels or {}
    return image.id, labels.get(HASH_LABEL, ""), labels.get(SOURCE_LABEL, ""), int(image.attrs.get("Size") or 0)


def _remove_replaced(image_id: str) -> None:
    """Free the disk of the image a rebuild replaced, unless something (a container, a child) still uses it."""
    from docker.errors import APIError

    from openswe_data import engine

    try:
        engine.client().images.remove(image_id)
    except APIError:
        pass  # still in use: it stays, untagged, until that user is gone


def _hashes(recipe: BaseRecipe, settings: Settings, recipes: str | Path | None) -> dict[str, str]:
    """Source -> recipe hash, for each source the settings allow (registry first under ``auto``)."""
    source = resolve_source(recipe, settings.base_source)
    candidates = ["registry", "debian"] if source == "auto" else [source]
    return {s: recipe_hash(recipe, s, mirror=settings.debian_mirror, explicit=recipes) for s in candidates}


def stale_reason(recipe: BaseRecipe, *, settings: Settings | None = None, recipes: str | Path | None = None) -> str | None:
    """Why ``ensure_base_images`` would build this recipe's image: ``missing``, ``recipe_changed``, or None."""
    settings = settings or Settings()
    existing = _existing(tag_for(recipe.python, settings))
    if existing is None:
        return "missing"
    return None if existing[1] in _hashes(recipe, settings, recipes).values() else "recipe_changed"


def ensure_base_image(
    recipe: BaseRecipe, *, force: bool = False, settings: Settings | None = None, recipes: str | Path | None = None,
) -> BaseImage:
    """The image for one recipe: reused when its hash label matches, built otherwise (or when ``force``).

    On a cluster run (``execute.images``) a missing image is first pulled from the node that built it, and a
    current one is offered to the nodes that lack it: the suite is built once per cluster, not once per node.
    """
    from openswe_data.execute.images import fetch_base

    settings = settings or Settings()
    tag = tag_for(recipe.python, settings)
    hashes = _hashes(recipe, settings, recipes)
    started = time.monotonic()
    existing = _existing(tag)
    if existing and not force and existing[1] in hashes.values():
        return _offered(_reused(recipe, tag, existing, started), existing[1])
    # Workers of one run (and parallel test sessions) ask for the same image at once: one builds, the
    # others wait for it and then find it current.
    before = existing[0] if existing else None
    with _build_lock(tag):
        now = _existing(tag)
        # Current now, and not the very image --force asked to replace: another process built it meanwhile.
        if now and now[1] in hashes.values() and (not force or now[0] != before):
            return _offered(_reused(recipe, tag, now, started), now[1])
        if not force and fetch_base(tag, list(hashes.values())):
            pulled = _existing(tag)
            if pulled and pulled[1] in hashes.values():
                progress.note(f"base image {tag}: pulled from the cluster registry (built on another node)")
                if now and now[0] != pulled[0]:
                    _remove_replaced(now[0])
                return _reused(recipe, tag, pulled, started)
        image = _build(recipe, tag, hashes, now, settings, recipes, started)
        return _offered(image, hashes[image.source])


def _reused(recipe: BaseRecipe, tag: str, found: tuple[str, str, str, int], started: float) -> BaseImage:
    image_id, _, used, size = found
    return BaseImage(recipe.python, tag, image_id, used, False, time.monotonic() - started, size)


def _offered(image: BaseImage, recipe_hash: str) -> BaseImage:
    """On a cluster run, push the image for the nodes that lack it (once per cluster); returns it."""
    from openswe_data.execute.images import offer_base

    offer_base(image.tag, recipe_hash)
    return image


@contextlib.contextmanager
def _build_lock(tag: str) -> Iterator[None]:
    """An exclusive lock per tag across processes on this host (a file lock under the temp folder)."""
    from openswe_data.locks import file_lock

    with file_lock(Path(tempfile.gettempdir()) / "openswe-base-locks" / (re.sub(r"[^A-Za-z0-9_.-]", "_", tag) + ".lock")):
        yield


def _build(
    recipe: BaseRecipe, tag: str, hashes: dict[str, str], existing: tuple[str, str, str, int] | None,
    settings: Settings, recipes: str | Path | None, started: float,
) -> BaseImage:
    from openswe_data.build import base_builders

    candidates = list(hashes)
    problems = []
    for candidate in candidates:
        build = base_builders.build_registry if candidate == "registry" else base_builders.build_debian
        progress.note(f"base image {tag}: building from {candidate} (once per machine; this takes minutes)")
        try:
            image_id = build(recipe, tag, hashes[candidate], settings, explicit=recipes)
        except base_builders.RegistryUnavailable as exc:
            problems.append(str(exc))
            continue
        progress.note(f"base image {tag}: built in {progress.human_duration(time.monotonic() - started)}")
        built = _existing(tag)
        size = built[3] if built else 0
        if existing and existing[0] != image_id:
            _remove_replaced(existing[0])
        return BaseImage(recipe.python, tag, image_id, candidate, True, time.monotonic() - started, size)
    raise BuildError(f"no source could make {tag}:\n{summarize_problems(problems)}", reason="base_build_failed")


def build_suite(
    versions: list[str] | None = None, *, force: bool = False, settings: Settings | None = None,
    recipes: str | Path | None = None,
) -> list[BaseImage]:
    """Ensure every selected base image, one at a time (builds are heavy); one failure does not stop the rest.

    Raises ``BuildError`` after the whole suite was tried when any version failed, naming each.
    """
    settings = settings or Settings()
    done: list[BaseImage] = []
    failures: list[str] = []
    selected = _selected(load_recipes(explicit=recipes), versions)
    with progress.track("base images", len(selected), name=lambda r: f"python{r.python}", unit="image") as shown:
        for recipe in selected:
            shown.started(recipe)
            try:
                done.append(ensure_base_image(recipe, force=force, settings=settings, recipes=recipes))
                shown.finished(recipe)
            except BuildError as exc:
                failures.append(f"Python {recipe.python}: {exc}")
                shown.finished(recipe, False, exc.reason)
    if failures:
        ok = ", ".join(i.tag for i in done) or "none"
        raise BuildError(
            f"{len(failures)} base image(s) failed (ready: {ok}):\n{summarize_problems(failures)}",
            reason="base_build_failed",
        )
    return done


def ensure_base_images(
    versions: list[str] | None = None, *, force: bool = False, settings: Settings | None = None,
    recipes: str | Path | None = None,
) -> dict[str, str]:
    """Python version -> base-image tag for the suite (or ``versions``), building only what is missing or changed."""
    return {image.python: image.tag for image in build_suite(versions, force=force, settings=settings, recipes=recipes)}

