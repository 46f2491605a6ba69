"""Shared CLI plumbing: the workspace option, error-to-exit-code mapping, consoles."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer

F = TypeVar("F", bound=Callable[..., Any])

EXIT_NOT_BUILT = 3

WorkspaceOpt = typer.Option(
    None, "--workspace", "-w", help="Workspace folder (default: $OPENSWE_WORKSPACE or ./workspace).",
)


def workspace_path(value: Path | None) -> Path:
    if value is not None:
        return value
    from openswe_data.settings import Settings

    return Path(Settings().workspace)


def err(message: str) -> None:
    """Print to stderr with secrets scrubbed."""
    from openswe_data.settings import scrub

    typer.echo(scrub(message), err=True)


def out(message: str) -> None:
    from openswe_data.settings import scrub

    typer.echo(scrub(message))


def handle_errors(fn: F) -> F:
    """Turn library errors into a clear message and the error's exit code (no traceback).

    Also shows live progress of every stage the command runs (on stderr) and, when it returns, the
    failures those stages met as a reason -> count table naming the first instances and their logs."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from openswe_data import progress
        from openswe_data.errors import OpensweError

        try:
            with progress.display() as shown:
                result = fn(*args, **kwargs)
            for line in progress.failure_table(shown.trackers):
                out("  " + line)
            return result
        except OpensweError as exc:
            err(f"error [{exc.reason}]: {exc}")
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err("interrupted; completed results are kept, re-run the same command to resume")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def not_built(command: str, issue: int) -> None:
    err(f"`openswe {command}` is not built yet (tracked in issue {issue}).")
    sys.exit(EXIT_NOT_BUILT)
