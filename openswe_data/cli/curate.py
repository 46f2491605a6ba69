"""`openswe curate`: import sampled attempts, grade them, apply a curation policy.

A thin layer over :mod:`openswe_data.curate`; every command only parses options, calls the library and
prints its summary. (`openswe evaluate` and `openswe sample`, which run agents and eval scripts in the
environment images, live in their own modules.)
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from openswe_data.cli._common import (
    ExecutorOpt, RayAddressOpt, WorkspaceOpt, check_inputs, handle_errors, out, use_executor, workspace_path,
)

FORMATS_HELP = "openhands (output.jsonl), swe-agent (*.traj), mini-swe-agent (*.traj.json), predictions (SWE-bench)"


def register(app: typer.Typer) -> None:
    curate = typer.Typer(
        help="Measure difficulty from sampled attempts and apply a curation policy "
        "(import, grade with `openswe evaluate`, then run).",
        no_args_is_help=True,
    )

    @curate.command(name="import")
    @handle_errors
    def import_(
        fmt: str = typer.Argument(..., metavar="FORMAT", help=FORMATS_HELP),
        files: list[Path] = typer.Argument(..., help="Files or folders (folders are searched for the format's files)."),
        report: Path = typer.Option(None, "--report", help="SWE-bench harness report: sets resolved on these attempts."),
        model: str = typer.Option(None, "--model", help="Model name where the files do not say."),
        scaffold: str = typer.Option(None, "--scaffold", help="Scaffold name where the files do not say."),
        workspace: Path = WorkspaceOpt,
    ) -> None:
        """Import agent attempts; malformed entries become rejects; re-importing a file duplicates nothing."""
        from openswe_data.curate import import_attempts
        from openswe_data.store import Workspace

        check_inputs(files, f"{fmt} file", folders=True)
        check_inputs(report, "harness report")
        ws = Workspace(workspace_path(workspace), create=True)
        s = import_attempts(ws, fmt, files, report=report, model=model, scaffold=scaffold)
        out(f"{s.files} file(s): {s.imported} attempt(s) imported ({s.new} new), {s.graded} graded by report, "
            f"{s.rejected} rejected")
        for problem in s.problems[:10]:
            out(f"  malformed: {problem}")
        if len(s.problems) > 10:
            out(f"  ... and {len(s.problems) - 10} more (see {ws.path / 'attempts' / 'rejects'})")

    @curate.command()
    @handle_errors
    def grade(
        workspace: Path = WorkspaceOpt,
        regrade: bool = typer.Option(False, help="Grade attempts that already have a result again."),
        timeout: float = typer.Option(600.0, help="Seconds per run."),
        workers: int = typer.Option(0, help="Gradings at once (0: from cores and memory, or the cluster)."),
        executor: str = ExecutorOpt,
        ray_address: str = RayAddressOpt,
    ) -> None:
        """Grade imported attempts by running each instance's eval script in its image with the attempt's patch."""
        use_executor(executor, ray_address)
        from openswe_data.curate import grade_attempts
        from openswe_data.store import Workspace
        from openswe_data.validate.evaluate import DockerGrader
        from openswe_data.validate.runner import Limits

        ws = Workspace(workspace_path(workspace))
        s = grade_attempts(ws, DockerGrader(Limits(timeout=timeout)), regrade=regrade, workers=workers)
        out(f"graded {s.graded} attempt(s): {s.resolved} resolved")

    @curate.command()
    @handle_errors
    def run(
        policy: str = typer.Option(..., "--policy", "-p", help="Policy name in curation/ (e.g. openswe-band) or a path."),
        recipes: Path = typer.Option(None, "--recipes", help="Folder holding a curation/ folder that overrides the shipped one."),
        as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
        workspace: Path = WorkspaceOpt,
    ) -> None:
        """Apply a policy: pass rates, difficulty bands, kept instances and cleaned trajectories."""
        from openswe_data.curate import apply_policy
        from openswe_data.store import Workspace

        s = apply_policy(Workspace(workspace_path(workspace)), policy, explicit=recipes)
        if as_json:
            out(json.dumps(s.to_dict(), indent=2, sort_keys=True))
            return
        out(f"policy {s.policy}: {s.kept_instances} of {s.instances} instance(s) kept; "
            f"{s.trajectories} trajectorie(s) kept")
        out("  bands: " + (", ".join(f"{k}={v}" for k, v in sorted(s.bands.items())) or "none"))
        out("  instances dropped: " + (", ".join(f"{k}={v}" for k, v in sorted(s.dropped_instances.items())) or "none"))
        out("  trajectories dropped: "
            + (", ".join(f"{k}={v}" for k, v in sorted(s.dropped_trajectories.items())) or "none"))
        if s.attempts_ungraded:
            out(f"  {s.attempts_ungraded} attempt(s) are ungraded and were not counted (grade them with `openswe evaluate`)")

    @curate.command()
    @handle_errors
    def rates(
        n: int = typer.Option(None, "--n", help="Count only the first n graded attempts per instance."),
        method: str = typer.Option("wilson", "--interval", help="wilson or jeffreys."),
        confidence: float = typer.Option(0.95, "--confidence"),
        workspace: Path = WorkspaceOpt,
    ) -> None:
        """Print k/n and the confidence interval per instance (tab-separated)."""
        from openswe_data.curate import pass_rates
        from openswe_data.store import Workspace

        table = pass_rates(Workspace(workspace_path(workspace)), n=n, method=method, confidence=confidence)
        out("instance_id\tresolved\tattempts\tpass_rate\tci_low\tci_high\tungraded")
        for r in table.to_pylist():
            out(f"{r['instance_id']}\t{r['n_resolved']}\t{r['n_attempts']}\t{r['pass_rate']:.3f}\t"
                f"{r['ci_low']:.3f}\t{r['ci_high']:.3f}\t{r['n_ungraded']}")

    app.add_typer(curate, name="curate")
