"""Read-only tools over a repository snapshot: what the explorer agent may look at, and nothing more.

Input: a bare git mirror and a commit. Output: text an agent reads — the tree, one file, matches in the
configuration files, and the setup instructions of the README, CONTRIBUTING and CI files. Read-only by
construction: everything is ``git ls-tree`` / ``git show`` of objects at that commit, so no tool can write,
execute repository code, or see a file from after the commit. Shallow and document-first by default:
``setup_docs`` is what every explorer reads; ``read_file`` and ``search`` go deeper only when asked.
"""

from __future__ import annotations

import fnmatch
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

DOCS = ("README*", "CONTRIBUTING*", "docs/contributing*", "docs/development*", "HACKING*", "DEVELOPMENT*")
CONFIGS = ("pyproject.toml", "setup.cfg", "setup.py", "tox.ini", "noxfile.py", "pytest.ini", "Makefile",
           "requirements*.txt", "requirements/*.txt", ".github/workflows/*.yml", ".github/workflows/*.yaml",
           ".gitlab-ci.yml", ".travis.yml", "azure-pipelines.yml", "environment.yml", "Dockerfile")
_SETUP_LINE = re.compile(r"\b(apt(-get)?|brew|yum|dnf|apk|pip3?|uv|poetry|conda|pytest|tox|nox|make|python3? -m|"
                         r"export|env:)\b|^\s*[A-Z_]{3,}\s*[:=]", re.I)


def _matches(path: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(path, p) or fnmatch.fnmatch(path.lower(), p.lower()) for p in patterns)


@dataclass
class SnapshotTools:
    """The tools over ``commit`` of the mirror at ``git_dir``; every answer is cut to ``max_chars``."""

    git_dir: Path
    commit: str
    max_chars: int = 6000
    """Longest answer of one tool."""
    _files: list[str] = field(default_factory=list, repr=False)

    def _git(self, *args: str) -> str:
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1"}
        proc = subprocess.run(["git", "--git-dir", str(self.git_dir), *args], env=env, capture_output=True)
        return proc.stdout.decode(errors="replace") if proc.returncode == 0 else ""

    def files(self) -> list[str]:
        if not self._files:
            self._files = self._git("ls-tree", "-r", "--name-only", self.commit).splitlines()
        return self._files

    def tree(self, depth: int = 2) -> str:
        """Paths up to ``depth`` levels deep (folders end with ``/``)."""
        seen: list[str] = []
        for f in self.files():
            parts = f.split("/")
            shown = "/".join(parts[:depth]) + ("/" if len(parts) > depth else "")
            if shown not in seen:
                seen.append(shown)
        return self._cut("\n".join(seen))

    def read_file(self, path: str) -> str:
        """One file at the commit; a path not in the tree is said so (never read from anywhere else)."""
        if path not in self.files():
            return f"(no file {path!r} at this commit)"
        return self._cut(self._git("show", f"{self.commit}:{path}"))

    def search(self, pattern: str, globs: tuple[str, ...] = CONFIGS) -> str:
        """Lines matching ``pattern`` (a regular expression) in the files matching ``globs``, as ``path:L12: text``."""
        try:
            rx = re.compile(pattern, re.I)
        except re.error as exc:
            return f"(bad pattern {pattern!r}: {exc})"
        hits = []
        for f in self.files():
            if _matches(f, globs):
                for n, line in enumerate(self._git("show", f"{self.commit}:{f}").splitlines(), 1):
                    if rx.search(line):
                        hits.append(f"{f}:L{n}: {line.strip()}")
        return self._cut("\n".join(hits) or "(no match)")

    def setup_docs(self) -> str:
        """The setup instructions: fenced shell blocks of the docs and setup-looking lines of docs and CI files."""
        out = []
        for f in self.files():
            if not (_matches(f, DOCS) or _matches(f, CONFIGS[9:])):
                continue
            text = self._git("show", f"{self.commit}:{f}")
            picked = [f"L{n}: {line.rstrip()}" for n, line in enumerate(text.splitlines(), 1)
                      if _SETUP_LINE.search(line)]
            if picked:
                out.append(f"== {f}\n" + "\n".join(picked[:60]))
        return self._cut("\n".join(out) or "(no setup instructions found)")

    def _cut(self, text: str) -> str:
        if len(text) <= self.max_chars:
            return text
        return text[: self.max_chars] + f"\n... ({len(text) - self.max_chars} more characters cut)"
