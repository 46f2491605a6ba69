"""Grading the two sides of a validation: runs before and after the gold patch -> FAIL_TO_PASS,
PASS_TO_PASS, flaky tests, per-test stability and a verdict with a machine-readable reason.

Rules:
- A test is flaky when its status actually changed between runs of the same side; flaky tests are excluded
  from both lists. An id that only some runs reported while the others reported the same test with other
  parameters was built at run time (``Side.varying``: a timestamp in ``[...]``): not flaky, not graded, named
  in the verdict's notes.
- FAIL_TO_PASS = failed (or absent) in every run before, passed in every run after — at least ``k`` runs a
  side (the gold / no-op gate). PASS_TO_PASS = passed in every run on both sides.
- A side whose runs are unusable names an **environment** reason (timeout, oom, crashed, runner_error,
  collection_error / import_error when the gold side cannot collect the targeted modules,
  no_tests_collected). A usable pair without FAIL_TO_PASS names a **task** reason: ``flaky`` only when a
  test the test patch adds or edits changed status across reruns (on either side); ``gold_patch_fails``
  when tests the test patch adds or edits (any test, when unknown) still fail deterministically with the
  fix; else ``no_fail_to_pass`` (a deterministic negative).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from openswe_data.toolchains.python.pytest_results import ERROR, FAILED, OK_STATUSES as OK, ParsedRun, parse_result
from openswe_data.validate.runner import RunResult

MISSING = "MISSING"
_IMPORT_ERRORS = ("ImportError", "ModuleNotFoundError")


@dataclass
class Side:
    test_files: list[str] = field(default_factory=list)
    runs: list[RunResult] = field(default_factory=list)
    parsed: list[ParsedRun] = field(default_factory=list)
    parse: Callable[..., ParsedRun] = parse_result
    """The parser the record's ``log_parser`` names (``openswe_data.toolchains.parser``)."""
    targets: list[frozenset[str] | None] = field(default_factory=list)
    """Per run, the only tests it ran (a focused confirmation run), or ``None``: every targeted test."""

    def add(self, run: RunResult, targets: frozenset[str] | None = None, parsed: ParsedRun | None = None) -> ParsedRun:
        p = parsed if parsed is not None else self.parse(run, self.test_files)
        self.runs.append(run)
        self.parsed.append(p)
        self.targets.append(targets)
        return p

    def tests(self) -> set[str]:
        return set().union(*(p.tests for p in self.parsed)) if self.parsed else set()

    def covering(self, tests: set[str]) -> list[ParsedRun]:
        """The runs that ran every one of ``tests`` (a focused run says nothing about the tests it left out)."""
        return [p for p, only in zip(self.parsed, self.targets) if only is None or tests <= only]

    def statuses(self, test: str) -> list[str]:
        return [p.tests.get(test, MISSING) for p in self.covering({test})]

    def ran(self, test: str) -> int:
        """How many runs of this side ran ``test``."""
        return len(self.covering({test}))

    def passes(self, test: str) -> int:
        return sum(s in OK for s in self.statuses(test))

    def flaky(self) -> set[str]:
        varying = self.varying()
        return {t for t in self.tests() - varying if len({s in OK for s in self.statuses(t)}) > 1}

    def varying(self) -> set[str]:
        """Ids that some runs of this side reported and another run that ran them did not, though it reported
        the same test with other parameters: an id built at run time (a timestamp, a random value, an object's
        address in ``[...]``), so no later run (no grader) can ask for it again. Not a test whose status
        changed: such ids are never flaky, never graded. Per side: an id that every run with the fix reports and
        none without it (a parameter value the fix's code adds) is consistent on each side, a FAIL_TO_PASS."""
        parametrized = {t for t in self.tests() if "[" in t}
        out: set[str] = set()
        for p, only in zip(self.parsed, self.targets):
            present = {t.split("[", 1)[0] for t in p.tests if "[" in t}
            out |= {t for t in parametrized - p.tests.keys() if (only is None or t in only)
                    and t.split("[", 1)[0] in present}
        return out

    def problem(self, *, gold: bool) -> tuple[str, str] | None:
        """``(reason, detail)`` when this side's runs are unusable, else ``None``.

        ``gold`` is the side with the fix: only there does a module that cannot be collected make the
        side unusable (before the fix, a test module importing a name the fix adds fails to collect,
        which is how many FAIL_TO_PASS tests look).
        """
        for r, p in zip(self.runs, self.parsed):
            if r.timed_out:
                return "timeout", "the whole run exceeded its time limit"
            if r.oom_killed:
                return "oom", "the run was killed for exceeding its memory limit"
            if r.patch_failed:
                return "patch_does_not_apply", "the candidate patch did not apply"
            if p.exit_cause == "crashed":
                return "crashed", f"the test command died with status {p.exit_code}"
            if p.exit_cause in ("usage_error", "runner_internal_error"):
                return "runner_error", f"{p.exit_cause} (exit {p.exit_code})"
        first = self.parsed[0] if self.parsed else None
        if first is None:
            return "internal_error", "no run"
        if gold and first.collection_errors and not first.tests:
            return self.collection_problem()
        if not first.tests and not first.collection_errors:
            return "no_tests_collected", f"the runner reported no test (exit {first.exit_code}, {first.exit_cause})"
        return None

    def collection_problem(self) -> tuple[str, str]:
        """``import_error`` when every module that failed to collect failed on an import, else ``collection_error``."""
        errors = self.parsed[0].collection_errors
        imports = all(any(k in e for k in _IMPORT_ERRORS) for e in errors.values())
        messages = "; ".join(f"{m}: {e}" for m, e in sorted(errors.items())[:3])
        return ("import_error" if imports else "collection_error"), f"modules that could not be collected: {messages}"


