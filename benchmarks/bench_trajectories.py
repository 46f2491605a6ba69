"""Benchmark: contextual trajectories from 100,000 synthetic PRs -- trajectories/s, tokens/s, peak memory.

Each PR is generated on the fly (an issue with a comment, a 120-line source file and its test file at the
base commit, a two-line fix in one of its functions and a new test, two commit messages; names drawn at random), then goes through the same pure path
``openswe trajectories build`` uses for every PR: messages (view, search, ``str_replace`` / ``create``
calls), token count with the bundled tiktoken ``cl100k_base``, SimHash and the near-duplicate index, and
rendering to the three trainer formats (OpenAI messages + tools, ShareGPT, the text function-call form),
each written as a JSONL line. Peak resident memory (VmHWM) is read at checkpoints: it should stay flat
(what grows by design is the near-duplicate index, about 80 bytes a kept trajectory).

    python benchmarks/bench_trajectories.py [--n 100000] [--tokenizer tiktoken:cl100k_base] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


WORDS = ("alpha beta gamma delta total scale count value item row col key name path size rate limit score "
         "weight price amount index offset start stop step chunk batch token node edge graph tree leaf root "
         "cache store queue stack buffer frame window level depth width height area volume mass speed").split()


def _source(i: int) -> str:
    """A 120-line module of 20 functions whose names and variables come from PR ``i``'s own random draw."""
    import random

    rng = random.Random(i)
    funcs = []
    for k in range(20):
        a, b, c = rng.sample(WORDS, 3)
        funcs.append(f"def f{k}_{i}({a}s, {b}={rng.randint(1, 99)}):\n    \"\"\"The {c} of ``{a}s`` by {b}.\"\"\"\n"
                     f"    {c} = 0\n    for {a} in {a}s:\n        total += {a} * {b}\n    return {c} + total\n")
    return "import math\n\n\n" + "\n\n".join(funcs)


def synthetic(i: int):
    """PR number ``i``: its context and its files at the base commit."""
    from openswe_data.trajectories.contextual import PRContext
    from openswe_data.trajectories.sources import Sources

    import random

    rng = random.Random(-i)
    k, w1, w2, w3 = rng.randint(0, 19), *rng.sample(WORDS, 3)
    src, test = _source(i), f"from pkg.mod_{i} import f{k}_{i}\n\n\ndef test_f{k}():\n    assert f{k}_{i}([1]) > 0\n"
    lines = src.splitlines(keepends=True)
    at = next(n for n, line in enumerate(lines) if line.startswith(f"def f{k}_{i}"))
    after = lines[:]
    after[at + 4] = after[at + 4].replace("total += ", "total += float(").replace(" * ", ") * ")
    after[at + 5] = after[at + 5].replace("+ total", "+ round(total, 6)")
    body = "".join(f"{'-' if a != b else ' '}{a}" + (f"+{b}" if a != b else "") for a, b in
                   zip(lines[at:at + 6], after[at:at + 6]))
    diff = (f"diff --git a/pkg/mod_{i}.py b/pkg/mod_{i}.py\nindex 1111111..2222222 100644\n--- a/pkg/mod_{i}.py\n"
            f"+++ b/pkg/mod_{i}.py\n@@ -{at + 1},6 +{at + 1},6 @@\n{body}"
            f"diff --git a/tests/test_mod_{i}.py b/tests/test_mod_{i}.py\nindex 3333333..4444444 100644\n"
            f"--- a/tests/test_mod_{i}.py\n+++ b/tests/test_mod_{i}.py\n@@ -3,3 +3,8 @@\n \n def test_f{k}():\n"
            f"     assert f{k}_{i}([1]) > 0\n+\n+\n+def test_{w1}_{w2}_as_strings():\n+    {w3} = f{k}_{i}(['1', '2'])\n"
            f"+    assert {w3} == f{k}_{i}([1, 2])\n")
    issue = {"number": i, "title": f"f{k}_{i} fails on numeric strings",
             "body": f"Calling `f{k}_{i}(['1'])` raises TypeError: can't multiply sequence by non-int. " * 3,
             "comments": [{"user": "maintainer", "body": "Convert with float() first, please add a test."}]}
    ctx = PRContext(instance_id=f"org{i % 997}__repo{i % 997}-{i}", repo=f"org{i % 997}/repo{i % 997}", diff=diff,
                    title=f"f{k}_{i}: accept numeric strings", body=f"Fixes #{i}", issues=[issue],
                    commit_messages=[f"f{k}_{i}: convert values with float()", f"tests: {w1} {w2} as strings"],
                    created_at="2024-05-01T00:00:00Z", license="MIT")
    return ctx, Sources(files={f"pkg/mod_{i}.py": src, f"tests/test_mod_{i}.py": test}, origin="repository")


