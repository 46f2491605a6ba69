"""The whole pipeline on one input: collect -> build -> validate -> (grade attempts -> curate) ->
trajectories -> report -> release into a local folder.

Input: a crawled-PR dump or a SWE-bench-style task file, optionally agent attempts (SWE-bench predictions
files). Output: a workspace holding every stage, a report, and a release folder that
``datasets.load_dataset`` reads. Each step is the same library call its CLI command makes, and each one
resumes, so running this again after a crash (or after adding input) only does what is missing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from openswe_data.progress import counts
from openswe_data.store import Workspace


@dataclass
class PipelineOptions:
    release: Path | None = Path("openswe")
    """Local release folder (``None``: no release)."""
    version: str = "0.1.0"
    """Release version."""
    attempts: list[Path] = field(default_factory=list)
    """SWE-bench predictions files standing for sampled agent attempts (graded in the images)."""
    policy: str = "openswe-band"
    """Curation policy (a file in ``curation/``)."""
    workers: int = 0
    """Parallel builds and validations (0: from cores and memory)."""
    reruns: int = 4
    """Extra validation runs per side to find flaky tests."""
    trajectories: bool = True
    """Make agent-native trajectories: contextual ones from every PR, replays in the images, verifier pairs."""
    report: bool = True
    """Write the Markdown/HTML report into ``<workspace>/report``."""


def _is_pr_dump(path: Path) -> bool:
    if path.suffix != ".jsonl":
        return False
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        for line in fh:
            if line.strip():
                try:
                    return "pull" in json.loads(line)
                except (json.JSONDecodeError, RecursionError):
                    return False
    return False


def run_pipeline(source: Path, workspace: Path, options: PipelineOptions | None = None,
                 say: Callable[[str], None] = print) -> dict[str, object]:
    """Run every stage; returns a summary of each."""
    from openswe_data.collect import collect_dump, collect_swebench
    from openswe_data.repair import build_with_loop
    from openswe_data.validate import ValidateOptions, validate_environments

    from openswe_data.build.network import check_network_settings

    options = options or PipelineOptions()
    check_network_settings()  # a setting no build can use stops the run here, not after N failed builds
    ws = Workspace(workspace, create=True)
    summary: dict[str, object] = {}
    from openswe_data.debris import reap_debris

    debris = reap_debris(ws.path, release=options.release)
    if debris.describe():
        say(debris.describe())
        summary["debris"] = vars(debris)

    say(f"collect: {source}")
    funnel = collect_dump([source], ws) if _is_pr_dump(source) else collect_swebench(source, ws)
    summary["collect"] = {"tasks": funnel.tasks, "already_done": funnel.already_done, "dropped": dict(funnel.drops)}
    say(f"  {funnel.tasks} new task(s), {funnel.already_done} already done; dropped: {counts(funnel.drops)}")

    say("build: environments in Docker (closed loop: build, probe, diagnose, fix)")
    b = build_with_loop(ws, workers=options.workers)
    summary["build"] = vars(b)
    say(f"  built {b.built}, failed {b.failed} ({counts(b.reasons)}), already done {b.skipped}, "
        f"rescued by a rule {b.rescued}")

    say("validate: before and after the gold patch")
    v = validate_environments(ws, workers=options.workers, options=ValidateOptions(reruns=options.reruns))
    summary["validate"] = vars(v)
    say(f"  valid {v.valid}, invalid {v.invalid} ({counts(v.reasons)}), already done {v.skipped}")

    if options.attempts:
        from openswe_data.curate import apply_policy, grade_attempts, import_attempts
        from openswe_data.validate.evaluate import DockerGrader

        say(f"curate: {len(options.attempts)} attempt file(s), policy {options.policy}")
        import_attempts(ws, "predictions", options.attempts)
        g = grade_attempts(ws, DockerGrader())
        c = apply_policy(ws, options.policy)
        summary["curate"] = {"graded": g.graded, "resolved": g.resolved, **_plain(c)}
        say(f"  graded {g.graded} attempt(s), {g.resolved} resolved; policy {c.policy}: {c.kept_instances} of "
            f"{c.instances} instance(s) kept, {c.trajectories} trajectories")

    if options.trajectories:
        from openswe_data.trajectories import build_trajectories

        t = build_trajectories(ws, say=say)
        summary["trajectories"] = {"made": dict(t.made), "rejected": dict(t.rejected), "tokens": t.tokens,
                                   "verifier_examples": t.verifier_examples}
        say(f"  {t.describe()}")

    if options.report:
        from openswe_data.analyze import write_report

        files = write_report(ws.path, ws.path / "report")
        summary["report"] = str(files.html)
        say(f"report: {files.html}")

    if options.release is not None:
        from openswe_data.publish import PublishOptions, publish

        res = publish(ws, PublishOptions(version=options.version, out=options.release, skip_bad=True))
        summary["release"] = {"folder": str(res.folder), "version": res.version}
        say(f"release: {res.folder} (v{res.version})")
    return summary


def _plain(obj: object) -> dict[str, object]:
    d = getattr(obj, "__dict__", {})
    return {k: v for k, v in d.items() if isinstance(v, (int, float, str))}
