"""What goes into a release: read the workspace stages and select, per the license policy.

Input: the workspace's ``records`` (ValidatedRecord; only ``verdict == "valid"``), ``curated`` (difficulty),
``agent_trajectories`` and ``verifier`` (the trajectories step), curated ``trajectories`` (shipped as
``sampled`` ones when the trajectories step has not converted them yet), ``environments`` (build logs) and
``validations`` (before/after/rerun logs).
Output: a ``Selection`` — the records to publish (code blanked where the policy says so), their curation
figures, the trajectories, verifier examples and log rows, plus counts of what was left out and why.
Trajectories are not limited to published records: contextual ones exist for every collected PR. Each
goes by its own instance's license (the record's mode, else the policy's mode for the trajectory's
``license``): ``exclude`` leaves it out, ``without_code`` too when the policy withholds trajectories (they
quote the code). Nothing here writes; ``assemble`` turns a selection into files.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from openswe_data.publish.licenses import LicensePolicy
from openswe_data.records import CuratedRecord, Environment, Trajectory, Validation, ValidatedRecord
from openswe_data.store import Workspace
from openswe_data.trajectories.records import STAGE, VERIFIER_STAGE, AgentTrajectory, VerifierExample

LOG_FIELDS = ("build_log", "log_before", "log_after", "log_reruns")


@dataclass
class Selection:
    """The release's content before it becomes files."""

    records: list[ValidatedRecord] = field(default_factory=list)
    modes: dict[str, str] = field(default_factory=dict)  # instance_id -> full | without_code
    curated: dict[str, CuratedRecord] = field(default_factory=dict)
    trajectories: list[AgentTrajectory] = field(default_factory=list)
    verifier: list[VerifierExample] = field(default_factory=list)
    logs: list[dict[str, Any]] = field(default_factory=list)
    left_out: Counter[str] = field(default_factory=Counter)  # reason -> count
    licenses: Counter[str] = field(default_factory=Counter)  # license -> published count

    @property
    def withheld(self) -> int:
        return sum(1 for m in self.modes.values() if m == "without_code")


def select(
    workspace: Workspace,
    policy: LicensePolicy,
    *,
    only_kept: bool = False,
    exclude_ids: set[str] | None = None,
) -> Selection:
    """Read the workspace and decide what ships.

    ``only_kept`` keeps only instances the curation policy kept (default: every valid record, with its
    difficulty when curated). ``exclude_ids`` leaves out instances the guard refused (``--skip-bad``).
    """
    sel = Selection()
    exclude_ids = exclude_ids or set()
    sel.curated = {c.instance_id: c for c in workspace.stage("curated", CuratedRecord)}
    for rec in sorted(workspace.stage("records", ValidatedRecord), key=lambda r: r.instance_id):
        if rec.verdict != "valid":
            sel.left_out["not_valid"] += 1
            continue
        if rec.instance_id in exclude_ids:
            sel.left_out["refused_by_guard"] += 1
            continue
        curated = sel.curated.get(rec.instance_id)
        if only_kept and not (curated and curated.kept):
            sel.left_out["not_kept_by_curation"] += 1
            continue
        mode = policy.mode(rec.license)
        if mode == "exclude":
            sel.left_out["license_excluded"] += 1
            continue
        if mode == "without_code":
            rec = policy.withhold(rec)
        # The workspace path of the full logs means nothing outside this machine (and may name a user).
        sel.records.append(rec.replace(log_path=""))
        sel.modes[rec.instance_id] = mode
        sel.licenses[rec.license or "unknown"] += 1

    published = set(sel.modes)
    sel.trajectories = [t for t in _trajectories(workspace) if _ships(t, sel, policy, exclude_ids, "trajectory")]
    sel.trajectories.sort(key=lambda t: t.trajectory_id)
    sel.verifier = sorted((v for v in workspace.stage(VERIFIER_STAGE, VerifierExample)
                           if _ships(v, sel, policy, exclude_ids, "verifier")), key=lambda v: v.example_id)
    sel.logs = _log_rows(workspace, published, sel.modes, policy)
    return sel


def _trajectories(workspace: Workspace) -> list[AgentTrajectory]:
    """The trajectories step's results, plus curated trajectories it has not converted yet (as ``sampled``)."""
    from openswe_data.trajectories import make, tokens

    stored = {t.trajectory_id: t for t in workspace.stage(STAGE, AgentTrajectory)}
    curated = [t for t in workspace.stage("trajectories", Trajectory)
               if make.sampled_id(t.instance_id, t.attempt_index) not in stored]
    if curated:
        tokenizer = tokens.load(tokens.DEFAULT)
        for t in curated:
            converted = make.sampled(t.instance_id, t.attempt_index, t.messages, tokenizer,
                                     source=f"curated:{t.policy}", resolved=t.resolved)
            stored[converted.trajectory_id] = converted
    return list(stored.values())


def _ships(item: AgentTrajectory | VerifierExample, sel: Selection, policy: LicensePolicy, exclude_ids: set[str],
           what: str) -> bool:
    """Whether a trajectory (or verifier example) goes into the release; counts the ones left out."""
    if item.instance_id in exclude_ids:  # explained by the instance's own refusal
        return False
    mode = sel.modes.get(item.instance_id) or policy.mode(item.license)
    if mode == "exclude":
        sel.left_out[f"{what}_license_excluded"] += 1
        return False
    if mode == "without_code" and policy.withhold_trajectories:
        sel.left_out[f"{what}_license_withheld"] += 1
        return False
    return True


def _log_rows(workspace: Workspace, ids: set[str], modes: dict[str, str], policy: LicensePolicy) -> list[dict[str, Any]]:
    """One row of logs per published instance (empty text where a stage has no log)."""
    rows: dict[str, dict[str, Any]] = {
        i: {"instance_id": i, **{f: "" for f in LOG_FIELDS}, "logs_withheld": False} for i in ids
    }
    for env in workspace.stage("environments", Environment):
        if env.instance_id in rows:
            rows[env.instance_id]["build_log"] = env.build_log
    for val in workspace.stage("validations", Validation):
        if val.instance_id in rows:
            row = rows[val.instance_id]
            row["log_before"], row["log_after"], row["log_reruns"] = val.log_before, val.log_after, val.log_reruns
    if policy.withhold_logs:
        for i, row in rows.items():
            if modes.get(i) == "without_code":
                row.update({f: "" for f in LOG_FIELDS}, logs_withheld=True)
    return [rows[i] for i in sorted(rows)]
