"""The dataset card: figures computed from the release, rendered from the templates in ``cards/``.

Input: the ``Selection`` that was written, the manifest (configs, splits, files) and the release notes.
Output: ``README.md`` text — YAML front matter the Hub and ``datasets`` read (``configs`` with
``data_files``, ``default: true`` on ``environments``, license, task categories, size category, pretty
name, tags) and prose with counts, repositories, difficulty, cost and the release notes. The wording lives
in ``cards/dataset_card.md.j2`` and ``cards/release_notes.md.j2``; this module only computes figures.
"""

from __future__ import annotations

import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from openswe_data.publish.inputs import Selection
from openswe_data.publish.layout import CARD, DEFAULT_CONFIG, DEFAULT_FOLDER, DATA_DIR, Version, size_category
from openswe_data.publish.notes import Notes

CARD_TEMPLATE = "dataset_card.md.j2"
CARD_FACTS = "card.yaml"
DIFFICULTY_ORDER = ("trivial", "easy", "medium", "hard", "unsolved")


def figures(sel: Selection, manifest: dict[str, Any], *, top: int = 10) -> dict[str, Any]:
    """The numbers the card quotes, all computed from what was published."""
    records = sel.records
    repos = Counter(r.repo for r in records)
    costs = [r.cost_usd for r in records]
    difficulty = Counter(
        sel.curated[r.instance_id].difficulty for r in records
        if r.instance_id in sel.curated and sel.curated[r.instance_id].difficulty
    )
    ordered = {b: difficulty.pop(b) for b in DIFFICULTY_ORDER if b in difficulty}
    ordered.update(sorted(difficulty.items()))
    env_splits = manifest["configs"][DEFAULT_CONFIG]["splits"]
    return {
        "instances": len(records),
        "repositories": len(repos),
        "top_repositories": sorted(repos.items(), key=lambda kv: (-kv[1], kv[0]))[:top],
        "splits": {s: env_splits[s]["rows"] for s in sorted(env_splits)},
        "difficulty": ordered,
        "curated": sum(1 for r in records if r.instance_id in sel.curated),
        "cost": {
            "total": sum(costs),
            "mean": statistics.fmean(costs) if costs else 0.0,
            "median": statistics.median(costs) if costs else 0.0,
        },
        "build_methods": dict(Counter(r.build_method for r in records)),
        "python_versions": dict(sorted(Counter(r.python_version or "unknown" for r in records).items())),
        "trajectories": len(sel.trajectories),
        "trajectory_kinds": dict(sorted(Counter(t.kind for t in sel.trajectories).items())),
        "trajectory_tokens": sum(t.tokens for t in sel.trajectories),
        "verifier": len(sel.verifier),
        "licenses": dict(sorted(sel.licenses.items(), key=lambda kv: (-kv[1], kv[0]))),
        "full": len(records) - sel.withheld,
        "withheld": sel.withheld,
        "excluded": sel.left_out.get("license_excluded", 0),
    }


def card_facts(recipes: str | Path | None = None) -> dict[str, Any]:
    """The fixed facts from ``cards/card.yaml`` (pretty name, task categories, tags, description)."""
    import yaml

    from openswe_data import recipes as recipe_files

    return yaml.safe_load(recipe_files.read("cards", CARD_FACTS, explicit=recipes)) or {}


def card_configs(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The front matter's ``configs``: one entry per config, a ``data_files`` glob per split, with the rows
    and bytes that go into ``dataset_info`` (``datasets`` keys its local cache on that block, so a release
    rewritten in place is never served from a stale cache)."""
    out = []
    for name, cfg in manifest["configs"].items():
        splits = [
            {"name": s, "path": f"{DATA_DIR}/{name}/{s}-*.parquet", "rows": cfg["splits"][s]["rows"],
             "bytes": sum(f["bytes"] for f in cfg["splits"][s]["files"])}
            for s in sorted(cfg["splits"], key=lambda s: (s != "train", s))
        ]
        out.append({"name": name, "default": name == DEFAULT_CONFIG, "splits": splits,
                    "bytes": sum(sp["bytes"] for sp in splits)})
    return out


def render(
    sel: Selection,
    manifest: dict[str, Any],
    notes: Notes,
    *,
    card_license: str,
    withheld_fields: tuple[str, ...] = ("patch", "test_patch"),
    hub_repo: str | None = None,
    recipes: str | Path | None = None,
) -> str:
    """The card's full text."""
    from openswe_data import recipes as recipe_files

    facts = card_facts(recipes)
    figs = figures(sel, manifest)
    version = Version.parse(manifest["version"])
    configs = card_configs(manifest)
    images = manifest["images"]
    example = ""
    with_digest = [r for r in sel.records if r.image_digest.startswith("sha256:")]
    if images.get("published") and with_digest:
        first = with_digest[0]
        example = f"{first.image_name.rsplit(':', 1)[0]}@{first.image_digest}"
    variables = {
        **{k: facts.get(k) for k in ("pretty_name", "description")},
        "task_categories": list(facts.get("task_categories") or []),
        "tags": list(facts.get("tags") or []),
        "language": list(facts.get("language") or []),
        "card_license": card_license,
        "withheld_fields": list(withheld_fields),
        "size_category": size_category(figs["instances"]),
        "version": str(version),
        "tag": version.tag,
        "schema_version": manifest["schema_version"],
        "created_at": manifest["created_at"],
        "configs": configs,
        "first_split": configs[0]["splits"][0]["name"] if configs and configs[0]["splits"] else "test",
        "figures": figs,
        "train_ratio": manifest["split_rule"]["train_ratio"],
        "images": {**images, "example": example},
        "notes": notes.as_dict(limit=20),
        "hub_repo": hub_repo,
        "dataset_path": hub_repo or DEFAULT_FOLDER,
    }
    return recipe_files.render("cards", CARD_TEMPLATE, variables, explicit=recipes)


def front_matter(card_text: str) -> dict[str, Any]:
    """The parsed YAML front matter of a card (``{}`` when it has none)."""
    import yaml

    if not card_text.startswith("---\n"):
        return {}
    end = card_text.find("\n---", 4)
    if end < 0:
        return {}
    data = yaml.safe_load(card_text[4:end])
    return data if isinstance(data, dict) else {}


def read_front_matter(folder: Path) -> dict[str, Any]:
    path = folder / CARD
    return front_matter(path.read_text(encoding="utf-8")) if path.is_file() else {}
