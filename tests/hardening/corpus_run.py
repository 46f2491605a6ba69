"""Runs one case of the malformed-input corpus through its reader and says what went wrong, if anything.

Used by ``test_corpus.py`` (one test per case) and by ``benchmarks/hardening.py`` (the figures: cases,
tracebacks, lost items, unexplained bad entries, files written outside the workspace).

Each case runs through the CLI in-process (typer's runner, so a traceback would surface as an exception),
with its input copied into a fresh folder and the current directory set to another fresh folder, so a
write outside the workspace shows up as a new file there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent / "corpus"
_REASON = re.compile(r"^[a-z][a-z0-9_]*$")
# files a hostile input tries to create through git options, templates or YAML tags
CANARIES = (Path("/tmp/pwned"),)


def cases() -> list[dict[str, Any]]:
    return json.loads((CORPUS / "manifest.json").read_text())


@dataclass
class Outcome:
    case: str
    traceback: str | None = None
    lost: list[str] = field(default_factory=list)
    """good entries that did not come out stored"""
    unexplained: list[str] = field(default_factory=list)
    """bad entries with no reject naming them (or a reject without a machine-readable reason)"""
    accepted_bad: int = 0
    leaked: list[str] = field(default_factory=list)
    """files written outside the workspace"""
    unreadable: str | None = None
    """the workspace could not be read afterwards"""
    unhelpful: str | None = None
    """a refused file whose error does not name it or say what to do"""

    @property
    def ok(self) -> bool:
        return not (self.traceback or self.lost or self.unexplained or self.accepted_bad or self.leaked
                    or self.unreadable or self.unhelpful)


_APP = None


def _invoke(args: list[str], cwd: Path) -> Any:
    from typer.testing import CliRunner

    from openswe_data.cli import make_app

    global _APP
    if _APP is None:
        _APP = make_app()
    app = _APP

    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(app, args, catch_exceptions=True)
    finally:
        os.chdir(old)


def _traceback(result: Any) -> str | None:
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        return "".join(traceback.format_exception(result.exception))[-3000:]
    if "Traceback (most recent call last)" in (result.output or ""):
        return result.output[-3000:]
    return None


def _write_parquet(rows: list[dict[str, Any]], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = []
    for name in rows[0]:
        values = [r[name] for r in rows]
        if any(isinstance(v, int) and v >= 2**63 for v in values):
            fields.append(pa.field(name, pa.uint64()))
        else:
            fields.append(pa.field(name, pa.infer_type(values)))
    pq.write_table(pa.Table.from_pylist(rows, schema=pa.schema(fields)), path)


def _snapshot(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def run_case(case: dict[str, Any], tmp: Path) -> Outcome:
    out = Outcome(case["case"])
    inputs, cwd, ws = tmp / "in", tmp / "cwd", tmp / "cwd" / "ws"
    inputs.mkdir(parents=True)
    cwd.mkdir()
    src = CORPUS / case["input"]
    target = inputs / Path(case["input"]).name
    if "parquet_rows" in case:
        _write_parquet(case["parquet_rows"], target)
    elif src.is_dir():
        shutil.copytree(src, target)
    elif src.exists():
        shutil.copy(src, target)
    before_in = _snapshot(inputs)
    runner = {"dump": _reader_case, "tasks": _reader_case, "policy": _policy_case, "recipe": _recipe_case,
              "workspace": _workspace_case, "evaluate": _evaluate_case}.get(case["reader"], _reader_case)
    runner(case, target, cwd, ws, out)
    leaked = (_snapshot(cwd) - {p for p in _snapshot(cwd) if p == "ws" or p.startswith("ws/")})
    leaked |= {f"input/{p}" for p in _snapshot(inputs) - before_in}
    leaked |= {str(c) for c in CANARIES if c.exists()}
    out.leaked = sorted(leaked)
    return out


def _args(case: dict[str, Any], target: Path, ws: Path) -> list[str]:
    reader = case["reader"]
    if reader == "dump":
        return ["collect", "dump", str(target), "-w", str(ws)]
    if reader == "tasks":
        return ["collect", "swebench", str(target), "-w", str(ws)]
    return ["curate", "import", case["format"], str(target), "-w", str(ws)]


def _ran(args: list[str], cwd: Path, out: Outcome) -> bool:
    """Run the CLI; ``False`` (with the outcome noted) when it printed a traceback or failed unexplained."""
    result = _invoke(args, cwd)
    out.traceback = _traceback(result)
    if not out.traceback and result.exit_code != 0:
        out.unexplained.append(f"exit {result.exit_code}: {result.output[-500:]}")
    return not out.traceback and result.exit_code == 0


def _reader_case(case: dict[str, Any], target: Path, cwd: Path, ws: Path, out: Outcome) -> None:
    if not _ran(_args(case, target, ws), cwd, out):
        return
    try:
        stored, rejects = _stored(case, ws)
    except Exception as exc:  # the point of the check: anything here means the workspace is unreadable
        out.unreadable = f"{type(exc).__name__}: {exc}"
        return
    goods = [e for e in case["entries"] if e["expect"] == "keep"]
    out.lost = [e["id"] for e in goods if e["id"] not in stored]
    out.accepted_bad = max(0, len(stored) - len(goods))
    _explained(case, target, rejects, out)


def _evaluate_case(case: dict[str, Any], target: Path, cwd: Path, ws: Path, out: Outcome) -> None:
    """``openswe evaluate FILE`` against an empty workspace: each good prediction comes out as an unknown
    instance (there is nothing to grade it in), each bad row as a reject in the report."""
    from openswe_data.store import Workspace

    Workspace(ws, create=True)
    report = ws / "report.json"
    if not _ran(["evaluate", str(target), "--source", str(ws), "--report", str(report)], cwd, out):
        return
    data = json.loads(report.read_text())
    read = data["summary"]["unknown_instances"] + [r["instance_id"] for r in data["instances"]]
    goods = [e for e in case["entries"] if e["expect"] == "keep"]
    out.lost = [e["id"] for e in goods if e["id"] not in read]
    out.accepted_bad = max(0, len(read) - len(goods))
    _explained(case, target, data["rejected"], out)


def _explained(case: dict[str, Any], target: Path, rejects: list[dict[str, Any]], out: Outcome) -> None:
    for e in (e for e in case["entries"] if e["expect"] == "reject"):
        named = [r for r in rejects if _names(r["source"], target, e)]
        if not named:
            out.unexplained.append(f"no reject names {e}; rejects: {[(r['source'], r['reason']) for r in rejects][:5]}")
        elif not all(_REASON.match(r["reason"]) and r["detail"] for r in named):
            out.unexplained.append(f"reject for {e} lacks a machine-readable reason or a detail: {named}")


def _names(source: str, target: Path, entry: dict[str, Any]) -> bool:
    if "line" in entry:
        return source.endswith((f":{entry['line']}", f":L{entry['line']}", f"[{entry['line'] - 1}]"))
    if "where" in entry:
        return source.endswith(entry["where"])
    return source.endswith(entry["file"]) or any(f"/{entry['file']}{c}" in source for c in ":[")


def _stored(case: dict[str, Any], ws: Path) -> tuple[set[str], list[dict[str, Any]]]:
    """Ids stored as results, and every reject, after reading every stage in the workspace."""
    from openswe_data.store import STAGES, Workspace

    w = Workspace(ws)
    for name in STAGES:
        if (ws / name).is_dir():
            st = w.stage(name)
            list(st)
            list(st.rejects)
    stage = "tasks" if case["reader"] in ("dump", "tasks") else "attempts"
    st = w.stage(stage)
    ids = [r.instance_id for r in st]
    if stage == "attempts" and len(ids) != len(set(ids)):
        raise AssertionError(f"attempts stored twice: {ids}")
    rejects = [{"source": r.source, "reason": r.reason, "detail": r.detail} for r in st.rejects]
    return set(ids), rejects


def _policy_case(case: dict[str, Any], target: Path, cwd: Path, ws: Path, out: Outcome) -> None:
    from openswe_data.curate.policy import load_policy

    _refused(lambda: load_policy(target), target, out, cwd)


def _recipe_case(case: dict[str, Any], target: Path, cwd: Path, ws: Path, out: Outcome) -> None:
    from openswe_data import recipes

    root = target.parent.parent / "recipes"
    (root / "builders").mkdir(parents=True)
    shutil.move(str(target), root / "builders" / target.name)
    named = root / "builders" / target.name
    _refused(lambda: recipes.render("builders", target.name, {"x": 1}, explicit=root), named, out, cwd)


def _refused(call: Any, named: Path, out: Outcome, cwd: Path) -> None:
    """A bad single-file input must raise the library's own error naming the file."""
    from openswe_data.errors import OpensweError

    old = os.getcwd()
    os.chdir(cwd)
    try:
        call()
    except OpensweError as exc:
        if named.name not in str(exc):
            out.unhelpful = f"the error does not name {named.name}: {exc}"
    except Exception as exc:  # what the check is for: any other exception reaches the user as a traceback
        import traceback

        out.traceback = "".join(traceback.format_exception(exc))[-3000:]
    else:
        out.unexplained.append("accepted a bad file")
    finally:
        os.chdir(old)


