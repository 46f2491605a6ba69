"""collect stage: crawled pull requests -> tasks.

Four inputs, one output. A live GitHub crawl (``collect_github``), crawled-PR dump files
(``collect_dump``), SWE-bench-style task files (``collect_swebench``) and a repository's own history
(``collect_git``: first-parent merge and squash commits) all end in the workspace:
normalized ``PullRequest`` records in ``prs``, ``Task`` records in ``tasks``, and every drop as a reject
of ``tasks`` with a machine-readable reason (``filters.REASONS``). Each run saves a funnel to
``<ws>/collect/funnel.json``. Re-running skips what is done.
"""

from __future__ import annotations

from openswe_data.collect.config import CollectConfig, load_config, load_exclusions
from openswe_data.collect.dump import collect_dump
from openswe_data.collect.filters import REASONS, Drop, judge
from openswe_data.collect.funnel import Funnel, load_funnel
from openswe_data.collect.git import GitQuery, collect_git
from openswe_data.collect.split import DiffError, SplitDiff, is_test_path, split_diff
from openswe_data.collect.swebench import collect_swebench, parse_repo_roots

__all__ = [
    "REASONS",
    "CollectConfig",
    "DiffError",
    "Drop",
    "Funnel",
    "GitQuery",
    "SplitDiff",
    "collect_dump",
    "collect_git",
    "collect_github",
    "collect_swebench",
    "is_test_path",
    "judge",
    "load_config",
    "load_exclusions",
    "load_funnel",
    "parse_repo_roots",
    "split_diff",
]


def collect_github(*args, **kwargs):  # type: ignore[no-untyped-def]
    """Crawl GitHub into the workspace; see ``openswe_data.collect.crawl.collect_github``."""
    from openswe_data.collect.crawl import collect_github as _collect_github

    return _collect_github(*args, **kwargs)
