"""Eval scripts: rendered from ``builders/eval.sh.j2``, then checked so none can pass without testing.

Input: the task's test patch and the targeted test files. Output: the script text, and the problems a
static check finds in a script (ours, or one an agent wrote). The dynamic half of the check lives in
validation: the targeted tests must fail before the gold patch, so a script that runs nothing is caught.
"""

from __future__ import annotations

import re
import shlex

from openswe_data import conventions as C
from openswe_data import recipes
from openswe_data.toolchains.python import OPTIONS_VAR

TEMPLATE = "eval.sh.j2"
COMPILED_PATTERN = r"\.(c|cc|cpp|cxx|h|hpp|pyx|pxd|pxi|f|f90|rs)$"
"""Changed files matching this make the eval script rebuild compiled extensions before the tests."""
PER_TEST_TIMEOUT = 60
"""Seconds one test may take before pytest-timeout fails it (0: no per-test timeout)."""


def test_command(test_files: list[str], options: list[str] | None = None) -> str:
    """The Python toolchain's targeted test command (kept here for callers that build scripts by hand)."""
    from openswe_data.toolchains import get

    return get("python").test_command(test_files, options)


BUILD_TOOLS_DIR = "/openswe/build-tools"
"""Where the image keeps the build requirements as an isolated build resolves them, for the eval script's
rebuild (``context.render_dockerfile``'s ``build_tools``)."""


def rebuild_command(install_mode: str, installable: bool, generate: str = "", *, build_tools: bool = False) -> str:
    """How the eval script rebuilds compiled extensions after the patches, with no network (the build
    requirements are in the image already, hence no build isolation); ``generate`` (the image's command
    generating C/C++ files from Cython sources) runs first, so a patched ``.pyx`` is what gets compiled.

    ``build_tools``: the image's own install was an isolated build, which resolved the build requirements
    afresh (today's setuptools, say) while the environment keeps older ones (the base image's); the rebuild
    then builds with the same fresh ones, kept in ``BUILD_TOOLS_DIR``, first on ``PYTHONPATH`` — else a
    project the install built fine fails to rebuild (a PEP 639 ``license = "MIT"`` an old setuptools
    refuses: found on wrapt) and the tests run the stale extension."""
    if install_mode == "source" or not installable:
        command = "python setup.py build_ext --inplace"
    else:
        target = "." if install_mode == "regular" else "-e ."
        command = f"pip install --no-cache-dir --disable-pip-version-check --no-deps --no-build-isolation {target}"
        if build_tools:
            command = f"PYTHONPATH={BUILD_TOOLS_DIR}${{PYTHONPATH:+:$PYTHONPATH}} {command}"
    return f"( {generate} && {command} )" if generate else command


def isolated_install(install_mode: str, installable: bool, dated: bool, pyproject: bool) -> bool:
    """Whether the image installs the project in an isolated build (``builders/Dockerfile.j2``): editable or
    regular, except an editable install pinned to a date, which builds with the image's own tools; and by
    PEP 517 — pip builds a tree without a ``pyproject.toml`` the legacy way, with the environment's own
    setuptools (uv, which installs a dated regular build, always isolates)."""
    if not installable or install_mode not in ("editable", "regular") or (dated and install_mode == "editable"):
        return False
    return pyproject or dated


def heredoc_terminator(text: str, base: str) -> str:
    """A here-document terminator for ``text``: ``base``, lengthened until no line of ``text`` can equal it
    (a line equal to the terminator would end the here-document early)."""
    terminator = base
    while terminator in text:
        terminator += "_X"
    return terminator


