"""`openswe revalidate`: a thin command over ``openswe_data.validate.revalidate``."""

from __future__ import annotations

from pathlib import Path

import typer

from openswe_data.cli._common import WorkspaceOpt, handle_errors, out, reap, workspace_path


def register(app: typer.Typer) -> None:
    @app.command()
    @handle_errors
    def revalidate(
        source: Path = typer.Argument(None, help="A workspace or a published release folder (default: the workspace)."),
        workspace: Path | None = WorkspaceOpt,
        k: int = typer.Option(3, "--k", min=1, help="Runs per side; a test counts only when it behaves so k of k."),
        rebuild: bool = typer.Option(True, "--rebuild/--no-rebuild",
                                     help="Rebuild each environment from its Dockerfile without cache."),
        pull: bool = typer.Option(True, "--pull/--no-pull", help="Validate the published image, pulled by digest."),
        ids: list[str] = typer.Option(None, "--id", help="Only these instances (repeatable)."),
        repo_root: list[str] = typer.Option(None, "--repo-root",
                                            help="owner/name=FOLDER or a folder of owner__name clones (repeatable): "
                                                 "where a release's repositories are, for rebuilding."),
        timeout: float = typer.Option(1800.0, help="Seconds per run."),
    ) -> None:
        """Validate published environments again (bit-rot): rebuilt without cache and pulled by digest, k runs
        each; drift records go to the workspace's `drift` stage and the report's Drift section."""
        from openswe_data.collect.swebench import parse_repo_roots
        from openswe_data.store import Workspace
        from openswe_data.validate.revalidate import RevalidateOptions, revalidate as run
        from openswe_data.validate.runner import Limits

        ws = Workspace(workspace_path(workspace), create=True)
        reap(ws.path)
        summary = run(source or ws.path, ws, RevalidateOptions(k=k, rebuild=rebuild, pull=pull, ids=ids or None,
                                                               limits=Limits(timeout=timeout),
                                                               repo_roots=parse_repo_roots(repo_root or [])), say=out)
        out(summary.describe())
        for line in summary.drifted:
            out(f"  drift: {line}")
