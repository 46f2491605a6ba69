"""One environment -> one validation: the eval script run before and after the gold patch, with reruns.

Input: a built ``Environment`` and its ``Task``. Output: a ``Validation`` (per-test statuses and stability,
FAIL_TO_PASS, PASS_TO_PASS, flaky tests, the gold / no-op gate rates, verdict, reason and fault, logs) and
the ``ValidatedRecord`` that joins all three. Reruns happen only when the first pair of runs is usable, so
a broken instance costs two runs, not more. The run without the fix and the run with it go side by side
(``ValidateOptions.parallel_runs``); the adaptive flake gate's extra runs confirm the FAIL_TO_PASS tests
alone (``validate/focus.py``). Every run's log, stdout and JUnit report are kept in the instance's log
folder (``openswe validate --explain`` reads them back).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from openswe_data import toolchains
from openswe_data.logtext import cut, write_log
from openswe_data.reasons import fault_of
from openswe_data.records import Environment, Task, Validation, ValidatedRecord
from openswe_data.validate import first_pair
from openswe_data.validate.focus import focused_script
from openswe_data.validate.grade import Side, Verdict, grade
from openswe_data.validate.runner import Limits, RunResult, run_eval, run_series

if TYPE_CHECKING:
    from openswe_data.toolchains.python.pytest_results import ParsedRun


@dataclass
class ValidateOptions:
    reruns: int = 4
    """Extra runs on each side to find flaky tests (a test failing half the time escapes 5+5 runs with
    probability 2**-8); 0 turns flake detection off, the adaptive gate included (the loop's probe, quick
    checks): each record's ``flake_miss_probability`` says what that leaves."""
    k: int = 3
    """The gold / no-op gate: every FAIL_TO_PASS test fails in k of k runs without the fix and passes in k of
    k with it (each side runs at least k times)."""
    limits: Limits = Limits()
    """CPU, memory, process and time limits of every run."""
    max_miss: float = 1e-3
    """Target chance that a test failing half of all runs at random passes as FAIL_TO_PASS (5 + 5 runs)."""
    strict_miss: float = 1e-6
    """The target when FAIL_TO_PASS rests on a single test or the runs are short (cheap to repeat)."""
    short_run_seconds: float = 10.0
    """A run shorter than this is short."""
    max_runs_per_side: int = 12
    """The adaptive gate never runs a side more often than this."""
    focus: bool = True
    """The adaptive gate's extra runs run only the FAIL_TO_PASS tests where the eval script allows it
    (``validate/focus.py``); the first ``runs_per_side`` runs a side always run every targeted test."""
    parallel_runs: int = 2
    """Containers one validation runs at once: 2 runs the run without the fix and the run with it side by
    side (each within ``limits``); 1 runs them one after the other."""
    series: bool = True
    """A side's runs after its first share one container, run after run (``runner.run_series``: each run
    its own log, report and time limit; the series stops at a run that changed the checkout or ended
    abnormally); each record's ``runs[].container`` says which runs shared one. ``False``: a fresh
    container for every run."""
    infra_retries: int = 2
    """Times an instance whose run failed in the engine (not in its tests) is tried again in the same run."""
    infra_wait_seconds: float = 180.0
    """How long to wait for the engine to answer again (a daemon restart) before such a retry."""

    @property
    def runs_per_side(self) -> int:
        return max(self.k, 1 + self.reruns, 1)

    def runs_needed(self, fail_to_pass: list[str], seconds: float) -> int:
        """Runs per side for a valid verdict: enough that 0.5 ** (2 * runs) <= the target (the adaptive
        flake gate: more for a FAIL_TO_PASS resting on one test or a short run), within the cap; no more
        than ``runs_per_side`` when reruns are off."""
        if self.reruns <= 0:
            return self.runs_per_side
        strict = len(fail_to_pass) == 1 or seconds < self.short_run_seconds
        target = self.strict_miss if strict else self.max_miss
        return min(max(self.runs_per_side, math.ceil(math.log2(1 / target) / 2)), self.max_runs_per_side)


def miss_probability(runs_before: int, runs_after: int) -> float:
    """The chance that a test failing half of all runs at random fails in every run before the fix and
    passes in every run after it, i.e. passes the gate as FAIL_TO_PASS."""
    return 0.5 ** (runs_before + runs_after)


