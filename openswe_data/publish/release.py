"""``publish``: the whole stage — workspace -> checked release folder -> registry images -> Hub tag.

Input: a workspace (``records``, ``curated``, ``trajectories``, ``environments``, ``validations``) and
``PublishOptions``. Output: the local release folder (default ``./openswe``), optionally images in a
registry and a tagged Hub revision, and a ``Release`` record in the workspace's ``releases`` stage.

Order, and why: (1) refuse an existing Hub tag before doing any work; (2) check each record and refuse
(or, with ``skip_bad``, reject and leave out) the malformed ones; (3) push images, so their digests are
in the records; (4) build the folder in staging and let the guard check it; (5) only then replace the
local folder, commit to the Hub and tag. A dry run does (1)-(2) and (4), pushes nothing, replaces
nothing, and returns the plan with the differences from what is there.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openswe_data.publish import assemble, guard, images
from openswe_data.publish.inputs import select
from openswe_data.publish.layout import DEFAULT_FOLDER, Version
from openswe_data.publish.licenses import LicensePolicy
from openswe_data.publish.plan import compare_folders
from openswe_data.records import SCHEMA_VERSION, Release, ValidatedRecord
from openswe_data.settings import Settings
from openswe_data.store import Workspace

REJECT_STAGE = "publish"
"""Records refused by the guard under ``skip_bad`` are recorded as rejects of this workspace stage."""


@dataclass
class PublishOptions:
    version: str
    out: Path = Path(DEFAULT_FOLDER)
    hub: str | None = None
    registry: str | None = None
    namespace: str = images.DEFAULT_NAMESPACE
    convention: str = "openswe"
    train_ratio: float = 0.0
    only_kept: bool = False
    skip_bad: bool = False
    dry_run: bool = False
    previous: Path | None = None
    license_policy: Path | None = None
    recipes: Path | None = None
    private: bool = False
    rows_per_shard: dict[str, int] | None = None


@dataclass
class PublishResult:
    version: str
    folder: Path | None
    manifest: dict[str, Any]
    notes: dict[str, Any]
    dry_run: bool
    plan: dict[str, Any] = field(default_factory=dict)
    destinations: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)
    commit: str | None = None


def publish(workspace: Workspace | str | Path, options: PublishOptions, *, settings: Settings | None = None,
            progress: Any = None) -> PublishResult:
    """Publish a release; see the module docstring for the order of steps."""
    from openswe_data.publish.hub import Hub

    settings = settings or Settings()
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    version = Version.parse(options.version)
    say = progress or (lambda _msg: None)
    secrets = settings.secrets()
    hub = Hub(options.hub, endpoint=settings.hf_endpoint, token=settings.hf_token) if options.hub else None
    plan: dict[str, Any] = {"version": str(version)}
    if hub is not None and not options.dry_run:
        hub.refuse_existing_tag(version)

    policy = LicensePolicy.load(options.license_policy, recipes=options.recipes)
    sel = select(ws, policy, only_kept=options.only_kept)
    withheld = {i for i, m in sel.modes.items() if m == "without_code"}
    rejected: dict[str, str] = {}
    bad = guard.record_problems(sel.records, withheld=withheld, withheld_fields=policy.withheld_fields)
    if bad:
        if not options.skip_bad:
            guard.refuse(guard.flatten(bad), what=f"release {version}",
                         hint="fix or re-validate these instances, or pass --skip-bad to leave them out")
        rejected.update({i: "; ".join(ps) for i, ps in bad.items()})
        sel = select(ws, policy, only_kept=options.only_kept, exclude_ids=set(bad))

    image_info: dict[str, Any] = {"published": False, "registry": None, "convention": None}
    if options.registry:
        # An image holds the repository's code: the license policy may keep it out of the registry.
        to_push = [r for r in sel.records if not (policy.withhold_images and sel.modes[r.instance_id] == "without_code")]
        pushes = images.plan(to_push, registry=options.registry, version=str(version),
                             namespace=options.namespace, convention=options.convention)
        image_info = {"published": True, "registry": options.registry, "convention": options.convention,
                      "namespace": options.namespace, "withheld_for_code_withheld": policy.withhold_images}
        if options.dry_run:
            plan["images"] = [{"instance_id": p.instance_id, "source": p.source, "target": p.reference} for p in pushes]
            image_info["published"] = False  # nothing pushed: no digests to check in the dry-run build
        else:
            pushed = images.push(pushes, username=settings.registry_user, password=settings.registry_password,
                                 progress=say)
            sel.records = [_with_image(r, pushed.published.get(r.instance_id)) for r in sel.records]
            if pushed.failed:
                if not options.skip_bad:
                    guard.refuse([f"{i}: {why}" for i, why in pushed.failed.items()], what=f"release {version}",
                                 hint="check the engine has the images and the registry answers, or pass --skip-bad")
                rejected.update(pushed.failed)
                keep = {r.instance_id for r in sel.records} - set(pushed.failed)
                _drop(sel, keep)
                sel.left_out["image_push_failed"] += len(pushed.failed)
            plan["images"] = [{"instance_id": i, "target": n, "digest": d} for i, (n, d) in pushed.published.items()]

    out = Path(options.out)
    staging = assemble.staging_dir(out)
    snapshot = None
    try:
        previous = assemble.previous_index(options.previous or out)
        if previous is None and hub is not None:
            snapshot = tempfile.TemporaryDirectory()
            got = hub.snapshot_environments(Path(snapshot.name))
            previous = assemble.previous_index(got)
        built = assemble.build(
            sel, staging, version, card_license=policy.card_license, withheld_fields=policy.withheld_fields,
            train_ratio=options.train_ratio,
            previous=previous, images=image_info, hub_repo=options.hub, secrets=secrets,
            rows_per_shard=options.rows_per_shard, recipes=options.recipes,
        )
        plan["local"] = compare_folders(out, staging)
        if hub is not None:
            plan["hub"] = hub.plan(staging, version)
        if options.dry_run:
            return PublishResult(str(version), None, built.manifest, built.notes.as_dict(), True, plan, [], rejected)
        assemble.install(staging, out)
    finally:
        assemble.discard(staging)
        if snapshot is not None:
            snapshot.cleanup()

    destinations = [str(out.resolve())]
    if options.registry:
        destinations.append(f"registry:{options.registry}")
    for iid, why in rejected.items():
        ws.stage(REJECT_STAGE, ValidatedRecord).reject(iid, "refused_by_guard", why[:2000])
    commit = None
    if hub is not None:
        say(f"uploading {out} to {options.hub} and tagging {version.tag}")
        commit = hub.upload(out, version, private=options.private)
        destinations.append(f"hub:{options.hub}@{version.tag}")
    _record(ws, built.manifest, built.notes.as_dict(), destinations)
    return PublishResult(str(version), out, built.manifest, built.notes.as_dict(), False, plan, destinations,
                         rejected, commit)


def _with_image(record: ValidatedRecord, published: tuple[str, str] | None) -> ValidatedRecord:
    if published is None:
        return record
    name, digest = published
    return record.replace(image_name=name, image_digest=digest)


def _drop(sel: Any, keep: set[str]) -> None:
    dropped = set(sel.modes) - keep
    sel.records = [r for r in sel.records if r.instance_id in keep]
    sel.modes = {i: m for i, m in sel.modes.items() if i in keep}
    # trajectories of PRs that were never published environments stay; those of dropped records go
    sel.trajectories = [t for t in sel.trajectories if t.instance_id not in dropped]
    sel.verifier = [v for v in sel.verifier if v.instance_id not in dropped]
    sel.logs = [row for row in sel.logs if row["instance_id"] in keep]
    sel.licenses.clear()
    sel.licenses.update(r.license or "unknown" for r in sel.records)


def _record(ws: Workspace, manifest: dict[str, Any], notes: dict[str, Any], destinations: list[str]) -> None:
    """Write (or extend) the workspace's ``Release`` record for this version."""
    stage = ws.stage("releases", Release)
    earlier = stage.get(manifest["version"])
    dests = list(dict.fromkeys((earlier.destinations if earlier else []) + destinations))
    counts = {name: {s: v["rows"] for s, v in cfg["splits"].items()} for name, cfg in manifest["configs"].items()}
    stage.put(Release(
        version=manifest["version"],
        created_at=manifest.get("created_at") or dt.datetime.now(dt.timezone.utc).isoformat(),
        schema_version=SCHEMA_VERSION,
        previous_version=manifest.get("previous_version"),
        counts=counts,
        configs={name: {"columns": list(cfg["columns"])} for name, cfg in manifest["configs"].items()},
        destinations=dests,
        notes=f"{notes['added']} added, {notes['removed']} removed, {notes['changed']} changed"
              + (f" since {notes['previous_version']}" if notes.get("previous_version") else " (first release)"),
    ))
