"""Release assembly: a ``Selection`` -> a release folder with the Hub's layout.

Input: the selection (records, curation figures, trajectories, logs), a version and the split ratio.
Output: a folder holding ``README.md`` (the card), ``release.json`` (the manifest) and
``data/<config>/<split>-NNNNN-of-MMMMM.parquet`` shards.

Why a staging folder: the release is written next to its destination, checked by the guard, and only
then swapped into place, so a refused or interrupted release never replaces a good one. The same
staging build serves the dry run, which compares it with what is already there and then throws it away.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openswe_data.errors import PublishError
from openswe_data.publish import card, guard, schemas
from openswe_data.publish.inputs import Selection
from openswe_data.publish.layout import (
    CARD, MANIFEST, ROW_GROUP_SIZE, ROWS_PER_SHARD, Version, shard_count, shard_path, split_for,
)
from openswe_data.publish.notes import Index, Notes, compare, index_folder, index_rows
from openswe_data.records import SCHEMA_VERSION


@dataclass
class Assembled:
    """A built release folder and what went into it."""

    folder: Path
    manifest: dict[str, Any]
    notes: Notes
    selection: Selection

    def files(self) -> dict[str, dict[str, Any]]:
        """Path in the release -> {bytes, sha256} for every file (card and manifest included)."""
        return release_files(self.folder)


def release_files(folder: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        out[rel] = {"bytes": path.stat().st_size, "sha256": guard._sha256(path)}
    return out


STAGING_OWNER = ".openswe-owner"
"""A file beside each staging folder naming the process building it, so a killed run's folder can be told
from a live one's (``reap_staging``)."""


def staging_dir(near: Path) -> Path:
    """An empty folder next to ``near`` (same file system, so the final rename is atomic)."""
    from openswe_data import engine

    near.parent.mkdir(parents=True, exist_ok=True)
    path = near.parent / f".{near.name}.staging-{uuid.uuid4().hex[:8]}"
    path.with_name(path.name + STAGING_OWNER).write_text(engine.process_owner())
    path.mkdir()
    return path


def reap_staging(near: Path) -> list[Path]:
    """Remove the staging folders next to ``near`` whose publishing process is gone; returns them."""
    from openswe_data import engine

    reaped = []
    if not near.parent.is_dir():
        return reaped
    for path in sorted(near.parent.glob(f".{near.name}.staging-*")):
        if path.name.endswith(STAGING_OWNER):
            continue
        marker = path.with_name(path.name + STAGING_OWNER)
        owner = marker.read_text().strip() if marker.is_file() else ""
        if owner and engine.owner_alive(owner):
            continue
        shutil.rmtree(path, ignore_errors=True)
        marker.unlink(missing_ok=True)
        reaped.append(path)
    return reaped


