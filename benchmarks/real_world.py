"""The real-world development set end to end: commits of real repositories -> tasks -> images -> verdicts.

    python benchmarks/real_world.py                                # every instance whose mirror is here
    python benchmarks/real_world.py --only pallets/click --limit 2 --workspace /tmp/rw
    python benchmarks/real_world.py --report-only --workspace /tmp/rw   # figures again from a finished run

The set (``benchmarks/real_world/devset.jsonl``) holds facts only: repository, mirror folder, commit,
base, the verdict a person expects, and for a hand-checked subset the exact FAIL_TO_PASS. Patches are
re-derived at run time from local mirrors (``--mirrors``, default ``/work/.mirror``: ``<mirror>/repo`` or
``<mirror>`` a git directory); a repository without a mirror is skipped with a note. Each instance goes
through the library: ``collect_git`` (that one commit) -> ``build_with_loop`` (the closed loop, as ``openswe
build`` runs it; ``--open-loop``: one heuristic ``build_environments`` attempt) -> ``validate_environments``.
The first instance of every repository runs before the later ones, so later instances can reuse its
layers, as they would in a real run. Prints the figures of issue 11 and writes a JSON summary
(``--summary``, default ``<workspace>/real-world-summary.json``) to compare runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from real_world_report import Outcome, figures, print_report  # noqa: E402

from openswe_data.errors import OpensweError  # noqa: E402
from openswe_data.store import Workspace  # noqa: E402

DEVSET = Path(__file__).resolve().parent / "real_world" / "devset.jsonl"


def load_devset(path: Path) -> list[dict[str, Any]]:
    """The set's entries, in file order; a malformed line stops here with its line number."""
    entries = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                entry = json.loads(line)
                for key in ("instance_id", "repo", "mirror", "commit", "base", "expected"):
                    if not isinstance(entry.get(key), str):
                        raise ValueError(f"missing {key!r}")
            except ValueError as exc:
                raise SystemExit(f"{path}:{lineno}: not a devset entry ({exc})") from None
            entries.append(entry)
    return entries


def mirror_dir(mirrors: Path, name: str) -> Path | None:
    """The git directory of a mirror folder, or ``None`` when it is not on this machine."""
    for candidate in (mirrors / name / "repo", mirrors / name):
        if (candidate / "HEAD").is_file() or (candidate / ".git").exists():
            return candidate
    return None


def collect_one(ws: Workspace, entry: dict[str, Any], source: Path) -> str:
    """Mine the entry's commit into the workspace; returns ``""`` or why no task came out."""
    from openswe_data.collect import GitQuery, collect_git

    tasks = ws.stage("tasks")
    if entry["instance_id"] in tasks.keys():
        return ""
    try:
        collect_git(source, ws, query=GitQuery(rev=entry["commit"], limit=1, repo=entry["repo"]))
    except OpensweError as exc:
        return f"collect:{exc.reason}"
    if entry["instance_id"] in tasks.keys():
        return ""
    rejects = {r.item_id: r.reason for r in tasks.rejects}
    return f"collect:{rejects.get(entry['instance_id'], 'instance_id_mismatch')}"


def run_one(ws: Workspace, iid: str, *, open_loop: bool = False, reruns: int = 4) -> float:
    """Build then validate one instance (each stage resumes); returns the wall seconds spent."""
    from openswe_data.build import build_environments
    from openswe_data.repair import build_with_loop
    from openswe_data.validate import ValidateOptions, validate_environments

    start = time.monotonic()
    try:
        if open_loop:
            build_environments(ws, ids=[iid], workers=1)
        else:
            build_with_loop(ws, ids=[iid], workers=1)
        validate_environments(ws, ids=[iid], workers=1, options=ValidateOptions(reruns=reruns))
    except OpensweError as exc:  # a stage-wide failure (the engine is gone): the record says nothing; note it
        print(f"  {iid}: {exc.reason}: {exc}", flush=True)
    return time.monotonic() - start


