"""Grades one run of a record's eval script the way `openswe evaluate` does, inside the environment image.

Shipped as is into every exported Harbor task (tests/grade.py) with a copy of the record's own log parser
(tests/openswe_parser/, the modules of openswe_data.toolchains.python). Resolved when every FAIL_TO_PASS and
PASS_TO_PASS test passes (SWE-bench's criterion). Writes 1 or 0 to the reward file and the per-test table to
the report. Standard library only: it runs on the image's own Python, with no network.
"""

import argparse
import json
import os
import sys
from types import SimpleNamespace


def _read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except FileNotFoundError:
        return None


def main():
    ap = argparse.ArgumentParser()
    for name in ("config", "stdout", "stderr", "junit", "reward", "report"):
        ap.add_argument(f"--{name}", required=True)
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "openswe_parser"))
    from openswe_data.toolchains.python import pytest_results, unittest_results

    parsers = {"pytest": pytest_results, "unittest": unittest_results}
    with open(args.config, encoding="utf-8") as fh:
        config = json.load(fh)
    stdout, stderr = _read(args.stdout) or "", _read(args.stderr) or ""
    result = SimpleNamespace(log=stdout + stderr, stdout=stdout, junit=_read(args.junit))
    parser = parsers[config["log_parser"].replace("parse_log_", "", 1)]
    run = parser.parse_result(result, config["test_files"])
    wanted = config["FAIL_TO_PASS"] + config["PASS_TO_PASS"]
    failing = [t for t in wanted if run.tests.get(t) not in pytest_results.OK_STATUSES]
    resolved = bool(run.tests) and not failing
    reason = "" if resolved else ("tests_did_not_run" if not run.tests else "tests_failed")
    with open(args.reward, "w") as fh:
        fh.write("1\n" if resolved else "0\n")
    with open(args.report, "w", encoding="utf-8") as fh:
        json.dump({"instance_id": config["instance_id"], "resolved": resolved, "reason": reason,
                   "failing": failing, "tests": run.tests, "exit_code": run.exit_code, "notes": run.notes},
                  fh, indent=2)
    print(f"{config['instance_id']}: {'resolved' if resolved else 'not resolved'} {reason}".rstrip())


if __name__ == "__main__":
    main()
