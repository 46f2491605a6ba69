"""`openswe collect`: crawled pull requests -> tasks, with a funnel of drop reasons.

A thin layer over ``openswe_data.collect``: parse options, call the library, print the funnel.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from openswe_data.cli._common import WorkspaceOpt, check_inputs, err, handle_errors, out, workspace_path

FiltersOpt = typer.Option(None, "--filters", help="YAML/TOML file of collect settings (see docs/collect.md).")
ExcludeOpt = typer.Option(None, "--exclude", help="Exclusion list: instance ids and/or owner/name repos "
                                                  "(text, JSON, YAML, or a SWE-bench task file).")
RepoRootOpt = typer.Option(None, "--repo-root", help="owner/name=FOLDER, or a folder of mirrors named owner__name, "
                                                     "owner+name, owner/name or name (repeatable): use local "
                                                     "repositories instead of URLs.")


def _setup(workspace: Path | None, filters: Path | None, exclude: Path | None) -> tuple[Any, Any]:
    from openswe_data.collect import load_config
    from openswe_data.store import Workspace

    return Workspace(workspace_path(workspace), create=True), load_config(filters, exclude)


def _report(funnel: Any, ws: Any, roots: Any = None) -> None:
    from openswe_data.collect.funnel import FUNNEL_FILE, load_funnel

    if roots is not None and (roots.resolved or roots.missed):
        out("repositories:")
        for line in roots.describe():
            out(f"  {line}")

    saved = load_funnel(ws)
    out(funnel.render(saved["totals"] if saved else None))
    out(f"funnel saved to {ws.path / FUNNEL_FILE}")


def register(app: typer.Typer) -> None:
    collect = typer.Typer(help="Turn crawled pull requests into tasks (filters with reasons, fix/test split).",
                          no_args_is_help=True)

    @collect.command("dump")
    @handle_errors
    def dump(
        files: list[Path] = typer.Argument(..., help="Crawled-PR dump files (JSONL, one PR a line)."),
        workspace: Path | None = WorkspaceOpt,
        filters: Path | None = FiltersOpt,
        exclude: Path | None = ExcludeOpt,
        repo_root: list[str] | None = RepoRootOpt,
    ) -> None:
        """Import crawled-PR dump files; re-running skips what is done."""
        from openswe_data.collect import collect_dump, parse_repo_roots

        check_inputs(files, "dump file")
        ws, config = _setup(workspace, filters, exclude)
        roots = parse_repo_roots(repo_root or [])
        _report(collect_dump(files, ws, config, repo_roots=roots), ws, roots)

    @collect.command("swebench")
    @handle_errors
    def swebench(
        path: Path = typer.Argument(..., help="SWE-bench-style tasks: JSONL, Parquet, or a dataset folder."),
        workspace: Path | None = WorkspaceOpt,
        filters: Path | None = FiltersOpt,
        exclude: Path | None = ExcludeOpt,
        repo_root: list[str] | None = RepoRootOpt,
    ) -> None:
        """Import SWE-bench / SWE-Gym / SWE-rebench task files as tasks."""
        from openswe_data.collect import collect_swebench, parse_repo_roots

        check_inputs(path, "task file", folders=True)
        ws, config = _setup(workspace, filters, exclude)
        roots = parse_repo_roots(repo_root or [])
        _report(collect_swebench(path, ws, config, repo_roots=roots), ws, roots)

    @collect.command("github")
    @handle_errors
    def github(
        language: str | None = typer.Option(None, help="Repository language to search for and accept "
                                                       "(default: the filters' first language, Python)."),
        min_stars: int | None = typer.Option(None, help="Fewest stars for a repository, searched and filtered "
                                                        "(default: the filters' min_stars, 5)."),
        since: str = typer.Option("2024-01-01", help="Only PRs merged on or after this date."),
        max_repos: int = typer.Option(100, help="Most repositories to crawl."),
        max_prs_per_repo: int = typer.Option(0, help="Most merged PRs per repository (0: no limit)."),
        repo: list[str] | None = typer.Option(None, "--repo", help="Crawl this owner/name (repeatable) "
                                                                   "instead of searching."),
        record: Path | None = typer.Option(None, help="Also write every GitHub answer to this recording file."),
        replay: Path | None = typer.Option(None, help="Answer from a recording instead of the network."),
        workspace: Path | None = WorkspaceOpt,
        filters: Path | None = FiltersOpt,
        exclude: Path | None = ExcludeOpt,
    ) -> None:
        """Crawl GitHub (token from GITHUB_TOKEN); resumable: re-run the same command after a crash."""
        import dataclasses

        from openswe_data.collect.crawl import CrawlQuery, collect_github
        from openswe_data.collect.github import HttpxTransport
        from openswe_data.collect.replay import RecordingTransport, ReplayTransport

        ws, config = _setup(workspace, filters, exclude)
        if min_stars is not None:
            config = dataclasses.replace(config, min_stars=min_stars)
        if language is not None:
            config = dataclasses.replace(config, languages=[language])
        transport: Any = ReplayTransport(replay) if replay else HttpxTransport()
        if record:
            transport = RecordingTransport(transport, record)
        query = CrawlQuery(language=(config.languages or ["Python"])[0], min_stars=config.min_stars, since=since, max_repos=max_repos,
                           max_prs_per_repo=max_prs_per_repo, repos=list(repo or []))
        _report(collect_github(ws, config, query, transport=transport, log=err), ws)

    @collect.command("git")
    @handle_errors
    def git(
        source: str = typer.Argument(..., help="A local git repository (bare or not) or a clone URL."),
        rev: str = typer.Option("HEAD", help="Walk the first-parent history of this branch, tag or sha."),
        since: str | None = typer.Option(None, help="Only commits committed on or after this date."),
        until: str | None = typer.Option(None, help="Only commits committed on or before this date."),
        limit: int = typer.Option(0, help="Most commits to examine, newest first (0: all)."),
        repo: str | None = typer.Option(None, "--repo", help="owner/name of the repository (default: from the "
                                                             "URL, or an owner+name / owner__name folder)."),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="Print each commit's outcome."),
        workspace: Path | None = WorkspaceOpt,
        filters: Path | None = FiltersOpt,
        exclude: Path | None = ExcludeOpt,
    ) -> None:
        """Mine merge and squash commits of a repository's main line (no GitHub API); resumable."""
        from openswe_data.collect import GitQuery, collect_git

        if limit < 0:
            err("--limit must be 0 (no limit) or more")
            raise typer.Exit(2)
        ws, config = _setup(workspace, filters, exclude)
        query = GitQuery(rev=rev, since=since, until=until, limit=limit, repo=repo)
        _report(collect_git(source, ws, config, query, log=err if verbose else None), ws)

    @collect.command("funnel")
    @handle_errors
    def funnel(workspace: Path | None = WorkspaceOpt) -> None:
        """Print the saved funnel of the last collect run and the workspace totals."""
        import json

        from openswe_data.collect.funnel import load_funnel
        from openswe_data.store import Workspace

        saved = load_funnel(Workspace(workspace_path(workspace)))
        if saved is None:
            err("no funnel saved yet: run `openswe collect dump|swebench|github` first")
            raise typer.Exit(1)
        out(json.dumps(saved, indent=2))

    app.add_typer(collect, name="collect")
