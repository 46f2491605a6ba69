"""Shared CLI plumbing: the workspace and executor options, error-to-exit-code mapping, consoles."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import typer

F = TypeVar("F", bound=Callable[..., Any])

EXIT_NOT_BUILT = 3
EXIT_BAD_INPUT = 2
"""A missing, empty or malformed input file, like a bad flag (``InputFileError.exit_code``)."""

WorkspaceOpt = typer.Option(
    None, "--workspace", "-w", help="Workspace folder (default: $OPENSWE_WORKSPACE or ./workspace).",
)

ExecutorOpt = typer.Option(None, "--executor", help="Where the work runs: local (default) or ray ($OPENSWE_EXECUTOR).")
RayAddressOpt = typer.Option(
    None, "--ray-address", help="With --executor ray: local (start one here), auto, HOST:PORT of the head, or "
                                "ray://HOST:10001 ($OPENSWE_RAY_ADDRESS; default local).",
)


def use_executor(executor: str | None, ray_address: str | None) -> None:
    """Apply ``--executor`` / ``--ray-address`` to this run: they set ``OPENSWE_EXECUTOR`` /
    ``OPENSWE_RAY_ADDRESS``, which every stage's executor reads (and which travel to the cluster's tasks)."""
    import os

    from openswe_data.errors import ConfigError

    if executor is not None:
        if executor not in ("local", "ray"):
            raise ConfigError(f"unknown executor {executor!r}", hint="use --executor local or --executor ray")
        os.environ["OPENSWE_EXECUTOR"] = executor
    if ray_address is not None:
        os.environ["OPENSWE_RAY_ADDRESS"] = ray_address
        os.environ.setdefault("OPENSWE_EXECUTOR", "ray")


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
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as exc:
            # A file named on the command line that a reader opened without checking first.
            reason = "input_not_found" if isinstance(exc, FileNotFoundError) else "bad_input"
            err(f"error [{reason}]: {exc.filename or exc}: {exc.strerror or exc}")
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except UnicodeDecodeError as exc:
            err(f"error [bad_input]: an input file is not UTF-8 text ({exc.reason} at byte {exc.start})")
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except KeyboardInterrupt:
            err("interrupted; completed results are kept, re-run the same command to resume")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def reap(workspace: Path, *, release: Path | None = None, containers: bool = True) -> None:
    """Remove what a killed run left (containers, publish staging folders) and say so."""
    from openswe_data.debris import reap_debris

    said = reap_debris(workspace, release=release, containers=containers).describe()
    if said:
        err(said)


def check_inputs(paths: list[Path] | Path | None, what: str, *, folders: bool = False) -> None:
    """Refuse, before any work, a named input file that is missing or empty (exit 2, one line each).
    ``folders``: a folder is a valid input too (its files are searched)."""
    from openswe_data.errors import InputFileError, InputFileNotFound

    for path in [paths] if isinstance(paths, Path) else (paths or []):
        if not path.exists():
            raise InputFileNotFound(f"{what} {path} does not exist")
        if path.is_dir():
            if not folders:
                raise InputFileError(f"{what} {path} is a folder; give a file")
            continue
        if path.stat().st_size == 0:
            raise InputFileError(f"{what} {path} is empty")


@contextmanager
def reading(path: Path, what: str) -> Iterator[None]:
    """Read one input file: missing or empty is refused up front, and a library error raised while reading
    it is a bad-input error (exit 2) with the library's message."""
    from openswe_data.errors import InputFileError, OpensweError

    check_inputs(path, what)
    try:
        yield
    except InputFileError:
        raise
    except OpensweError as exc:
        raise InputFileError(exc.message, reason="bad_input", hint=exc.hint) from None


def not_built(command: str, issue: int) -> None:
    err(f"`openswe {command}` is not built yet (tracked in issue {issue}).")
    sys.exit(EXIT_NOT_BUILT)
