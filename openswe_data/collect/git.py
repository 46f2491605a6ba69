"""Mining a repository's own history: first-parent merge and squash commits -> tasks.

Input: a local git repository or a clone URL (no GitHub API needed). Output: as every collector, a
``PullRequest`` record per commit examined in ``prs``, a ``Task`` per accepted one in ``tasks``, every
drop a reject with a machine-readable reason, and the funnel. Each commit of the first-parent walk is one
candidate: ``base_commit`` is its first parent, its diff against that parent goes through the same split
and filters as a pull request (``Sink.add_pr``), so a commit touching only docs is ``no_test_changes`` and
one touching only tests is ``tests_only``. There is no issue: the problem statement is the commit message
(title, newline, body, newline; GitHub's "Merge pull request #N from ..." line and trailers dropped), and
the linked-issue filters do not apply.

Instance ids are ``<owner>__<name>-<n>`` with ``n`` chosen so the same commit always gets the same id:
1. the pull request number the message names: a title ``Merge pull request #N from ...``, or a title
   ending in ``(#N)`` (GitHub's squash form; the last one counts);
2. otherwise, or when an older first-parent commit of the walked revision names the same number (a
   backport, a revert titled the same), ``1_000_000_000 + int(sha[:7], 16)``: above any real pull
   request number. So a commit's id does not depend on ``since``/``until``/``limit``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from openswe_data.collect.commits import (Commit, GitError, clone_mirror, diff, language, open_repository, repo_name,
                                          titles, walk)
from openswe_data.collect.config import CollectConfig
from openswe_data.collect.filters import Drop
from openswe_data.collect.funnel import Funnel, save_funnel
from openswe_data.collect.sink import Sink
from openswe_data.collect.split import DiffError, decode_diff
from openswe_data.records import PullRequest, instance_id_for
from openswe_data.store import Workspace

SHA_NUMBER_BASE = 1_000_000_000
_MERGE_TITLE = re.compile(r"^Merge pull request #(\d+) from \S+")
_SQUASH_TITLE = re.compile(r"\(#(\d+)\)\s*$")
_TRAILER = re.compile(r"^(Co-authored-by|Signed-off-by|Reviewed-by|Acked-by|Tested-by|Change-Id):", re.IGNORECASE)


@dataclass(frozen=True)
class GitQuery:
    """Which commits of a repository to mine."""

    rev: str = "HEAD"
    """The revision whose first-parent history is walked (a branch, tag or sha)."""
    since: str | None = None
    """Only commits committed on or after this date (anything ``git log --since`` reads)."""
    until: str | None = None
    """Only commits committed on or before this date."""
    limit: int = 0
    """Most commits to examine, newest first (0: all)."""
    repo: str | None = None
    """``owner/name`` of the repository; default: read from the URL or the folder name (``repo_name``)."""


def pull_number_of_title(title: str) -> int | None:
    """The pull request number a merge or squash commit's title names, else ``None``."""
    match = _MERGE_TITLE.match(title) or _SQUASH_TITLE.search(title)
    return int(match.group(1)) if match else None


def pull_number(commit: Commit) -> int | None:
    """The pull request number ``commit``'s title names, else ``None``."""
    return pull_number_of_title(commit.message.split("\n", 1)[0])


def sha_number(sha: str) -> int:
    """The stable number of a commit that names no pull request (or whose number is taken)."""
    return SHA_NUMBER_BASE + int(sha[:7], 16)


def title_and_body(message: str) -> tuple[str, str]:
    """A commit message as (title, body): the merge boilerplate line and trailers dropped."""
    lines = [line for line in message.strip().split("\n") if not _TRAILER.match(line)]
    if lines and _MERGE_TITLE.match(lines[0]) and len(lines) > 1:
        lines = lines[1:]
        while lines and not lines[0].strip():
            lines = lines[1:]
    title = lines[0].strip() if lines else ""
    return title, "\n".join(lines[1:]).strip()


def problem_from_message(message: str) -> str:
    """The problem statement of a mined commit: title, newline, body, newline (SWE-bench's issue form)."""
    title, body = title_and_body(message)
    return f"{title}\n{body}\n"


def mining_config(config: CollectConfig) -> CollectConfig:
    """``config`` without the linked-issue checks: history holds no issues."""
    return dataclasses.replace(config, require_linked_issue=False, require_issue_body=False)


