"""Toolchains: everything specific to a language or test runner, behind one small interface.

A ``Toolchain`` reads a repository's setup facts, chooses the test targets of a test patch, writes the test
command, parses a run's results and names the tests a patch changes. Build, validate, grading and the loop
only talk to this interface, and the record's ``log_parser`` names the parser that reads its runs — so a
second runner or language is a new folder here (with its recipes in ``builders/``), not edits across stages.

Selection: ``select(root)`` picks the toolchain for a snapshot (today: Python; ``runner`` chooses pytest or
unittest), ``get(name)`` returns one by name, ``parser(log_parser)`` the parser a record names.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from openswe_data.errors import BuildError


class Toolchain(Protocol):
    name: str
    """The toolchain's name (``python``)."""
    log_parser: str
    """The parser its runs are read with; stored in the record's ``log_parser``."""
    runner_word: str
    """A word every test command of this toolchain contains (the eval-script check looks for it)."""
    runner_packages: tuple[str, ...]
    """The runner's own packages, resolved with the dependencies when a build is pinned to a date."""
    names_its_targets: bool
    """Whether the test command names each targeted file (false for a repository script that runs it all)."""
    regenerated: str
    """Paths a run regenerates that never decide a test (a POSIX extended regular expression over `git
    status --porcelain` lines: Python's bytecode caches): a validation's runs in series ignore them when
    they check that a run left the checkout as it found it."""

    def read_facts(self, root: Path, test_files: list[str] | None = None) -> Any: ...

    def targets(self, test_patch: str, root: Path | None = None) -> list[str]: ...

    def test_command(self, targets: list[str], options: list[str] | None = None) -> str: ...

    def parse(self, result: object, test_files: list[str] | tuple[str, ...] = ()) -> Any: ...

    def changed_tests(self, test_patch: str) -> set[str] | None:
        """Names of the tests ``test_patch`` adds or edits; empty when it changes none (only comments),
        ``None`` when unknown."""
        ...

    def imports(self, root: Path) -> set[str]:
        """Top-level modules the repository's own code, tests and build script import."""
        ...

    def snapshot_sets(self, root: Path) -> dict[str, set[str]]:
        """Named sets of names read from a snapshot that diagnosis rules may check a matched name against
        (``only_if``/``unless``), beside its imports."""
        ...

    def reported(self, test_id: str, result: object) -> bool: ...


def get(name: str, runner: str = "pytest", root: Path | None = None) -> Toolchain:
    """The toolchain called ``name`` with its test ``runner`` (``root``: the snapshot, which a runner such as
    the repository's own ``script`` reads its command from)."""
    if name == "python":
        from openswe_data.toolchains.python import PythonToolchain

        return PythonToolchain(runner, root)
    raise BuildError(f"no toolchain called {name!r}", hint="known toolchains: python")


def select(root: Path, runner: str = "pytest") -> Toolchain:
    """The toolchain for the snapshot at ``root`` (every repository we take today is Python); a ``BuildError``
    with reason ``runner_unavailable`` when the snapshot has nothing ``runner`` can run."""
    return get("python", runner, root)


def parser(log_parser: str) -> Callable[..., Any]:
    """The parse function a record's ``log_parser`` names (``pytest``, ``unittest``; a published record's
    SWE-bench form ``parse_log_pytest`` names the same one)."""
    from openswe_data.toolchains.python import PARSERS

    try:
        return PARSERS[log_parser.removeprefix("parse_log_")]
    except KeyError:
        raise BuildError(f"no log parser called {log_parser!r}", hint=f"known parsers: {', '.join(PARSERS)}") from None


def for_parser(log_parser: str) -> Toolchain:
    """The toolchain whose runner's results ``log_parser`` reads (a record names its parser, not its toolchain)."""
    parser(log_parser)  # an unknown name fails here, with the known ones
    return get("python", log_parser.removeprefix("parse_log_"))
