"""`openswe build` and `openswe clean`: tasks -> environment images, and pruning what we made."""

from __future__ import annotations

from pathlib import Path

import typer

from openswe_data.cli._common import (
    ExecutorOpt, RayAddressOpt, WorkspaceOpt, handle_errors, out, reading, reap, use_executor, workspace_path,
)


def register(app: typer.Typer) -> None:
    @app.command()
    @handle_errors
    def build(
        workspace: Path | None = WorkspaceOpt,
        ids: list[str] = typer.Option(None, "--id", help="Only these instance ids (repeatable)."),
        workers: int = typer.Option(0, help="Parallel builds (0: from cores and memory)."),
        executor: str = ExecutorOpt,
        ray_address: str = RayAddressOpt,
        force: bool = typer.Option(False, help="Rebuild images even when the content hash is unchanged."),
        retry_failed: bool = typer.Option(False, "--retry-failed", help="Try failed instances again."),
        keep_context: bool = typer.Option(False, help="Keep build contexts of successful builds."),
        python: list[str] = typer.Option(None, "--python", help="Only use these base-image Pythons."),
        repair_model: str = typer.Option(None, "--repair-model", hidden=True,
                                         help="Retired: use --agents MODEL.yaml (docs/agents.md)."),
        repair_scripted: Path = typer.Option(None, "--repair-scripted", hidden=True,
                                             help="Retired: use --agents with provider: scripted."),
        pin_date: bool = typer.Option(False, "--pin-date", help="Resolve dependencies as of each PR's creation date (uv --exclude-newer)."),
        test_timeout: int = typer.Option(60, "--test-timeout", help="Seconds one test may run before it fails alone (pytest-timeout; 0: none)."),
        open_loop: bool = typer.Option(False, "--open-loop",
                                       help="One heuristic build per task: no diagnosis, no rules, no validation probe."),
        loop_attempts: int = typer.Option(5, "--loop-attempts", help="Turns of the closed loop per instance (build, probe, diagnose, fix)."),
        loop_seconds: float = typer.Option(1800.0, "--loop-seconds", help="Wall time per instance after which no new turn starts."),
        memory: bool = typer.Option(True, "--memory/--no-memory", help="Seed an instance with the recipe that validated its repository before."),
        agents_config: Path = typer.Option(None, "--agents", help="Enable the agent tier with this model config (YAML: provider, model, api_base, ...; docs/agents.md)."),
        agent_usd: float = typer.Option(1.0, "--agent-usd", help="Most the agents may spend on one instance."),
        agent_repo_usd: float = typer.Option(5.0, "--agent-repo-usd", help="Most the agents may spend on one repository."),
        agent_turns: int = typer.Option(3, "--agent-turns", help="Agent turns per instance."),
        agent_repo_turns: int = typer.Option(12, "--agent-repo-turns", help="Agent turns per repository."),
        agent_review: bool = typer.Option(True, "--agent-review/--no-agent-review", help="Have the test-analysis agent review every pass for legitimacy."),
        agents_record: Path = typer.Option(None, "--agents-record", help="Append every paid agent call to this JSON-lines recording (replay it with provider: replay)."),
        dry_run: bool = typer.Option(False, "--dry-run", help="With --agents: print the agents' estimated spend from the ledger's history and build nothing."),
    ) -> None:
        """Build a Docker environment for every task in the workspace (resumes; reuses unchanged images).

        By default each build goes through the closed loop: build, a quick validation probe, and on an
        environment failure a diagnosis by the rules in builders/rules and a rebuild with the fix, every turn
        recorded in build_attempts."""
        from openswe_data.errors import ConfigError

        if repair_model or repair_scripted:
            raise ConfigError(
                "--repair-model and --repair-scripted are retired: the agent tier repairs builds now (its Dockerfile "
                "agent proposes typed fixes or a checked edit of the Dockerfile), every call through the llm_calls "
                "ledger, the call cache and the budgets",
                hint=f"write a model file (provider: litellm, model: {repair_model or 'NAME'}; or provider: scripted "
                     "with replies) and pass --agents FILE; see docs/agents.md")
        use_executor(executor, ray_address)
        from openswe_data.build import BuildOptions, build_environments
        from openswe_data.build.network import check_network_settings
        from openswe_data.store import Workspace

        check_network_settings()
        ws = Workspace(workspace_path(workspace))
        reap(ws.path)
        opts = BuildOptions(force=force, keep_context=keep_context, pythons=list(python or []),
                            pin_to_pr_date=pin_date, test_timeout=test_timeout)
        tier = None
        if agents_config or dry_run:
            from openswe_data.repair.tier import AgentBudget, AgentOptions, AgentTier

            if open_loop or not agents_config:
                raise ConfigError("the agent tier (and its --dry-run) needs --agents CONFIG and the closed loop",
                                  hint="drop --open-loop and give a model config file")
            budget = AgentBudget(turns_per_instance=agent_turns, usd_per_instance=agent_usd,
                                 turns_per_repo=agent_repo_turns, usd_per_repo=agent_repo_usd)
            if dry_run:
                from openswe_data.repair import to_build
                from openswe_data.repair.spend import plan_spend

                todo, _ = to_build(ws, ids=ids or None, force=force, retry_failed=retry_failed)
                for line in plan_spend(ws, todo, budget).lines():
                    out(line)
                return
            from openswe_data.agents import load_model

            with reading(agents_config, "model config"):
                model = load_model(agents_config)
            tier = AgentTier(model, workspace=ws, record_to=agents_record,
                             options=AgentOptions(budget=budget, review=agent_review))
        if not open_loop:
            from openswe_data.repair import LoopOptions, build_with_loop

            loop = LoopOptions(max_attempts=loop_attempts, max_seconds=loop_seconds, memory=memory)
            s = build_with_loop(ws, ids=ids or None, workers=workers, options=opts, loop=loop,
                                retry_failed=retry_failed, agents=tier)
            out(f"built {s.built}, failed {s.failed}, skipped (already done) {s.skipped}; valid in the loop's probe "
                f"{s.valid_in_loop}, rescued by a rule {s.rescued}, seeded from memory {s.seeded}")
            for rule, n in sorted(s.rules.items(), key=lambda kv: -kv[1]):
                out(f"  rule {rule}: fired {n}")
            if tier is not None:
                out(f"agent tier: rescued {s.agent_rescued}, {s.agent_calls} call(s) ({tier.ledger.paid_calls} paid), "
                    f"${s.agent_usd:.4f}; candidate rules in {ws.path / 'candidate_rules'}")
        else:
            s = build_environments(ws, ids=ids or None, workers=workers, options=opts, retry_failed=retry_failed)
            out(f"built {s.built}, failed {s.failed}, skipped (already done) {s.skipped}")

    @app.command()
    @handle_errors
    def clean(
        workspace: Path | None = WorkspaceOpt,
        budget_gb: float = typer.Option(None, "--budget-gb", help="Prune environment images down to this size."),
        all_images: bool = typer.Option(False, "--all", help="Prune every environment image we made, and the head images they are built on."),
        base: bool = typer.Option(False, "--base", help="Base images may be pruned too."),
        dry_run: bool = typer.Option(False, "--dry-run", help="Only print what would be removed."),
    ) -> None:
        """Remove leftover containers and prune environment images (only those labelled openswe.managed)."""
        from openswe_data.build.clean import clean as do_clean
        from openswe_data.errors import WorkspaceNotFound
        from openswe_data.store import Workspace

        keep: set[str] = set()
        try:
            ws = Workspace(workspace_path(workspace))
            keep = {r.image_name for r in ws.stage("records") if r.verdict == "valid"}
        except WorkspaceNotFound:
            pass
        budget = int(budget_gb * 1e9) if budget_gb is not None else None
        plan = do_clean(budget_bytes=budget, keep=keep, include_base=base, all_images=all_images, dry_run=dry_run)
        verb = "would remove" if dry_run else "removed"
        out(f"{verb} {len(plan.containers)} container(s), {len(plan.images)} image(s), "
            f"{plan.bytes_freed / 1e9:.2f} GB of {plan.env_bytes_before / 1e9:.2f} GB")
        for name in plan.containers + plan.images:
            out(f"  {name}")
        for problem in plan.errors:
            out(f"  not removed: {problem}")