class _Ids:
    """Hands out instance ids so one number never names two commits, whatever window is walked: a pull
    request number belongs to the oldest first-parent commit of the revision that names it."""

    def __init__(self, repo: str, history: list[tuple[str, str]]) -> None:
        self.repo = repo
        self.owner: dict[int, str] = {}
        for sha, title in history:
            number = pull_number_of_title(title)
            if number is not None:
                self.owner.setdefault(number, sha)

    def __call__(self, commit: Commit) -> tuple[int, str]:
        number = pull_number(commit)
        if number is None or self.owner.get(number, commit.sha) != commit.sha:
            number = sha_number(commit.sha)
        return number, instance_id_for(self.repo, number)


def resolve_source(source: str | Path, workspace: Workspace) -> tuple[Path, str]:
    """(git directory to read, ``repo_url`` for the tasks): a local path as is, a URL mirrored once into
    ``<ws>/collect/git/`` (the tasks keep the URL, so builds elsewhere fetch it themselves)."""
    text = str(source)
    if "://" in text or re.match(r"^[\w.-]+@[\w.-]+:", text):
        key = hashlib.sha1(text.encode()).hexdigest()[:10]
        return clone_mirror(text, Path(workspace.path) / "collect" / "git" / f"{key}.git"), text
    path = open_repository(text)
    return path, str(Path(text).expanduser().resolve())


def commit_record(git_dir: Path, commit: Commit, *, repo: str, number: int, iid: str, repo_url: str,
                  language_name: str | None) -> tuple[PullRequest | None, Drop | None]:
    """One commit as a ``PullRequest`` (its diff against the first parent), or the drop that stops it."""
    try:
        raw = diff(git_dir, commit.parents[0], commit.sha)
    except GitError as exc:
        return None, Drop("git_error", exc.message)
    try:
        text = decode_diff(raw)
    except DiffError as exc:
        return None, Drop(exc.reason, exc.message)
    title, body = title_and_body(commit.message)
    return PullRequest(
        instance_id=iid, repo=repo, pull_number=number, base_commit=commit.parents[0], diff=text,
        title=title, body=body, created_at=commit.authored_at, merged_at=commit.committed_at,
        author=commit.author, author_type="User", repo_url=repo_url, language=language_name,
        head_commit=commit.sha, commit_messages=[commit.message], source=f"git:{commit.sha}",
    ), None


def collect_git(source: str | Path, workspace: Workspace | str | Path, config: CollectConfig | None = None,
                query: GitQuery | None = None, *, log: Callable[[str], None] | None = None) -> Funnel:
    """Mine ``source``'s first-parent history (``query``) into ``workspace``; returns this run's funnel.

    A bad source (missing, not a repository, unknown revision) raises ``GitError`` before anything is
    written; a bad commit (git cannot diff it, a diff that is not UTF-8 or cannot be split) is a reject
    and the walk goes on. Root commits (no parent, hence no base) are not candidates. Re-running skips
    every commit already stored; the funnel is saved to ``<ws>/collect/funnel.json``.
    """
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace, create=True)
    query = query or GitQuery()
    config = mining_config(config or CollectConfig())
    git_dir, repo_url = resolve_source(source, ws)
    repo = repo_name(str(source), query.repo)
    commits = walk(git_dir, query.rev, since=query.since, until=query.until, limit=query.limit)
    lang = language(git_dir, query.rev)
    funnel = Funnel("git")
    funnel.extra["repo"] = repo
    with Sink(ws, config, funnel, bulk=True) as sink:
        ids = _Ids(repo, titles(git_dir, query.rev))
        for commit in commits:
            if not commit.parents:
                continue
            number, iid = ids(commit)
            funnel.seen += 1
            if sink.is_done(iid):
                continue
            pr, drop = commit_record(git_dir, commit, repo=repo, number=number, iid=iid, repo_url=repo_url,
                                     language_name=lang)
            if pr is None:
                assert drop is not None
                sink.reject(iid, drop, source=f"git:{commit.sha}", repo=repo)
                outcome = drop.reason
            else:
                outcome = sink.add_pr(pr, counted=True, problem=problem_from_message(commit.message))
            if log is not None:
                log(f"{commit.sha[:12]} {iid}: {outcome}")
    save_funnel(ws, funnel)
    return funnel
