"""What a killed run leaves behind, found and removed by the run that resumes it.

Input: a workspace (and the release folder a run publishes into). Output: the containers and publish
staging folders whose owning process is gone, removed, and a sentence saying so. The store itself needs no
clean-up (results appear by atomic rename; compaction removes a killed writer's temp files); this is the
debris outside it: labelled containers a killed validation never removed, and the staging folder of a
killed publish. Anything a live process still owns (another run on the same workspace) is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Debris:
    containers: list[str] = field(default_factory=list)
    staging: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if not (self.containers or self.staging):
            return ""
        parts = []
        if self.containers:
            parts.append(f"{len(self.containers)} container(s)")
        if self.staging:
            parts.append(f"{len(self.staging)} publish staging folder(s)")
        return f"resume: removed {' and '.join(parts)} left by a killed run"


def reap_debris(workspace: str | Path, *, release: str | Path | None = None, containers: bool = True) -> Debris:
    """Label this process's containers with ``workspace`` and remove what a killed predecessor left there.

    ``containers=False`` skips the engine (a command that runs none); without an engine, nothing of it is
    reaped and nothing fails.
    """
    from openswe_data import engine

    debris = Debris()
    engine.bind_workspace(workspace)
    if containers and engine.available():
        debris.containers = engine.reap_containers(workspace)
    if release is not None:
        from openswe_data.publish.assemble import reap_staging

        debris.staging = [str(p) for p in reap_staging(Path(release))]
    return debris