def prs(n: int) -> Iterator:
    for i in range(n):
        yield synthetic(i)


def vm_hwm_mb() -> float:
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")) / 1024


def run(n: int, tokenizer_spec: str, out: Path) -> dict:
    from openswe_data.trajectories import make, render, tokens
    from openswe_data.trajectories.decontam import Decontaminator, group_of

    tokenizer = tokens.load(tokenizer_spec)
    decon = Decontaminator()
    made = dupes = total_tokens = out_bytes = 0
    checkpoints = {}
    marks = {max(1, n // 10), n // 2, n}
    t0 = time.perf_counter()
    with open(out, "w", encoding="utf-8") as fh:
        for k, (ctx, sources) in enumerate(prs(n), 1):
            t = make.contextual(ctx, sources, tokenizer)
            if decon.judge(t.trajectory_id, int(t.simhash, 16), group_of(t.kind, t.resolved)) is not None:
                dupes += 1
                continue
            made += 1
            total_tokens += t.tokens
            for fmt in render.FORMATS:
                line = json.dumps({"id": t.trajectory_id, "format": fmt, **render.render(fmt, t.messages, t.tools)},
                                  ensure_ascii=False)
                fh.write(line + "\n")
                out_bytes += len(line) + 1
            if k in marks:
                checkpoints[k] = {"seconds": round(time.perf_counter() - t0, 1), "peak_rss_mb": round(vm_hwm_mb(), 1)}
    seconds = time.perf_counter() - t0
    return {"prs": n, "trajectories": made, "near_duplicates": dupes, "tokenizer": tokenizer.name,
            "tokens": total_tokens, "mean_tokens": round(total_tokens / max(made, 1)), "seconds": round(seconds, 1),
            "prs_per_s": round(n / seconds, 1), "trajectories_per_s": round(made / seconds, 1), "tokens_per_s": round(total_tokens / seconds),
            "output_mb": round(out_bytes / 1e6, 1), "checkpoints": checkpoints}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--tokenizer", default="tiktoken:cl100k_base")
    parser.add_argument("--keep", type=Path, default=None, help="keep the JSONL output here")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench-trajectories-"))
    base.mkdir(parents=True, exist_ok=True)
    try:
        figures = run(args.n, args.tokenizer, base / "trajectories.jsonl")
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    print(json.dumps(figures, indent=2))
    print(f"{figures['trajectories']:,} trajectories from {figures['prs']:,} PRs ({figures['near_duplicates']:,} "
          f"near-duplicates left out) in {figures['seconds']} s: {figures['prs_per_s']:,} PRs/s, "
          f"{figures['trajectories_per_s']:,} trajectories/s, {figures['tokens_per_s']:,} tokens/s "
          f"({figures['tokenizer']}), {figures['output_mb']} MB of JSONL in 3 formats")
    for k, c in figures["checkpoints"].items():
        print(f"  after {k:>7,} PRs: {c['seconds']:>7} s, peak RSS {c['peak_rss_mb']} MB")


if __name__ == "__main__":
    main()