def run_files(log_dir: Path, name: str, index: int) -> dict[str, Path]:
    """Where run ``index`` (1-based) of side ``name`` keeps its merged log, stdout and JUnit report."""
    stem = f"{name}-{index}"
    return {"log": log_dir / f"{stem}.log", "stdout": log_dir / f"{stem}.stdout", "junit": log_dir / f"{stem}.junit.xml"}


def _keep(log_dir: Path, name: str, index: int, result: RunResult) -> None:
    paths = run_files(log_dir, name, index)
    write_log(paths["log"], result.log)
    if result.stdout is not None:
        write_log(paths["stdout"], result.stdout)
    if result.junit is not None:
        write_log(paths["junit"], result.junit)


def _unreported(verdict: Verdict, after: Side, toolchain: toolchains.Toolchain) -> list[str]:
    """Recorded ids the runner never reported in the first run with the fix (every one must be there)."""
    first = after.runs[0]
    return [t for t in verdict.fail_to_pass + verdict.pass_to_pass if not toolchain.reported(t, first)]


def validate_environment(env: Environment, task: Task, *, log_dir: Path, options: ValidateOptions | None = None,
                         earlier: Path | None = None) -> tuple[Validation, ValidatedRecord]:
    """Validate ``env`` (see the module); ``earlier``: the log folder of an earlier validation of the same
    environment (the closed loop's probe) whose first pair stands in for this one's where nothing that
    decides it changed (``validate/first_pair.py``)."""
    options = options or ValidateOptions()
    start = time.monotonic()
    toolchain = toolchains.for_parser(env.log_parser or "pytest")  # the record names the parser of its runs
    before, after = (Side(list(env.test_files), parse=toolchain.parse), Side(list(env.test_files), parse=toolchain.parse))
    changed = toolchain.changed_tests(task.test_patch)

    def runs(count: int, script: str | None = None,
             before_script: str | None = None) -> tuple[list[RunResult], list[RunResult]]:
        """Up to ``count`` runs without the fix and as many with it (each side at least one), the two sides
        side by side when ``options.parallel_runs`` allows, a side's runs in one container when
        ``options.series`` does; the checked eval script is the one that runs (never a different /eval.sh
        baked into the image). ``script`` runs with the fix, ``before_script`` without it (``None``: the
        environment's eval script)."""
        def side(patch: str, script: str | None) -> list[RunResult]:
            script = script or env.eval_script or None
            if count > 1 and options.series:
                return run_series(env.image_name, count, patch=patch, limits=options.limits,
                                  instance_id=env.instance_id, eval_script=script, regenerated=toolchain.regenerated)
            return [run_eval(env.image_name, patch=patch, limits=options.limits, instance_id=env.instance_id,
                             eval_script=script) for _ in range(max(count, 1))]
        if options.parallel_runs < 2:
            return side("", before_script), side(task.patch, script)
        with ThreadPoolExecutor(2, thread_name_prefix="validate-pair") as pool:
            b, a = pool.submit(side, "", before_script), pool.submit(side, task.patch, script)
            return b.result(), a.result()

    aside: list[dict[str, object]] = []  # runs the runner itself broke off, kept apart (``_hiccup``)

    def keep(results: tuple[list[RunResult], list[RunResult]], targets: frozenset[str] | None = None,
             before_targets: frozenset[str] | None = None) -> None:
        for side, name, side_results in ((before, "before", results[0]), (after, "after", results[1])):
            side_targets = before_targets if side is before else targets
            for result in side_results:
                parsed = side.parse(result, side.test_files)
                n = 1 + sum(a["side"] == name for a in aside)
                if _hiccup(side, parsed) and n <= options.runs_per_side:
                    _keep(log_dir, f"{name}-aside", n, result)
                    aside.append({"side": name, "aside": n, "exit_code": parsed.exit_code,
                                  "exit_cause": parsed.exit_cause, "seconds": round(result.seconds, 3),
                                  "container": result.container,
                                  "why": "the runner failed in itself where this side's other runs completed"})
                    continue
                _keep(log_dir, name, len(side.runs) + 1, result)
                side.add(result, side_targets, parsed)

    def usable() -> bool:
        return before.problem(gold=False) is None and after.problem(gold=True) is None

    def fewest() -> int:
        return min(len(before.runs), len(after.runs))

    step = options.runs_per_side if options.series else 1  # runs a side asked of one container at most
    key = first_pair.fingerprint(env, env.eval_script or None, task.patch, options.limits)
    reused = first_pair.load(earlier, key) if earlier is not None and earlier != log_dir else None
    keep(([reused[0]], [reused[1]]) if reused else runs(1))
    first_pair.save(log_dir, key, (before.runs[0], after.runs[0]))
    while usable() and fewest() < options.runs_per_side:
        keep(runs(min(step, options.runs_per_side - fewest())))
        if before.flaky() and after.flaky() and fewest() >= options.k:
            break  # both sides already proved flaky; more runs change nothing
    verdict = grade(before, after, k=options.k, changed=changed)
    if verdict.valid:
        # the adaptive flake gate: a verdict resting on one test or on short runs is cheap to confirm; the
        # extra runs confirm the FAIL_TO_PASS tests alone where the eval script allows (validate/focus.py)
        needed = options.runs_needed(verdict.fail_to_pass, statistics.median(r.seconds for r in after.runs))
        confirm = frozenset(verdict.fail_to_pass)
        script = focused_script(env, sorted(confirm)) if options.focus else None
        # without the fix a FAIL_TO_PASS test may never be named at all (its module does not import: the fix
        # adds what it imports); the runner cannot select such an id, so that side confirms with full runs
        named_before = all(toolchain.reported(t, r) for r in before.runs for t in confirm)
        before_script = script if named_before else None
        while usable() and fewest() < needed and not (before.flaky() or after.flaky()):
            results = runs(min(step, needed - fewest()), script, before_script)
            if script is not None and not all(toolchain.reported(t, r) for r in results[1] for t in confirm):
                # the focused command could not select every id: its runs are kept apart, never graded (a
                # rare case, so the focused series is not first tried on a run of its own)
                for name, side_results in zip(("before", "after"), results):
                    for i, result in enumerate(side_results, 1):
                        _keep(log_dir, f"{name}-unfocused", i, result)
                script = before_script = None  # full runs from here on
                continue
            keep(results, confirm if script is not None else None, confirm if before_script is not None else None)
        if fewest() > options.runs_per_side or before.flaky() or after.flaky() or not usable():
            verdict = grade(before, after, k=options.k, changed=changed)
    if verdict.valid and (ghosts := _unreported(verdict, after, toolchain)):
        verdict = Verdict(False, "unreported_test_id", [], [], verdict.flaky,
                          f"ids the runner never reported: {ghosts[:5]}")
    validation = _validation(env, before, after, verdict, log_dir, time.monotonic() - start, aside)
    write_log(log_dir / "verdict.txt", f"{validation.verdict} {validation.reason}\n{verdict.detail}\n")
    return validation, join_record(task, env, validation)