def render_eval_script(test_patch: str, test_files: list[str], reset_paths: list[str], remove_paths: list[str],
                       *, command: str | None = None, template: str = TEMPLATE,
                       per_test_timeout: int = PER_TEST_TIMEOUT, rebuild: str = "", pythonpath: str = "") -> str:
    """The eval script for one instance.

    ``reset_paths`` are the files the test patch touches that exist at the base commit, ``remove_paths``
    those it creates: both are put back to the base state *before* the test patch is applied (so a
    candidate patch cannot plant its own version of a test) and again afterwards.
    """
    terminator = heredoc_terminator(test_patch, "OPENSWE_TEST_PATCH_EOF")
    return recipes.render("builders", template, {
        "testbed": C.TESTBED,
        "test_patch": test_patch.rstrip("\n"),
        "heredoc": terminator,
        "test_command": command or test_command(test_files),
        "reset_paths": [shlex.quote(f) for f in reset_paths],
        "remove_paths": [shlex.quote(f) for f in remove_paths],
        "start_marker": C.START_TEST_OUTPUT,
        "end_marker": C.END_TEST_OUTPUT,
        "apply_failed": C.APPLY_PATCH_FAIL,
        "exit_prefix": C.TEST_EXIT_PREFIX,
        "junit_path": C.JUNIT_PATH,
        "options_var": OPTIONS_VAR,
        "per_test_timeout": per_test_timeout,
        "rebuild": rebuild,
        "compiled_pattern": COMPILED_PATTERN,
        "pythonpath": pythonpath,
    })


_ESCAPES = re.compile(r"\|\|\s*(true|:)\b|;\s*(true|:)\s*$|\bexit\s+0\b|--co\b|--collect-only|\s-k\s+['\"]?not\b")


def check_eval_script(script: str, test_files: list[str], *, runner_word: str = "pytest",
                      targets_named: bool = True, test_patch: str = "", junit: bool = False) -> list[str]:
    """Problems that would let ``script`` report success without running the targeted tests.

    ``targets_named``: the runner names each targeted file (false for a repository's own script that runs
    the whole suite; the runner's command itself must still be there). ``test_patch``: the script must
    apply it. ``junit``: the runner must write its JUnit report where graders copy it from."""
    problems: list[str] = []
    lines = script.splitlines()
    if not any(re.match(rf"\s*cd\s+{re.escape(C.TESTBED)}/?\s*($|[;&])", line) for line in lines):
        problems.append(f"the script does not run in {C.TESTBED} (no `cd {C.TESTBED}`)")
    if test_patch.strip() and test_patch.rstrip("\n") not in script:
        problems.append("the script does not apply the task's test patch")

    def index(marker: str) -> int:
        hits = [i for i, line in enumerate(lines) if line.strip().strip("'\"").endswith(marker) and "echo" in line]
        if len(hits) != 1:
            problems.append(f"the marker {marker!r} must be echoed exactly once, found {len(hits)}")
            return -1
        return hits[0]

    start, end = index(C.START_TEST_OUTPUT), index(C.END_TEST_OUTPUT)
    if start < 0 or end < 0:
        return problems
    if end <= start:
        return problems + ["the end marker comes before the start marker"]
    body = [line for line in lines[start + 1:end] if line.strip() and not line.strip().startswith("#")]
    status_lines = [i for i, line in enumerate(lines) if C.TEST_EXIT_PREFIX in line]
    if not status_lines or not any(i > start for i in status_lines):
        problems.append("the test command's exit status is not recorded after it runs")
    for i in status_lines:
        if re.search(rf"{re.escape(C.TEST_EXIT_PREFIX)}['\"]?\d", lines[i]):
            problems.append(f"{lines[i].strip()!r} records a hard-coded exit status, not the test command's")
    runs = [line for line in body if runner_word in line]
    if not runs:
        problems.append(f"no {runner_word} command between the markers")
    for line in body:
        if _ESCAPES.search(line):
            problems.append(f"between the markers, {line.strip()!r} could hide a failing or skipped test run")
        if re.match(r"\s*(echo|printf|cat)\b", line) and re.search(r"PASSED|FAILED|passed", line):
            problems.append(f"between the markers, {line.strip()!r} prints test results instead of running tests")
    if junit and runs and not any(C.JUNIT_PATH in line for line in runs):
        problems.append(f"the test command no longer writes its JUnit report to {C.JUNIT_PATH}")
    for f in test_files if targets_named else ():
        if not any(f in line or shlex.quote(f) in line for line in runs):
            problems.append(f"the targeted test file {f} is not run")
    return problems
