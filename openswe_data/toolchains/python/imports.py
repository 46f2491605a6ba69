"""What a repository's code actually imports: the top-level module names of its own Python files.

Input: a snapshot's root. Output: a set of names. The loop asks this before it drops a requirement that
fails to build: a requirement no module of the project, its tests or its ``setup.py`` imports (a docs
builder, a linter, a release tool from a whole dev requirements file) can go; one that something imports
stays, and the build is fixed some other way. Documentation and benchmark folders do not count — their
imports are not what the tests need. Read with a regular expression, never executed.
"""

from __future__ import annotations

import re
from pathlib import Path

SKIPPED_DIRS = frozenset({".git", "doc", "docs", "benchmark", "benchmarks", "bench", "examples", "build", "dist",
                          ".tox", ".nox", "node_modules", "site-packages"})
MAX_FILES = 5000
_IMPORT = re.compile(r"^\s*(?:from\s+([A-Za-z_]\w*)[\w.]*\s+import\b|import\s+([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_][\w.]*)*))",
                     re.M)


def imported_modules(root: Path) -> set[str]:
    """Top-level names imported by the Python files under ``root`` (docs, benchmarks and build output aside)."""
    names: set[str] = set()
    seen = 0
    for path in sorted(root.rglob("*.py")):
        if seen >= MAX_FILES:
            break
        if SKIPPED_DIRS.intersection(path.relative_to(root).parts[:-1]):
            continue
        seen += 1
        try:
            text = path.read_text(errors="replace")[:200_000]
        except OSError:
            continue
        for m in _IMPORT.finditer(text):
            if m.group(1):
                names.add(m.group(1))
            else:
                names.update(part.strip().split(".")[0].split()[0] for part in m.group(2).split(","))
    return names
