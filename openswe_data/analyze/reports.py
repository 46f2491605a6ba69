"""Named SQL reports (``analysis/*.sql``) and free queries -> Arrow tables or pandas frames.

Input: a workspace or release folder (or an open connection from ``connect``) and a report name or SQL.
Output: the result as ``pyarrow.Table`` (default) or ``pandas.DataFrame``.

Why: reports are recipe files a maintainer edits without reading Python; they name only the views that
``connect`` registers, so the same SQL runs on a workspace and on a published release.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openswe_data.errors import AnalyzeError

SUFFIX = ".sql"
READ_ONLY_STATEMENTS = ("SELECT", "EXPLAIN")
"""What a restricted query may run: no COPY, ATTACH, INSTALL/LOAD, SET, PRAGMA, CREATE, EXPORT, CALL."""


@dataclass(frozen=True)
class QueryLimits:
    """Bounds on a restricted query (``openswe query`` without ``--unrestricted``)."""

    seconds: float = 120.0
    """Wall-clock time before the query is interrupted."""
    memory: str = "2GB"
    """DuckDB's memory limit; nothing spills to disk."""
    threads: int = 2
    """Threads DuckDB may use."""


def connect(path: str | Path, *, threads: int | None = None, memory_limit: str | None = None,
            restricted: bool = False) -> Any:
    """A DuckDB connection (in memory) with the workspace's or release's views registered.

    ``restricted``: after the views are registered, file access is limited to ``path`` (reading any other
    file, the network and extensions are refused), spilling to disk is off, and the configuration is
    locked so a query cannot lift any of it.
    """
    import duckdb

    from openswe_data.analyze.views import register

    con = duckdb.connect(":memory:")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        con.execute("SET memory_limit = ?", [memory_limit])
    register(con, path)
    if restricted:
        root = str(Path(path).resolve()).rstrip("/") + "/"
        for statement, args in (("SET autoinstall_known_extensions = false", None),
                                ("SET autoload_known_extensions = false", None),
                                ("SET temp_directory = ''", None),
                                ("SET allowed_directories = ?", [[root]]),
                                ("SET enable_external_access = false", None),
                                ("SET lock_configuration = true", None)):
            con.execute(statement, args)
    return con


def list_reports(*, recipes: str | Path | None = None) -> dict[str, Path]:
    """Every report by name (``funnel``, ``cost_by_stage``, ...) and the SQL file it comes from."""
    from openswe_data import recipes as lib

    return {
        Path(name).stem: path
        for name, path in lib.listing("analysis", explicit=recipes).items()
        if name.endswith(SUFFIX) and "/" not in name
    }


def report_sql(name: str, *, recipes: str | Path | None = None) -> str:
    """The SQL text of the report ``name``."""
    reports = list_reports(recipes=recipes)
    if name not in reports:
        raise AnalyzeError(
            f"no report named {name!r}",
            reason="unknown_report",
            hint=f"known reports: {', '.join(reports) or '(none)'}; see analysis/README.md",
        )
    return reports[name].read_text(encoding="utf-8")


def _con(source: Any, limits: QueryLimits | None) -> tuple[Any, bool]:
    """``source`` as a connection, and whether we opened it (and so must close it)."""
    if isinstance(source, (str, Path)):
        if limits is None:
            return connect(source), True
        return connect(source, threads=limits.threads, memory_limit=limits.memory, restricted=True), True
    return source, False


def query(source: Any, sql: str, *, as_pandas: bool = False, limits: QueryLimits | None = None) -> Any:
    """Run ``sql`` against the views of ``source`` (a workspace/release path or a connection).

    ``limits``: run restricted (only SELECT/EXPLAIN statements, file access limited to ``source``, no
    extensions, configuration locked, bounded time, memory and threads); ``openswe query`` always passes
    them unless the owner asks for ``--unrestricted``.
    """
    import duckdb

    con, owned = _con(source, limits)
    timer = None
    try:
        if limits is not None:
            refused = [s.type.name for s in con.extract_statements(sql) if s.type.name not in READ_ONLY_STATEMENTS]
            if refused:
                raise AnalyzeError(f"{', '.join(refused)} statements are not allowed here", reason="query_refused",
                                   hint="queries read the views (SELECT); run with --unrestricted for full DuckDB")
            timer = threading.Timer(limits.seconds, con.interrupt)
            timer.start()
        result = con.sql(sql)
        if result is None:
            raise AnalyzeError("the statement returned no rows to show", reason="no_result",
                               hint="`openswe query` is for SELECT queries over the views")
        return result.df() if as_pandas else result.to_arrow_table()
    except duckdb.InterruptException:
        raise AnalyzeError(f"the query ran longer than {limits.seconds:g}s and was stopped", reason="query_timeout",
                           hint="narrow it, or raise --timeout") from None
    except duckdb.Error as exc:
        hint = "views: " + ", ".join(view_names(con))
        if limits is not None and "disabled by configuration" in str(exc):
            hint = "restricted queries read only the views and files of this workspace; --unrestricted lifts it"
        raise AnalyzeError(f"query failed: {exc}", reason="bad_query", hint=hint) from None
    finally:
        if timer is not None:
            timer.cancel()
        if owned:
            con.close()


def run_report(name: str, source: Any, *, as_pandas: bool = False, recipes: str | Path | None = None) -> Any:
    """Run the named report against ``source`` (a workspace/release path or a connection)."""
    sql = report_sql(name, recipes=recipes)
    try:
        return query(source, sql, as_pandas=as_pandas)
    except AnalyzeError as exc:
        raise AnalyzeError(f"report {name!r}: {exc.message}", reason=exc.reason, hint=exc.hint) from None


def view_names(con: Any) -> list[str]:
    """The views a report or query may name."""
    rows = con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal AND NOT starts_with(view_name, '_') "
        "ORDER BY view_name"
    ).fetchall()
    return [r[0] for r in rows]
