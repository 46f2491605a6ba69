"""`openswe report` and `openswe query`: thin commands over ``openswe_data.analyze``.

``report`` writes the Markdown/HTML report with plots (or prints one named report); ``query`` runs any SQL
over the workspace's views. Both read a workspace, or a release folder given with ``--release``.
"""

from __future__ import annotations

from pathlib import Path

import typer

from openswe_data.cli._common import WorkspaceOpt, handle_errors, out, workspace_path

FormatOpt = typer.Option("table", "--format", "-f", help="table, csv or json (JSON Lines).")
ReleaseOpt = typer.Option(
    None, "--release", help="Read a published release folder (data/<config>/*.parquet) instead of the workspace."
)
RecipesOpt = typer.Option(None, "--recipes", help="A folder holding analysis/ to use instead of the shipped SQL.")


def _source(workspace: Path | None, release: Path | None) -> Path:
    return release if release is not None else workspace_path(workspace)


def _check_format(fmt: str) -> None:
    from openswe_data.analyze.output import FORMATS
    from openswe_data.errors import ConfigError

    if fmt not in FORMATS:
        raise ConfigError(f"unknown --format {fmt!r}; use one of {', '.join(FORMATS)}")


def register(app: typer.Typer) -> None:
    @app.command()
    @handle_errors
    def report(
        name: str = typer.Argument(None, help="Print only this report (see --list); default: write the documents."),
        workspace: Path | None = WorkspaceOpt,
        release: Path | None = ReleaseOpt,
        out_dir: Path = typer.Option(None, "--out", "-o", help="Folder for the documents (default: <workspace>/report)."),
        fmt: str = FormatOpt,
        list_: bool = typer.Option(False, "--list", help="List the reports and the SQL file of each."),
        recipes: Path | None = RecipesOpt,
    ) -> None:
        """Write the Markdown/HTML report with plots (DuckDB over the workspace), or print one report."""
        from openswe_data import analyze
        from openswe_data.analyze.output import render

        if list_:
            for report_name, path in analyze.list_reports(recipes=recipes).items():
                out(f"{report_name}\t{path}")
            return
        source = _source(workspace, release)
        if name:
            _check_format(fmt)
            out(render(analyze.run_report(name, source, recipes=recipes), fmt))
            return
        files = analyze.write_report(source, out_dir or source / "report", recipes=recipes)
        out(f"wrote {files.markdown}")
        out(f"wrote {files.html} ({len(files.plots)} plots, {len(files.tables)} CSV tables)")

    @app.command()
    @handle_errors
    def query(
        sql: str = typer.Argument(..., help="SQL over the views: prs, tasks, environments, validations, records, "
                                            "attempts, curated, trajectories, llm_calls, releases, rejects."),
        workspace: Path | None = WorkspaceOpt,
        release: Path | None = ReleaseOpt,
        fmt: str = FormatOpt,
        max_rows: int = typer.Option(50, "--max-rows", help="Rows shown by --format table (csv/json: all)."),
        timeout: float = typer.Option(120.0, "--timeout", help="Seconds before a restricted query is stopped."),
        memory: str = typer.Option("2GB", "--memory", help="Memory limit of a restricted query."),
        unrestricted: bool = typer.Option(
            False, "--unrestricted",
            help="Full DuckDB for the local owner: any file, COPY/ATTACH/INSTALL/SET, no time or memory limit."),
    ) -> None:
        """Run SQL over the workspace's DuckDB views; print a table, CSV or JSON Lines.

        By default a query is restricted: SELECT/EXPLAIN only, file access limited to the workspace (or
        release), no extensions, configuration locked, bounded by --timeout and --memory."""
        from openswe_data import analyze
        from openswe_data.analyze.output import render
        from openswe_data.analyze.reports import QueryLimits

        _check_format(fmt)
        limits = None if unrestricted else QueryLimits(seconds=timeout, memory=memory)
        out(render(analyze.query(_source(workspace, release), sql, limits=limits), fmt, max_rows=max_rows))
