"""`openswe doctor`: what is missing, and what to do about it."""

from __future__ import annotations

from pathlib import Path

import typer

from openswe_data.cli._common import (
    ExecutorOpt, RayAddressOpt, WorkspaceOpt, handle_errors, out, use_executor, workspace_path,
)


def register(app: typer.Typer) -> None:
    @app.command()
    @handle_errors
    def doctor(workspace: Path | None = WorkspaceOpt, executor: str = ExecutorOpt, ray_address: str = RayAddressOpt) -> None:
        """Check the Docker engine, disk space, base images, registry and Hub settings (and, with --executor
        ray, the cluster: reachable, every node with Docker and a route to the registry)."""
        from openswe_data.doctor import run_checks

        use_executor(executor, ray_address)
        checks = run_checks(workspace_path(workspace))
        for c in checks:
            mark = "ok  " if c.ok else ("FAIL" if c.required else "warn")
            out(f"[{mark}] {c.name}: {c.detail}")
            if not c.ok and c.fix:
                out(f"       fix: {c.fix}")
        if any(not c.ok and c.required for c in checks):
            raise typer.Exit(1)
