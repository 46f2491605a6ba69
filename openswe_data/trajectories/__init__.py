"""Agent-native training data: contextually-native trajectories from every PR, environmentally-native ones
replayed in the validated images, sampled runs in the same structured form, and verifier pairs.

Input: a workspace after collect (and, for the environmental kind, validate; for sampled ones, sample or
curate). Output: the ``agent_trajectories`` and ``verifier`` stages (``records.py`` here), renderable to
OpenAI messages, ShareGPT and the text function-call form (``render.py``). The map:

    contextual.py    PR -> messages (issue, PR, files at the base, edits as tool calls)   no Docker, no LLM
    environmental.py record + change -> messages, every observation a real command's output in the image
    sampled.py       {role, content} runs -> structured tool calls
    edits.py         unified diff -> search-and-replace edits          sources.py  files at the base commit
    tokens.py        tokenizers shipped in PyPI packages, or yours     decontam.py benchmark, cutoff, near-dups
    verifier.py      graded trajectories -> success / failure pairs    render.py   trainer formats, chat templates
    make.py          the pure constructors   run.py / replays.py  the workspace step   summary.py  optional LLM summary
"""

from __future__ import annotations

from openswe_data.trajectories.records import KINDS, STAGE, VERIFIER_STAGE, AgentTrajectory, VerifierExample
from openswe_data.trajectories.run import TrajectoryOptions, TrajectorySummary, build_trajectories

__all__ = ["KINDS", "STAGE", "VERIFIER_STAGE", "AgentTrajectory", "VerifierExample", "TrajectoryOptions",
           "TrajectorySummary", "build_trajectories"]
