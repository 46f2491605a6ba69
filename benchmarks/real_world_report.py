"""Figures of the real-world development set, read from a workspace's records (see real_world.py).

Input: the set's entries (with what a person expects) and the workspace a run left. Output: a JSON-able
summary and a printed report: valid / attempted and valid / validatable, exact FAIL_TO_PASS on the
hand-checked subset, attempts per valid environment (first vs later instances of a repository), rules
fired and rescues (from the loop's ``build_attempts``; ``n/a`` for an open-loop run), seconds per valid environment, new image bytes
per instance, and the invalid reasons with their instance ids. Everything is read from stored records,
so a report can be made again (``--report-only``) after the hand-checked lists change.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from openswe_data.records import Environment, ValidatedRecord
from openswe_data.store import Workspace



@dataclass
class Outcome:
    entry: dict[str, Any]
    collect_reason: str = ""
    wall_seconds: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _history_ids(tag: str) -> list[tuple[str, int]]:
    from openswe_data import engine

    try:
        hist = engine.client().api.history(tag)
    except Exception:  # noqa: BLE001 - an image pruned since: no figure for it
        return []
    return [(h.get("Id") or "<missing>", int(h.get("Size") or 0)) for h in reversed(hist)]


def _base_tags() -> list[str]:
    from openswe_data import engine

    try:
        images = engine.client().images.list(filters={"label": f"{engine.KIND_LABEL}=base"})
    except Exception:  # noqa: BLE001 - no engine: no image figures
        return []
    return [t for img in images for t in img.tags[:1]]


def new_image_bytes(images: list[tuple[str, str]]) -> dict[str, int | None]:
    """instance id -> bytes of history entries no earlier image (in the given order) already had.

    Entries without a local id (``<missing>``) and those of the base images are never new.
    """
    seen: set[str] = set()
    for base in _base_tags():
        seen.update(i for i, _ in _history_ids(base))
    out: dict[str, int | None] = {}
    for iid, tag in images:
        entries = _history_ids(tag) if tag else []
        if not entries:
            out[iid] = None
            continue
        out[iid] = sum(s for i, s in entries if i != "<missing>" and i not in seen)
        seen.update(i for i, _ in entries)
    return out


def _rules(attempts: list[Any], rec: ValidatedRecord | None) -> tuple[list[Any] | None, bool]:
    """(rules that fired on the instance's loop attempts, whether the instance was rescued by one), or
    (None, False) when the workspace holds no loop attempts for it (an open-loop run)."""
    if not attempts:
        return None, False
    fired = [a.rule for a in sorted(attempts, key=lambda a: a.attempt) if a.rule]
    return fired, bool(fired) and getattr(rec, "verdict", "") == "valid"


def figures(ws: Workspace, outcomes: list[Outcome], *, wall_seconds: float, workers: int) -> dict[str, Any]:
    from openswe_data.records import BuildAttempt

    envs = {e.instance_id: e for e in ws.stage("environments", Environment)}
    recs = {r.instance_id: r for r in ws.stage("records", ValidatedRecord)}
    loop_attempts: dict[str, list[Any]] = {}
    for a in ws.stage("build_attempts", BuildAttempt):
        loop_attempts.setdefault(a.instance_id, []).append(a)
    rows: list[dict[str, Any]] = []
    first_of: dict[str, str] = {}
    for o in outcomes:
        first_of.setdefault(o.entry["repo"], o.entry["instance_id"])
    # first instances of each repository were built before the later ones: count their layers first
    ordered = sorted(outcomes, key=lambda o: first_of[o.entry["repo"]] != o.entry["instance_id"])
    images = [(o.entry["instance_id"], envs[o.entry["instance_id"]].image_name) for o in ordered
              if o.entry["instance_id"] in envs and envs[o.entry["instance_id"]].image_name]
    new_bytes = new_image_bytes(images)
    rules_known = False
    for o in outcomes:
        iid, entry = o.entry["instance_id"], o.entry
        env, rec = envs.get(iid), recs.get(iid)
        verdict = "invalid" if o.collect_reason else (rec.verdict if rec else "not_run")
        reason = o.collect_reason or (rec.reason if rec else "")
        fired, rescued = _rules(loop_attempts.get(iid, []), rec)
        rules_known |= fired is not None
        expected_f2p = entry.get("FAIL_TO_PASS")
        got = sorted(rec.FAIL_TO_PASS) if rec else []
        rows.append({
            "instance_id": iid, "repo": entry["repo"], "first_of_repo": first_of[entry["repo"]] == iid,
            "expected": entry["expected"], "verdict": verdict, "reason": reason,
            "fault": getattr(rec, "fault", ""), "detail": (getattr(rec, "reason_detail", "") or "")[:300],
            "mechanisms": entry.get("mechanisms", []),
            "FAIL_TO_PASS": got, "hand_checked": expected_f2p is not None,
            "f2p_exact": (verdict == "valid" and got == sorted(expected_f2p)) if expected_f2p is not None else None,
            "attempts": env.attempts if env else None, "python": env.python_version if env else "",
            "build_seconds": env.build_seconds if env else None,
            "validate_seconds": rec.validate_seconds if rec else None, "wall_seconds": o.wall_seconds,
            "image_bytes": env.image_size_bytes if env else None, "new_image_bytes": new_bytes.get(iid),
            "rules_fired": fired, "rescued": rescued, "log_path": rec.log_path if rec else "",
        })
    return _summarise(rows, rules_known, wall_seconds, workers)


def _summarise(rows: list[dict[str, Any]], rules_known: bool, wall_seconds: float, workers: int) -> dict[str, Any]:
    valid = [r for r in rows if r["verdict"] == "valid"]
    validatable = [r for r in rows if r["expected"] == "valid"]
    checked = [r for r in rows if r["hand_checked"]]
    secs = {k: [r["build_seconds"] + r["validate_seconds"] for r in valid if r["first_of_repo"] == first]
            for k, first in (("first", True), ("later", False))}
    all_secs = secs["first"] + secs["later"]
    attempts = {k: [r["attempts"] for r in valid if r["first_of_repo"] == first and r["attempts"] is not None]
                for k, first in (("first", True), ("later", False))}
    nb = {k: [r["new_image_bytes"] for r in rows if r["first_of_repo"] == first and r["new_image_bytes"] is not None]
          for k, first in (("first", True), ("later", False))}
    later_valid = [r for r in valid if not r["first_of_repo"]]
    reasons: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        if r["verdict"] != "valid":
            reasons[r["reason"] or r["verdict"]].append(r["instance_id"])
    return {
        "workers": workers, "wall_seconds": round(wall_seconds, 1),
        "attempted": len(rows), "valid": len(valid), "validatable": len(validatable),
        "valid_of_validatable": sum(1 for r in validatable if r["verdict"] == "valid"),
        "expected_verdict_matches": sum(1 for r in rows if (r["verdict"] == "valid") == (r["expected"] == "valid")),
        "hand_checked": len(checked), "f2p_exact": sum(1 for r in checked if r["f2p_exact"]),
        "attempts_per_valid": {k: (statistics.mean(v) if v else None) for k, v in attempts.items()},
        "rules_fired": (sum(len(r["rules_fired"] or []) for r in rows) if rules_known else "n/a"),
        "rescues": (sum(1 for r in rows if r["rescued"]) if rules_known else "n/a"),
        "seconds_per_valid": {"median": statistics.median(all_secs) if all_secs else None, "p90": _pct(all_secs, 0.9),
                              "median_first": statistics.median(secs["first"]) if secs["first"] else None,
                              "median_later": statistics.median(secs["later"]) if secs["later"] else None},
        "new_image_bytes": {k: (statistics.median(v) if v else None) for k, v in nb.items()},
        # issue 11's targets for a later instance of a built repository, one instance at a time
        "later_targets": {"valid": len(later_valid),
                          "within_15_s": sum(1 for r in later_valid if r["build_seconds"] + r["validate_seconds"] <= 15),
                          "within_10_mb": sum(1 for r in later_valid
                                              if r["new_image_bytes"] is not None and r["new_image_bytes"] <= 10e6),
                          "within_both": sum(1 for r in later_valid if r["build_seconds"] + r["validate_seconds"] <= 15
                                             and r["new_image_bytes"] is not None and r["new_image_bytes"] <= 10e6)},
        "invalid_reasons": dict(sorted(reasons.items(), key=lambda kv: -len(kv[1]))),
        "instances": rows,
    }


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.1f}{unit}"
    return f"{value}{unit}"


def print_report(s: dict[str, Any]) -> None:
    mb = {k: (v / 1e6 if v is not None else None) for k, v in s["new_image_bytes"].items()}
    sp = s["seconds_per_valid"]
    print("\n== real-world development set ==")
    print(f"valid / attempted        {s['valid']} / {s['attempted']}")
    print(f"valid / validatable      {s['valid_of_validatable']} / {s['validatable']}")
    print(f"exact FAIL_TO_PASS       {s['f2p_exact']} / {s['hand_checked']} hand-checked")
    print(f"attempts per valid env   first {_fmt(s['attempts_per_valid']['first'])}, "
          f"later {_fmt(s['attempts_per_valid']['later'])}")
    print(f"rules fired / rescues    {s['rules_fired']} / {s['rescues']}")
    print(f"s per valid env          median {_fmt(sp['median'])}, p90 {_fmt(sp['p90'])} "
          f"(first {_fmt(sp['median_first'])}, later {_fmt(sp['median_later'])}); {s['workers']} workers")
    print(f"new image MB / instance  first {_fmt(mb['first'])}, later {_fmt(mb['later'])} (median)")
    if (lt := s.get("later_targets")) and lt["valid"]:
        print(f"later valid instances    {lt['within_15_s']} / {lt['valid']} within 15 s, {lt['within_10_mb']} within "
              f"10 MB, {lt['within_both']} within both")
    print(f"wall time                {_fmt(s['wall_seconds'], ' s')}")
    print("\ninvalid reasons:")
    for reason, ids in s["invalid_reasons"].items():
        print(f"  {reason:<24} {len(ids):>3}  {', '.join(ids)}")
    print("\nper instance:")
    for r in s["instances"]:
        mark = {True: "F2P=", False: "F2P!", None: ""}[r["f2p_exact"]]
        print(f"  {r['instance_id']:<48} {r['verdict']:<8} {r['reason'] or '':<22} expected {r['expected']:<16} "
              f"py{r['python'] or '?':<5} {_fmt(r['build_seconds'])}+{_fmt(r['validate_seconds'])} s {mark}")
