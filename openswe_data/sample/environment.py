"""The ``Environment`` interface: run one shell command in the instance's checkout, hand back the patch.

:class:`DockerEnvironment` is one long-lived container of the instance's environment image (``sleep
infinity``), started once per attempt: no network, CPU/memory/process limits (validation's), labelled like
every container this library makes, and always removed when the attempt ends. Each command is its own
``docker exec`` of ``bash -c`` in ``/testbed`` under coreutils' ``timeout``, so a hung command is killed
without killing the container. The answer is ``git diff`` in ``/testbed`` at submission (new files
included, byte-code excluded); the grader later applies it to a fresh container of the same image.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from openswe_data import conventions as C
from openswe_data import engine
from openswe_data.validate.runner import Limits

TIMEOUT_EXIT = 124
"""coreutils ``timeout``'s exit status when it had to kill the command."""

EXEC_ENV = {"PAGER": "cat", "MANPAGER": "cat", "GIT_PAGER": "cat", "LESS": "-R", "PIP_PROGRESS_BAR": "off",
            "TQDM_DISABLE": "1", "PYTHONDONTWRITEBYTECODE": "1"}
"""Set for every command: no pager waits for a key, no progress bars flood the output."""

DIFF_COMMAND = ("git add -A && git diff --cached --binary -- . "
                "':(exclude)*.pyc' ':(exclude)*__pycache__*' ':(exclude)*.egg-info*'")
"""The patch: every change in the work tree, new files too, against the base commit."""


@dataclass
class CommandOutput:
    output: str
    """stdout and stderr, interleaved as the command wrote them."""
    returncode: int
    timed_out: bool = False


@runtime_checkable
class Environment(Protocol):
    """Where an agent's commands run."""

    def execute(self, command: str, timeout: float) -> CommandOutput: ...

    def diff(self) -> str:
        """The patch the agent's changes make, as ``git diff`` prints it."""
        ...

    def close(self) -> None: ...


def cut_output(text: str, limit: int) -> tuple[str, bool]:
    """``text`` with its middle left out past ``limit`` characters (head and tail kept), and whether it was cut."""
    if limit <= 0 or len(text) <= limit:
        return text, False
    half = limit // 2
    left_out = len(text) - 2 * half
    return f"{text[:half]}\n... [{left_out} characters left out] ...\n{text[-half:]}", True


class DockerEnvironment:
    """A running container of ``image`` for one attempt; use as a context manager so it is always removed."""

    def __init__(self, image: str, *, instance_id: str = "", limits: Limits = Limits(), workdir: str = C.TESTBED,
                 lifetime: float | None = None) -> None:
        """``lifetime``: seconds after which the container stops and removes itself (``--rm``), even when
        the process that started it was killed; None: it lives until ``close()``."""
        self.image = image
        self.workdir = workdir
        client = engine.client()
        sleep = str(max(1, int(lifetime))) if lifetime else "infinity"
        # create + start rather than run: a missing image is an error here, never a pull from a registry.
        self.container: Any = client.containers.create(
            image, command=["sleep", sleep], entrypoint=[], detach=True, working_dir=workdir,
            auto_remove=lifetime is not None,
            network_mode="none", network_disabled=True, mem_limit=limits.memory, memswap_limit=limits.memory,
            nano_cpus=int(limits.cpus * 1e9), pids_limit=limits.pids, security_opt=["no-new-privileges"],
            labels={**engine.labels("sample", instance=instance_id), **engine.owner_label()}, stdin_open=False, tty=False,
        )
        try:
            self.container.start()
        except BaseException:
            self.close()
            raise

    def execute(self, command: str, timeout: float) -> CommandOutput:
        wrapped = ["timeout", "--kill-after=5", str(max(1, int(timeout))), "bash", "-c", command]
        result = self.container.exec_run(wrapped, workdir=self.workdir, environment=EXEC_ENV, demux=False,
                                         stdin=False, tty=False)
        output = (result.output or b"").decode("utf-8", errors="replace")
        code = result.exit_code if result.exit_code is not None else -1
        return CommandOutput(output=output, returncode=code, timed_out=code == TIMEOUT_EXIT)

    def diff(self) -> str:
        result = self.execute(DIFF_COMMAND, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"git diff failed in {self.workdir} (exit {result.returncode}): {result.output[-500:]}")
        return result.output

    def read(self, path: str) -> str | None:
        """A file's text (relative paths from the work dir), or None when there is none."""
        import io
        import tarfile

        try:
            stream, _ = self.container.get_archive(self._abs(path))
        except Exception:  # noqa: BLE001 - docker.errors.NotFound: no such file
            return None
        with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
            member = tar.next()
            fh = tar.extractfile(member) if member is not None else None
            return fh.read().decode("utf-8", errors="replace") if fh is not None else None

    def write(self, path: str, content: str) -> CommandOutput:
        """Write a file (parents made, relative paths from the work dir) without a shell quoting it."""
        import io
        import posixpath
        import tarfile

        target = self._abs(path)
        folder, name = posixpath.split(target)
        made = self.execute(f"mkdir -p '{folder}'", timeout=30) if "'" not in folder else CommandOutput("", 1)
        if made.returncode != 0:
            return CommandOutput(f"{path}: cannot make its folder", 1)
        data = content.encode("utf-8")
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
        ok = self.container.put_archive(folder, buf.getvalue())
        return CommandOutput(f"wrote {len(data)} bytes to {path}" if ok else f"{path}: write failed", 0 if ok else 1)

    def _abs(self, path: str) -> str:
        import posixpath

        return posixpath.normpath(path if path.startswith("/") else posixpath.join(self.workdir, path))

    def close(self) -> None:
        try:
            self.container.remove(force=True)
        except Exception:  # noqa: BLE001 - best effort; `openswe clean` prunes labelled leftovers
            pass

    def __enter__(self) -> DockerEnvironment:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
