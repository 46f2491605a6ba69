"""`openswe sample`: run k agent attempts per valid instance in its environment image, grade and store them.

A thin layer over :func:`openswe_data.sample.sample`; ``--dry-run`` prints the plan and an estimated cost
without calling a model or starting a container.
"""

from __future__ import annotations

from pathlib import Path

import typer

from openswe_data.cli._common import (
    ExecutorOpt, RayAddressOpt, WorkspaceOpt, handle_errors, out, reading, reap, use_executor, workspace_path,
)


def register(app: typer.Typer) -> None:
    @app.command(name="sample")
    @handle_errors
    def _sample(
        model: str = typer.Option(None, "--model", "-m",
                                  help="litellm model name (e.g. openai/gpt-4o-mini); its key comes from the "
                                  "provider's environment variable."),
        k: int = typer.Option(4, "-k", help="Attempts per instance."),
        ids: list[str] = typer.Option(None, "--id", help="Only these instances (repeatable; default: every valid record)."),
        workers: int = typer.Option(0, "--workers", help="Attempts running at once (0: one per core, bounded by memory)."),
        executor: str = ExecutorOpt,
        ray_address: str = RayAddressOpt,
        step_limit: int = typer.Option(50, "--step-limit", help="Model calls per attempt (0: no limit)."),
        budget_usd: float = typer.Option(3.0, "--budget-usd", help="Dollars one attempt may spend (0: no limit)."),
        temperature: float = typer.Option(0.0, "--temperature", help="Sampling temperature for --model."),
        max_tokens: int = typer.Option(4096, "--max-tokens", help="Upper bound on one reply's tokens."),
        command_timeout: float = typer.Option(120.0, "--command-timeout", help="Seconds one agent command may run."),
        timeout: float = typer.Option(600.0, "--timeout", help="Seconds one grading run may take."),
        scripted: Path = typer.Option(None, "--scripted", help="YAML file of replies: run the loop offline with a "
                                      "scripted model instead of --model."),
        dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan and the estimated cost; run nothing."),
        estimate_usd: float = typer.Option(0.5, "--estimate-usd", help="Dollars an attempt is assumed to cost in --dry-run."),
        recipes: Path = typer.Option(None, "--recipes", help="Folder holding a builders/ that overrides the shipped prompts."),
        workspace: Path = WorkspaceOpt,
    ) -> None:
        """Run k agent attempts per valid instance in its image, record trajectories and costs, grade them."""
        from openswe_data.errors import ConfigError
        from openswe_data.sample import AgentConfig, LitellmModel, load_scripted, plan_sample, sample
        from openswe_data.store import Workspace
        from openswe_data.validate.runner import Limits

        if (scripted is None) == (not model):
            raise ConfigError("say which model to sample: either --model NAME or --scripted FILE.yaml "
                              "(the script's `name:` names a scripted model)")
        use_executor(executor, ray_address)
        ws = Workspace(workspace_path(workspace))
        reap(ws.path)
        if scripted is not None:
            with reading(scripted, "scripted replies file"):
                chosen = load_scripted(scripted)
        else:
            chosen = LitellmModel(model, temperature=temperature, max_tokens=max_tokens)
        if dry_run:
            out(plan_sample(ws, chosen.name, k, ids or None).describe(estimate_usd))
            out("dry run: no model was called and no container started")
            return
        config = AgentConfig(step_limit=step_limit, budget_usd=budget_usd, command_timeout=command_timeout,
                             recipes_path=str(recipes) if recipes else None)
        summary = sample(ws, chosen, k, ids or None, workers, config=config, limits=Limits(timeout=timeout))
        out(summary.describe())
        if summary.failed:
            raise typer.Exit(1)
