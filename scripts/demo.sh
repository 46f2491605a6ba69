#!/usr/bin/env bash
# The main job on the bundled examples: collect -> build -> validate -> curate -> trajectories -> report -> release.
# Leaves the workspace in ./workspace, the report in ./workspace/report, the release in ./openswe.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
host=$(bash scripts/docker-up.sh); export "${host?}"
export HF_HUB_DISABLE_XET=1

python examples/make_repos.py --quiet          # the example git repositories (deterministic shas)
openswe run examples/prs.jsonl --workspace workspace --release openswe \
  --attempts examples/attempts.jsonl "$@"
python - <<'PY'
from datasets import load_dataset

ds = load_dataset("openswe", "environments", split="test")
print(f"load_dataset('openswe', 'environments'): {ds.num_rows} rows, columns {ds.column_names[:6]} ...")
traj = load_dataset("openswe", "trajectories", split="test")
kinds = {k: traj["kind"].count(k) for k in sorted(set(traj["kind"]))}
print(f"load_dataset('openswe', 'trajectories'): {traj.num_rows} rows by kind {kinds}")
ver = load_dataset("openswe", "verifier", split="test")
print(f"load_dataset('openswe', 'verifier'): {ver.num_rows} labelled examples")
PY
