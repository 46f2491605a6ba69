"""Build + validate on this machine with the bundled examples: seconds per instance (cold and warm), the new
image bytes an extra instance of an already-built repository costs, and throughput with 1 and 2 workers.

    python benchmarks/bench_build.py            # everything (about 10-15 minutes on 2 cores)
    python benchmarks/bench_build.py --quick    # cold+warm with 1 worker and the extra-instance bytes only

How "cold" is made without touching anybody's images: each cold run gets its own throw-away base tag,
``openswe-bench/cold-<run>:py3.X`` = the shared ``openswe/base:py3.X`` plus one LABEL (no new layer, a new
image id). The environment hash covers the base image id, so every environment image of that run gets a
fresh tag, and Docker's layer cache (keyed by parent image id) has nothing to reuse: every layer above the
base is really built, pip downloads included. "Warm" is a rerun in a fresh workspace against the same
base tag: the images exist under their content hashes and are reused. At the end the script removes the
environment images its runs created (tags that did not exist before it started) and its base tags —
never ``openswe/base`` and never an image it did not make.

Needs a Docker engine (DOCKER_HOST) and git; builds the base images first when they are missing. Prints
figures, asserts nothing. Timings share the machine with whatever else runs on it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
sys.path.insert(0, str(ROOT))

from openswe_data import engine  # noqa: E402
from openswe_data.records import Environment, Task, ValidatedRecord  # noqa: E402
from openswe_data.settings import Settings  # noqa: E402
from openswe_data.store import Workspace  # noqa: E402

EXTRA_TEST = '\n\ndef test_bench_variant_is_a_second_instance():\n    assert True\n'


@dataclasses.dataclass
class Run:
    label: str
    workers: int
    n: int
    build_s: float
    validate_s: float
    per_build: list[float]
    per_validate: list[float]
    valid: int
    reused: int

    @property
    def per_minute(self) -> float:
        return 60 * self.n / (self.build_s + self.validate_s)


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost", *args], cwd=cwd,
                          check=True, capture_output=True, text=True).stdout


def _cold_base(run_id: str, pythons: list[str]) -> Settings:
    """Settings whose base tags are fresh images (the shared base + a LABEL): a cache-free start."""
    import io

    from openswe_data.build.base_images import ensure_base_images

    shared = ensure_base_images(pythons)
    prefix = f"openswe-bench/cold-{run_id}"
    client = engine.client()
    for version, tag in shared.items():
        dockerfile = f"FROM {tag}\nLABEL openswe.bench.run={run_id}\n".encode()
        for _ in client.api.build(fileobj=io.BytesIO(dockerfile), tag=f"{prefix}:py{version}", rm=True,
                                  decode=True, pull=False):
            pass
    return dataclasses.replace(Settings(), base_image_prefix=prefix)


def _workspace(root: Path, name: str, tasks: list[Task]) -> Workspace:
    ws = Workspace(root / name, create=True)
    stage = ws.stage("tasks")
    for t in tasks:
        stage.put(t)
    return ws


def _run(label: str, root: Path, tasks: list[Task], workers: int, settings: Settings, made: set[str]) -> Run:
    from openswe_data.build import build_environments
    from openswe_data.validate import validate_environments

    ws = _workspace(root, label.replace(" ", "-"), tasks)
    t = time.monotonic()
    build_environments(ws, workers=workers, settings=settings)
    build_s = time.monotonic() - t
    t = time.monotonic()
    validate_environments(ws, workers=workers)
    validate_s = time.monotonic() - t
    envs = list(ws.stage("environments", Environment))
    records = list(ws.stage("records", ValidatedRecord))
    made.update(e.image_name for e in envs if e.image_name)
    reused = sum(1 for e in envs if e.status == "built" and "Step " not in e.build_log)
    run = Run(label, workers, len(tasks), build_s, validate_s, [e.build_seconds for e in envs],
              [r.validate_seconds for r in records], sum(r.verdict == "valid" for r in records), reused)
    bad = [f"{r.instance_id}: {r.reason}" for r in records if r.verdict != "valid"]
    print(f"  {label}: build {build_s:.0f} s, validate {validate_s:.0f} s, {run.valid}/{run.n} valid"
          + (f" (invalid: {', '.join(bad)})" if bad else ""), flush=True)
    return run


def _variant(task: Task, scratch: Path) -> Task:
    """A second instance of ``task``'s repository: same base commit, a test patch with one more test."""
    clone = scratch / f"variant-{task.instance_id}"
    subprocess.run(["git", "clone", "-q", task.repo_url, str(clone)], check=True)
    _git(clone, "checkout", "-q", task.base_commit)
    subprocess.run(["git", "apply"], cwd=clone, input=task.test_patch, text=True, check=True)
    target = clone / task.test_files[0] if task.test_files else None
    if target is None:
        from openswe_data.toolchains.python.targets import targeted_test_files

        target = clone / targeted_test_files(task.test_patch)[0]
    target.write_text(target.read_text() + EXTRA_TEST)
    _git(clone, "add", "-A")
    patch = _git(clone, "diff", "--cached", "--binary")
    return dataclasses.replace(task, instance_id=task.instance_id + "-variant", test_patch=patch)


