"""Repository cache: one bare mirror per repository, and snapshots of the tree at a commit.

Input: a repository URL or local path and a commit. Output: a folder holding the tree at that commit with
a *fresh one-commit* git history (so the image cannot contain the future: no later commits, tags or
objects), plus the list of commits that came after it, for the history audit.

Why a mirror: every instance of a repository shares one fetch. Why a fresh history rather than a shallow
clone: a shallow clone still carries refs and packed objects of other branches; a one-commit repository
made from the snapshot carries nothing but the tree. Nothing here runs repository code: only git.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

from openswe_data.errors import BuildError
from openswe_data.locks import file_lock

SNAPSHOT_IDENTITY = {
    "GIT_AUTHOR_NAME": "openswe",
    "GIT_AUTHOR_EMAIL": "openswe@localhost",
    "GIT_COMMITTER_NAME": "openswe",
    "GIT_COMMITTER_EMAIL": "openswe@localhost",
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00+00:00",
    "GIT_COMMITTER_DATE": "2000-01-01T00:00:00+00:00",
}


def git(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, check: bool = True,
        input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    full_env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1", **(env or {})}
    proc = subprocess.run(["git", *args], cwd=cwd, env=full_env, capture_output=True, input=input)
    if check and proc.returncode != 0:
        raise BuildError(
            f"git {' '.join(args[:3])} failed in {cwd}: {proc.stderr.decode(errors='replace').strip()[:500]}",
            reason="repo_unavailable",
        )
    return proc


def _mirror_name(url: str) -> str:
    tail = re.sub(r"[^A-Za-z0-9_.-]+", "_", url.rstrip("/").removesuffix(".git").split("/")[-1])[:60]
    return f"{tail}-{hashlib.sha1(url.encode()).hexdigest()[:10]}.git"


def _extract(tar: tarfile.TarFile, dest: Path) -> None:
    """Extract ``tar`` into ``dest`` refusing members that would land outside it (links included)."""
    if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4 / 3.12
        tar.extractall(dest, filter="data")
        return
    root = dest.resolve()
    for member in tar.getmembers():
        target = (root / member.name).resolve()
        # a symlink's target is relative to its folder, a hard link's to the archive root
        base = target.parent if member.issym() else root
        link_ok = not (member.issym() or member.islnk()) or (
            not Path(member.linkname).is_absolute() and (base / member.linkname).resolve().is_relative_to(root))
        if not target.is_relative_to(root) or not link_ok or member.isdev():
            raise BuildError(f"the archive member {member.name!r} would land outside the snapshot", reason="repo_unavailable")
    tar.extractall(dest)  # noqa: S202 - every member was checked above


class RepoCache:
    """Bare mirrors under ``root``, fetched once per run and reused."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._fetched: set[str] = set()

    @contextlib.contextmanager
    def _lock(self, name: str) -> Iterator[None]:
        with file_lock(self.root / f".{name}.lock"):
            yield

    def mirror(self, url: str, commit: str | None = None) -> Path:
        """The bare mirror of ``url``, cloned on first use; fetched again only when ``commit`` is missing."""
        path = self.root / _mirror_name(url)
        with self._lock(path.name):
            if not path.exists():
                tmp = Path(tempfile.mkdtemp(dir=self.root, prefix=".clone-"))
                try:
                    git("clone", "--mirror", "--quiet", url, str(tmp / "m.git"))
                    os.replace(tmp / "m.git", path)
                finally:
                    shutil.rmtree(tmp, ignore_errors=True)
                self._fetched.add(url)
            elif commit and not self.has_commit(path, commit) and url not in self._fetched:
                git("fetch", "--quiet", "--prune", "origin", cwd=path)
                self._fetched.add(url)
        if commit and not self.has_commit(path, commit):
            raise BuildError(f"commit {commit} is not in {url}", reason="base_commit_missing")
        return path

    @staticmethod
    def has_commit(mirror: Path, commit: str) -> bool:
        return git("cat-file", "-e", f"{commit}^{{commit}}", cwd=mirror, check=False).returncode == 0

    @staticmethod
    def future_commits(mirror: Path, commit: str, limit: int = 50) -> list[str]:
        """Commits reachable from any ref but not from ``commit``: what an image must never hold."""
        out = git("rev-list", f"--max-count={limit}", "--all", f"^{commit}", cwd=mirror).stdout.decode()
        return out.split()

    @staticmethod
    def version_at(mirror: Path, commit: str) -> str:
        """The release version the project had at ``commit``: its nearest earlier tag as a PEP 440 version
        (``v1.2.3`` -> ``1.2.3``), or ``""``. The snapshot's fresh one-commit history has no tags, so tools
        that read the version from git (setuptools-scm, hatch-vcs) would call it ``0.1.dev1`` and break
        every version requirement on the project, its own plugins' included."""
        import re

        from packaging.version import InvalidVersion, Version

        tag = git("describe", "--tags", "--abbrev=0", commit, cwd=mirror, check=False).stdout.decode().strip()
        m = re.search(r"(\d+(?:\.\d+)+(?:(?:a|b|rc|\.post|\.dev)\d+)?)$", tag)
        try:
            return str(Version(m.group(1))) if m else ""
        except InvalidVersion:
            return ""

    def snapshot(self, url: str, commit: str, dest: Path) -> str:
        """Write the tree at ``commit`` into ``dest`` with a fresh one-commit history; returns its sha.

        The commit identity and date are fixed, so the same tree always gives the same snapshot sha
        (and the same image layers).
        """
        mirror = self.mirror(url, commit)
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        # The repository's own .gitattributes must not shape the snapshot: export-ignore would drop
        # files (often tests/) and export-subst would rewrite some (leaking the upstream sha).
        info = mirror / "info"
        info.mkdir(exist_ok=True)
        (info / "attributes").write_text("* -export-ignore -export-subst\n")
        archive = git("archive", "--format=tar", commit, cwd=mirror).stdout
        with tempfile.TemporaryFile() as fh:
            fh.write(archive)
            fh.seek(0)
            with tarfile.open(fileobj=fh) as tar:
                _extract(tar, dest)
        git("init", "--quiet", "--template=", "-b", "main", cwd=dest)  # no sample hooks: bytes in every image
        git("add", "--all", "--force", cwd=dest, env=SNAPSHOT_IDENTITY)
        git("commit", "--quiet", "--no-verify", "--no-gpg-sign", "-m", f"snapshot of {commit}", cwd=dest,
            env=SNAPSHOT_IDENTITY)
        sha = git("rev-parse", "HEAD", cwd=dest).stdout.decode().strip()
        # One pack instead of a loose object per file: fewer and smaller files in the image's source layer
        # (each file costs a tar header and padding); one thread keeps the pack's bytes the same every time.
        git("-c", "pack.threads=1", "repack", "-a", "-d", "--quiet", cwd=dest)
        git("prune-packed", cwd=dest)
        # The index holds stat data (mtimes, inodes), the only bytes that differ between two snapshots of
        # one commit; without it, instances of a repository share the image's source layer. The image
        # build recreates it (`git reset`).
        (dest / ".git" / "index").unlink()
        return sha

    @staticmethod
    def check_applies(tree: Path, patch: str) -> str | None:
        """``None`` when ``patch`` applies to ``tree`` (checked, not applied); else git's complaint."""
        if not patch.strip():
            return None
        proc = git("apply", "--check", "--whitespace=nowarn", "-", cwd=tree, input=patch.encode(), check=False)
        return None if proc.returncode == 0 else proc.stderr.decode(errors="replace").strip()[:1000]
