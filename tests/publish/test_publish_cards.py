"""Every file in cards/ is listed in its README, loads, and renders; the CLI command has help."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from openswe_data import recipes
from openswe_data.cli import make_app
from openswe_data.publish.card import front_matter
from openswe_data.publish.licenses import LicensePolicy

CARDS = Path(__file__).resolve().parents[2] / "cards"

NOTES = {"previous_version": "0.1.0", "added": 2, "removed": 1, "changed": 1, "added_ids": ["a__b-1", "a__b-2"],
         "removed_ids": ["a__b-0"], "changed_ids": ["a__b-3"], "changed_fields": {"FAIL_TO_PASS": 1}}


def card_variables() -> dict:
    return {
        "pretty_name": "OpenSWE", "description": "d", "task_categories": ["text-generation"], "tags": ["code"],
        "language": ["en"], "card_license": "other", "withheld_fields": ["patch"], "size_category": "n<1K",
        "version": "0.2.0", "tag": "v0.2.0", "schema_version": "1", "created_at": "2025-01-01T00:00:00+00:00",
        "configs": [{"name": "environments", "default": True, "bytes": 1234,
                     "splits": [{"name": "test", "path": "data/environments/test-*.parquet", "rows": 3,
                                 "bytes": 1234}]}],
        "first_split": "test", "dataset_path": "org/openswe", "hub_repo": "org/openswe", "train_ratio": 0.0,
        "figures": {"instances": 3, "repositories": 1, "top_repositories": [("a/b", 3)], "splits": {"test": 3},
                    "difficulty": {"easy": 3}, "curated": 3, "cost": {"total": 1.0, "mean": 0.3, "median": 0.2},
                    "build_methods": {"heuristic": 3}, "python_versions": {"3.11": 3}, "trajectories": 0,
                    "trajectory_kinds": {}, "trajectory_tokens": 0, "verifier": 0,
                    "licenses": {"MIT": 3}, "full": 3, "withheld": 0, "excluded": 0},
        "images": {"published": True, "registry": "r:5000", "convention": "openswe", "example": "r:5000/x@sha256:0",
                   "withheld_for_code_withheld": True},
        "notes": NOTES,
    }


def test_every_card_file_is_listed_in_the_readme():
    readme = (CARDS / "README.md").read_text()
    for path in CARDS.iterdir():
        if path.name != "README.md":
            assert f"`{path.name}`" in readme, f"{path.name} is not described in cards/README.md"


def test_the_card_template_renders_with_the_documented_variables_and_its_front_matter_parses():
    text = recipes.render("cards", "dataset_card.md.j2", card_variables())
    meta = front_matter(text)
    assert meta["configs"][0] == {"config_name": "environments", "default": True,
                                  "data_files": [{"split": "test", "path": "data/environments/test-*.parquet"}]}
    assert meta["dataset_info"] == [{"config_name": "environments", "download_size": 1234, "dataset_size": 1234,
                                     "splits": [{"name": "test", "num_bytes": 1234, "num_examples": 3}]}]
    assert meta["size_categories"] == ["n<1K"] and meta["tags"] == ["code"]
    assert "Since 0.1.0: 2 added, 1 removed" in text and 'revision="v0.2.0"' in text


def test_the_release_notes_template_renders_alone():
    text = recipes.render("cards", "release_notes.md.j2", {"notes": NOTES})
    assert "`a__b-0`" in text and "`FAIL_TO_PASS` 1" in text


def test_the_license_policy_and_card_facts_load():
    policy = LicensePolicy.load()
    assert policy.mode("MIT") == "full" and policy.mode("gpl-3.0") == "without_code" and policy.mode(None) == "without_code"
    assert "eval_script" in policy.withheld_fields
    import yaml

    facts = yaml.safe_load(recipes.read("cards", "card.yaml"))
    assert facts["pretty_name"] and facts["task_categories"]


def test_the_publish_command_has_help_naming_its_targets():
    result = CliRunner().invoke(make_app(), ["publish", "--help"])
    assert result.exit_code == 0
    for flag in ("--hub", "--registry", "--version", "--dry-run", "--out"):
        assert flag in result.output
