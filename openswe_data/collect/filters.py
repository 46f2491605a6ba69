"""The filters: a ``PullRequest`` -> accepted (with its split diff) or a ``Drop`` with a machine-readable reason.

Checks run in the order of ``REASONS`` (cheap metadata first, the diff after), and the first that fails
names the drop, so every dropped pull request has exactly one reason and the funnel adds up. Duplicates
are judged last, against the tasks already accepted, because only an otherwise good PR can duplicate one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from openswe_data.collect.config import CollectConfig
from openswe_data.collect.split import DiffError, SplitDiff, split_diff
from openswe_data.records import PullRequest

# Every reason collect can drop an item for, in funnel order.
REASONS: tuple[str, ...] = (
    "malformed_record",   # an input line or row that is not a valid pull request / task
    "excluded",           # on the decontamination exclusion list (instance id or repository)
    "not_merged",
    "low_stars",
    "wrong_language",
    "bot_author",
    "no_linked_issue",
    "empty_issue_body",
    "non_utf8_diff",
    "empty_diff",
    "unparsable_diff",
    "unsafe_path",        # the diff writes outside the repository (absolute, '..', .git/, beneath a symlink)
    "binary_change",
    "too_many_files",
    "too_many_lines",
    "diff_too_large",
    "tests_only",         # confined to test files: nothing to fix
    "no_test_changes",    # no test file changed: nothing to validate with
    "duplicate",          # same fix and tests as an accepted task
    "malformed_payload",  # GitHub answered with something the API does not document
    "repo_not_found",     # the repository is gone or private (a repository-level reject)
    "git_error",          # git could not read a mined commit or its diff (collect git)
)


@dataclass(frozen=True)
class Drop:
    """Why an item was not accepted."""

    reason: str
    detail: str = ""


def is_bot(login: str, author_type: str, config: CollectConfig) -> bool:
    login_l = login.lower()
    return (
        author_type == "Bot"
        or login_l.endswith("[bot]")
        or login_l.endswith("-bot")
        or login_l in {b.lower() for b in config.bot_logins}
    )


def check_metadata(pr: PullRequest, config: CollectConfig) -> Drop | None:
    """The checks that need no diff: the pull request itself, then its linked issues."""
    return check_pull(pr, config) or check_issues(pr, config)


def check_pull(pr: PullRequest, config: CollectConfig) -> Drop | None:
    """Exclusion, merged, repository, author (the crawler runs these before fetching anything more)."""
    if pr.instance_id in config.exclude_instance_ids or pr.repo in config.exclude_repos:
        return Drop("excluded", f"{pr.instance_id} is on the exclusion list")
    if config.require_merged and not pr.merged_at:
        return Drop("not_merged", "the pull request was closed without being merged")
    drop = check_repository(pr.repo, pr.stars, pr.language, config)
    if drop is not None:
        return drop
    if config.reject_bots and is_bot(pr.author, pr.author_type, config):
        return Drop("bot_author", f"authored by {pr.author!r} ({pr.author_type})")
    return None


def check_issues(pr: PullRequest, config: CollectConfig) -> Drop | None:
    """At least one linked issue, and at least one with a description (the problem statement)."""
    if config.require_linked_issue and not pr.linked_issues:
        return Drop("no_linked_issue", "no issue is linked (closing reference or fixes/closes/resolves #N)")
    if config.require_issue_body and pr.linked_issues and not any(
        (i.get("body") or "").strip() for i in pr.linked_issues
    ):
        numbers = ", ".join(f"#{i.get('number')}" for i in pr.linked_issues)
        return Drop("empty_issue_body", f"linked issue(s) {numbers} have no description")
    return None


def check_repository(repo: str, stars: int | None, language: str | None, config: CollectConfig) -> Drop | None:
    """Repository-level checks (the crawler runs these once per repository)."""
    if repo in config.exclude_repos:
        return Drop("excluded", f"repository {repo} is on the exclusion list")
    if stars is not None and stars < config.min_stars:
        return Drop("low_stars", f"{repo} has {stars} stars (< {config.min_stars})")
    if config.languages and (language or "").lower() not in {lang.lower() for lang in config.languages}:
        return Drop("wrong_language", f"{repo} is written in {language or 'an unknown language'}, "
                                      f"not {', '.join(config.languages)}")
    return None


def check_diff(split: SplitDiff, size_bytes: int, config: CollectConfig) -> Drop | None:
    """The checks on the split diff: binary files, size limits, and that both fix and tests changed."""
    if config.reject_binary and split.binary_files:
        return Drop("binary_change", f"binary file(s) changed: {', '.join(split.binary_files[:5])}")
    if len(split.files) > config.max_files:
        return Drop("too_many_files", f"{len(split.files)} files changed (> {config.max_files})")
    if split.changed_lines > config.max_lines:
        return Drop("too_many_lines", f"{split.changed_lines} lines changed (> {config.max_lines})")
    if size_bytes > config.max_bytes:
        return Drop("diff_too_large", f"the diff is {size_bytes} bytes (> {config.max_bytes})")
    if config.require_fix_changes and not split.fix_files:
        return Drop("tests_only", f"only test files changed: {', '.join(split.test_files[:5])}")
    if config.require_test_changes and not split.test_files:
        return Drop("no_test_changes", f"no test file changed (fix files: {', '.join(split.fix_files[:5])})")
    return None


def judge(pr: PullRequest, config: CollectConfig) -> tuple[SplitDiff | None, Drop | None]:
    """Run every check but duplicates; returns the split diff when the diff could be read."""
    drop = check_metadata(pr, config)
    if drop is not None:
        return None, drop
    try:
        split = split_diff(pr.diff, config)
    except DiffError as exc:
        return None, Drop(exc.reason, exc.message)
    size = len(pr.diff.encode("utf-8"))
    return split, check_diff(split, size, config)


def content_key(patch: str, test_patch: str) -> bytes:
    """A short digest of a task's fix and tests: equal digests mean duplicate tasks."""
    return hashlib.blake2b(f"{patch}\0{test_patch}".encode("utf-8", "surrogatepass"), digest_size=12).digest()


class Deduper:
    """Remembers the content keys of accepted tasks (12 bytes each) to drop later duplicates."""

    def __init__(self) -> None:
        self._seen: dict[bytes, str] = {}

    @classmethod
    def from_stage(cls, stage: object) -> Deduper:
        """Keys of the tasks already in the workspace, so a resumed run judges duplicates the same way."""
        dd = cls()
        for part in stage._part_files():  # type: ignore[attr-defined]
            table = stage.read_part(part, columns=["instance_id", "patch", "test_patch"])  # type: ignore[attr-defined]
            for batch in table.to_batches(max_chunksize=1024):
                for iid, p, t in zip(*(batch.column(i).to_pylist() for i in range(3))):
                    dd._seen.setdefault(content_key(p, t), iid)
        for path in stage._item_files():  # type: ignore[attr-defined]
            task = stage._load_item(path)  # type: ignore[attr-defined]
            dd._seen.setdefault(content_key(task.patch, task.test_patch), task.instance_id)
        return dd

    def check(self, instance_id: str, patch: str, test_patch: str) -> Drop | None:
        """A ``duplicate`` drop when an other task has the same content; else remember this one."""
        key = content_key(patch, test_patch)
        first = self._seen.setdefault(key, instance_id)
        if first != instance_id:
            return Drop("duplicate", f"same fix and test patch as {first}")
        return None
