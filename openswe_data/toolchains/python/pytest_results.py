"""Test-result parsing: one run -> per-test statuses, collection errors, the test command's exit status and
its cause, and whether the two agree.

Sources, in order of trust:

1. the runner's own JUnit XML file, copied out of the container (``RunResult.junit``) — never text scraped
   from a log, so a ``set -x`` trace or a test's own output cannot reach the results;
2. only when no report file exists (a runner that writes none, a crash before it was written): the ``-rA``
   short test summary, read from stdout alone and only inside pytest's "short test summary info" section,
   with node ids kept exactly as pytest printed them (spaces, brackets, unicode, ``::``).

The exit status is the cross-check against spoofed output: a non-zero exit with no failing test turns the
passes into failures — unless its cause is one that is not about tests (a coverage threshold, a plugin's own
report), which is classified and noted instead (``ParsedRun.exit_cause``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from openswe_data import conventions as C

PASSED, FAILED, SKIPPED, ERROR, XFAIL = "PASSED", "FAILED", "SKIPPED", "ERROR", "XFAIL"
OK_STATUSES = (PASSED, XFAIL)
"""Statuses that count as passing."""
_STATUSES = ("PASSED", "FAILED", "SKIPPED", "ERROR", "XFAIL", "XPASS")
_SUMMARY_HEADER = re.compile(r"^=+ short test summary info =+$")
_SESSION_END = re.compile(r"^=+ .*\b(passed|failed|error|errors|skipped|deselected|xfailed|xpassed|warnings?|"
                          r"no tests ran)\b.* in [0-9.]+s.*=+$")

# Exit causes that say nothing about whether the tests passed: the per-test results stand.
NEUTRAL_CAUSES = ("coverage_threshold",)
_CAUSE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("coverage_threshold", re.compile(r"Required test coverage of [0-9.]+% (not reached|reached)|"
                                      r"Coverage failure: total of|FAIL Required test coverage")),
)
_EXIT_CAUSES = {0: "ok", 2: "interrupted", 3: "runner_internal_error", 4: "usage_error", 5: "no_tests_collected"}


@dataclass
class ParsedRun:
    tests: dict[str, str] = field(default_factory=dict)
    """Node id -> status, for every test the runner reported in this run."""
    collection_errors: dict[str, str] = field(default_factory=dict)
    """Module (or path) -> the first line of the error, for modules the runner could not collect."""
    exit_code: int | None = None
    exit_cause: str = ""
    """Why the test command exited as it did: ok, tests_failed, coverage_threshold, collection_error,
    interrupted, usage_error, runner_internal_error, no_tests_collected, crashed, unexplained, unrecorded."""
    source: str = ""  # junit | rA | none
    consistent: bool = True
    notes: list[str] = field(default_factory=list)

    def passed(self) -> set[str]:
        return {t for t, s in self.tests.items() if s in OK_STATUSES}


def between(log: str, start: str, end: str) -> str | None:
    """The text between the last line equal to ``start`` and the next line equal to ``end``."""
    lines = log.splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == start]
    if not starts:
        return None
    s = starts[-1]
    for j in range(s + 1, len(lines)):
        if lines[j].strip() == end:
            return "\n".join(lines[s + 1:j])
    return "\n".join(lines[s + 1:])


def nodeid(case: ET.Element, test_files: tuple[str, ...] | list[str] = ()) -> str:
    """The pytest node id of a JUnit ``testcase`` (``junit_family=xunit1``).

    ``classname`` is the node id with ``/`` and ``::`` turned into dots; its module part is the longest
    dotted prefix naming a targeted test file. The ``file`` attribute is where the function is *defined*,
    which for a test method inherited from another module is not the module that collected it, so it is
    only a fallback.
    """
    name = case.get("name", "")
    file = case.get("file") or ""
    classname = case.get("classname", "")
    parts = [p for p in classname.split(".") if p]
    known = set(test_files) | ({file} if file else set())
    for i in range(len(parts), 0, -1):
        path = "/".join(parts[:i]) + ".py"
        if path in known:
            return "::".join([path, *parts[i:], name])
    for i, part in enumerate(parts):  # no targeted file matched: the first test-module-looking part
        if part.startswith("test_") or part.endswith("_test"):
            return "::".join(["/".join(parts[: i + 1]) + ".py", *parts[i + 1:], name])
    return "/".join(parts) + ".py::" + name if parts else name


def _first_line(text: str | None) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    errors = [line for line in lines if re.match(r"^E\s+\w*(Error|Exception)\b", line)]
    return (errors[0][1:].strip() if errors else lines[-1] if lines else "")[:300]


def parse_junit(xml_text: str, test_files: tuple[str, ...] | list[str] = ()
                ) -> tuple[dict[str, str], dict[str, str]] | None:
    """``(tests, collection_errors)`` from a JUnit report, or ``None`` when it is not XML."""
    try:
        root = ET.fromstring(xml_text.strip())
    except ET.ParseError:
        return None
    tests: dict[str, str] = {}
    errors: dict[str, str] = {}
    for case in root.iter("testcase"):
        children = list(case)
        error = next((c for c in children if c.tag == "error"), None)
        if error is not None and (error.get("message") or "").startswith("collection failure"):
            # pytest reports a module it could not import as a testcase named after the module
            errors[case.get("name") or case.get("classname") or "?"] = _first_line(error.text or error.get("message"))
            continue
        status = PASSED
        for child in children:
            if child.tag == "failure":
                status = FAILED
            elif child.tag == "error":
                status = ERROR
            elif child.tag == "skipped":
                status = XFAIL if child.get("type") == "pytest.xfail" else SKIPPED
        tid = nodeid(case, test_files)
        # a setup/teardown error is reported as a second testcase with the same id: the worse one wins
        if tests.get(tid) in (FAILED, ERROR) and status == PASSED:
            continue
        tests[tid] = status
    return tests, errors


def split_summary_line(rest: str) -> str:
    """The node id at the start of a summary line's remainder: up to the first `` - `` outside brackets.

    ``test_a[x - y] - AssertionError`` -> ``test_a[x - y]``; a parametrized id keeps its spaces.
    """
    depth = 0
    for i, ch in enumerate(rest):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth = max(0, depth - 1)
        elif depth == 0 and rest.startswith(" - ", i):
            return rest[:i]
    return rest.rstrip()


def parse_ra(text: str) -> tuple[dict[str, str], dict[str, str]]:
    """``(tests, collection_errors)`` from pytest's ``-rA`` short test summary in ``text`` (stdout).

    Only the "short test summary info" section is read when there is one, so a test's captured output
    (printed in the PASSES section above it) cannot add results. ``SKIPPED [n] path:line: reason`` lines
    name no test and are left out; an ``ERROR path`` line without ``::`` is a module that failed to collect.
    """
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if _SUMMARY_HEADER.match(line.strip())), None)
    if start is not None:
        end = next((j for j in range(start + 1, len(lines)) if _SESSION_END.match(lines[j].strip())), len(lines))
        lines = lines[start + 1:end]
    tests: dict[str, str] = {}
    errors: dict[str, str] = {}
    for line in lines:
        status, _, rest = line.rstrip("\r").partition(" ")
        if status not in _STATUSES or not rest or rest.startswith("["):
            continue
        tid = split_summary_line(rest)
        if not tid or "\n" in tid:
            continue
        if status == ERROR and "::" not in tid:
            errors[tid] = rest[len(tid) + 3:].strip()[:300]
            continue
        tests[tid] = PASSED if status == "XPASS" else status
    return tests, errors


def exit_cause(exit_code: int | None, tests: dict[str, str], errors: dict[str, str], stdout: str) -> str:
    """Why the test command exited as it did, from its status, its results and its own output."""
    if exit_code is None:
        return "unrecorded"
    failing = any(s in (FAILED, ERROR) for s in tests.values())
    if exit_code == 1 and failing:
        return "tests_failed"
    if exit_code in (1, 2) and errors:
        return "collection_error"
    if exit_code in _EXIT_CAUSES:
        return _EXIT_CAUSES[exit_code]
    if exit_code == 1:
        for name, pattern in _CAUSE_PATTERNS:
            if pattern.search(stdout):
                return name
        return "unexplained"
    return "crashed"  # killed by a signal (128+n) or a status pytest never uses: the process died


def parse_run(*, junit: str | None, stdout: str, log: str = "", test_files: tuple[str, ...] | list[str] = ()
              ) -> ParsedRun:
    """One run's results: from the JUnit file when there is one, else from stdout's summary section.

    ``log`` (stdout and stderr merged) is read only for the exit-status line the eval script prints.
    """
    run = ParsedRun()
    m = re.findall(rf"^{re.escape(C.TEST_EXIT_PREFIX)}(\d+)\s*$", log or stdout, flags=re.M)
    run.exit_code = int(m[-1]) if m else None
    body = between(stdout, C.START_TEST_OUTPUT, C.END_TEST_OUTPUT)
    body = stdout if body is None else body
    parsed = parse_junit(junit, test_files) if junit and junit.strip() else None
    if parsed is not None:
        (run.tests, run.collection_errors), run.source = parsed, "junit"
        printed, _ = parse_ra(body)
        lying = sorted(t for t, s in printed.items() if s == PASSED and run.tests.get(t) not in (PASSED, None))
        if lying:
            run.notes.append(f"printed PASSED lines contradict the JUnit report: {lying[:5]}")
    else:
        if junit is not None:
            run.notes.append("the JUnit report was not valid XML; read the -rA summary instead")
        run.tests, run.collection_errors = parse_ra(body)
        run.source = "rA" if run.tests or run.collection_errors else "none"
    run.exit_cause = exit_cause(run.exit_code, run.tests, run.collection_errors, body)
    failing = any(s in (FAILED, ERROR) for s in run.tests.values())
    if run.exit_code is None:
        run.consistent = False
        run.notes.append("the test command's exit status was not recorded")
    elif run.exit_code == 0 and failing:
        run.consistent = False
        run.notes.append("exit status 0 but some tests failed")
    elif run.exit_code not in (0, 5) and not failing:
        if run.exit_cause in NEUTRAL_CAUSES or run.exit_cause == "collection_error":
            run.notes.append(f"exit status {run.exit_code} with no failing test: {run.exit_cause}")
        else:
            run.consistent = False
            run.notes.append(f"exit status {run.exit_code} but no test failed ({run.exit_cause})")
    if not run.consistent and run.exit_code not in (None, 0):
        # the exit status is the test command's own word: no test counts as passing against it
        run.tests = {t: (FAILED if s in OK_STATUSES else s) for t, s in run.tests.items()}
    return run


def parse_log(log: str, test_files: tuple[str, ...] | list[str] = (), *, junit: str | None = None,
              stdout: str | None = None) -> ParsedRun:
    """A run's results from its log (and, when captured, its JUnit file and stdout alone).

    Without ``stdout`` the merged log stands in for it; the summary-section rule still keeps trace lines
    out of the results, but only a run captured with separate channels is trace-proof by construction.
    """
    return parse_run(junit=junit, stdout=log if stdout is None else stdout, log=log, test_files=test_files)


def parse_result(result: object, test_files: tuple[str, ...] | list[str] = ()) -> ParsedRun:
    """The results of a ``RunResult`` (duck-typed: ``log``, ``stdout``, ``junit``)."""
    return parse_log(getattr(result, "log", ""), test_files, junit=getattr(result, "junit", None),
                     stdout=getattr(result, "stdout", None))


def reported_by_runner(test_id: str, *, junit: str | None, stdout: str | None) -> bool:
    """Whether the runner itself reported ``test_id`` in this run — checked independently of the parser:
    a JUnit testcase whose ``name`` ends the id and whose ``classname`` is the rest of it, or (without a
    report file) a summary line of stdout naming it verbatim."""
    if junit and junit.strip():
        try:
            root = ET.fromstring(junit.strip())
        except ET.ParseError:
            root = None
        if root is not None:
            for case in root.iter("testcase"):
                name = case.get("name", "")
                if not name or not test_id.endswith("::" + name):
                    continue
                prefix = test_id[: -len(name) - 2]
                dotted = re.sub(r"\.py(::|$)", r"\1", prefix).replace("::", ".").replace("/", ".")
                if dotted == case.get("classname", ""):
                    return True
            return False
    pattern = re.compile(rf"^({'|'.join(_STATUSES)}) {re.escape(test_id)}( - .*)?$", re.M)
    return bool(stdout and pattern.search(stdout))
