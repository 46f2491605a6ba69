"""Figures for bad-input hardening: run the whole malformed-input corpus and count what went wrong.

    python benchmarks/bench_hardening.py [--show N] [--kills N] [--corpus-only]

Prints: cases, tracebacks, lost good entries, bad entries without a reject naming them, bad entries stored
as good, files written outside the workspace, unreadable workspaces, unhelpful errors; then kills (SIGKILLs
of a running command, each resumed: items lost or stored twice), debris (what killed runs left outside the
store, before and after the resume) and leaks (fake secrets found in outputs and the workspace), see
``hardening_resume.py``; then the first N failing corpus cases by reader.
"""

from __future__ import annotations

import argparse
import collections
import logging
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "hardening"))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> int:
    from corpus_run import cases, run_case

    ap = argparse.ArgumentParser()
    ap.add_argument("--show", type=int, default=20)
    ap.add_argument("--only", default="", help="run only cases whose name contains this")
    ap.add_argument("--kills", type=int, default=5, help="SIGKILLs of a running collect, each then resumed")
    ap.add_argument("--corpus-only", action="store_true", help="skip the kill, debris and leak figures")
    args = ap.parse_args()
    logging.disable(logging.WARNING)
    totals = collections.Counter()
    failing = []
    for case in cases():
        if args.only not in case["case"]:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            o = run_case(case, Path(tmp))
        totals["cases"] += 1
        totals["tracebacks"] += bool(o.traceback)
        totals["lost good entries"] += len(o.lost)
        totals["cases losing good entries"] += bool(o.lost)
        totals["bad entries unexplained"] += len(o.unexplained)
        totals["bad entries stored as good"] += o.accepted_bad
        totals["files leaked outside the workspace"] += len(o.leaked)
        totals["unreadable workspaces"] += bool(o.unreadable)
        totals["unhelpful errors"] += bool(o.unhelpful)
        if not o.ok:
            failing.append(o)
    for k, v in totals.items():
        print(f"{k:40s} {v}")
    if not args.corpus_only:
        import hardening_resume as resume

        with tempfile.TemporaryDirectory() as tmp:
            for part in (resume.kills(Path(tmp), args.kills), resume.debris(Path(tmp)), resume.leaks(Path(tmp))):
                for k, v in part.items():
                    print(f"{k:40s} {v}")
    by_reader = collections.Counter(o.case.split("/")[0] for o in failing)
    print("failing cases by reader:", dict(by_reader))
    for o in failing[: args.show]:
        why = (o.traceback or "").strip().splitlines()[-1:] or o.lost[:2] or o.unexplained[:1] or o.leaked[:3] \
            or [o.unreadable or o.unhelpful or f"accepted_bad={o.accepted_bad}"]
        print(f"  {o.case}: {str(why)[:300]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
