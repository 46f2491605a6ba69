"""The Python toolchain: setup facts from packaging files, targets from the test patch and pytest's own
configuration, the pytest command, and results from the runner's JUnit file (``-rA`` as the fallback).

Modules: ``facts`` (what to install, which Python), ``targets`` (which test modules to run, which tests a
patch changes), ``pytest_results`` and ``unittest_results`` (a run -> per-test statuses, one per runner:
the recipe's ``runner`` picks the command and the record's ``log_parser`` the parser). The command's options that undo
repository settings which are not about tests are explained in ``test_command``.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from openswe_data import conventions as C
from openswe_data.toolchains.python import pytest_results, unittest_results
from openswe_data.toolchains.python.commands import RepoCommand, repository_test_command

OPTIONS_VAR = "OPENSWE_PYTEST_OPTS"
"""The shell variable holding the options that depend on the image (per-test timeout, coverage off)."""

PARSERS = {"pytest": pytest_results.parse_result, "unittest": unittest_results.parse_result}
"""``log_parser`` name -> parse function of a ``RunResult``: one per runner."""


RUNNERS = (*PARSERS, "script")
"""``pytest`` and ``unittest`` (our commands), ``script`` (the repository's own command, see ``commands``)."""


class PythonToolchain:
    name = "python"

    def __init__(self, runner: str = "pytest", root: Path | None = None) -> None:
        from openswe_data.errors import BuildError

        if runner not in RUNNERS:
            raise BuildError(f"the Python toolchain has no runner {runner!r}", hint=f"runners: {', '.join(RUNNERS)}")
        self.runner = runner
        self.script: RepoCommand | None = None
        if runner == "script":
            self.script = repository_test_command(root) if root is not None else None
            if self.script is None:
                raise BuildError("the repository names no test command of its own (tox commands, a Makefile "
                                 "test target, a runtests.py)", reason="runner_unavailable")
        self.log_parser = self.script.parser if self.script else runner
        self.runner_word = self.script.word if self.script else runner
        # what a build pinned to a date re-resolves as of that date (unittest is in the standard library)
        self.runner_packages: tuple[str, ...] = ("pytest",) if self.log_parser == "pytest" else ()
        self.regenerated = r"__pycache__/|\.py[co]$"  # bytecode caches, written by any import or pytest's rewrite

    @property
    def names_its_targets(self) -> bool:
        """Whether the test command names the targeted files (a repository's own script may run it all)."""
        return self.script is None or (self.log_parser == "pytest" and "{posargs}" in self.script.command)

    def read_facts(self, root: Path, test_files: list[str] | None = None) -> Any:
        from openswe_data.toolchains.python.facts import read_facts

        return read_facts(root, test_files)

    def targets(self, test_patch: str, root: Path | None = None) -> list[str]:
        from openswe_data.toolchains.python.targets import targeted_test_files

        return targeted_test_files(test_patch, root)

    def imports(self, root: Path) -> set[str]:
        from openswe_data.toolchains.python.imports import imported_modules

        return imported_modules(root)

    def snapshot_sets(self, root: Path) -> dict[str, set[str]]:
        """``pyx_stems``: the Cython sources without their suffix (a C file the compiler misses is generated
        from one of them)."""
        from openswe_data.toolchains.python.cython import pyx_stems

        return {"pyx_stems": pyx_stems(root)}

    def changed_tests(self, test_patch: str) -> set[str] | None:
        from openswe_data.toolchains.python.targets import changed_test_names

        return changed_test_names(test_patch)

    def test_command(self, targets: list[str], options: list[str] | None = None) -> str:
        """The targeted pytest run: per-test results in a JUnit XML file and a ``-rA`` summary SWE-bench parses.

        Options after the repository's own ``addopts`` neutralise what is not about the tests: ``--maxfail``
        undoes ``-x`` (every targeted test runs before the fix too), ``-p no:randomly`` keeps the order fixed,
        ``-p no:cacheprovider`` keeps ``--lf``/``--sw`` from skipping tests; the image-dependent ones come in
        through ``$OPENSWE_PYTEST_OPTS`` (the eval script sets them): the per-test timeout, ``--no-cov``, and
        ``--rootdir`` where the installed pytest knows it, which makes node ids relative to the repository
        root (without a configuration file at the root, pytest would take the targets' common folder, and
        ``tests/test_x.py::t`` would be recorded as ``test_x.py::t``); ``options`` are a recipe's own additions.
        """
        files = " ".join(shlex.quote(f) for f in targets)
        # an option is shell words ("-p no:timeout" is two arguments to pytest, not one)
        extra = "".join(f" {shlex.quote(word)}" for o in options or [] for word in shlex.split(o))
        if self.script is not None:
            return self._script_command(files, extra)
        if self.runner == "unittest":
            # unittest reports on stderr: sent to stdout, where the results are read (the trace stays apart)
            return f"python -m unittest -v{extra} {files} 2>&1"
        return (f"python -m pytest -rA --tb=short -p no:cacheprovider -p no:randomly --maxfail=1000000 "
                f"-o junit_family=xunit1 --junitxml={C.JUNIT_PATH}{extra} ${OPTIONS_VAR} {files}")

    def _script_command(self, files: str, extra: str) -> str:
        """The repository's command; one that ends in pytest gets our reporting options however it launches it."""
        assert self.script is not None
        if self.log_parser == "unittest":
            return f"{self.script.command.replace('{posargs}', '').strip()} 2>&1"
        addopts = (f"-rA --tb=short -p no:cacheprovider -p no:randomly --maxfail=1000000 "
                   f"-o junit_family=xunit1 --junitxml={C.JUNIT_PATH}{extra} ${OPTIONS_VAR}")
        return f'PYTEST_ADDOPTS="{addopts}" {self.script.command.replace("{posargs}", files).strip()}'

    def parse(self, result: object, test_files: list[str] | tuple[str, ...] = ()) -> Any:
        return PARSERS[self.log_parser](result, test_files)

    def reported(self, test_id: str, result: object) -> bool:
        """Whether the runner itself reported ``test_id`` in ``result`` (checked apart from the parser)."""
        module = unittest_results if self.log_parser == "unittest" else pytest_results
        stdout = getattr(result, "stdout", None)
        return module.reported_by_runner(test_id, junit=getattr(result, "junit", None),
                                         stdout=stdout if stdout is not None else getattr(result, "log", ""))