def _layers(tag: str) -> list[tuple[str, int, str]]:
    """(history id, bytes, instruction) of each history entry of ``tag``, base first; ``<missing>`` ids are
    layers the engine did not build itself (pulled or imported)."""
    hist = engine.client().api.history(tag)
    return [(h.get("Id", "<missing>"), int(h.get("Size") or 0), _instruction(h.get("CreatedBy", "")))
            for h in reversed(hist)]


def _instruction(created_by: str) -> str:
    text = created_by.split("#(nop)", 1)[-1].strip()
    if "#(nop)" not in created_by and "/bin/sh -c" in text:  # a RUN (build args come first: "|3 A=.. B=..")
        text = "RUN " + text.split("/bin/sh -c", 1)[1].split("&&", 1)[-1].strip()
    return " ".join(text.split())[:70]


def _extra_bytes(first: str, second: str) -> tuple[int, list[tuple[int, str]], int]:
    """(bytes in ``second`` not shared with ``first``, its new (bytes, instruction) entries, all entries)."""
    shared = {i for i, _, _ in _layers(first) if i != "<missing>"}
    mine = _layers(second)
    # entries without a local id come from the base image both start from
    new = [(s, what) for i, s, what in mine if i != "<missing>" and i not in shared]
    return sum(s for s, _ in new), new, len(mine)


def _unique_bytes(tag: str) -> int | None:
    """The engine's own figure (``docker system df -v``: size minus shared size) for ``tag``."""
    try:
        image_id = engine.client().images.get(tag).id
        for img in engine.client().df().get("Images", []):
            if img.get("Id") == image_id:
                return int(img["Size"]) - int(img.get("SharedSize") or 0)
    except Exception:  # noqa: BLE001 - df is slow or refused on some engines: the layer count stands alone
        return None
    return None


def _cleanup(made: set[str], existed: set[str], bases: list[str]) -> None:
    client = engine.client()
    removed = kept = 0
    for tag in sorted(made - existed):
        try:
            client.images.remove(tag)
            removed += 1
        except Exception as exc:  # noqa: BLE001 - in use or already gone: report and go on
            kept += 1
            print(f"  could not remove {tag}: {exc}")
    for tag in bases:
        try:
            client.images.remove(tag)
        except Exception as exc:  # noqa: BLE001
            print(f"  could not remove {tag}: {exc}")
    print(f"clean-up: removed {removed} environment images this benchmark created and {len(bases)} bench base tags"
          + (f"; {kept} could not be removed" if kept else ""))


