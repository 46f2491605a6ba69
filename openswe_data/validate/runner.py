"""Running an eval script in a fresh container: limits, no network, a timeout, and the whole log back.

Input: an image, an optional candidate patch, limits. Output: ``RunResult`` (log, exit status, timed out,
out of memory, and the runner's own report file). The grader's part of SWE-bench's protocol is here: the
candidate patch is applied with ``git apply`` before ``/eval.sh`` runs. Containers are labelled and always
removed, whatever happened.

Results and trace travel on separate channels: the eval script's ``set -x`` trace goes to stderr, the test
runner's output to stdout, and the runner's JUnit report is copied out of the stopped container with the
engine's archive API — so no trace line can ever land inside the per-test results.

``run_series`` runs the eval script several times in one container (a validation's repeated runs), each run
with its own log, stdout, exit status, time limit and JUnit report, the same as a run of its own. The
series stops after a run that ended abnormally (the eval script's own status not 0: its time limit, a test
patch that did not apply; or a test command killed by a signal), that left the checkout different from
how the first run found it (``git status``) or that left processes running, so the next run never starts
from another run's debris; the caller runs what is missing in a fresh container.
"""

from __future__ import annotations

import contextlib
import io
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from openswe_data import conventions as C
from openswe_data import engine

DRIVER = f"""#!/bin/bash
cd {C.TESTBED}
if [ -s {C.RUNNER_DIR}/patch.diff ]; then
  git apply --verbose {C.RUNNER_DIR}/patch.diff || {{ echo '{C.APPLY_PATCH_FAIL}'; exit {C.EXIT_PATCH_FAILED}; }}
fi
exec bash {C.EVAL_SCRIPT_PATH}
"""


@dataclass(frozen=True)
class Limits:
    cpus: float = 1.0
    """CPU cores per container."""
    memory: str = "2g"
    """Memory limit (swap included, so nothing swaps)."""
    pids: int = 512
    """Maximum processes and threads: a fork bomb stops here."""
    timeout: float = 600.0
    """Seconds before the container is killed and the run reported as a timeout."""


@dataclass
class RunResult:
    log: str
    """stdout and stderr merged, as a person (or SWE-bench's harness) reads them."""
    exit_code: int | None
    timed_out: bool = False
    oom_killed: bool = False
    patch_failed: bool = False
    seconds: float = 0.0
    stdout: str | None = None
    """stdout alone (no ``set -x`` trace); ``None`` when the run was not captured that way."""
    junit: str | None = None
    """The JUnit XML file the test runner wrote, copied out of the container; ``None`` when it wrote none."""
    container: str = ""
    """The short id of the container the run ran in: runs of a series share one."""
    origin: str = ""
    """The log folder of the earlier validation that ran it, when a validation reused it
    (``validate/first_pair.py``); empty: the validation it belongs to ran it."""


def _read_files(container: object, path: str, limit: int = 64 << 20) -> dict[str, str]:
    """The text of every file at ``path`` (a file or a folder) in a (stopped) container, by base name, via
    the archive API; empty when it is absent or larger than ``limit`` bytes."""
    from docker.errors import NotFound

    try:
        stream, stat = container.get_archive(path)  # type: ignore[attr-defined]
    except NotFound:
        return {}
    if stat.get("size", 0) > limit:
        return {}
    data = b"".join(stream)
    texts: dict[str, str] = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for member in tar.getmembers():
            f = tar.extractfile(member) if member.isfile() else None
            if f is not None:
                texts[member.name.rsplit("/", 1)[-1]] = f.read().decode("utf-8", errors="replace")
    return texts


def _read_file(container: object, path: str, limit: int = 64 << 20) -> str | None:
    """The text of ``path`` in a (stopped) container; ``None`` when it is absent."""
    return next(iter(_read_files(container, path, limit).values()), None)


