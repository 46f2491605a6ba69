"""Reading a repository's own history with git: the main line's commits, their diffs, and the repository.

Input: a local git repository (bare or not) or a clone URL. Output: ``Commit`` values for the first-parent
walk of a revision (newest first), the unified diff of each against its first parent, the repository's
``owner/name`` and primary language. Only git plumbing runs; no repository code is executed on the host.

Why first-parent: on a repository's main line each commit is one landed change, either a merge commit
(the pull request's whole branch, against the main line as it was) or a squash/rebase commit. The
first parent is the main line before the change, so it is the base commit.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from openswe_data.errors import CollectError

_FIELD, _RECORD = "\x00", "\x1e"
_LOG_FORMAT = "%x00".join(["%H", "%P", "%an", "%ae", "%aI", "%cI", "%B"]) + "%x1e"
_PY_MANIFESTS = ("pyproject.toml", "setup.py", "setup.cfg")
_EXTENSIONS = {".py": "Python", ".pyi": "Python", ".pyx": "Python", ".c": "C", ".h": "C", ".cc": "C++",
               ".cpp": "C++", ".hpp": "C++", ".rs": "Rust", ".go": "Go", ".js": "JavaScript",
               ".ts": "TypeScript", ".java": "Java", ".rb": "Ruby"}


class GitError(CollectError):
    """git refused: not a repository, an unknown revision, a missing object."""

    reason = "git_error"


@dataclass(frozen=True)
class Commit:
    """One commit of the main line, as ``git log`` reports it."""

    sha: str
    parents: tuple[str, ...]
    author: str
    author_email: str
    authored_at: str
    """Author date, UTC, ``YYYY-MM-DDTHH:MM:SSZ``."""
    committed_at: str
    """Committer date (when it landed on the main line), same form."""
    message: str

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


def git(repo: Path, *args: str, check: bool = True) -> bytes:
    """Run git in ``repo`` with no user/system configuration and no prompts; stdout as bytes."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
           "LC_ALL": "C"}
    proc = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True)
    if check and proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {' '.join(args[:2])} failed in {repo}: {err[-1] if err else proc.returncode}")
    return proc.stdout


def open_repository(path: str | Path) -> Path:
    """The git directory of a local repository (bare or with a work tree); ``GitError`` when it is none."""
    p = Path(path).expanduser()
    if not p.exists():
        raise GitError(f"{p} does not exist", reason="repo_not_found",
                       hint="pass a local git repository (bare or not) or a clone URL")
    proc = subprocess.run(["git", "rev-parse", "--absolute-git-dir"], cwd=p, capture_output=True,
                          env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CEILING_DIRECTORIES": str(p.parent)})
    if proc.returncode != 0:
        raise GitError(f"{p} is not a git repository", reason="repo_not_found",
                       hint="pass a local git repository (bare or not) or a clone URL")
    return Path(proc.stdout.decode().strip())


def clone_mirror(url: str, dest: Path) -> Path:
    """A bare mirror of ``url`` at ``dest`` (cloned once, fetched on later calls)."""
    if dest.exists():
        git(dest, "fetch", "--quiet", "--prune", "origin")
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".partial")
    subprocess.run(["rm", "-rf", str(tmp)], check=False)
    proc = subprocess.run(["git", "clone", "--mirror", "--quiet", url, str(tmp)], capture_output=True,
                          env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
    if proc.returncode != 0:
        raise GitError(f"cannot clone {url}: {proc.stderr.decode('utf-8', 'replace').strip()[-300:]}",
                       reason="repo_not_found")
    os.replace(tmp, dest)
    return dest


def repo_name(location: str, override: str | None = None) -> str:
    """``owner/name`` of a repository: ``override``, else read from its URL or path.

    URL ``https://github.com/owner/name(.git)`` or ``git@host:owner/name.git`` -> ``owner/name``; a path
    whose folder (or, for ``.../repo`` and ``.../x.git`` layouts, its parent) is named ``owner+name`` or
    ``owner__name`` -> ``owner/name``; otherwise ``local/<folder name>``.
    """
    if override:
        if not re.fullmatch(r"[A-Za-z0-9_.\-]+/[A-Za-z0-9_.\-]+", override):
            raise CollectError(f"--repo must look like 'owner/name', got {override!r}", reason="bad_config")
        return override
    text = location.rstrip("/")
    if "://" in text or re.match(r"^[\w.-]+@[\w.-]+:", text):
        parts = re.split(r"[/:]", text.removesuffix(".git"))
        return f"{parts[-2]}/{parts[-1]}"
    p = Path(text).expanduser().resolve()
    for folder in (p.name.removesuffix(".git"), p.parent.name):
        for sep in ("+", "__"):
            owner, _, name = folder.partition(sep)
            if owner and name and sep not in name:
                return f"{owner}/{name}"
    return f"local/{p.name.removesuffix('.git') or 'repo'}"


def _utc(stamp: str) -> str:
    return datetime.fromisoformat(stamp).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def walk(repo: Path, rev: str = "HEAD", *, since: str | None = None, until: str | None = None,
         limit: int = 0) -> list[Commit]:
    """The first-parent commits of ``rev``, newest first, within ``since``/``until`` (committer dates).

    ``limit`` caps how many commits are returned (0: all). An unknown revision is a ``GitError``.
    """
    git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    args = ["log", "--first-parent", f"--format={_LOG_FORMAT}", "--no-color"]
    if since:
        args.append(f"--since={since}")
    if until:
        args.append(f"--until={until}")
    if limit > 0:
        args.append(f"--max-count={limit}")
    out = git(repo, *args, rev, "--").decode("utf-8", "surrogateescape")
    commits = []
    for record in out.split(_RECORD):
        record = record.lstrip("\n")
        if not record:
            continue
        sha, parents, author, email, authored, committed, message = record.split(_FIELD, 6)
        commits.append(Commit(sha=sha, parents=tuple(parents.split()), author=author, author_email=email,
                              authored_at=_utc(authored), committed_at=_utc(committed), message=message.strip()))
    return commits


def titles(repo: Path, rev: str = "HEAD") -> list[tuple[str, str]]:
    """``(sha, title)`` of every first-parent commit of ``rev``, oldest first (cheap: subjects only)."""
    out = git(repo, "log", "--first-parent", "--reverse", "--format=%H%x00%s", rev, "--")
    return [tuple(line.split("\0", 1)) for line in out.decode("utf-8", "replace").splitlines() if "\0" in line]


def diff(repo: Path, base: str, sha: str) -> bytes:
    """``git diff base sha`` as GitHub shows a pull request: a/ b/ prefixes, renames found, no colour,
    binary files as ``Binary files ... differ``; raw bytes (the caller decides about encodings)."""
    return git(repo, "diff", "--no-color", "--no-ext-diff", "--no-textconv", "--find-renames",
               "--src-prefix=a/", "--dst-prefix=b/", "--submodule=short", base, sha, "--")


def language(repo: Path, rev: str = "HEAD") -> str | None:
    """The repository's primary language at ``rev``: ``Python`` when its root holds a Python build manifest
    (``pyproject.toml``, ``setup.py``, ``setup.cfg``: a Python package with C sources is still built as
    Python), else the most common source-file extension's language, else ``None``."""
    names = git(repo, "ls-tree", "-r", "--name-only", "-z", rev).decode("utf-8", "replace").split("\0")
    if any(n in _PY_MANIFESTS for n in names):
        return "Python"
    counts = Counter(_EXTENSIONS[s] for n in names if (s := PurePosixPath(n).suffix) in _EXTENSIONS)
    return counts.most_common(1)[0][0] if counts else None
