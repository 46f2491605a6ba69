"""Normalization: a crawled pull request (dump line or GitHub REST objects) -> a ``PullRequest`` record,
and an accepted ``PullRequest`` + its split diff -> a ``Task``.

Why here and not in the importers: the dump format and the live crawler produce the same GitHub REST
shapes, so both go through one function and give identical records. Prose (titles, bodies, comments) with
undecodable bytes is repaired with U+FFFD, because a human reads it; the diff never is, because a repaired
diff no longer applies (it is refused later with ``non_utf8_diff``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from openswe_data.collect.split import SplitDiff
from openswe_data.errors import RecordError
from openswe_data.records import PullRequest, Task, instance_id_for

_REPO_RE = re.compile(r"^[A-Za-z0-9_.\-]+/[A-Za-z0-9_.\-]+$")
_LINK_RE = re.compile(r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b:?\s+#(\d+)\b", re.IGNORECASE)


def linked_issue_numbers(*texts: str | None) -> list[int]:
    """Issue numbers named by GitHub's closing keywords (fixes/closes/resolves #N) in ``texts``, in order."""
    seen: list[int] = []
    for text in texts:
        for match in _LINK_RE.finditer(text or ""):
            n = int(match.group(1))
            if n not in seen:
                seen.append(n)
    return seen


def clean_text(value: Any) -> str:
    """Prose as valid UTF-8 text: ``None`` -> ``""``, lone surrogates -> U+FFFD."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def resolve_clone_url(url: str, *, base_dir: Path | None, repo: str, repo_roots: Mapping[str, str] | None) -> str:
    """A URL as is; a local path made absolute (relative to ``base_dir``); ``repo_roots`` overrides both."""
    if repo_roots and repo in repo_roots:
        return str(Path(repo_roots[repo]).expanduser().resolve())
    if not url:
        return f"https://github.com/{repo}.git"
    if "://" in url or url.startswith("git@"):
        return url
    path = Path(url).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    return os.path.abspath(path)


def _get(obj: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(key)
    return obj


def _first_commit_at(commits: list[Any]) -> str | None:
    dates = [d for c in commits for d in [_get(c, "commit", "author", "date") or _get(c, "commit", "committer", "date")]
             if isinstance(d, str) and d]
    return min(dates) if dates else None


def _issue(raw: Any, cutoff: str | None) -> dict[str, Any]:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("number"), int):
        raise RecordError("each linked issue needs an integer 'number'", field="linked_issues")
    comments = []
    for c in raw.get("comments") or []:
        if not isinstance(c, Mapping):
            continue
        created = clean_text(c.get("created_at"))
        # Hints are what was said before work started: comments after the first commit may leak the fix.
        if cutoff is None or (created and created < cutoff):
            comments.append({"user": clean_text(_get(c, "user", "login")), "body": clean_text(c.get("body")),
                             "created_at": created})
    return {"number": raw["number"], "title": clean_text(raw.get("title")), "body": clean_text(raw.get("body")),
            "state": clean_text(raw.get("state")), "created_at": clean_text(raw.get("created_at")),
            "comments": comments}


def pull_request_from_dump(obj: Any, *, base_dir: Path | None = None, source: str = "",
                           repo_roots: Mapping[str, str] | None = None) -> PullRequest:
    """One dump line (already parsed JSON) -> a checked ``PullRequest``; bad shapes raise ``RecordError``."""
    if not isinstance(obj, Mapping):
        raise RecordError(f"expected a JSON object, got {type(obj).__name__}")
    repo = _get(obj, "repo", "full_name")
    if not isinstance(repo, str) or not _REPO_RE.match(repo):
        raise RecordError(f"repo.full_name must look like 'owner/name', got {repo!r}", field="repo.full_name")
    pull = obj.get("pull")
    number = _get(pull, "number")
    if isinstance(number, bool) or not isinstance(number, int):
        raise RecordError(f"pull.number must be an integer, got {number!r}", field="pull.number")
    item = instance_id_for(repo, number)
    base = _get(pull, "base", "sha")
    if not isinstance(base, str) or not base:
        raise RecordError("pull.base.sha is required", item=item, field="pull.base.sha")
    diff = obj.get("diff")
    if not isinstance(diff, str):
        raise RecordError("diff must be a string (the unified diff base..head)", item=item, field="diff")
    commits = obj.get("commits") or []
    if not isinstance(commits, list):
        raise RecordError("commits must be a list", item=item, field="commits")
    cutoff = _first_commit_at(commits) or _get(pull, "created_at")
    issues = obj.get("linked_issues") or []
    if not isinstance(issues, list):
        raise RecordError("linked_issues must be a list", item=item, field="linked_issues")
    try:
        linked = [_issue(i, cutoff) for i in issues]
    except RecordError as exc:
        raise RecordError(exc.message, item=item, field="linked_issues") from None
    merged_at = _get(pull, "merged_at")
    if not merged_at and _get(pull, "merged") is True:
        merged_at = _get(pull, "closed_at") or "unknown"
    stars = _get(obj, "repo", "stargazers_count")
    return PullRequest(
        instance_id=item,
        repo=repo,
        pull_number=number,
        base_commit=base,
        diff=diff,
        title=clean_text(_get(pull, "title")),
        body=clean_text(_get(pull, "body")),
        created_at=clean_text(_get(pull, "created_at")),
        merged_at=merged_at if isinstance(merged_at, str) and merged_at else None,
        author=clean_text(_get(pull, "user", "login")),
        author_type=clean_text(_get(pull, "user", "type")) or "User",
        repo_url=resolve_clone_url(clean_text(_get(obj, "repo", "clone_url")), base_dir=base_dir, repo=repo,
                                   repo_roots=repo_roots),
        stars=stars if isinstance(stars, int) and not isinstance(stars, bool) else None,
        language=_get(obj, "repo", "language") if isinstance(_get(obj, "repo", "language"), str) else None,
        license=_get(obj, "repo", "license", "spdx_id") if isinstance(_get(obj, "repo", "license", "spdx_id"), str) else None,
        head_commit=_get(pull, "head", "sha") if isinstance(_get(pull, "head", "sha"), str) else None,
        linked_issues=linked,
        commit_messages=[clean_text(_get(c, "commit", "message")) for c in commits],
        source=source,
    )


def problem_statement(pr: PullRequest) -> str:
    """SWE-bench's form: each linked issue's title, a newline, its body and a newline, in link order."""
    return "\n".join(f"{i['title']}\n{i['body']}\n" for i in pr.linked_issues)


def hints_text(pr: PullRequest) -> str:
    """The linked issues' comments made before the pull request's first commit, one per paragraph."""
    return "\n".join(c["body"] for i in pr.linked_issues for c in i.get("comments", []) if c.get("body"))


def make_task(pr: PullRequest, split: SplitDiff, *, problem: str | None = None) -> Task:
    """An accepted pull request as a ``Task``: the split patches, the problem text and the hints.

    ``problem`` replaces the linked issues' text when the caller has none (commits mined from history).
    """
    return Task(
        instance_id=pr.instance_id,
        repo=pr.repo,
        base_commit=pr.base_commit,
        patch=split.patch,
        test_patch=split.test_patch,
        problem_statement=problem_statement(pr) if problem is None else problem,
        pull_number=pr.pull_number,
        hints_text=hints_text(pr),
        created_at=pr.created_at,
        repo_url=pr.repo_url,
        license=pr.license,
        test_files=split.test_files,
        source=pr.source,
    )
