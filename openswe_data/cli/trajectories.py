"""`openswe trajectories`: agent-native trajectories (contextual, environmental, sampled) and verifier pairs.

A thin layer over :mod:`openswe_data.trajectories`: ``build`` makes what is missing (``--dry-run`` first
when a summary model would be paid), ``export`` writes a trainer's format, ``template`` renders one
trajectory through a chat template.
"""

from __future__ import annotations

from pathlib import Path

import typer

from openswe_data.cli._common import WorkspaceOpt, handle_errors, out, reading, workspace_path

app = typer.Typer(help="Agent-native trajectories from every PR and replays in the images; verifier pairs.",
                  no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="trajectories")


@app.command(name="build")
@handle_errors
def _build(
    kinds: list[str] = typer.Option(None, "--kind", help="contextual, environmental or sampled (repeatable; default: all)."),
    tokenizer: str = typer.Option("tiktoken:cl100k_base", "--tokenizer",
                                  help="tiktoken:cl100k_base | tiktoken:o200k_base (bundled) | hf:PATH/tokenizer.json | chars4."),
    benchmark: Path = typer.Option(None, "--benchmark", help="File of benchmark instance ids to exclude (one a line, or JSON/JSONL)."),
    cutoff: str = typer.Option(None, "--cutoff", help="Exclude PRs created after this ISO date (e.g. 2024-06-01)."),
    max_distance: int = typer.Option(3, "--max-distance", help="SimHash bits within which trajectories are near-duplicates."),
    context_budget: int = typer.Option(4000, "--context-budget", help="Tokens of imported files added to a contextual view."),
    no_repos: bool = typer.Option(False, "--no-repos", help="Do not read repositories: files come from the diff's context only."),
    replays: int = typer.Option(1, "--replays", help="Graded attempts replayed per instance and outcome (verifier pairs)."),
    pairs: int = typer.Option(2, "--pairs", help="Verifier pairs per instance at most."),
    summary_model: str = typer.Option(None, "--summary-model", help="litellm model writing an optional PR summary (paid)."),
    summary_scripted: Path = typer.Option(None, "--summary-scripted", help="YAML file of scripted summary replies (offline)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would be made and the summary calls; do nothing."),
    estimate_usd: float = typer.Option(0.002, "--estimate-usd", help="Dollars a summary call is assumed to cost in --dry-run."),
    recipes: Path = typer.Option(None, "--recipes", help="Folder holding a builders/ that overrides the shipped prompts."),
    workspace: Path = WorkspaceOpt,
) -> None:
    """Make the missing trajectories of a workspace and rebuild its verifier pairs."""
    from openswe_data.store import Workspace
    from openswe_data.trajectories import KINDS, TrajectoryOptions, build_trajectories
    from openswe_data.trajectories.plan import plan

    ws = Workspace(workspace_path(workspace))
    if benchmark is not None:
        from openswe_data.trajectories.decontam import load_benchmark

        with reading(benchmark, "benchmark list"):
            load_benchmark(benchmark)  # a bad list is refused before any work, dry run or not
    model = None
    if summary_scripted is not None:
        from openswe_data.agents import load_scripted

        with reading(summary_scripted, "scripted replies file"):
            model = load_scripted(summary_scripted)
    elif summary_model:
        from openswe_data.agents import LitellmModel

        model = LitellmModel(summary_model, max_tokens=400)
    if dry_run:
        out(plan(ws, summaries=model is not None).describe(estimate_usd))
        out("dry run: nothing was made, no container started, no model called")
        return
    opts = TrajectoryOptions(kinds=tuple(kinds or KINDS), tokenizer=tokenizer, benchmark=benchmark, cutoff=cutoff,
                             max_distance=max_distance, context_budget=context_budget, read_repos=not no_repos,
                             replays_per_label=replays, pairs_per_instance=pairs, summary_model=model,
                             recipes=str(recipes) if recipes else None)
    out(build_trajectories(ws, opts, say=out).describe())


@app.command(name="export")
@handle_errors
def _export(
    out_file: Path = typer.Argument(..., help="The JSONL file to write."),
    fmt: str = typer.Option("openai", "--format", help="openai (messages + tools), sharegpt (LLaMA-Factory) or text."),
    kinds: list[str] = typer.Option(None, "--kind", help="Only these kinds (repeatable)."),
    verifier: bool = typer.Option(False, "--verifier", help="Export the verifier pairs (with their label) instead."),
    workspace: Path = WorkspaceOpt,
) -> None:
    """Write the stored trajectories as JSONL in a trainer's format."""
    from openswe_data.store import Workspace
    from openswe_data.trajectories.export import export

    n = export(Workspace(workspace_path(workspace)), out_file, fmt, kinds=tuple(kinds or ()), verifier=verifier)
    out(f"wrote {n} row(s) to {out_file}")


@app.command(name="template")
@handle_errors
def _template(
    trajectory_id: str = typer.Argument(..., help="The trajectory to render (e.g. owner__repo-12.contextual)."),
    template: Path = typer.Option(None, "--template", help="A chat template (Jinja2) file; default: the shipped "
                                  "builders/chat_templates/chatml-tools.jinja."),
    workspace: Path = WorkspaceOpt,
) -> None:
    """Print one trajectory rendered through a chat template, with its tools."""
    from openswe_data import recipes
    from openswe_data.errors import ConfigError
    from openswe_data.store import Workspace
    from openswe_data.trajectories.records import STAGE, AgentTrajectory
    from openswe_data.trajectories.render import apply_chat_template

    ws = Workspace(workspace_path(workspace))
    t = ws.stage(STAGE, AgentTrajectory).get(trajectory_id)
    if t is None:
        raise ConfigError(f"no trajectory {trajectory_id!r} in {ws.path}",
                          hint="run `openswe trajectories build`, or list ids with `openswe query`")
    path = template or recipes.find("builders", "chat_templates/chatml-tools.jinja")
    try:
        out(apply_chat_template(Path(path), t.messages, t.tools))
    except Exception as exc:  # noqa: BLE001 - a template's own error, reported without a traceback
        raise ConfigError(f"the chat template {path} failed: {type(exc).__name__}: {exc}") from None
