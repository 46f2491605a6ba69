"""Clean-up under a disk budget: only what this library made (label ``openswe.managed=1``) is touched.

Input: what to prune and an optional budget in bytes. Output: a ``CleanPlan`` (what was, or with
``dry_run`` would be, removed). Order: leftover containers first, then environment images not needed
by a valid record, oldest first, then — only while still over budget — the oldest needed ones. Base
images are pruned only when asked; the small head images env builds share (``build/images.py``) go with
``all_images`` or the base images. Unlabelled containers and images are never listed, let alone removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openswe_data import engine


@dataclass
class CleanPlan:
    containers: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    bytes_freed: int = 0
    env_bytes_before: int = 0
    dry_run: bool = False
    errors: list[str] = field(default_factory=list)


MIN_AGE = 300
"""Seconds a "created" container is left alone: it may be a run that is being set up."""


def _age_seconds(created: str) -> float:
    import datetime as dt

    try:
        when = dt.datetime.fromisoformat(created[:26].rstrip("Z") + "+00:00")
    except ValueError:
        return float("inf")
    return (dt.datetime.now(dt.timezone.utc) - when).total_seconds()


def clean(*, budget_bytes: int | None = None, keep: set[str] | None = None, include_base: bool = False,
          all_images: bool = False, dry_run: bool = False, select: dict[str, str] | None = None) -> CleanPlan:
    """Prune labelled containers, and labelled images down to ``budget_bytes`` (``keep``: tags to spare first).

    ``select`` narrows everything to containers and images that also carry these labels.
    """
    from docker.errors import APIError

    client = engine.client()
    plan = CleanPlan(dry_run=dry_run)
    narrow = [f"{k}={v}" for k, v in (select or {}).items()]
    for c in client.containers.list(all=True, filters={"label": [f"{engine.MANAGED_LABEL}=1", *narrow]}):
        # "created" containers younger than a few minutes belong to runs being set up right now
        if c.status == "running" or (c.status == "created" and _age_seconds(c.attrs.get("Created", "")) < MIN_AGE):
            continue
        plan.containers.append(c.name)
        if not dry_run:
            try:
                c.remove(force=True)
            except APIError as exc:
                plan.errors.append(f"{c.name}: {exc.explanation or exc}")
    kinds = ["env"] + (["base"] if include_base else [])
    images = []
    for kind in kinds:
        images += client.images.list(filters={"label": [f"{engine.MANAGED_LABEL}=1", f"{engine.KIND_LABEL}={kind}", *narrow]})
    images.sort(key=lambda i: i.attrs.get("Created", ""))
    plan.env_bytes_before = total = sum(i.attrs.get("Size", 0) for i in images)
    keep = keep or set()
    unneeded = [i for i in images if not set(i.tags) & keep]
    needed = [i for i in images if set(i.tags) & keep]
    for img in unneeded + needed:
        if not all_images and (budget_bytes is None or total <= budget_bytes):
            break
        size = img.attrs.get("Size", 0)
        plan.bytes_freed += size
        total -= size
        _remove_image(client, img, plan)
    if all_images or include_base:
        # the heads env images are built on (``build/images.py``): their layers are the base image's, so they
        # free no bytes of their own and stay out of the budget; an env image still built on one keeps them
        for img in client.images.list(filters={"label": [f"{engine.MANAGED_LABEL}=1", f"{engine.KIND_LABEL}=head", *narrow]}):
            _remove_image(client, img, plan)
    return plan


def _remove_image(client: object, img: object, plan: CleanPlan) -> None:
    """List ``img`` in the plan and, unless a dry run, untag it tag by tag (an image in use, or a parent of
    another, is reported and left)."""
    from docker.errors import APIError

    names = img.tags or [img.id]  # type: ignore[attr-defined]
    plan.images.extend(names)
    if plan.dry_run:
        return
    for tag in names:
        try:
            client.images.remove(tag, force=False, noprune=False)  # type: ignore[attr-defined]
        except APIError as exc:
            plan.errors.append(f"{tag}: {exc.explanation or exc}")
