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
from datetime import datetime, timezone
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from openswe_data.collect.split import SplitDiff
from openswe_data.errors import RecordError
from openswe_data.records import PullRequest, Task, instance_id_for

_REPO_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*/[A-Za-z0-9_.][A-Za-z0-9_.\-]*$")
_SHA_RE = re.compile(r"^[A-Za-z0-9]{1,64}$")
_URL_SCHEMES = ("https://", "http://", "ssh://", "git://", "file://")
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
    value = value.replace("\x00", "\ufffd")
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def check_repo(value: Any, *, field: str = "repo", item: str | None = None) -> str:
    """``value`` if it is a GitHub ``owner/name`` (no ``..``, no leading ``-`` or ``.``, no URL, no path)."""
    if not isinstance(value, str) or not _REPO_RE.match(value) or value.split("/")[1] in (".", ".."):
        raise RecordError(f"must look like 'owner/name', got {clean_text(repr(value))[:80]}", item=item, field=field)
    return value


def check_sha(value: Any, *, field: str, item: str | None = None, optional: bool = False) -> str | None:
    """``value`` if it is a commit id (letters and digits only: never an option, a range or a path)."""
    if optional and value in (None, ""):
        return None
    if not isinstance(value, str) or not _SHA_RE.match(value):
        raise RecordError(f"must be a commit id (letters and digits), got {clean_text(repr(value))[:80]}",
                          item=item, field=field)
    return value


def check_clone_url(url: str, *, field: str = "clone_url", item: str | None = None) -> str:
    """A clone URL git will take as a repository, never as an option or a remote helper (``ext::``), with
    any credentials (``https://user:token@host``) removed: a token must not be stored."""
    if url.startswith("-") or any(c in url for c in "\x00\n\r") or re.match(r"^[A-Za-z0-9+.-]+::", url):
        raise RecordError(f"not a usable clone URL or path: {clean_text(repr(url))[:80]}", item=item, field=field)
    if "://" in url and not url.startswith(_URL_SCHEMES):
        raise RecordError(f"unsupported URL scheme in {url.split('://')[0]!r}; use one of "
                          f"{', '.join(_URL_SCHEMES)}", item=item, field=field)
    from openswe_data.settings import strip_url_credentials

    return strip_url_credentials(url)


