"""`openswe publish`: cut a versioned release — local folder (default ./openswe), Hub, registry images.

A thin layer over ``openswe_data.publish.release.publish``: parse flags, call the library, print the plan
or the outcome (scrubbed of secrets by ``out``/``err``), map errors to exit codes.
"""

from __future__ import annotations

from pathlib import Path

import typer

from openswe_data.cli._common import WorkspaceOpt, err, handle_errors, out, reap, workspace_path


def register(app: typer.Typer) -> None:
    @app.command(name="publish")
    @handle_errors
    def publish_cmd(
        version: str = typer.Option(..., "--version", "-v", help="Release version X.Y.Z (the Hub tag is vX.Y.Z)."),
        workspace: Path | None = WorkspaceOpt,
        out_dir: Path = typer.Option(Path("openswe"), "--out", "-o",
                                     help="Local release folder (default ./openswe; load it with load_dataset('openswe', ...))."),
        hub: str | None = typer.Option(None, "--hub", help="Also upload to this Hub dataset repository, ORG/NAME."),
        registry: str | None = typer.Option(None, "--registry",
                                            help="Push images to this registry HOST:PORT (default $OPENSWE_REGISTRY)."),
        no_images: bool = typer.Option(False, "--no-images", help="Do not push images even if $OPENSWE_REGISTRY is set."),
        namespace: str = typer.Option("openswe", "--namespace", help="Image namespace in the registry."),
        naming: str = typer.Option("openswe", "--naming", help="Image naming convention: openswe or swebench."),
        train_ratio: float = typer.Option(0.0, "--train-ratio", min=0.0, max=1.0,
                                          help="Share of instances in 'train' (by hash of instance_id); 0 puts all in 'test'."),
        only_kept: bool = typer.Option(False, "--only-kept", help="Publish only instances the curation policy kept."),
        skip_bad: bool = typer.Option(False, "--skip-bad",
                                      help="Leave out (and record as rejects) records the guard refuses, instead of refusing the release."),
        previous: Path | None = typer.Option(None, "--previous", help="Previous release folder for the release notes (default: --out)."),
        license_policy: Path | None = typer.Option(None, "--license-policy", help="License policy file (default cards/license_policy.yaml)."),
        recipes: Path | None = typer.Option(None, "--recipes", help="Folder holding recipe overrides (cards/...)."),
        private: bool = typer.Option(False, "--private", help="Create the Hub repository as private."),
        dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan and the differences; push, upload and replace nothing."),
    ) -> None:
        """Publish a versioned release: a local folder, and optionally the Hub and a registry."""
        from openswe_data.publish.plan import describe
        from openswe_data.publish.release import PublishOptions, publish
        from openswe_data.settings import Settings

        settings = Settings()
        target_registry = None if no_images else (registry or settings.registry)
        options = PublishOptions(
            version=version, out=out_dir, hub=hub, registry=target_registry, namespace=namespace, convention=naming,
            train_ratio=train_ratio, only_kept=only_kept, skip_bad=skip_bad, dry_run=dry_run, previous=previous,
            license_policy=license_policy, recipes=recipes, private=private,
        )
        reap(workspace_path(workspace), release=out_dir, containers=False)
        result = publish(workspace_path(workspace), options, settings=settings, progress=err)
        manifest = result.manifest
        rows = ", ".join(f"{name} {sum(s['rows'] for s in cfg['splits'].values())}"
                         for name, cfg in manifest["configs"].items())
        notes = result.notes
        head = "dry run: nothing pushed, uploaded or replaced" if dry_run else f"published release {result.version}"
        out(f"{head}\n  rows: {rows}")
        out(f"  since {notes['previous_version'] or '(first release)'}: {notes['added']} added, "
            f"{notes['removed']} removed, {notes['changed']} changed")
        for iid, why in list(result.rejected.items())[:10]:
            out(f"  left out {iid}: {why}")
        if dry_run:
            out(f"local folder {out_dir}:")
            for line in describe(result.plan["local"]):
                out(line)
            if "hub" in result.plan:
                h = result.plan["hub"]
                state = "exists" if h["exists"] else "would be created"
                out(f"hub {h['repo']} ({state}); tag {h['tag']}"
                    + (" ALREADY EXISTS: publishing would be refused" if h["tag_exists"] else " would be created"))
                for line in describe(h):
                    out(line)
            for image in result.plan.get("images", [])[:20]:
                out(f"image {image['source'] or '(none)'} -> {image['target']}")
            if len(result.plan.get("images", [])) > 20:
                out(f"... and {len(result.plan['images']) - 20} more images")
        else:
            for dest in result.destinations:
                out(f"  -> {dest}")
            if result.commit:
                out(f"  hub commit {result.commit}")