def run(args: argparse.Namespace, entries: list[dict[str, Any]], ws: Workspace) -> dict[str, Outcome]:
    outcomes: dict[str, Outcome] = {}
    missing: set[str] = set()
    ready: list[dict[str, Any]] = []
    for entry in entries:
        source = mirror_dir(Path(args.mirrors), entry["mirror"])
        if source is None:
            if entry["repo"] not in missing:
                print(f"mirror {entry['mirror']} not in {args.mirrors}: skipping {entry['repo']}", flush=True)
            missing.add(entry["repo"])
            continue
        dropped = collect_one(ws, entry, source)
        outcomes[entry["instance_id"]] = Outcome(entry=entry, collect_reason=dropped)
        if not dropped:
            ready.append(entry)
    seen: set[str] = set()
    firsts = [e for e in ready if not (e["repo"] in seen or seen.add(e["repo"]))]  # type: ignore[func-returns-value]
    later = [e for e in ready if e not in firsts]
    print(f"{len(ready)} tasks ({len(firsts)} repositories); {len(outcomes) - len(ready)} dropped at collect; "
          f"{len(missing)} repositories without a mirror", flush=True)
    for phase, batch in (("first instances", firsts), ("later instances", later)):
        print(f"-- {phase}: {len(batch)}", flush=True)
        with ThreadPoolExecutor(max_workers=max(1, args.workers)) as pool:
            one = lambda e: run_one(ws, e["instance_id"], open_loop=args.open_loop, reruns=args.reruns)  # noqa: E731
            for entry, wall in zip(batch, pool.map(one, batch)):
                outcomes[entry["instance_id"]].wall_seconds = wall
                rec = ws.stage("records").get(entry["instance_id"])
                verdict = f"{rec.verdict} {rec.reason}".strip() if rec else "no record"
                print(f"  {entry['instance_id']}: {verdict} ({wall:.0f} s)", flush=True)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devset", type=Path, default=DEVSET, help="the set (JSONL)")
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"), help="folder of mirrors")
    parser.add_argument("--workers", type=int, default=2, help="instances built and validated at once")
    parser.add_argument("--only", action="append", default=[], help="only this owner/name (repeatable)")
    parser.add_argument("--limit", type=int, default=0, help="at most N instances (0: all)")
    parser.add_argument("--workspace", type=Path, default=None, help="workspace folder (default: a temp folder)")
    parser.add_argument("--summary", type=Path, default=None, help="JSON summary path")
    parser.add_argument("--report-only", action="store_true", help="only report on an existing workspace")
    parser.add_argument("--open-loop", action="store_true", help="one heuristic build per instance (the baseline)")
    parser.add_argument("--reruns", type=int, default=4, help="extra validation runs a side (the gate needs >= 2)")
    parser.add_argument("--per-repo", type=int, default=0, help="at most N instances of each repository (0: all)")
    args = parser.parse_args(argv)

    entries = load_devset(args.devset)
    if args.only:
        entries = [e for e in entries if e["repo"] in set(args.only)]
    if args.per_repo:
        seen: dict[str, int] = {}
        entries = [e for e in entries if (seen.__setitem__(e["repo"], seen.get(e["repo"], 0) + 1)
                                          or seen[e["repo"]] <= args.per_repo)]
    if args.limit:
        entries = entries[: args.limit]
    if not entries:
        print("no instance selected", file=sys.stderr)
        return 2
    ws_path = args.workspace or Path(tempfile.mkdtemp(prefix="openswe-real-world-"))
    if args.report_only and not (ws_path / "workspace.json").exists():
        print(f"{ws_path} is not a workspace: run without --report-only first", file=sys.stderr)
        return 2
    ws = Workspace(ws_path, create=True)
    print(f"workspace: {ws_path}", flush=True)
    started = time.monotonic()
    if args.report_only:
        outcomes = {e["instance_id"]: Outcome(entry=e) for e in entries
                    if mirror_dir(args.mirrors, e["mirror"]) is not None}
        rejects = {r.item_id: r.reason for r in ws.stage("tasks").rejects}
        for iid, outcome in outcomes.items():
            outcome.collect_reason = f"collect:{rejects[iid]}" if iid in rejects else ""
    else:
        outcomes = run(args, entries, ws)
    summary = figures(ws, list(outcomes.values()), wall_seconds=time.monotonic() - started, workers=args.workers)
    print_report(summary)
    out = args.summary or ws_path / "real-world-summary.json"
    out.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    print(f"summary written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
