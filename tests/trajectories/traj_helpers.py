"""Helpers for the trajectories tests: PRs made from tiny real git repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

from openswe_data.records import PullRequest


def diff_of(repo: Path, base: str, head: str = "HEAD") -> str:
    return subprocess.run(["git", "-C", str(repo), "diff", base, head], check=True, capture_output=True,
                          text=True).stdout


def sha(repo: Path, rev: str = "HEAD") -> str:
    return subprocess.run(["git", "-C", str(repo), "rev-parse", rev], check=True, capture_output=True,
                          text=True).stdout.strip()


def pr_from_repo(repo: Path, number: int = 7, *, name: str = "acme/widgets", created_at: str = "2024-03-01T10:00:00Z",
                 issues: list | None = None, messages: list[str] | None = None, base: str = "HEAD~1",
                 url: str | None = None) -> PullRequest:
    """A collected PR whose diff is ``base..HEAD`` of ``repo``."""
    return PullRequest(
        instance_id=f"{name.replace('/', '__')}-{number}", repo=name, pull_number=number, base_commit=sha(repo, base),
        diff=diff_of(repo, base), title="Strip spaces before parsing", body="Parsing failed on padded input.",
        created_at=created_at, repo_url=str(repo) if url is None else url, license="MIT",
        linked_issues=issues if issues is not None else [
            {"number": 3, "title": "parse(' 1') fails", "body": "ValueError on padded numbers.",
             "comments": [{"user": "ann", "body": "Same with tabs."}]}],
        commit_messages=messages or ["parse: strip whitespace first"])


BEFORE = {
    "widgets/core.py": "from widgets.util import clean\n\n\ndef parse(text):\n    return int(text)\n\n\ndef unparse(n):\n    return str(n)\n",
    "widgets/util.py": "def clean(text):\n    return text.strip()\n",
    "widgets/__init__.py": "",
    "tests/test_core.py": "from widgets.core import parse\n\n\ndef test_parse():\n    assert parse('1') == 1\n",
}
AFTER = {
    "widgets/core.py": "from widgets.util import clean\n\n\ndef parse(text):\n    return int(clean(text))\n\n\ndef unparse(n):\n    return str(n)\n",
    "tests/test_core.py": "from widgets.core import parse\n\n\ndef test_parse():\n    assert parse('1') == 1\n\n\ndef test_parse_strips_spaces():\n    assert parse(' 1 ') == 1\n",
    "docs/parsing.md": "Input is stripped first.\n",
}
