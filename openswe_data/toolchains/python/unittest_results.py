"""Results of a ``python -m unittest -v`` run: per-test statuses from its verbose lines on stdout.

unittest writes no report file, so this reads the runner's own verbose lines — only between the eval
script's markers, on stdout alone (the eval script sends unittest's stderr there and the shell trace
elsewhere). Ids are written the way pytest names the same tests (``tests/test_x.py::Class::test_m``), so
records, graders and harnesses read both runners' lists alike.

Line shapes (Python 3.11+ and earlier)::

    test_m (tests.test_x.Class.test_m) ... ok
    test_m (tests.test_x.Class) ... FAIL
    test_m (tests.test_x.Class.test_m)
    The docstring's first line ... skipped 'why'
"""

from __future__ import annotations

import re

from openswe_data import conventions as C
from openswe_data.toolchains.python.pytest_results import (
    ERROR, FAILED, PASSED, SKIPPED, XFAIL, ParsedRun, between, exit_cause,
)

_HEAD = re.compile(r"^(?P<method>\w+) \((?P<dotted>[\w.]+)\)")
_STATUS = re.compile(r" \.\.\. (?P<status>ok|FAIL|ERROR|skipped\b.*|expected failure|unexpected success)\s*$")
_MAP = {"ok": PASSED, "FAIL": FAILED, "ERROR": ERROR, "expected failure": XFAIL, "unexpected success": FAILED}
_IMPORT_FAIL = re.compile(r"^(?:ERROR|FAIL): (?P<module>[\w.]+) \(unittest\.loader\._FailedTest(?:\.[\w.]+)?\)")


def node_id(method: str, dotted: str, test_files: list[str] | tuple[str, ...]) -> str:
    """``tests.test_x.Class(.method)`` -> ``tests/test_x.py::Class::method`` (the module part matched
    against the targeted files; else the last dotted part before the class is taken as the module)."""
    parts = dotted.split(".")
    if parts and parts[-1] == method:
        parts = parts[:-1]
    known = set(test_files)
    for i in range(len(parts), 0, -1):
        path = "/".join(parts[:i]) + ".py"
        if path in known:
            return "::".join([path, *parts[i:], method])
    module, classes = parts[:-1], parts[-1:]
    return "::".join(["/".join(module) + ".py", *classes, method]) if module else f"{dotted}::{method}"


def parse_result(result: object, test_files: list[str] | tuple[str, ...] = ()) -> ParsedRun:
    """The results of a ``RunResult`` whose test command was ``python -m unittest -v``."""
    stdout = getattr(result, "stdout", None)
    log = getattr(result, "log", "")
    text = log if stdout is None else stdout
    run = ParsedRun(source="unittest")
    m = re.findall(rf"^{re.escape(C.TEST_EXIT_PREFIX)}(\d+)\s*$", log or text, flags=re.M)
    run.exit_code = int(m[-1]) if m else None
    body = between(text, C.START_TEST_OUTPUT, C.END_TEST_OUTPUT) or ""
    head: tuple[str, str] | None = None
    for line in body.splitlines():
        h = _HEAD.match(line)
        if h:
            head = (h.group("method"), h.group("dotted"))
        s = _STATUS.search(line)
        if s and head is not None:
            status = s.group("status")
            tid = node_id(head[0], head[1], test_files)
            if tid.split("::")[0] != "unittest/loader.py":
                run.tests[tid] = SKIPPED if status.startswith("skipped") else _MAP[status]
            head = None
        f = _IMPORT_FAIL.match(line)
        if f:
            run.collection_errors[f.group("module")] = "the module could not be imported"
    if not run.tests and not run.collection_errors:
        run.source = "none"
    if run.exit_code == 5:
        run.exit_cause = "no_tests_collected"
    elif run.exit_code not in (None, 0, 1):
        run.exit_cause = "crashed"
    else:
        run.exit_cause = exit_cause(run.exit_code, run.tests, run.collection_errors, body)
    failing = any(s in (FAILED, ERROR) for s in run.tests.values())
    if run.exit_code is None:
        run.consistent = False
        run.notes.append("the test command's exit status was not recorded")
    elif run.exit_code != 0 and not failing and not run.collection_errors:
        run.consistent = False
        run.notes.append(f"exit status {run.exit_code} but no test failed")
        run.tests = {t: (FAILED if s == PASSED else s) for t, s in run.tests.items()}
    return run


def reported_by_runner(test_id: str, *, junit: str | None = None, stdout: str | None = None) -> bool:
    """Whether unittest itself printed a verbose line for ``test_id`` (``method (dotted.Class[.method])``)."""
    parts = test_id.split("::")
    if len(parts) < 2 or not stdout:
        return False
    method, classes = parts[-1], parts[1:-1]
    module = parts[0][:-3].replace("/", ".") if parts[0].endswith(".py") else parts[0]
    dotted = ".".join([module, *classes])
    pattern = re.compile(rf"^{re.escape(method)} \((?:[\w.]*\.)?{re.escape(dotted.rsplit('.', 1)[-1])}"
                         rf"(?:\.{re.escape(method)})?\)", re.M)
    return bool(pattern.search(stdout))
