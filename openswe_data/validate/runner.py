"""Running an eval script in a fresh container: limits, no network, a timeout, and the whole log back.

Input: an image, an optional candidate patch, limits. Output: ``RunResult`` (log, exit status, timed out,
out of memory, and the runner's own report file). The grader's part of SWE-bench's protocol is here: the
candidate patch is applied with ``git apply`` before ``/eval.sh`` runs. Containers are labelled and always
removed, whatever happened.

Results and trace travel on separate channels: the eval script's ``set -x`` trace goes to stderr, the test
runner's output to stdout, and the runner's JUnit report is copied out of the stopped container with the
engine's archive API — so no trace line can ever land inside the per-test results.
"""

from __future__ import annotations

import io
import tarfile
import time
from dataclasses import dataclass

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


def _read_file(container: object, path: str, limit: int = 64 << 20) -> str | None:
    """The text of ``path`` in a (stopped) container, via the archive API; ``None`` when it is absent."""
    from docker.errors import NotFound

    try:
        stream, stat = container.get_archive(path)  # type: ignore[attr-defined]
    except NotFound:
        return None
    if stat.get("size", 0) > limit:
        return None
    data = b"".join(stream)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        member = next((m for m in tar.getmembers() if m.isfile()), None)
        f = tar.extractfile(member) if member is not None else None
        return f.read().decode("utf-8", errors="replace") if f is not None else None


def _tar(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o755, 0
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def run_script(image: str, script: str, *, files: dict[str, str] | None = None, limits: Limits = Limits(),
               labels: dict[str, str] | None = None, report: str | None = None) -> RunResult:
    """Run ``script`` with bash in a fresh container of ``image`` (no network, ``limits``), with ``files``
    (path -> text) put in first; the container is removed whatever happens. ``report`` is a file the run
    writes (the runner's JUnit XML), copied out before the container goes. Raises only when the engine
    itself fails."""
    client = engine.client()
    runner = f"{C.RUNNER_DIR.strip('/')}/script.sh"
    container = client.containers.create(
        image, command=["bash", f"/{runner}"], network_mode="none", network_disabled=True,
        mem_limit=limits.memory, memswap_limit=limits.memory, nano_cpus=int(limits.cpus * 1e9),
        pids_limit=limits.pids, security_opt=["no-new-privileges"], labels={**(labels or engine.labels("eval")), **engine.owner_label()},
        detach=True,
    )
    start = time.monotonic()
    timed_out = False
    try:
        container.put_archive("/", _tar({runner: script, **(files or {})}))
        container.start()
        try:
            status = container.wait(timeout=limits.timeout)
            exit_code = status.get("StatusCode")
        except Exception:  # noqa: BLE001 - the SDK's read timeout comes wrapped in several types
            container.reload()
            if container.status != "running":
                raise  # not our timeout: the engine failed, which the caller records as such
            timed_out = True
            container.kill()
            exit_code = None
        log = container.logs(stdout=True, stderr=True).decode("utf-8", errors="replace")
        stdout = container.logs(stdout=True, stderr=False).decode("utf-8", errors="replace")
        state = container.attrs if timed_out else (container.reload() or container.attrs)
        oom = bool(state.get("State", {}).get("OOMKilled"))
        junit = _read_file(container, report) if report else None
    finally:
        try:
            container.remove(force=True)
        except Exception:  # noqa: BLE001 - best effort; `openswe clean` prunes labelled leftovers
            pass
    return RunResult(log=log, exit_code=exit_code, timed_out=timed_out, oom_killed=oom,
                     seconds=time.monotonic() - start, stdout=stdout, junit=junit)


def run_eval(image: str, *, patch: str = "", limits: Limits = Limits(), eval_script: str | None = None,
             instance_id: str = "") -> RunResult:
    """Run the image's eval script (or ``eval_script``) after applying ``patch`` as SWE-bench's grader
    does; never raises for the test's behaviour, only when the engine itself fails."""
    files = {f"{C.RUNNER_DIR.strip('/')}/patch.diff": patch}
    if eval_script is not None:
        files[C.EVAL_SCRIPT_PATH.strip("/")] = eval_script
    result = run_script(image, DRIVER, files=files, limits=limits, labels=engine.labels("eval", instance=instance_id),
                        report=C.JUNIT_PATH)
    result.patch_failed = result.exit_code == C.EXIT_PATCH_FAILED and C.APPLY_PATCH_FAIL in result.log
    return result
