"""`openswe validate` and `openswe export`: environments -> validated records, and SWE-bench JSONL or Harbor tasks out."""

from __future__ import annotations

from pathlib import Path

import typer

from openswe_data.cli._common import (
    ExecutorOpt, RayAddressOpt, WorkspaceOpt, err, handle_errors, out, reap, use_executor, workspace_path,
)


def register(app: typer.Typer) -> None:
    _register_evaluate(app)

    @app.command()
    @handle_errors
    def validate(
        workspace: Path | None = WorkspaceOpt,
        ids: list[str] = typer.Option(None, "--id", help="Only these instance ids (repeatable)."),
        workers: int = typer.Option(0, help="Parallel validations (0: from cores and memory)."),
        executor: str = ExecutorOpt,
        ray_address: str = RayAddressOpt,
        reruns: int = typer.Option(4, help="Extra runs per side to detect flaky tests (more where FAIL_TO_PASS rests on one test or short runs); 0: none, the k/k gate alone."),
        k: int = typer.Option(3, "--k", help="The gate: every FAIL_TO_PASS test fails k of k runs without the fix and passes k of k with it."),
        timeout: float = typer.Option(600.0, help="Seconds per run before the container is killed."),
        memory: str = typer.Option("2g", help="Memory limit per container."),
        cpus: float = typer.Option(1.0, help="CPU limit per container."),
        pids: int = typer.Option(512, help="Process limit per container."),
        focus: bool = typer.Option(True, help="The adaptive gate's extra runs run only the FAIL_TO_PASS tests "
                                              "(--no-focus: every targeted test in every run)."),
        side_by_side: bool = typer.Option(True, help="Run the runs without and with the fix at the same time "
                                                     "(two containers, each within the limits)."),
        series: bool = typer.Option(True, help="A side's runs after its first share one container, run after run "
                                               "(--no-series: a fresh container for every run)."),
        force: bool = typer.Option(False, help="Validate again even if already validated."),
        explain: str = typer.Option(None, "--explain", metavar="INSTANCE",
                                    help="Print, for one validated instance, the commands run, the per-test table "
                                         "before/after/reruns and why the verdict was reached (runs nothing)."),
    ) -> None:
        """Run each environment's tests before and after the gold patch (no network, limits, reruns)."""
        use_executor(executor, ray_address)
        from openswe_data.store import Workspace
        from openswe_data.validate import Limits, ValidateOptions, validate_environments

        ws = Workspace(workspace_path(workspace))
        if explain:
            from openswe_data.validate.explain import explain as explain_instance

            out(explain_instance(ws, explain).rstrip("\n"))
            return
        reap(ws.path)
        opts = ValidateOptions(reruns=reruns, k=k, limits=Limits(cpus=cpus, memory=memory, pids=pids, timeout=timeout),
                               focus=focus, parallel_runs=2 if side_by_side else 1, series=series)
        s = validate_environments(ws, ids=ids or None, workers=workers, options=opts, force=force)
        out(f"valid {s.valid}, invalid {s.invalid}, skipped (already done) {s.skipped}")

    @app.command()
    @handle_errors
    def export(
        output: Path = typer.Argument(..., help="The JSONL file (swebench) or the folder of task folders (harbor)."),
        workspace: Path | None = WorkspaceOpt,
        fmt: str = typer.Option("swebench", "--format", help="swebench: one JSONL file; harbor: one Harbor task "
                                                              "folder per instance."),
        source: Path = typer.Option(None, "--source", help="harbor: a workspace or a release folder (default: the "
                                                            "workspace); a release's records pin registry digests."),
        include_invalid: bool = typer.Option(False, help="swebench: also export invalid records."),
    ) -> None:
        """Export validated records as JSONL the SWE-bench harness grades as is: SWE-bench's fields (FAIL_TO_PASS /
        PASS_TO_PASS JSON-encoded), its per-instance image, eval_type and parser name, and our eval_script; or, with
        --format harbor, as Harbor task folders (instruction, pinned image, gold solution, a no-network verifier
        running the record's eval script and parser)."""
        from openswe_data.store import Workspace

        if fmt == "harbor":
            from openswe_data.publish.harbor import export_harbor
            from openswe_data.validate.evaluate import load_records

            records = load_records(source or workspace_path(workspace))
            kinds = export_harbor(list(records.values()), output)
            out(f"wrote {sum(kinds.values())} Harbor task folder(s) to {output} "
                f"(image pinned by registry digest: {kinds['registry']}; local image tag: {kinds['local']})")
            return
        if fmt != "swebench":
            raise typer.BadParameter(f"unknown format {fmt!r}: use swebench or harbor", param_hint="--format")
        from openswe_data.publish.export import export_swebench

        n = export_swebench(Workspace(workspace_path(workspace)), output, include_invalid=include_invalid)
        out(f"wrote {n} record(s) to {output}")


def _register_evaluate(app: typer.Typer) -> None:
    @app.command()
    @handle_errors
    def evaluate(
        predictions: Path = typer.Argument(..., help="SWE-bench predictions (JSONL, a JSON list, or a preds.json keyed by instance id)."),
        source: Path = typer.Option(None, "--source", help="A workspace or a release folder (default: the workspace)."),
        workspace: Path | None = WorkspaceOpt,
        report: Path = typer.Option(None, "--report", help="Write the per-instance report here (JSON)."),
        workers: int = typer.Option(0, help="Parallel gradings."),
        executor: str = ExecutorOpt,
        ray_address: str = RayAddressOpt,
        timeout: float = typer.Option(600.0, help="Seconds per run."),
    ) -> None:
        """Grade predicted patches with each instance's own eval script in its image."""
        use_executor(executor, ray_address)
        import json

        from openswe_data.progress import counts
        from openswe_data.validate.evaluate import DockerGrader, evaluate as run, load_records, read_predictions
        from openswe_data.validate.runner import Limits

        preds, rejected = read_predictions(predictions)
        for bad in rejected:
            err(f"rejected {bad.source}: {bad.reason}: {bad.detail}")
        records = load_records(source or workspace_path(workspace))
        rep = run(records, preds, grader=DockerGrader(Limits(timeout=timeout)), workers=workers, rejected=rejected)
        for r in rep.results:
            out(f"{'RESOLVED  ' if r.resolved else 'unresolved'} {r.instance_id} [{r.model}] {r.reason}")
        s = rep.summary()
        out(f"resolved {s['resolved']} of {s['submitted']} ({s['resolved_rate']:.0%}); "
            f"unresolved: {counts(s['unresolved_reasons'])}"
            + (f"; {len(rejected)} row(s) of {predictions} rejected" if rejected else ""))
        if rep.missing_instances:
            out(f"unknown instances: {', '.join(rep.missing_instances[:10])}"
                + (f" ... and {len(rep.missing_instances) - 10} more" if len(rep.missing_instances) > 10 else ""))
        if report:
            report.write_text(rep.to_json())
