"""Tiny real git repositories for tests: a base tree, a gold change and a test change, committed with the
real git CLI; both patches come from ``git diff``. Used by the trust fixtures (tests/validate) and the
closed-loop fixtures (tests/repair)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from openswe_data.records import Task

_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
        "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, env={**os.environ, **_ENV}, check=True,
                          capture_output=True, text=True).stdout


def _write(repo: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text, encoding="utf-8")


def _diff(repo: Path, files: dict[str, str]) -> str:
    _write(repo, files)
    _git(repo, "add", "-A")
    patch = _git(repo, "diff", "--cached", "HEAD")
    _git(repo, "reset", "-q", "--hard", "HEAD")
    return patch


def make_task(name: str, root: Path, spec: dict[str, dict[str, str]], *, prefix: str = "trust", number: int = 1,
              created_at: str = "2024-01-02T00:00:00Z") -> Task:
    """Project ``spec`` as a real git repository ``root/name`` and the task of its fix (``prefix__name-number``)."""
    repo = root / f"{name}-{number}"
    repo.mkdir(parents=True)
    _git(repo, "init", "-q", "-b", "main")
    _write(repo, spec["base"])
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    base = _git(repo, "rev-parse", "HEAD").strip()
    return Task(instance_id=f"{prefix}__{name}-{number}", repo=f"{prefix}/{name}", base_commit=base,
                patch=_diff(repo, spec["gold"]), test_patch=_diff(repo, spec["tests"]),
                problem_statement=f"fix {name}", pull_number=number, created_at=created_at, repo_url=str(repo))