def _workspace_case(case: dict[str, Any], target: Path, cwd: Path, ws: Path, out: Outcome) -> None:
    """A workspace with two good tasks, then one damaged file: re-running collect and querying must name it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from make_corpus import good_pr

    dump = target.parent.parent / "good.jsonl"
    dump.write_text("".join(json.dumps(good_pr(i)) + "\n" for i in (1, 2)))
    first = _invoke(["collect", "dump", str(dump), "-w", str(ws)], cwd)
    if first.exit_code != 0:
        out.unexplained.append(f"setup failed: {first.output[-500:]}")
        return
    damaged = ws / case["target"]
    damaged.parent.mkdir(parents=True, exist_ok=True)
    content = target.read_bytes()
    if content == b"truncate":
        existing = sorted(damaged.parent.glob("part-*.parquet")) if damaged.parent.is_dir() else []
        if not existing:  # no part there yet (rejects): make one from a real table first
            pq.write_table(pa.table({"item_id": ["x"]}), damaged)
            existing = [damaged]
        data = existing[0].read_bytes()
        existing[0].unlink()
        damaged.write_bytes(data[: len(data) // 2])
    elif content == b"foreign":
        pq.write_table(pa.table({"something": [1, 2], "else": ["a", "b"]}), damaged)
    else:
        damaged.write_bytes(content)
    for args in (["collect", "dump", str(dump), "-w", str(ws)], ["query", "SELECT count(*) FROM tasks", "-w", str(ws)]):
        result = _invoke(args, cwd)
        tb = _traceback(result)
        if tb:
            out.traceback = tb
            return
        if result.exit_code == 0:
            continue  # the damage did not matter to this command (e.g. a stage it does not read)
        if damaged.name not in result.output or "hint" not in result.output:
            out.unhelpful = f"`{' '.join(args[:2])}` exit {result.exit_code}: {result.output[-600:]}"
            return