@dataclass
class Verdict:
    valid: bool
    reason: str
    fail_to_pass: list[str]
    pass_to_pass: list[str]
    flaky: list[str]
    detail: str = ""
    gold_pass_rate: float | None = None
    """Share of runs with the fix in which every FAIL_TO_PASS candidate passed."""
    noop_fail_rate: float | None = None
    """Share of runs without the fix (test patch only) in which every FAIL_TO_PASS candidate failed."""


def _rates(before: Side, after: Side, candidates: set[str]) -> tuple[float | None, float | None]:
    runs_after, runs_before = after.covering(candidates), before.covering(candidates)
    if not candidates or not runs_before or not runs_after:
        return None, None
    gold = sum(all(p.tests.get(t) in OK for t in candidates) for p in runs_after) / len(runs_after)
    noop = sum(all(p.tests.get(t, MISSING) not in OK for t in candidates) for p in runs_before) / len(runs_before)
    return gold, noop


def _named(test: str, names: set[str] | None) -> bool:
    """Whether node id ``test`` is one of ``names`` (a function or class of the id, parameters aside)."""
    if names is None:
        return True
    return any(part.split("[", 1)[0] in names for part in test.split("::")[1:])


def grade(before: Side, after: Side, *, k: int = 1, changed: set[str] | None = None) -> Verdict:
    """The verdict over both sides; ``k`` is the gate: each side needs at least ``k`` runs. ``changed``:
    names of the tests the test patch adds or edits (``None``: unknown, every test counts)."""
    for side, name, gold in ((before, "before", False), (after, "after", True)):
        problem = side.problem(gold=gold)
        if problem:
            note = "; ".join(n for p in side.parsed for n in p.notes)
            reason, why = problem
            return Verdict(False, reason, [], [], [], f"{name} the gold patch: {reason}: {why}" + (f" ({note})" if note else ""))
    flaky = before.flaky() | after.flaky()
    varying = before.varying() | after.varying()
    tests = (before.tests() | after.tests()) - flaky - varying
    f2p = sorted(t for t in tests
                 if all(s not in OK for s in before.statuses(t)) and all(s in OK for s in after.statuses(t)))
    p2p = sorted(t for t in tests
                 if all(s in OK for s in before.statuses(t)) and all(s in OK for s in after.statuses(t)))
    # the flaky tests that make the task flaky: those the test patch adds or edits (whichever way they flip);
    # with no patch names known, those that failed at least once before and passed at least once after
    if changed is not None:
        flaky_candidates = {t for t in flaky if _named(t, changed)}
    else:
        flaky_candidates = {t for t in flaky if before.passes(t) < before.ran(t) and after.passes(t) > 0}
    gold_rate, noop_rate = _rates(before, after, set(f2p) or flaky_candidates)
    notes = "; ".join(sorted({n for p in before.parsed + after.parsed for n in p.notes}
                             | ({f"{len(varying)} test ids changed between runs (parameters built at run time, "
                                 f"e.g. {sorted(varying)[0]}): not graded"} if varying else set())))
    if f2p and min(len(before.parsed), len(after.parsed)) < k:
        return Verdict(False, "gate_failed", [], p2p, sorted(flaky),
                       f"only {len(before.parsed)} runs before and {len(after.parsed)} after; the gate needs {k} each",
                       gold_rate, noop_rate)
    if f2p:
        return Verdict(True, "", f2p, p2p, sorted(flaky), notes, gold_rate, noop_rate)
    # the gold patch fails its own tests: those the test patch adds or edits (when known) still failing with
    # the fix; a test failing the same on both sides that the patch never touches is the environment's, not the fix's
    still_failing = sorted(t for t in tests if all(s in (FAILED, ERROR, MISSING) for s in after.statuses(t))
                           and _named(t, changed))
    if after.parsed[0].collection_errors:
        # modules that cannot be collected with the fix may have held the FAIL_TO_PASS tests
        reason, detail = after.collection_problem()
    elif flaky_candidates:
        reason, detail = "flaky", f"the tests the gold patch changes are flaky: {sorted(flaky_candidates)[:10]}"
    elif still_failing:
        reason, detail = "gold_patch_fails", f"tests still failing with the gold patch: {still_failing[:10]}"
    else:
        reason, detail = "no_fail_to_pass", "no targeted test fails before the gold patch and passes after"
    return Verdict(False, reason, [], p2p, sorted(flaky), detail + (f"; {notes}" if notes else ""), gold_rate, noop_rate)