def _tar(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o755, 0
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@contextlib.contextmanager
def _container(image: str, script: str, files: dict[str, str] | None, limits: Limits,
               labels: dict[str, str] | None, args: tuple[str, ...] = ()) -> Iterator[Any]:
    """A created (not started) container of ``image`` that runs ``script`` with bash (and ``args``), no
    network, within ``limits``, with ``files`` put in; removed on leaving, whatever happened."""
    client = engine.client()
    runner = f"{C.RUNNER_DIR.strip('/')}/script.sh"
    container = client.containers.create(
        image, command=["bash", f"/{runner}", *args], network_mode="none", network_disabled=True,
        mem_limit=limits.memory, memswap_limit=limits.memory, nano_cpus=int(limits.cpus * 1e9),
        pids_limit=limits.pids, security_opt=["no-new-privileges"], labels={**(labels or engine.labels("eval")), **engine.owner_label()},
        detach=True,
    )
    try:
        container.put_archive("/", _tar({runner: script, **(files or {})}))
        yield container
    finally:
        try:
            container.remove(force=True)
        except Exception:  # noqa: BLE001 - best effort; `openswe clean` prunes labelled leftovers
            pass


def _wait(container: Any, seconds: float) -> tuple[int | None, bool]:
    """Start ``container`` and wait for it: ``(exit status, timed out)``; killed after ``seconds``."""
    container.start()
    try:
        return container.wait(timeout=seconds).get("StatusCode"), False
    except Exception:  # noqa: BLE001 - the SDK's read timeout comes wrapped in several types
        container.reload()
        if container.status != "running":
            raise  # not our timeout: the engine failed, which the caller records as such
        container.kill()
        return None, True


def run_script(image: str, script: str, *, files: dict[str, str] | None = None, limits: Limits = Limits(),
               labels: dict[str, str] | None = None, report: str | None = None) -> RunResult:
    """Run ``script`` with bash in a fresh container of ``image`` (no network, ``limits``), with ``files``
    (path -> text) put in first; the container is removed whatever happens. ``report`` is a file the run
    writes (the runner's JUnit XML), copied out before the container goes. Raises only when the engine
    itself fails."""
    with _container(image, script, files, limits, labels) as container:
        start = time.monotonic()
        exit_code, timed_out = _wait(container, limits.timeout)
        log = container.logs(stdout=True, stderr=True).decode("utf-8", errors="replace")
        stdout = container.logs(stdout=True, stderr=False).decode("utf-8", errors="replace")
        state = container.attrs if timed_out else (container.reload() or container.attrs)
        oom = bool(state.get("State", {}).get("OOMKilled"))
        junit = _read_file(container, report) if report else None
        return RunResult(log=log, exit_code=exit_code, timed_out=timed_out, oom_killed=oom,
                         seconds=time.monotonic() - start, stdout=stdout, junit=junit, container=container.short_id)


SERIES_DIR = f"{C.RUNNER_DIR}/series"
"""Where a series keeps each run's files in the container (``<n>.log``, ``.stdout``, ``.exit``, ...)."""

_SERIES = rf"""#!/bin/bash
cd {C.TESTBED}
out={SERIES_DIR} runs=$1 limit=$2 regenerated=$3
mkdir -p "$out"
if [ -s {C.RUNNER_DIR}/patch.diff ]; then
  git apply --verbose {C.RUNNER_DIR}/patch.diff > "$out/apply.log" 2>&1 \
    || {{ cat "$out/apply.log"; echo '{C.APPLY_PATCH_FAIL}'; exit {C.EXIT_PATCH_FAILED}; }}
fi
checkout() {{ git status --porcelain --untracked-files=all 2>&1 | {{ if [ -n "$regenerated" ]; then grep -vE "$regenerated"; else cat; fi; }} | md5sum; }}
alive() {{ for p in /proc/[0-9]*; do p=${{p#/proc/}}; [ "$p" = 1 ] || [ "$p" = "$BASHPID" ] || echo "$p"; done; }}
found=$(checkout)
for n in $(seq 1 "$runs"); do
  started=$(date +%s.%N)
  {{ timeout --kill-after=5 "$limit" bash {C.EVAL_SCRIPT_PATH} > >(exec tee "$out/$n.stdout"); echo $? > "$out/$n.exit"; copier=$!; }} > "$out/$n.log" 2>&1
  for _ in $(seq 50); do kill -0 "$copier" 2>/dev/null || break; sleep 0.1; done  # its copy drained (a leftover holds it)
  echo "$started $(date +%s.%N)" > "$out/$n.time"
  [ -f {C.JUNIT_PATH} ] && mv {C.JUNIT_PATH} "$out/$n.junit.xml"
  [ "$(cat "$out/$n.exit")" = 0 ] || break
  status=$(sed -n 's/^{C.TEST_EXIT_PREFIX}\([0-9]*\)$/\1/p' "$out/$n.stdout" | tail -1)
  [ "${{status:-0}}" -lt 128 ] || break
  [ "$(checkout)" = "$found" ] || {{ echo "the run changed the checkout" > "$out/$n.stopped"; break; }}
  [ -z "$(alive)" ] || {{ echo "processes outlived the run" > "$out/$n.stopped"; break; }}
done
"""


def run_series(image: str, count: int, *, patch: str = "", limits: Limits = Limits(), eval_script: str | None = None,
               instance_id: str = "", regenerated: str = "") -> list[RunResult]:
    """Up to ``count`` runs of the image's eval script (or ``eval_script``) in one container after applying
    ``patch`` once, each within ``limits.timeout``; fewer when the series stopped (see the module), at least
    one. ``regenerated``: paths the checkout comparison ignores (``Toolchain.regenerated``). Never raises for
    the test's behaviour, only when the engine itself fails."""
    labels = engine.labels("eval", instance=instance_id)
    args = (str(int(count)), str(max(int(limits.timeout), 1)), regenerated)  # the script's $1, $2, $3
    with _container(image, _SERIES, _eval_files(patch, eval_script), limits, labels, args) as container:
        start = time.monotonic()
        _, timed_out = _wait(container, count * (limits.timeout + 10) + 30)
        outer = container.logs(stdout=True, stderr=True).decode("utf-8", errors="replace")
        state = container.attrs if timed_out else (container.reload() or container.attrs)
        texts = _read_files(container, SERIES_DIR)
        seconds = time.monotonic() - start
    if C.APPLY_PATCH_FAIL in outer and "1.log" not in texts:
        return [RunResult(log=outer, exit_code=C.EXIT_PATCH_FAILED, patch_failed=True, seconds=seconds, stdout=outer,
                          container=container.short_id)]
    applied = texts.get("apply.log", "")
    results = []
    for n in range(1, count + 1):
        if f"{n}.log" not in texts:
            break
        done = f"{n}.exit" in texts
        exit_code = int(texts[f"{n}.exit"]) if done else None
        began, _, ended = texts.get(f"{n}.time", "").partition(" ")
        took = float(ended) - float(began) if done and ended else seconds
        stopped = texts.get(f"{n}.stopped", "").strip()  # why the next run needs a fresh container, if it does
        results.append(RunResult(
            log=applied + texts[f"{n}.log"] + (f"\n>>>>> openswe: {stopped}: the series ends here\n" if stopped else ""),
            exit_code=exit_code, timed_out=not done or _hit_limit(exit_code, took, limits),
            seconds=took, stdout=texts.get(f"{n}.stdout", ""), junit=texts.get(f"{n}.junit.xml"),
            container=container.short_id))
    if not results:  # the container ended before a run began (an engine or image fault): say so as a run
        results.append(RunResult(log=outer, exit_code=None, timed_out=timed_out, seconds=seconds, stdout=outer,
                                 container=container.short_id))
    if state.get("State", {}).get("OOMKilled"):  # the kernel killed a process of the series: the run it ended
        killed = [r for r in results if r.stdout and f"{C.TEST_EXIT_PREFIX}137" in r.stdout] or results[-1:]
        for r in killed:
            r.oom_killed = True
    return results


def _hit_limit(exit_code: int | None, seconds: float, limits: Limits) -> bool:
    """Whether ``timeout`` ended a run of a series: its status (124, or 137 after --kill-after) at the limit."""
    return exit_code in (124, 137) and seconds >= limits.timeout - 1


def run_eval(image: str, *, patch: str = "", limits: Limits = Limits(), eval_script: str | None = None,
             instance_id: str = "") -> RunResult:
    """Run the image's eval script (or ``eval_script``) after applying ``patch`` as SWE-bench's grader
    does; never raises for the test's behaviour, only when the engine itself fails."""
    result = run_script(image, DRIVER, files=_eval_files(patch, eval_script), limits=limits,
                        labels=engine.labels("eval", instance=instance_id), report=C.JUNIT_PATH)
    result.patch_failed = result.exit_code == C.EXIT_PATCH_FAILED and C.APPLY_PATCH_FAIL in result.log
    return result


def _eval_files(patch: str, eval_script: str | None) -> dict[str, str]:
    """What a run puts in the container: the candidate patch, and the eval script when not the image's own."""
    files = {f"{C.RUNNER_DIR.strip('/')}/patch.diff": patch}
    if eval_script is not None:
        files[C.EVAL_SCRIPT_PATH.strip("/")] = eval_script
    return files
