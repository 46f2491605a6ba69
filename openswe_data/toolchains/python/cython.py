"""Cython sources a build compiles but the repository does not commit: which to generate, and the command.

Input: a snapshot's root. Output: the paths of its Cython sources (what the loop's rules check a missing
``.c``/``.cpp`` against: ``pyx_stems``), and the shell command that generates every missing C/C++ file
from its ``.pyx`` (a recipe's ``generate_cython`` fix; the image runs it before the project install, and
the eval script again after a patch touches compiled sources, before the rebuild).

Why a command of our own: many projects generate their C files with ``cython`` in a Makefile or a CI step
and keep a ``setup.py`` that only compiles them; nothing an install runs would make them. Which ones: every
``.pyx`` with neither a ``.c`` nor a ``.cpp`` of its stem, except files another Cython source ``include``s
(they are compiled as part of it) and files under test, documentation, example or benchmark folders that
the build configuration does not name. ``--cplus`` when the build configuration names the stem's ``.cpp``
or the file declares ``distutils: language = c++``; the language level the build configuration sets (a
file's own ``# cython: language_level`` header wins), else Cython's default. Cython is the repository's own
when its requirements brought one, else ours, installed into ``HELPER_DIR`` (never into its environment).
Read with regular expressions, never executed.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

HELPER_DIR = "/openswe/cython"
"""Where the image installs our Cython when the repository's requirements brought none (on ``PYTHONPATH``
only for the generation)."""
SKIPPED_DIRS = frozenset({".git", ".tox", ".nox", "build", "dist", "node_modules", "site-packages"})
UNNAMED_DIRS = frozenset({"test", "tests", "testing", "doc", "docs", "example", "examples", "benchmark",
                          "benchmarks", "bench"})
"""A ``.pyx`` under one of these is generated only when the build configuration names it."""
CONFIG_FILES = ("setup.py", "setup.cfg", "pyproject.toml")
_INCLUDE = re.compile(r"""^\s*include\s+["']([^"']+)["']""", re.M)
_LEVEL = re.compile(r"""language_level["']?\s*[:=]\s*["']?(3str|[23])\b""")
_CPLUS = re.compile(r"#\s*distutils\s*:\s*language\s*=\s*c\+\+")


def pyx_files(root: Path) -> list[str]:
    """Every ``.pyx`` under ``root`` (relative POSIX paths; build output and tool folders aside)."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.pyx")
                  if p.is_file() and not SKIPPED_DIRS.intersection(p.relative_to(root).parts[:-1]))


def pyx_stems(root: Path) -> set[str]:
    """The snapshot's Cython sources without their suffix (``msgpack/_cmsgpack``)."""
    return {p[: -len(".pyx")] for p in pyx_files(root)}


def _config_text(root: Path) -> str:
    return "\n".join((root / name).read_text(errors="replace") for name in CONFIG_FILES if (root / name).is_file())


def _included(root: Path, files: list[str]) -> set[str]:
    """The ``.pyx`` files another Cython source pulls in with ``include "x.pyx"`` (relative to itself)."""
    out: set[str] = set()
    for rel in files + [p.relative_to(root).as_posix() for p in root.rglob("*.pxi")]:
        text = (root / rel).read_text(errors="replace")
        for name in _INCLUDE.findall(text):
            out.add((Path(rel).parent / name).as_posix())
    return out


def to_generate(root: Path) -> list[tuple[str, bool]]:
    """``(pyx, cplus)`` for each Cython source whose C/C++ file the build will look for and is absent."""
    files = pyx_files(root)
    config = _config_text(root)
    included = _included(root, files)
    out: list[tuple[str, bool]] = []
    for rel in files:
        stem = rel[: -len(".pyx")]
        if rel in included or (root / f"{stem}.c").exists() or (root / f"{stem}.cpp").exists():
            continue
        name = Path(stem).name
        named = re.search(rf"(?<![\w.-]){re.escape(name)}\.(?:pyx|c|cpp)\b", config) is not None
        if UNNAMED_DIRS.intersection(Path(rel).parts[:-1]) and not named:
            continue
        head = (root / rel).read_text(errors="replace")[:4000]
        cplus = re.search(rf"(?<![\w.-]){re.escape(name)}\.cpp\b", config) is not None or bool(_CPLUS.search(head))
        out.append((rel, cplus))
    return out


def language_level(root: Path) -> str:
    """The language level the build configuration sets for Cython (``3``, ``2``, ``3str``), or ``""``."""
    m = _LEVEL.search(_config_text(root))
    return m.group(1) if m else ""


def generate_command(root: Path) -> str:
    """The shell command (run in the checkout) generating every missing C/C++ file; ``""`` when none is."""
    sources = to_generate(root)
    if not sources:
        return ""
    level = language_level(root)
    cython = f"PYTHONPATH={HELPER_DIR}${{PYTHONPATH:+:$PYTHONPATH}} python -m cython"
    if level:
        cython += f" -X language_level={level}"
    runs = []
    for cplus in (False, True):
        group = [shlex.quote(rel) for rel, c in sources if c == cplus]
        if group:
            runs.append(f"{cython}{' --cplus' if cplus else ''} {' '.join(group)}")
    return " && ".join(runs)
