"""``openswe validate --explain INSTANCE``: why one instance got its verdict, from what was kept.

Input: a workspace and an instance id. Output: plain text — the image and the commands that ran, each
run's exit status, its cause and where its results were read from, the per-test table (every run before
and after the gold patch), and the verdict with its reason, fault and the gate rates. Everything is read
back from the stored records and the instance's log folder; nothing is re-run.
"""

from __future__ import annotations

from pathlib import Path

from openswe_data.errors import ValidateError
from openswe_data.records import Environment, Validation, ValidatedRecord
from openswe_data.store import Workspace
from openswe_data.validate.instance import explain_runs
from openswe_data.toolchains.python.pytest_results import OK_STATUSES

_MARK = {"PASSED": "P", "XFAIL": "x", "FAILED": "F", "ERROR": "E", "SKIPPED": "s"}
MAX_ROWS = 200


def explain(workspace: Workspace, instance_id: str) -> str:
    record = workspace.stage("records", ValidatedRecord).get(instance_id)
    env = workspace.stage("environments", Environment).get(instance_id)
    if record is None and env is None:
        raise ValidateError(f"no validated record or environment for {instance_id!r} in {workspace.path}",
                            hint="run `openswe validate` first, or check the id with `openswe query`")
    validation = workspace.stage("validations", Validation).get(instance_id)
    lines = [f"instance   {instance_id}"]
    if env is not None:
        lines += [f"image      {env.image_name or '(none)'} {env.image_digest}",
                  f"build      {env.status}{' ' + env.reason if env.reason else ''}; log {env.log_path}",
                  f"targets    {' '.join(env.test_files) or '(none)'}",
                  f"command    {env.test_command or '(none)'}",
                  "runs       /eval.sh in containers without network (a side's first run alone, later ones in series); "
                  "the gold patch applied by `git apply` on the 'after' side"]
    if validation is None or record is None:
        lines.append("verdict    not validated yet" if env is None or env.status == "built"
                     else f"verdict    invalid {env.reason} (fault: build) — see {env.log_path}")
        return "\n".join(lines) + "\n"
    runs = explain_runs(Path(validation.log_path), list(record.test_files)) if validation.log_path else {}
    lines.append("")
    where = _where(validation.runs)
    for side in ("before", "after"):
        for i, run in enumerate(runs.get(side, []), 1):
            p = run["parsed"]
            lines.append(f"{side:6} run {i}: exit {p.exit_code} ({p.exit_cause}), results from {p.source}, "  # type: ignore[attr-defined]
                         f"{len(p.tests)} tests, {len(p.collection_errors)} collection errors{where.get((side, i), '')}; "  # type: ignore[attr-defined]
                         f"log {run['paths']['log']}")  # type: ignore[index]
            for module, error in sorted(p.collection_errors.items())[:5]:  # type: ignore[attr-defined]
                lines.append(f"           cannot collect {module}: {error}")
    lines += _aside(validation.runs, validation.log_path)
    lines += ["", *_table(runs, record, _focused(validation.runs))]
    lines += ["", f"verdict    {record.verdict}{' ' + record.reason if record.reason else ''}"
                  f"{' (fault: ' + record.fault + ')' if record.fault else ''}"]
    if record.reason_detail:
        lines.append(f"why        {record.reason_detail}")
    lines.append(f"gate       runs {record.runs_before} before / {record.runs_after} after; "
                 f"no-op fail rate {_rate(record.noop_fail_rate)}, gold pass rate {_rate(record.gold_pass_rate)}")
    lines.append(f"lists      FAIL_TO_PASS {len(record.FAIL_TO_PASS)}, PASS_TO_PASS {len(record.PASS_TO_PASS)}, "
                 f"flaky {len(record.flaky_tests)}")
    return "\n".join(lines) + "\n"


def _rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _where(runs: object) -> dict[tuple[str, int], str]:
    """(side, run number) -> where the run ran: its container, and the validation it was reused from."""
    rows = runs if isinstance(runs, list) else []
    return {(r["side"], r["run"]): (f", container {r['container']}" if r.get("container") else "")
            + (f", reused from {r['origin']}" if r.get("origin") else "")
            for r in rows if isinstance(r, dict) and "side" in r and "run" in r}


def _aside(runs: object, log_path: str) -> list[str]:
    """One line per run set aside (never graded): why, and where its log is."""
    rows = runs if isinstance(runs, list) else []
    return [f"{r['side']:6} set aside {r['aside']}: exit {r.get('exit_code')} ({r.get('exit_cause')}): {r.get('why')}; "
            f"log {Path(log_path) / (str(r['side']) + '-aside-' + str(r['aside']) + '.log')}"
            for r in rows if isinstance(r, dict) and "aside" in r and "side" in r]


def _focused(runs: object) -> dict[tuple[str, int], set[str]]:
    """(side, run number) -> the only tests a focused confirmation run ran (validate/focus.py)."""
    rows = runs if isinstance(runs, list) else []
    return {(r["side"], r["run"]): set(r["tests"]) for r in rows
            if isinstance(r, dict) and isinstance(r.get("tests"), list)}


def _table(runs: dict[str, list[dict[str, object]]], record: ValidatedRecord,
           focused: dict[tuple[str, int], set[str]] | None = None) -> list[str]:
    """One row per test: its status in every run before | after, and what the grading made of it."""
    before = [r["parsed"].tests for r in runs.get("before", [])]  # type: ignore[attr-defined]
    after = [r["parsed"].tests for r in runs.get("after", [])]  # type: ignore[attr-defined]
    tests = sorted(set().union(*before, *after)) if before or after else []
    f2p, p2p, flaky = set(record.FAIL_TO_PASS), set(record.PASS_TO_PASS), set(record.flaky_tests)
    focused = focused or {}
    rows = [f"{'before':>{max(len(before), 6)}} | {'after':<{max(len(after), 5)}}  role        test",
            "legend: P passed, x xfail, F failed, E error, s skipped, - not reported, . not run (a focused run)"]

    def marks(side: str, side_runs: list[dict[str, str]], t: str) -> str:
        return "".join("." if t not in focused.get((side, i), {t}) else _MARK.get(run.get(t, ""), "-")
                       for i, run in enumerate(side_runs, 1))

    for t in tests[:MAX_ROWS]:
        b, a = marks("before", before, t), marks("after", after, t)
        role = ("FAIL_TO_PASS" if t in f2p else "PASS_TO_PASS" if t in p2p else "flaky" if t in flaky
                else "fails after" if after and all(run.get(t) not in OK_STATUSES for run in after) else "-")
        rows.append(f"{b:>{max(len(before), 6)}} | {a:<{max(len(after), 5)}}  {role:<12}{t}")
    if len(tests) > MAX_ROWS:
        rows.append(f"... and {len(tests) - MAX_ROWS} more tests")
    return rows
