"""The files a change touches, as they were at the base commit — and, within a budget, the files they import.

Input: a repository URL or local path (the one collect recorded), a base commit, the touched paths.
Output: ``Sources``: path -> text at the base commit, plus where it came from. Files are read from the
build stage's repository cache (one bare mirror per repository, ``<ws>/cache/repos``) with ``git cat-file``,
so nothing is checked out and no repository code runs. When the repository cannot be reached (a clone
that fails, a commit that is gone, no URL; or the caller chose not to read repositories), the result is empty and the caller falls back to the
diff's own context lines (``files_source = "hunks"``): a contextual trajectory exists for every PR.

Which imports are followed is a language question; only Python's ``import``/``from`` statements are read
(by ``ast``, never executed), and only modules that resolve to a file of the same tree are added.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

MAX_FILE_BYTES = 200_000
"""Files larger than this are left out of the context (generated code, data, vendored bundles)."""


@dataclass
class Sources:
    files: dict[str, str] = field(default_factory=dict)
    """Touched files at the base commit (absent: created by the change, or unreadable)."""
    imported: dict[str, str] = field(default_factory=dict)
    """Files the touched ones import, added while they fit the token budget."""
    origin: str = "hunks"
    """``repository`` when read from the repository, ``hunks`` when only the diff was available."""


def read_sources(cache_root: Path, url: str, commit: str, paths: list[str], *, budget_tokens: int = 0,
                 count: Callable[[str], int] | None = None) -> Sources:
    """Read ``paths`` at ``commit`` from the mirror of ``url`` (mirrored on first use, as build does);
    follow imports while ``budget_tokens`` lasts. An unreachable repository gives empty ``Sources``."""
    from openswe_data.build.repo_cache import RepoCache
    from openswe_data.errors import OpensweError

    if not url or not commit:
        return Sources()
    try:
        mirror = RepoCache(cache_root).mirror(url, commit)
    except (OpensweError, OSError):
        return Sources()
    files = _cat(mirror, commit, paths)
    out = Sources(files={p: t for p, t in files.items() if t is not None}, origin="repository")
    if budget_tokens > 0:
        out.imported = _imports(mirror, commit, out.files, budget_tokens, count or (lambda t: len(t) // 4))
    return out


def _cat(mirror: Path, commit: str, paths: list[str]) -> dict[str, str | None]:
    """Texts of ``paths`` at ``commit`` in one ``git cat-file --batch`` (None: absent, binary or too large)."""
    from openswe_data.build.repo_cache import git

    if not paths:
        return {}
    request = "".join(f"{commit}:{p}\n" for p in paths).encode()
    raw = git("cat-file", "--batch", cwd=mirror, input=request, check=False).stdout
    out: dict[str, str | None] = {}
    pos = 0
    for path in paths:
        end = raw.index(b"\n", pos)
        header = raw[pos:end].split()
        pos = end + 1
        if len(header) < 3 or header[-1] == b"missing":
            out[path] = None
            continue
        size = int(header[2])
        body = raw[pos:pos + size]
        pos += size + 1
        out[path] = None if header[1] != b"blob" or size > MAX_FILE_BYTES or b"\0" in body[:8000] else \
            body.decode("utf-8", errors="replace")
    return out


def _tree(mirror: Path, commit: str) -> set[str]:
    from openswe_data.build.repo_cache import git

    return set(git("ls-tree", "-r", "--name-only", commit, cwd=mirror).stdout.decode(errors="replace").splitlines())


def imported_modules(path: str, text: str) -> list[str]:
    """Dotted module names a Python file imports (relative imports resolved against its package)."""
    if not path.endswith(".py"):
        return []
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    package = path.rsplit("/", 1)[0].replace("/", ".") if "/" in path else ""
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".") if package else []
                parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
                base = ".".join([*parts, base] if base else parts)
            names.append(base)
            names.extend(f"{base}.{a.name}" for a in node.names if a.name != "*")
    return list(dict.fromkeys(n for n in names if n))


def _resolve(module: str, tree: set[str]) -> str | None:
    rel = module.replace(".", "/")
    for prefix in ("", "src/", "lib/"):
        for candidate in (f"{prefix}{rel}.py", f"{prefix}{rel}/__init__.py"):
            if candidate in tree:
                return candidate
    return None


def _imports(mirror: Path, commit: str, files: dict[str, str], budget: int, count: Callable[[str], int]) -> dict[str, str]:
    tree = _tree(mirror, commit)
    wanted: list[str] = []
    for path, text in files.items():
        for module in imported_modules(path, text):
            target = _resolve(module, tree)
            if target and target not in files and target not in wanted:
                wanted.append(target)
    out: dict[str, str] = {}
    used = 0
    for path, text in _cat(mirror, commit, wanted).items():
        if text is None:
            continue
        cost = count(text)
        if used + cost > budget:
            continue
        out[path] = text
        used += cost
    return out
