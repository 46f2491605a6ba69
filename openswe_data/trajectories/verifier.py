"""Agent trajectories with a grade -> verifier data as SWE-Gym trains it: success / failure pairs per instance.

Input: the ``agent_trajectories`` whose ``resolved`` is known and that do not show the hidden tests'
verdict — sampled runs and attempt replays. The gold replay is left out: it runs the tests it is graded
by, and it is always a success, so it would teach a verifier to look for the wrong thing. Output:
``VerifierExample`` rows: per instance, up to ``pairs_per_instance`` pairs, each one success (label true)
and one failure (label false), taken in trajectory-id order — balanced by construction, as SWE-Gym balances
its verifier training set. Instances with only successes or only failures give no pair.
"""

from __future__ import annotations

from collections.abc import Iterable

from openswe_data.trajectories.records import AgentTrajectory, VerifierExample


def eligible(t: AgentTrajectory) -> bool:
    return t.resolved is not None and (t.kind == "sampled" or t.source.startswith("replay:attempt"))


def pairs(trajectories: Iterable[AgentTrajectory], pairs_per_instance: int = 2) -> list[VerifierExample]:
    by_instance: dict[str, tuple[list[AgentTrajectory], list[AgentTrajectory]]] = {}
    for t in trajectories:
        if eligible(t):
            good, bad = by_instance.setdefault(t.instance_id, ([], []))
            (good if t.resolved else bad).append(t)
    out: list[VerifierExample] = []
    for iid in sorted(by_instance):
        good, bad = (sorted(side, key=lambda t: t.trajectory_id) for side in by_instance[iid])
        for n, (success, failure) in enumerate(list(zip(good, bad))[:pairs_per_instance]):
            for t, label in ((success, True), (failure, False)):
                out.append(VerifierExample(
                    example_id=f"{iid}.p{n}.{'success' if label else 'failure'}", instance_id=iid, pair_index=n,
                    label=label, trajectory_id=t.trajectory_id, kind=t.kind, repo=t.repo, license=t.license,
                    messages=t.messages, tools=t.tools, tokens=t.tokens))
    return out
