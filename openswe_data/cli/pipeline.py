"""`openswe run`: the whole pipeline on one input (collect -> build -> validate -> curate -> trajectories -> report
-> publish)."""

from __future__ import annotations

from pathlib import Path

import typer

from openswe_data.cli._common import (
    ExecutorOpt, RayAddressOpt, WorkspaceOpt, check_inputs, handle_errors, out, use_executor, workspace_path,
)


def register(app: typer.Typer) -> None:
    @app.command(name="run")
    @handle_errors
    def run(
        source: Path = typer.Argument(..., help="A crawled-PR dump (JSONL) or a SWE-bench-style task file."),
        workspace: Path | None = WorkspaceOpt,
        release: Path = typer.Option(Path("openswe"), help="Local release folder."),
        no_release: bool = typer.Option(False, "--no-release", help="Stop before publishing."),
        version: str = typer.Option("0.1.0", help="Release version."),
        attempts: list[Path] = typer.Option(None, "--attempts", help="SWE-bench predictions files (agent attempts)."),
        policy: str = typer.Option("openswe-band", help="Curation policy."),
        workers: int = typer.Option(0, help="Parallel builds and validations."),
        executor: str = ExecutorOpt,
        ray_address: str = RayAddressOpt,
        reruns: int = typer.Option(4, help="Extra validation runs per side."),
        no_trajectories: bool = typer.Option(False, "--no-trajectories",
                                             help="Skip agent-native trajectories (contextual, replays, verifier pairs)."),
    ) -> None:
        """Run every stage end to end on one input into one workspace, then release into a local folder."""
        use_executor(executor, ray_address)
        from openswe_data.pipeline import PipelineOptions, run_pipeline

        check_inputs(source, "input file")
        check_inputs(list(attempts or []), "attempts file")

        opts = PipelineOptions(release=None if no_release else release, version=version,
                               attempts=list(attempts or []), policy=policy, workers=workers, reruns=reruns,
                               trajectories=not no_trajectories)
        run_pipeline(source, workspace_path(workspace), opts, say=out)
