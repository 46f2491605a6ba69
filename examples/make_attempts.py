"""Write examples/attempts.jsonl: SWE-bench predictions from four stand-in "models" over the valid examples.

No LLM is reachable here, so the demo's agent attempts are a fixed predictions file: for each valid
instance a planned number of the four models submit the gold fix, the others an empty patch, a patch that
applies but fixes nothing, or one that does not apply. Grading them in the real images gives pass rates
from 0/4 to 4/4, so the curation policy has something to keep and something to drop.

Usage: python examples/make_attempts.py [--repos DIR] [--dump FILE] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOLVED_BY = {  # instance -> how many of the four models submit the gold fix
    "openswe-examples__confmerge-9": 4,
    "openswe-examples__wordstats-7": 3,
    "openswe-examples__fastsum-5": 2,
    "openswe-examples__typedstack-3": 2,
    "openswe-examples__romanum-45": 1,
    "openswe-examples__tempconv-31": 1,
    "openswe-examples__slugkit-12": 0,
    "openswe-examples__bytesize-18": 4,  # valid since the closed build loop rescues it
}
MODELS = ["demo-model-a", "demo-model-b", "demo-model-c", "demo-model-d"]


def wrong_patch(repo: Path, base: str, gold: str) -> str:
    """A patch that applies to ``base`` but changes nothing that matters: a comment in the fixed file."""
    import difflib

    target = next(line[6:] for line in gold.splitlines() if line.startswith("+++ b/"))
    old = subprocess.run(["git", "-C", str(repo), "show", f"{base}:{target}"], check=True, capture_output=True,
                         text=True).stdout.splitlines(keepends=True)
    new = old[:1] + ["# attempted fix: looked at this module\n"] + old[1:]
    body = "".join(difflib.unified_diff(old, new, f"a/{target}", f"b/{target}", n=3))
    return f"diff --git a/{target} b/{target}\n{body}"


def broken_patch(gold: str) -> str:
    """The gold patch against the wrong context: it does not apply."""
    return gold.replace("\n ", "\n x", 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repos", type=Path, default=HERE / "repos")
    ap.add_argument("--dump", type=Path, default=HERE / "prs.jsonl")
    ap.add_argument("--out", type=Path, default=HERE / "attempts.jsonl")
    args = ap.parse_args()
    from openswe_data.collect.split import split_diff  # the same fix/test split collect makes

    rows = []
    for line in args.dump.read_text().splitlines():
        pr = json.loads(line)
        owner_name = pr["repo"]["full_name"]
        iid = f"{owner_name.replace('/', '__')}-{pr['pull']['number']}"
        if iid not in SOLVED_BY:
            continue
        gold = split_diff(pr["diff"]).patch
        repo = args.repos / owner_name.split("/")[1]
        misses = ["", wrong_patch(repo, pr["pull"]["base"]["sha"], gold), broken_patch(gold), ""]
        for i, model in enumerate(MODELS):
            patch = gold if i < SOLVED_BY[iid] else misses[i]
            rows.append({"instance_id": iid, "model_name_or_path": model, "model_patch": patch})
    args.out.write_text("".join(json.dumps(r) + "\n" for r in rows))
    print(f"wrote {len(rows)} predictions to {args.out}")


if __name__ == "__main__":
    main()
