"""Local pool vs Ray cluster on this machine: scheduling overhead per task, and throughput (instances per
minute) of build + validate on the bundled examples, the same input through both executors.

    python benchmarks/bench_ray.py            # overhead + examples build/validate, local then Ray (~12 min on 2 cores)
    python benchmarks/bench_ray.py --quick    # overhead + validation of 3 examples only (~3 min)

The Ray side is a real cluster of this machine's processes, shaped like the tests': a head with no CPUs and
two worker nodes of one CPU and one ``docker`` unit each, with Debian's docker-registry on loopback
carrying every built image (push after build). The local side is the thread pool with 2 workers. Both
start from a fresh workspace with the images already on the engine (warm: the examples were built before
by the same code), so the figures compare scheduling, not pip. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the registry helper the tests use

from openswe_data.execute import LocalExecutor, get_executor  # noqa: E402
from openswe_data.store import Workspace  # noqa: E402


def noop(x: int) -> int:
    return x


def nap(x: int) -> int:
    time.sleep(0.2)
    return x


def timed_map(executor, fn, n: int) -> float:
    start = time.perf_counter()
    for _ in executor.map(fn, range(n)):
        pass
    return time.perf_counter() - start


def overhead(n: int) -> dict[str, float]:
    """Seconds per task of a no-op, and of a 0.2 s nap at the cluster's concurrency of 2, for both executors."""
    ray_ex = get_executor(kind="ray")
    timed_map(ray_ex, noop, 4)  # workers start on first use: not part of the per-task figure
    local = LocalExecutor(2)
    return {
        "local_noop_ms": 1000 * timed_map(local, noop, n) / n,
        "ray_noop_ms": 1000 * timed_map(ray_ex, noop, n) / n,
        "local_nap_ms": 1000 * timed_map(local, nap, 40) / 40,
        "ray_nap_ms": 1000 * timed_map(ray_ex, nap, 40) / 40,
    }


def examples_tasks(root: Path) -> Workspace:
    from openswe_data.collect import collect_dump

    subprocess.run([sys.executable, str(ROOT / "examples" / "make_repos.py"), "--out", str(root / "repos"),
                    "--dump", str(root / "prs.jsonl"), "--quiet"], check=True)
    ws = Workspace(root / "source", create=True)
    collect_dump([root / "prs.jsonl"], ws)
    return ws


def stage_run(source: Workspace, folder: Path, kind: str, ids: list[str], build: bool) -> dict[str, float]:
    from openswe_data.repair import build_with_loop
    from openswe_data.validate import validate_environments

    os.environ["OPENSWE_EXECUTOR"] = kind
    ws = Workspace(folder, create=True)
    for iid in ids:
        ws.stage("tasks").put(source.stage("tasks").get(iid))
        if not build:
            ws.stage("environments").put(source.stage("environments").get(iid))
    out: dict[str, float] = {}
    start = time.perf_counter()
    if build:
        build_with_loop(ws, workers=2 if kind == "local" else 0)
        out["build_s"] = time.perf_counter() - start
    t = time.perf_counter()
    validate_environments(ws, workers=2 if kind == "local" else 0)
    out["validate_s"] = time.perf_counter() - t
    total = time.perf_counter() - start
    out["instances"] = len(ids)
    out["per_minute"] = 60 * len(ids) / total
    out["valid"] = sum(r.verdict == "valid" for r in ws.stage("records"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="overhead + validation of 3 examples only")
    ap.add_argument("--tasks", type=int, default=400, help="no-op tasks for the overhead figure")
    ap.add_argument("--overhead-only", action="store_true", help="only the scheduling-overhead figures")
    args = ap.parse_args()

    import ray
    from ray.cluster_utils import Cluster
    from registry_server import serve_registry

    from openswe_data.repair import build_with_loop

    with tempfile.TemporaryDirectory(prefix="bench-ray-") as tmp, serve_registry(Path(tmp) / "registry") as registry:
        root = Path(tmp)
        cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0, "include_dashboard": False})
        for _ in range(2):
            cluster.add_node(num_cpus=1, resources={"docker": 1}, memory=4 * 2**30)
        cluster.wait_for_nodes()
        ray.init(address=cluster.address, log_to_driver=False, logging_level="warning")
        os.environ.update({"OPENSWE_RAY_ADDRESS": cluster.address, "OPENSWE_RAY_MEMORY_GB": "1",
                           "OPENSWE_CLUSTER_REGISTRY": registry, "OPENSWE_PROGRESS_SECONDS": "0"})
        try:
            figures: dict[str, object] = {"overhead": overhead(args.tasks)}
            if args.overhead_only:
                print(json.dumps(figures))
                return
            source = examples_tasks(root)
            os.environ["OPENSWE_EXECUTOR"] = "local"
            build_with_loop(source, workers=2)  # warm the engine: every example image exists before timing
            ids = sorted(e.instance_id for e in source.stage("environments") if e.status == "built")
            if args.quick:
                ids = ids[:3]
            for kind in ("local", "ray"):
                figures[kind] = stage_run(source, root / kind, kind, ids, build=not args.quick)
            stored = sum(f.stat().st_size for f in (root / "registry" / "data").rglob("*") if f.is_file())
            figures["registry_mb_per_image"] = stored / 2**20 / max(1, len(ids)) if not args.quick else None
        finally:
            ray.shutdown()
            cluster.shutdown()
    o = figures["overhead"]
    print(f"scheduling overhead per task: local {o['local_noop_ms']:.2f} ms, ray {o['ray_noop_ms']:.2f} ms (no-op); "
          f"0.2 s naps at concurrency 2: local {o['local_nap_ms']:.0f} ms/task, ray {o['ray_nap_ms']:.0f} ms/task")
    for kind in ("local", "ray"):
        f = figures[kind]
        steps = ", ".join(f"{k} {f[k]:.1f} s" for k in ("build_s", "validate_s") if k in f)
        print(f"{kind:5}: {f['instances']} instances, {steps}, {f['per_minute']:.2f} instances/min, {f['valid']} valid")
    if figures.get("registry_mb_per_image") is not None:
        print(f"registry: {figures['registry_mb_per_image']:.0f} MB stored per pushed image (base layers included once)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