def _stats(xs: list[float]) -> str:
    return f"{statistics.median(xs):6.1f} {min(xs):6.1f} {max(xs):6.1f}" if xs else "     -      -      -"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the 2-worker runs")
    parser.add_argument("--keep", action="store_true", help="keep the images and the temp folder")
    args = parser.parse_args()
    if not engine.available():
        print("no Docker engine answers; nothing measured (run `bash scripts/docker-up.sh`)")
        return
    from openswe_data.collect import collect_dump

    started = time.monotonic()
    root = Path(tempfile.mkdtemp(prefix="openswe-bench-build-"))
    subprocess.run([sys.executable, str(EXAMPLES / "make_repos.py"), "--out", str(root / "repos"), "--dump",
                    str(root / "prs.jsonl"), "--quiet"], check=True)
    collected = Workspace(root / "collected", create=True)
    collect_dump([root / "prs.jsonl"], collected)
    expected = json.loads((EXAMPLES / "expected.json").read_text())
    tasks = sorted((t for t in collected.stage("tasks", Task) if expected.get(t.instance_id, {}).get("verdict") == "valid"),
                   key=lambda t: t.instance_id)
    pythons = sorted({expected[t.instance_id]["python"] for t in tasks})
    print(f"{len(tasks)} valid examples ({', '.join(t.instance_id.split('__')[-1] for t in tasks)}), Python {', '.join(pythons)}")

    client = engine.client()
    existed = {tag for img in client.images.list() for tag in img.tags}
    made: set[str] = set()
    bases: list[str] = []
    runs: list[Run] = []
    extra = None
    try:
        run_a = uuid.uuid4().hex[:8]
        cold_a = _cold_base(run_a, pythons)
        bases += [f"{cold_a.base_image_prefix}:py{v}" for v in pythons]
        runs.append(_run("cold 1 worker", root, tasks, 1, cold_a, made))
        runs.append(_run("warm 1 worker", root, tasks, 1, cold_a, made))

        # one more instance of an already-built repository: same base commit, one more test
        from openswe_data.build import build_environments

        first_task = tasks[0]
        first_env = Workspace(root / "cold-1-worker").stage("environments", Environment).get(first_task.instance_id)
        variant = _variant(first_task, root)
        ws_v = _workspace(root, "variant", [variant])
        t = time.monotonic()
        build_environments(ws_v, workers=1, settings=cold_a)
        variant_s = time.monotonic() - t
        second_env = ws_v.stage("environments", Environment).get(variant.instance_id)
        if second_env.status == "built":
            made.add(second_env.image_name)
            new_bytes, new_layers, all_layers = _extra_bytes(first_env.image_name, second_env.image_name)
            base_size = client.images.get(f"{cold_a.base_image_prefix}:py{first_env.python_version}").attrs["Size"]
            extra = (first_task.instance_id, first_env.image_size_bytes, base_size, new_bytes, new_layers,
                     all_layers, _unique_bytes(second_env.image_name), variant_s)
        else:
            print(f"  the variant of {first_task.instance_id} did not build: {second_env.reason}")

        if not args.quick:
            cold_b = _cold_base(uuid.uuid4().hex[:8], pythons)
            bases += [f"{cold_b.base_image_prefix}:py{v}" for v in pythons]
            runs.append(_run("cold 2 workers", root, tasks, 2, cold_b, made))
            runs.append(_run("warm 2 workers", root, tasks, 2, cold_b, made))
    finally:
        if not args.keep:
            _cleanup(made, existed, bases)
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"kept: {root} and {len(made - existed)} images")

    print()
    print("per instance, seconds (median min max)       build                  validate (5+5 runs)")
    for r in runs:
        print(f"  {r.label:16} workers={r.workers}  {_stats(r.per_build)}   {_stats(r.per_validate)}"
              f"   reused images {r.reused}/{r.n}")
    print()
    print("throughput over the valid examples (build + validate, wall clock)")
    print(f"  {'run':16} {'instances':>9} {'build s':>8} {'validate s':>10} {'inst/min':>9}")
    for r in runs:
        print(f"  {r.label:16} {r.n:9d} {r.build_s:8.1f} {r.validate_s:10.1f} {r.per_minute:9.2f}")
    if extra:
        iid, size, base_size, new_bytes, new_layers, all_layers, unique, secs = extra
        print()
        print(f"one more instance of {iid.split('__')[-1]} (same base commit, a different test patch):")
        print(f"  first image {size / 1e6:.1f} MB = base {base_size / 1e6:.1f} MB + {(size - base_size) / 1e6:.1f} MB "
              f"of its own layers")
        print(f"  second image adds {new_bytes:,} bytes in {len(new_layers)} new history entries (of {all_layers});"
              f" engine's unique size {unique if unique is not None else 'n/a':,} bytes; built in {secs:.1f} s")
        for size, what in new_layers:
            if size:
                print(f"    {size:>10,} B  {what}")
        if any(what.startswith("COPY dir:") for _, what in new_layers):
            print("  note: the testbed COPY was not reused although the snapshot tree is the same; every layer"
                  " above it (the project install) is rebuilt per instance")
    print(f"\ntotal {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
