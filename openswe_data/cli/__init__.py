"""The ``openswe`` command: one typer sub-command (or sub-app) per stage, each a thin layer over the library.

Command modules are listed in ``COMMAND_MODULES``; each defines ``register(app)``. They import only typer
and rich at module level, so ``openswe --help`` stays fast; the library (and its heavy dependencies) is
imported inside each command.
"""

from __future__ import annotations

import importlib

import click
import typer
from typer.core import TyperGroup

COMMAND_MODULES = (
    "openswe_data.cli.doctor",
    "openswe_data.cli.collect",
    "openswe_data.cli.build",
    "openswe_data.cli.validate",
    "openswe_data.cli.revalidate",
    "openswe_data.cli.curate",
    "openswe_data.cli.trajectories",
    "openswe_data.cli.analyze",
    "openswe_data.cli.publish",
    "openswe_data.cli.images",
    "openswe_data.cli.sample",
    "openswe_data.cli.pipeline",
    "openswe_data.cli.recipes",
)

HELP_ORDER = ("doctor", "images", "collect", "build", "validate", "export", "evaluate", "sample", "curate",
              "trajectories", "report", "query", "publish", "run", "clean", "recipes")
"""How ``openswe --help`` lists commands: the data flow first, then the tools (others after, by name)."""


class _DataFlowGroup(TyperGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        names = super().list_commands(ctx)
        rank = {name: i for i, name in enumerate(HELP_ORDER)}
        return sorted(names, key=lambda n: (rank.get(n, len(rank)), n))


def make_app() -> typer.Typer:
    app = typer.Typer(
        name="openswe",
        cls=_DataFlowGroup,
        help="Crawled pull requests -> validated Docker environments -> curated, published releases.\n\n"
        "Data flow: collect -> build -> validate -> curate -> trajectories -> report -> publish; every stage reads and "
        "writes a workspace folder (--workspace, default $OPENSWE_WORKSPACE or ./workspace).",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def _root(
        version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True),
    ) -> None:
        from openswe_data.settings import install_log_scrubber

        install_log_scrubber()
        if version:
            from openswe_data import __version__

            typer.echo(__version__)
            raise typer.Exit()

    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)
    return app


class _ScrubbedStream:
    """A text stream that scrubs secrets from what is written (``settings.scrub``): whatever a command or a
    library prints, no secret reaches the terminal."""

    def __init__(self, stream: object) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        from openswe_data.settings import scrub

        return self._stream.write(scrub(text))  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def main() -> None:
    import sys

    sys.stdout = _ScrubbedStream(sys.stdout)  # type: ignore[assignment]
    sys.stderr = _ScrubbedStream(sys.stderr)  # type: ignore[assignment]
    make_app()()