def build(
    sel: Selection,
    folder: Path,
    version: Version,
    *,
    card_license: str,
    withheld_fields: tuple[str, ...] = ("patch", "test_patch"),
    train_ratio: float = 0.0,
    previous: tuple[str | None, Index] | None = None,
    images: dict[str, Any] | None = None,
    hub_repo: str | None = None,
    secrets: list[str] | None = None,
    rows_per_shard: dict[str, int] | None = None,
    recipes: str | Path | None = None,
) -> Assembled:
    """Write the release into the empty ``folder`` and check it; raises ``PublishError`` when refused."""
    if not sel.records:
        raise PublishError(
            "nothing to publish: the workspace has no valid records that the license policy lets ship",
            reason="empty_release", hint="run `openswe validate` first, or check `openswe analyze` for why instances dropped",
        )
    per = {**ROWS_PER_SHARD, **(rows_per_shard or {})}
    split_of = {r.instance_id: split_for(r.instance_id, train_ratio) for r in sel.records}
    pushed = bool((images or {}).get("published"))
    env_rows = [schemas.environment_row(r, sel.curated.get(r.instance_id), sel.modes[r.instance_id] == "without_code",
                                        pushed=pushed)
                for r in sel.records]
    configs: dict[str, Any] = {}
    configs["environments"] = _write_config(folder, "environments", env_rows, split_of, per["environments"])
    configs["swebench"] = _write_config(folder, "swebench", [schemas.swebench_row(r) for r in env_rows], split_of,
                                        per["swebench"])
    for config, items in (("trajectories", sel.trajectories), ("verifier", sel.verifier)):
        if items:
            # trajectories of PRs that are not published environments still follow their instance's split
            split_of.update({t.instance_id: split_for(t.instance_id, train_ratio) for t in items
                             if t.instance_id not in split_of})
            rows = [schemas.trajectory_row(t) for t in items]
            configs[config] = _write_config(folder, config, rows, split_of, per[config])
    configs["logs"] = _write_config(folder, "logs", sel.logs, split_of, per["logs"])
    notes = compare(previous, index_rows(env_rows))
    del env_rows
    manifest = {
        "name": "openswe",
        "version": str(version),
        "tag": version.tag,
        "schema_version": SCHEMA_VERSION,
        "created_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "previous_version": notes.previous_version,
        "split_rule": {"train_ratio": train_ratio, "hash": "sha256(instance_id)[:8] / 2**64 < train_ratio -> train"},
        "configs": configs,
        "images": images or {"published": False, "registry": None, "convention": None},
        "licenses": {"full": len(sel.records) - sel.withheld, "without_code": sel.withheld,
                     "excluded": sel.left_out.get("license_excluded", 0), "policy": "cards/license_policy.yaml"},
        "left_out": dict(sel.left_out),
        "notes": notes.as_dict(limit=0),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    text = card.render(sel, manifest, notes, card_license=card_license, withheld_fields=withheld_fields,
                       hub_repo=hub_repo, recipes=recipes)
    (folder / CARD).write_text(text, encoding="utf-8")
    guard.refuse(guard.folder_problems(folder, secrets=secrets), what=f"release {version}",
                 hint="the release folder was not replaced; fix the records above and publish again")
    return Assembled(folder=folder, manifest=manifest, notes=notes, selection=sel)


def _write_config(folder: Path, config: str, rows: list[dict[str, Any]], split_of: dict[str, str], per_shard: int) -> dict[str, Any]:
    """Write one config's shards, split by split; returns its manifest entry."""
    import pyarrow.parquet as pq

    by_split: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_split.setdefault(split_of[row["instance_id"]], []).append(row)
    entry: dict[str, Any] = {"columns": schemas.columns(config), "splits": {}}
    for split in sorted(by_split):
        part = by_split[split]
        count = shard_count(len(part), per_shard)
        files = []
        for i in range(count):
            chunk = part[i * per_shard:(i + 1) * per_shard]
            rel = shard_path(config, split, i, count)
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(schemas.table(config, chunk), path, compression="zstd", row_group_size=ROW_GROUP_SIZE)
            files.append({"path": rel, "rows": len(chunk), "bytes": path.stat().st_size,
                          "sha256": guard._sha256(path)})
        entry["splits"][split] = {"rows": len(part), "files": files}
    return entry


def data_hashes(folder: Path) -> dict[str, str] | None:
    """Shard path -> sha256 from a release folder's manifest (None when it holds no release)."""
    path = folder / MANIFEST
    if not path.is_file():
        return None
    manifest = json.loads(path.read_text(encoding="utf-8"))
    return {f["path"]: f["sha256"] for cfg in manifest.get("configs", {}).values()
            for s in cfg.get("splits", {}).values() for f in s.get("files", [])}


def install(staging: Path, out: Path) -> None:
    """Swap the checked ``staging`` folder into ``out``.

    Refuses to overwrite the same version with different data (a version never silently changes);
    the same version with identical shards is accepted, so publishing a local release to the Hub
    afterwards re-runs cleanly.
    """
    old_manifest = out / MANIFEST
    if old_manifest.is_file():
        old = json.loads(old_manifest.read_text(encoding="utf-8"))
        new = json.loads((staging / MANIFEST).read_text(encoding="utf-8"))
        if old.get("version") == new["version"] and data_hashes(out) != data_hashes(staging):
            raise PublishError(
                f"{out} already holds release {new['version']} with different data",
                reason="version_exists", hint="bump --version (releases never change once made)",
            )
    elif out.exists() and any(out.iterdir()):
        raise PublishError(f"{out} exists, is not empty and holds no release ({MANIFEST} missing)",
                           reason="not_a_release_folder", hint="choose another --out folder")
    trash = None
    if out.exists():
        trash = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
        os.replace(out, trash)
    os.replace(staging, out)
    if trash is not None:
        shutil.rmtree(trash, ignore_errors=True)


def discard(folder: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(folder)
    folder.with_name(folder.name + STAGING_OWNER).unlink(missing_ok=True)


def previous_index(folder: Path | None) -> tuple[str | None, Index] | None:
    """The previous release's index from a folder (None when there is none)."""
    return index_folder(folder) if folder is not None and folder.is_dir() else None


