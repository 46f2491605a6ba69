"""Which files a task's test patch touches, and which test modules to run for it.

Input: the test patch and the snapshot at the base commit. Output: the modules pytest would collect —
never ``conftest.py``, ``__init__.py`` or data files. A module counts as a test module when its name
matches the repository's own ``python_files`` (pytest.ini, pyproject, tox.ini, setup.cfg; pytest's default
``test_*.py *_test.py`` otherwise) or it is a ``test.py`` / ``tests.py`` module (unittest style; pytest
collects any file named on its command line). When the patch changes only helpers, fixtures or data,
the targets are the test modules that use them: every test module under a changed ``conftest.py``, and
those that mention a changed helper module or data file by name (or, for data-driven suites that list a
folder, its folder) — searched in ``testpaths`` when set.
"""

from __future__ import annotations

import configparser
import fnmatch
import re
from pathlib import Path, PurePosixPath

DEFAULT_PYTHON_FILES = ("test_*.py", "*_test.py")
UNITTEST_NAMES = ("test.py", "tests.py")
MAX_USER_MODULES = 40
"""Most test modules targeted for a patch that changes only helpers or data."""


def _unquote(path: str) -> str:
    """git's C-style quoted path (``"tests/test_\\303\\251.py"``) as text; plain paths are returned as they are."""
    if len(path) >= 2 and path[0] == path[-1] == '"':
        raw = path[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape").encode("latin-1")
        return raw.decode("utf-8", errors="replace")
    return path


def _strip(path: str | None) -> str | None:
    if path is None or path == "/dev/null":
        return None
    path = _unquote(path)
    return path[2:] if path[:2] in ("a/", "b/") else path


def touched_paths(patch: str) -> list[str]:
    """Every path ``patch`` reads or writes (both sides of a rename), in patch order."""
    from unidiff import PatchSet

    out: list[str] = []
    for pf in PatchSet(patch):
        for p in (_strip(pf.source_file), _strip(pf.target_file)):
            if p and p not in out:
                out.append(p)
    return out


def _written(patch: str) -> list[tuple[str, str]]:
    """``(path, added text)`` for every file ``patch`` adds or modifies (not removes), in patch order."""
    from unidiff import PatchSet

    out: list[tuple[str, str]] = []
    for pf in PatchSet(patch):
        if pf.is_removed_file:
            continue
        path = _strip(pf.target_file) or ""
        added = "".join(line.value for hunk in pf for line in hunk if line.is_added)
        if path and path not in (p for p, _ in out):
            out.append((path, added))
    return out


def pytest_settings(root: Path | None) -> dict[str, list[str]]:
    """``python_files`` and ``testpaths`` from the first pytest configuration pytest itself would read."""
    if root is None:
        return {}
    for name, section in (("pytest.ini", "pytest"), ("pyproject.toml", None), ("tox.ini", "pytest"),
                          ("setup.cfg", "tool:pytest")):
        path = root / name
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if section is None:
            try:
                import tomllib
            except ModuleNotFoundError:  # Python 3.10
                import tomli as tomllib  # type: ignore[no-redef]
            try:
                opts = tomllib.loads(text).get("tool", {}).get("pytest", {}).get("ini_options")
            except tomllib.TOMLDecodeError:
                continue
            if opts is None:
                continue
            return {k: (v.split() if isinstance(v, str) else [str(x) for x in v])
                    for k, v in opts.items() if k in ("python_files", "testpaths")}
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read_string(text)
        except configparser.Error:
            continue
        if parser.has_section(section):
            return {k: parser.get(section, k).split() for k in ("python_files", "testpaths")
                    if parser.has_option(section, k)}
    return {}


def is_test_module(path: str, python_files: list[str] | tuple[str, ...] = DEFAULT_PYTHON_FILES) -> bool:
    """Whether pytest would collect ``path`` as a test module (or it is a unittest-style ``test.py``)."""
    p = PurePosixPath(path)
    if p.suffix != ".py" or p.name in ("conftest.py", "__init__.py", "setup.py"):
        return False
    if p.name in UNITTEST_NAMES:
        return True
    return any(fnmatch.fnmatch(path if "/" in pat else p.name, pat) for pat in python_files)


_DEFINES_TESTS = re.compile(r"^\s*(?:async\s+)?def test\w*\(|^\s*class \w*Test\w*\(|unittest\.TestCase", re.M)


def _defines_tests(path: str, added: str, root: Path | None) -> bool:
    """A module named like tests in other runners' conventions (nose's ``tests_x.py``, ``x_tests.py``) that
    really defines tests: given on the command line, pytest collects it whatever ``python_files`` says."""
    p = PurePosixPath(path)
    if p.suffix != ".py" or p.name in ("conftest.py", "__init__.py", "setup.py"):
        return False
    if not (p.name.startswith("test") or p.stem.endswith("tests")):
        return False
    base = root / path if root is not None else None
    text = added + (base.read_text(encoding="utf-8", errors="replace") if base is not None and base.is_file() else "")
    return bool(_DEFINES_TESTS.search(text))


def targeted_test_files(test_patch: str, root: Path | None = None) -> list[str]:
    """The test modules to run for ``test_patch`` on the tree at ``root`` (see the module docstring)."""
    settings = pytest_settings(root)
    patterns = settings.get("python_files") or list(DEFAULT_PYTHON_FILES)
    written = _written(test_patch)
    modules = [p for p, added in written if is_test_module(p, patterns) or _defines_tests(p, added, root)]
    if modules or root is None:
        return modules
    return _users([p for p, _ in written], root, patterns, settings.get("testpaths") or [],
                  {p: text for p, text in written})


def _users(changed: list[str], root: Path, patterns: list[str], testpaths: list[str],
           new_text: dict[str, str]) -> list[str]:
    """Test modules that use the changed helpers or data: under a changed conftest, or naming the file."""
    scopes = [root / t for t in testpaths if (root / t).is_dir()] or [root]
    candidates: dict[str, str] = {}
    for scope in scopes:
        for f in sorted(scope.rglob("*.py")):
            rel = f.relative_to(root).as_posix()
            if ".git/" in rel or not is_test_module(rel, patterns):
                continue
            candidates[rel] = f.read_text(encoding="utf-8", errors="replace")
    for rel, text in new_text.items():  # modules the patch creates are not in the base tree yet
        if is_test_module(rel, patterns):
            candidates[rel] = text
    chosen: list[str] = []
    for path in changed:
        p = PurePosixPath(path)
        if p.name == "conftest.py":
            folder = "" if str(p.parent) == "." else f"{p.parent}/"
            hits = [m for m in candidates if m.startswith(folder)]
        else:
            name = re.escape(p.stem if p.suffix == ".py" else p.name)
            word = re.compile(rf"(?<![\w]){name}(?![\w])")
            hits = [m for m, text in candidates.items() if word.search(text)]
            if not hits and str(p.parent) != ".":
                # data-driven tests list their folder rather than name each file: 'testing', 'data' / "data/"
                folder = re.escape(p.parent.name)
                mention = re.compile(rf"['\"]{folder}['\"/]|{re.escape(str(p.parent))}/")
                hits = [m for m, text in candidates.items() if mention.search(text)]
                if not hits:
                    hits = _conftest_users(mention, root, candidates)
        chosen += [m for m in hits if m not in chosen]
    return sorted(chosen)[:MAX_USER_MODULES]


_NAME = re.compile(r"^\s*(?:async\s+)?def\s+([A-Za-z_]\w*)|['\"]([A-Za-z_]\w*)['\"]")


def _conftest_users(mention: re.Pattern[str], root: Path, candidates: dict[str, str]) -> list[str]:
    """Test modules using what a ``conftest.py`` builds from a data folder it lists: a fixture (the function
    around the mention) or a parameter (an identifier the enclosing ``if`` names, as in
    ``if 'case' in metafunc.fixturenames:`` of ``pytest_generate_tests``), under that conftest's folder."""
    hits: list[str] = []
    for conftest in sorted(root.rglob("conftest.py")):
        lines = conftest.read_text(encoding="utf-8", errors="replace").splitlines()
        names: set[str] = set()
        for i, line in enumerate(lines):
            if not mention.search(line):
                continue
            indent = len(line) - len(line.lstrip())
            for above in reversed(lines[:i]):  # the headers enclosing the mention, innermost first
                if not above.strip() or len(above) - len(above.lstrip()) >= indent:
                    continue
                indent = len(above) - len(above.lstrip())
                names |= {a or b for a, b in _NAME.findall(above)}
                if indent == 0:
                    break
        names = {n for n in names if not n.startswith("pytest_")}  # hooks are pytest's, not the tests'
        if not names:
            continue
        scope = conftest.parent.relative_to(root).as_posix()
        folder = "" if scope == "." else f"{scope}/"
        word = re.compile(rf"(?<![\w])(?:{'|'.join(map(re.escape, sorted(names)))})(?![\w])")
        hits += [m for m, text in candidates.items() if m.startswith(folder) and word.search(text) and m not in hits]
    return hits


_DEF = re.compile(r"^\s*(?:async\s+)?(?:def|class)\s+([A-Za-z_]\w*)")


def changed_test_names(test_patch: str) -> set[str] | None:
    """Names of the functions and classes a test patch adds or edits: defined on an added line, or the
    enclosing definition git names in a hunk header. ``flaky`` is a task's reason only when a test with
    one of these names flipped; an unrelated flaky test in the same module is not the PR's doing.

    Comment and blank lines of Python files change no test, so a hunk of only those names nothing, and a
    patch of only those gives the empty set: no test is the patch's. ``None`` (unknown: any test may be
    the patch's) when it changes something no definition encloses and names nothing: module-level code, a
    data file, a binary file."""
    from unidiff import PatchSet

    names: set[str] = set()
    unnamed = False
    for pf in PatchSet(test_patch):
        python = pf.path.endswith(".py")
        if not len(pf):  # a binary file, a rename or a mode change: nothing here says what it changes
            unnamed = True
        for hunk in pf:
            changes = {id(line) for line in hunk if (line.is_added or line.is_removed)
                       and not (python and (not line.value.strip() or line.value.strip().startswith("#")))}
            if not changes:
                continue  # only comments and blank lines
            m = _DEF.match(hunk.section_header or "")
            if m:
                names.add(m.group(1))
            last_def = None
            for line in hunk:
                d = _DEF.match(line.value)
                if d and not line.is_removed:
                    last_def = d.group(1)
                if id(line) in changes and line.is_added:
                    if d:
                        names.add(d.group(1))
                    elif last_def:
                        names.add(last_def)
            unnamed = unnamed or not (m or last_def)
    return None if unnamed and not names else names