def _hiccup(side: Side, parsed: ParsedRun) -> bool:
    """Whether a run is the runner's own failure (pytest's INTERNALERROR: a plugin or the worker channel
    broke, not a test) on a side that already holds a run the runner completed: the run says nothing about
    the tests, so it is set aside (its log kept as ``<side>-aside-N``, its entry in ``runs`` marked
    ``aside``) and another run takes its place, at most ``runs_per_side`` times a side. A side whose runner
    fails from its first run on is unusable (``runner_error``), as before."""
    return parsed.exit_cause == "runner_internal_error" and any(
        p.exit_cause != "runner_internal_error" for p in side.parsed)


def _validation(env: Environment, before: Side, after: Side, verdict: Verdict, log_dir: Path,
                seconds: float, aside: list[dict[str, object]] | None = None) -> Validation:
    reruns_log = "\n".join(
        f"===== {name} run {i + 1} (exit {r.exit_code}) =====\n{cut(r.log)}"
        for name, side in (("before", before), ("after", after)) for i, r in enumerate(side.runs) if i > 0)
    stability = {t: [before.passes(t), after.passes(t), before.ran(t), after.ran(t)]
                 for t in sorted(before.tests() | after.tests())}
    sources = {p.source for p in before.parsed + after.parsed}
    runs = [{"side": name, "run": i + 1, "exit_code": p.exit_code, "exit_cause": p.exit_cause, "source": p.source,
             "seconds": round(r.seconds, 3), "timed_out": r.timed_out, "oom_killed": r.oom_killed,
             "tests": "all" if only is None else sorted(only), "container": r.container,
             "origin": r.origin}
            for name, side in (("before", before), ("after", after))
            for i, (r, p, only) in enumerate(zip(side.runs, side.parsed, side.targets))] + list(aside or [])
    return Validation(
        instance_id=env.instance_id, verdict="valid" if verdict.valid else "invalid", reason=verdict.reason,
        FAIL_TO_PASS=verdict.fail_to_pass, PASS_TO_PASS=verdict.pass_to_pass, flaky_tests=verdict.flaky,
        tests_before=before.parsed[0].tests, tests_after=after.parsed[0].tests,
        exit_before=before.parsed[0].exit_code, exit_after=after.parsed[0].exit_code,
        log_before=cut(before.runs[0].log), log_after=cut(after.runs[0].log), log_reruns=cut(reruns_log),
        log_path=str(log_dir), validate_seconds=seconds, fault=fault_of(verdict.reason), reason_detail=verdict.detail,
        runs_before=len(before.runs), runs_after=len(after.runs), test_stability=stability,
        gold_pass_rate=verdict.gold_pass_rate, noop_fail_rate=verdict.noop_fail_rate,
        flake_miss_probability=miss_probability(len(before.runs), len(after.runs)) if verdict.valid else None,
        results_source=sources.pop() if len(sources) == 1 else "mixed",
        collection_errors=after.parsed[0].collection_errors, runs=runs, validated_at=now(),
    )


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def join_record(task: Task, env: Environment, validation: Validation) -> ValidatedRecord:
    """The published row: the task's SWE-bench fields, the environment's, the validation's."""
    return ValidatedRecord(
        instance_id=task.instance_id, repo=task.repo, base_commit=task.base_commit, patch=task.patch,
        test_patch=task.test_patch, problem_statement=task.problem_statement, hints_text=task.hints_text,
        created_at=task.created_at, version=task.version or env.python_version,
        FAIL_TO_PASS=validation.FAIL_TO_PASS, PASS_TO_PASS=validation.PASS_TO_PASS,
        environment_setup_commit=task.environment_setup_commit or task.base_commit, pull_number=task.pull_number,
        dockerfile=env.dockerfile, eval_script=env.eval_script, image_name=env.image_name,
        image_digest=env.image_digest, python_version=env.python_version, test_command=env.test_command,
        test_files=env.test_files, log_parser=env.log_parser, build_method=env.build_method, attempts=env.attempts,
        cost_usd=env.cost_usd, tokens=env.tokens, build_seconds=env.build_seconds,
        validate_seconds=validation.validate_seconds, license=task.license, verdict=validation.verdict,
        reason=validation.reason, flaky_tests=validation.flaky_tests, log_path=validation.log_path,
        fault=validation.fault or fault_of(validation.reason), reason_detail=validation.reason_detail,
        runs_before=validation.runs_before, runs_after=validation.runs_after,
        test_stability=validation.test_stability, gold_pass_rate=validation.gold_pass_rate,
        noop_fail_rate=validation.noop_fail_rate, validated_at=validation.validated_at,
        flake_miss_probability=validation.flake_miss_probability,
    )


def explain_runs(log_dir: Path, test_files: list[str]) -> dict[str, list[dict[str, object]]]:
    """The kept runs of one instance, re-read from its log folder: side -> [{file paths, parsed run}]."""
    from openswe_data.toolchains.python.pytest_results import parse_log

    out: dict[str, list[dict[str, object]]] = {}
    for name in ("before", "after"):
        i = 1
        while (paths := run_files(log_dir, name, i))["log"].is_file():
            read = {k: (p.read_text(errors="replace") if p.is_file() else None) for k, p in paths.items()}
            out.setdefault(name, []).append({"paths": paths, "parsed": parse_log(read["log"] or "", test_files,
                                                                                junit=read["junit"], stdout=read["stdout"])})
            i += 1
    return out

