"""Building environment images with the Docker engine, reusing them by content hash, and auditing them.

Input: a build context. Output: an image tag (reused when the context hash already has one), the build
log, and — on failure — a machine-readable reason: ``install_failed`` when a dependency or project
install step failed, ``build_failed`` otherwise. The audit runs the image once (no network) to prove it
holds no future history and to freeze the installed versions.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from openswe_data.logtext import write_log
from openswe_data import conventions as C
from openswe_data import engine
from openswe_data.build.context import HEAD_DIR, Context

IMAGE_PREFIX = "openswe/env"
HEAD_PREFIX = "openswe/head"
"""Tags of the Dockerfiles' shared heads, built alone before the images on them (``_build_head``)."""
_HEADS_BUILT: set[str] = set()


def image_tag(instance_id: str, content_hash: str, prefix: str = IMAGE_PREFIX) -> str:
    """``openswe/env.<id>:<hash16>`` with the id lower-cased into Docker's allowed characters."""
    name = re.sub(r"[^a-z0-9._-]+", "-", instance_id.lower()).strip("._-")
    name = re.sub(r"([._-])[._-]+", lambda m: "__" if m.group(0) == "__" else m.group(1), name)
    return f"{prefix}.{name}:{content_hash[:16]}"


@dataclass
class BuiltImage:
    tag: str
    image_id: str
    reused: bool
    log: str
    seconds: float
    size_bytes: int = 0


@dataclass
class BuildFailure:
    reason: str
    log: str
    seconds: float
    detail: str = ""


ENGINE_FAILURES = re.compile(
    r"failed to create endpoint|could not find bridge|failed to create shim|OCI runtime (?:create|start) failed|"
    r"no space left on device|failed to register layer|Cannot connect to the Docker daemon|context canceled|"
    r"is not running|daemon is shutting down|connection reset by peer|transport is closing|"
    r"failed to update store for object|libnetwork|rpc error")
"""Errors of the engine itself during a build (not of a Dockerfile step): infrastructure, retried later."""


def failure_reason(error: str, log_lines: list[str]) -> str:
    """Why a build failed: ``internal_error`` when the engine itself failed (its network, its disk) rather
    than a Dockerfile step, else the step that failed."""
    if "returned a non-zero code" not in error and ENGINE_FAILURES.search(error):
        return "internal_error"
    return _classify(log_lines)


def _classify(log_lines: list[str]) -> str:
    steps = [line for line in log_lines if line.startswith("Step ")]
    last = steps[-1] if steps else ""
    if C.INSTALL_HELPERS_MARK in last:
        return "helper_install_failed"  # ours, not the repository's
    if C.INSTALL_BUILD_MARK in last:
        return "build_deps_failed"
    if (C.INSTALL_DEPS_MARK in last or C.INSTALL_PROJECT_MARK in last or C.GENERATE_SOURCES_MARK in last
            or "pip install" in last):
        return "install_failed"
    return "build_failed"


def build_image(ctx: Context, tag: str, *, labels: dict[str, str], log_path: Path | None = None,
                force: bool = False, nocache: bool = False) -> BuiltImage | BuildFailure:
    """Build ``ctx`` as ``tag`` unless an image with that tag (the same content hash) exists.

    ``nocache``: build every layer again (re-validation over time: what the Dockerfile gives today)."""
    from docker.errors import APIError, ImageNotFound
    from requests.exceptions import ReadTimeout

    client = engine.client()
    start = time.monotonic()
    if not force:
        try:
            img = client.images.get(tag)
            return BuiltImage(tag, img.id, True, "", time.monotonic() - start, img.attrs.get("Size", 0))
        except ImageNotFound:
            pass
    _build_head(ctx)
    lines: list[str] = []
    error, reason = "", ""
    try:
        for chunk in client.api.build(path=str(ctx.path), tag=tag, buildargs=ctx.buildargs, labels=labels,
                                      rm=True, forcerm=True, decode=True, pull=False, nocache=nocache):
            if "stream" in chunk:
                lines.extend(chunk["stream"].rstrip("\n").splitlines())
            if "error" in chunk or "errorDetail" in chunk:
                error = chunk.get("error") or chunk["errorDetail"].get("message", "")
                lines.append(f"ERROR: {error}")
    except APIError as exc:
        error = str(exc)
        lines.append(f"ERROR: {error}")
    except ReadTimeout as exc:  # no word from the engine for the client's whole timeout: the build hangs
        error, reason = f"the engine stopped answering during the build ({type(exc).__name__}: {exc})", "build_timeout"
        lines.append(f"ERROR: {error}")
    except engine.connection_errors() as exc:  # the connection dropped: the engine went away (a restart), not the build
        error, reason = f"the engine went away during the build ({type(exc).__name__}: {exc})", "internal_error"
        lines.append(f"ERROR: {error}")
    if not error:
        try:
            img = client.images.get(tag)
        except (ImageNotFound, APIError, *engine.connection_errors()) as exc:  # the stream ended early, without an error
            error, reason = f"the engine ended the build without the image ({type(exc).__name__})", "internal_error"
            lines.append(f"ERROR: {error}")
    log = "\n".join(lines) + "\n"
    if log_path is not None:
        write_log(log_path, log)
    if error:
        if not reason and "returned a non-zero code" not in error and not _answers(client):
            reason = "internal_error"  # whatever the message, the engine went away under the build (a restart)
        return BuildFailure(reason or failure_reason(error, lines), log, time.monotonic() - start, error[:500])
    return BuiltImage(tag, img.id, False, log, time.monotonic() - start, img.attrs.get("Size", 0))