def parse_date(value: Any, *, field: str, item: str | None = None) -> datetime | None:
    """An ISO 8601 date (any offset; none means UTC) or a Unix epoch in seconds or milliseconds, as an
    aware ``datetime``; ``None`` for no date. Dates are compared as instants, never as strings."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            seconds = value / 1000 if abs(value) > 1e11 else value
            return datetime.fromtimestamp(seconds, tz=timezone.utc)
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    except (ValueError, OverflowError, OSError):
        pass
    raise RecordError(f"not a date (ISO 8601 or a Unix epoch): {clean_text(repr(value))[:60]}", item=item, field=field)


def iso_date(value: Any, *, field: str, item: str | None = None) -> str:
    """A date as given when it is ISO text, an epoch as ISO text in UTC; ``""`` for no date."""
    parsed = parse_date(value, field=field, item=item)
    if parsed is None:
        return ""
    return value if isinstance(value, str) else parsed.strftime("%Y-%m-%dT%H:%M:%SZ")


def text_at(obj: Any, *keys: str, field: str | None = None, item: str | None = None) -> str:
    """Prose at ``obj[k1][k2]...`` as clean text; ``""`` when absent; a ``RecordError`` naming the field when
    a step is not an object or the value is not text."""
    name = field or ".".join(keys)
    cur = obj
    for key in keys:
        if cur is None:
            return ""
        if not isinstance(cur, Mapping):
            raise RecordError(f"expected an object, got {type(cur).__name__}", item=item, field=name)
        cur = cur.get(key)
    if cur is None:
        return ""
    if not isinstance(cur, str):
        raise RecordError(f"expected text, got {type(cur).__name__}", item=item, field=name)
    return clean_text(cur)


def count_at(value: Any, *, field: str, item: str | None = None, minimum: int = 0) -> int:
    """A whole number in ``minimum..2^63-1`` (a PR or issue number, a star count)."""
    from openswe_data.fields import INT64_MAX

    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= INT64_MAX:
        raise RecordError(f"expected a whole number from {minimum} to 2^63-1, got {clean_text(repr(value))[:40]}",
                          item=item, field=field)
    return value


def resolve_clone_url(url: str, *, base_dir: Path | None, repo: str, repo_roots: Mapping[str, str] | None) -> str:
    """A URL as is (credentials removed); a local path made absolute (relative to ``base_dir``);
    ``repo_roots`` overrides both. A value git would read as an option or a remote helper is refused."""
    if repo_roots and repo in repo_roots:
        return str(Path(repo_roots[repo]).expanduser().resolve())
    if not url:
        return f"https://github.com/{repo}.git"
    url = check_clone_url(url)
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


def _first_commit_at(commits: list[Any], item: str) -> datetime | None:
    dates = []
    for i, c in enumerate(commits):
        for who in ("author", "committer"):
            when = parse_date(_walk(c, "commit", who, "date", field=f"commits[{i}].commit.{who}.date", item=item),
                              field=f"commits[{i}].commit.{who}.date", item=item)
            if when is not None:
                dates.append(when)
                break
    return min(dates) if dates else None


def _walk(obj: Any, *keys: str, field: str, item: str | None) -> Any:
    """``obj[k1][k2]...``; ``None`` when a step is absent; a ``RecordError`` when a step is not an object."""
    for key in keys:
        if obj is None:
            return None
        if not isinstance(obj, Mapping):
            raise RecordError(f"expected an object, got {type(obj).__name__}", item=item, field=field)
        obj = obj.get(key)
    return obj


def _issue(raw: Any, cutoff: datetime | None, i: int, item: str) -> dict[str, Any]:
    where = f"linked_issues[{i}]"
    if not isinstance(raw, Mapping):
        raise RecordError("each linked issue must be an object", item=item, field=where)
    number = count_at(raw.get("number"), field=f"{where}.number", item=item, minimum=1)
    raw_comments = raw.get("comments") or []
    if not isinstance(raw_comments, list):
        raise RecordError("must be a list", item=item, field=f"{where}.comments")
    comments = []
    for j, c in enumerate(raw_comments):
        if not isinstance(c, Mapping):
            continue
        at = f"{where}.comments[{j}]"
        created = parse_date(c.get("created_at"), field=f"{at}.created_at", item=item)
        body = text_at(c, "body", field=f"{at}.body", item=item)
        # Hints are what was said before work started: comments after the first commit may leak the fix.
        # Dates are compared as instants (offsets, epochs): a comment with no date cannot be placed, so it
        # is left out when there is a cutoff.
        if cutoff is None or (created is not None and created < cutoff):
            comments.append({"user": text_at(c, "user", "login", field=f"{at}.user.login", item=item), "body": body,
                             "created_at": iso_date(c.get("created_at"), field=f"{at}.created_at", item=item)})
    return {"number": number, "title": text_at(raw, "title", field=f"{where}.title", item=item),
            "body": text_at(raw, "body", field=f"{where}.body", item=item),
            "state": text_at(raw, "state", field=f"{where}.state", item=item),
            "created_at": iso_date(raw.get("created_at"), field=f"{where}.created_at", item=item),
            "comments": comments}


def pull_request_from_dump(obj: Any, *, base_dir: Path | None = None, source: str = "",
                           repo_roots: Mapping[str, str] | None = None) -> PullRequest:
    """One dump line (already parsed JSON) -> a checked ``PullRequest``; bad shapes raise ``RecordError``
    naming the field. Every value that reaches git (repository, commit ids, clone URL) is checked here, at
    the door, so nothing downstream can be turned into an option or a path outside the workspace."""
    if not isinstance(obj, Mapping):
        raise RecordError(f"expected a JSON object, got {type(obj).__name__}")
    for part in ("repo", "pull"):
        if not isinstance(obj.get(part), Mapping):
            raise RecordError(f"expected an object, got {type(obj.get(part)).__name__}", field=part)
    repo = check_repo(_get(obj, "repo", "full_name"), field="repo.full_name")
    pull = obj["pull"]
    number = count_at(pull.get("number"), field="pull.number")
    item = instance_id_for(repo, number)
    base = check_sha(_walk(pull, "base", "sha", field="pull.base", item=item), field="pull.base.sha", item=item)
    head = check_sha(_walk(pull, "head", "sha", field="pull.head", item=item), field="pull.head.sha", item=item,
                     optional=True)
    diff = obj.get("diff")
    if not isinstance(diff, str):
        raise RecordError("diff must be a string (the unified diff base..head)", item=item, field="diff")
    commits = obj.get("commits") or []
    if not isinstance(commits, list):
        raise RecordError("commits must be a list", item=item, field="commits")
    messages = [text_at(c, "commit", "message", field=f"commits[{i}].commit.message", item=item)
                for i, c in enumerate(commits)]
    created_at = iso_date(pull.get("created_at"), field="pull.created_at", item=item)
    cutoff = _first_commit_at(commits, item) or parse_date(pull.get("created_at"), field="pull.created_at", item=item)
    issues = obj.get("linked_issues") or []
    if not isinstance(issues, list):
        raise RecordError("linked_issues must be a list", item=item, field="linked_issues")
    linked = [_issue(raw, cutoff, i, item) for i, raw in enumerate(issues)]
    merged_at = iso_date(pull.get("merged_at"), field="pull.merged_at", item=item) if not isinstance(
        pull.get("merged_at"), bool) else _bad_bool("pull.merged_at", item)
    if not merged_at and pull.get("merged") is True:
        merged_at = iso_date(pull.get("closed_at"), field="pull.closed_at", item=item) or "unknown"
    stars = _get(obj, "repo", "stargazers_count")
    if stars is not None:
        stars = count_at(stars, field="repo.stargazers_count", item=item)
    return PullRequest(
        instance_id=item,
        repo=repo,
        pull_number=number,
        base_commit=base,
        diff=diff,
        title=text_at(pull, "title", item=item, field="pull.title"),
        body=text_at(pull, "body", item=item, field="pull.body"),
        created_at=created_at,
        merged_at=merged_at or None,
        author=text_at(pull, "user", "login", item=item, field="pull.user.login"),
        author_type=text_at(pull, "user", "type", item=item, field="pull.user.type") or "User",
        repo_url=resolve_clone_url(_clone_url(obj, item), base_dir=base_dir, repo=repo, repo_roots=repo_roots),
        stars=stars,
        language=text_at(obj, "repo", "language", item=item, field="repo.language") or None,
        license=text_at(obj, "repo", "license", "spdx_id", item=item, field="repo.license.spdx_id") or None,
        head_commit=head,
        linked_issues=linked,
        commit_messages=messages,
        source=source,
    )


def _clone_url(obj: Mapping[str, Any], item: str) -> str:
    url = obj["repo"].get("clone_url")
    if url is None:
        return ""
    if not isinstance(url, str):
        raise RecordError(f"expected text, got {type(url).__name__}", item=item, field="repo.clone_url")
    if clean_text(url) != url:
        raise RecordError("holds a NUL or undecodable byte", item=item, field="repo.clone_url")
    return check_clone_url(url, field="repo.clone_url", item=item)


def _bad_bool(field: str, item: str) -> str:
    raise RecordError("expected a date, got a boolean", item=item, field=field)


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