def _build_head(ctx: Context) -> None:
    """Build the Dockerfile's head (``FROM`` and the network lines, the same for every image on one base) alone,
    under a lock, once per process, before the whole.

    Two builds that reach uncached steps at the same moment each make their own copy of the same layers, and
    the engine's build cache then follows only the newest copy: a later instance of a repository whose
    dependency layers hang under the other copy installed them again (seen on the dev set when the first
    instances of two repositories started together: 2 of 15 later instances with their first's dependencies,
    22 and 35 MB of new layers each). With the head built first, every build finds one copy of it. Best
    effort: a failure here leaves the whole build to say what is wrong."""
    from openswe_data.locks import file_lock

    if not ctx.head_key or ctx.head_key in _HEADS_BUILT:
        return
    import tempfile

    client = engine.client()
    with file_lock(Path(tempfile.gettempdir()) / "openswe-head-locks" / f"{ctx.head_key[:32]}.lock"):
        try:
            for _ in client.api.build(path=str(ctx.path / HEAD_DIR), tag=f"{HEAD_PREFIX}:{ctx.head_key[:16]}",
                                      buildargs=ctx.buildargs, labels=engine.labels("head"), rm=True, forcerm=True,
                                      decode=True, pull=False):
                pass
        except Exception:  # noqa: BLE001 - an optimisation only; the whole build reports any real problem
            return
    _HEADS_BUILT.add(ctx.head_key)


def _answers(client: object) -> bool:
    """Whether the engine answers a ping now (a build error while it does not is the engine's)."""
    try:
        return bool(client.ping())  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - any failure to answer is "no"
        return False


@dataclass
class Audit:
    ok: bool
    commits: int = 0
    refs: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    future_objects: list[str] = field(default_factory=list)
    frozen: list[str] = field(default_factory=list)
    detail: str = ""
    compiled_modules: int | None = None
    """Compiled extension files found in the checkout or the project's installed packages (None: not checked)."""
    reason: str = ""
    """``leak`` (history from after the base commit) or ``compiled_extension_missing``; empty when ok."""

    def to_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "commits": self.commits, "refs": self.refs, "tags": self.tags,
                "future_objects": self.future_objects, "detail": self.detail,
                "compiled_modules": self.compiled_modules}


AUDIT_SCRIPT = """cd {testbed}
echo "commits=$(git rev-list --all --count)"
echo "refs=$(git for-each-ref --format='%(refname)' | tr '\\n' ' ')"
echo "tags=$(git tag -l | tr '\\n' ' ')"
for sha in {future}; do git cat-file -e "$sha" 2>/dev/null && echo "future=$sha"; done
{compiled}
echo '--- freeze'
python -m pip freeze --exclude-editable 2>/dev/null || true
"""


def audit_image(tag: str, future_commits: list[str], *, compiled_packages: list[str] | None = None) -> Audit:
    """Run the image once without network: exactly one commit, no tags, none of ``future_commits``; and,
    for a project with compiled extensions (``compiled_packages``: its top-level packages), at least one
    compiled module built — a build that silently fell back to pure Python must not pass for the real thing."""
    import shlex

    from openswe_data.validate.runner import Limits, run_script

    compiled = ""
    if compiled_packages is not None:
        sites = " ".join(f"/opt/venv/lib/python3*/site-packages/{shlex.quote(p)}" for p in compiled_packages)
        compiled = (f"echo \"compiled=$(find {C.TESTBED} {sites} \\( -name '*.so' -o -name '*.pyd' \\) "
                    f"-not -path '*/.git/*' 2>/dev/null | wc -l)\"")
    script = AUDIT_SCRIPT.format(testbed=C.TESTBED, future=" ".join(future_commits) or "none", compiled=compiled)
    result = run_script(tag, script, limits=Limits(timeout=120), labels=engine.labels("eval", purpose="audit"))
    if result.timed_out:
        return Audit(ok=False, detail="the audit did not finish within 120 s")
    text = result.log
    head, _, freeze = text.partition("--- freeze")
    values = dict(line.split("=", 1) for line in head.splitlines() if "=" in line and not line.startswith("future="))
    audit = Audit(ok=True, commits=int(values.get("commits", "0") or 0), refs=values.get("refs", "").split(),
                  tags=values.get("tags", "").split(),
                  future_objects=[line.split("=", 1)[1] for line in head.splitlines() if line.startswith("future=")],
                  frozen=[line for line in freeze.splitlines() if line.strip() and "==" in line])
    problems = []
    if audit.commits != 1:
        problems.append(f"{audit.commits} commits in the history, expected 1")
    if audit.tags:
        problems.append(f"tags present: {audit.tags}")
    if audit.future_objects:
        problems.append(f"objects from after base_commit present: {audit.future_objects[:5]}")
    if problems:
        audit.reason = "leak"
    if "compiled" in values:
        audit.compiled_modules = int(values["compiled"] or 0)
        if audit.compiled_modules == 0 and not problems:
            problems.append("the project has compiled extensions but none was built (a silent pure-Python fallback)")
            audit.reason = "compiled_extension_missing"
    audit.ok, audit.detail = not problems, "; ".join(problems)
    return audit
