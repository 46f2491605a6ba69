"""Setup facts: what a repository needs to install and test, read from its files without running them.

Input: a snapshot folder (the tree at base_commit) and the task's test patch. Output: ``SetupFacts`` —
Python version candidates, build requirements, dependencies and test extras, system packages, and the
test files to target. Document-first and cheap: ``pyproject.toml``, ``setup.cfg``, ``setup.py`` (by AST,
never executed), ``requirements*.txt``, ``tox.ini``, ``noxfile.py`` (AST), ``.python-version``, CI
workflows. Each fact records where it came from, so a wrong guess is easy to trace.
"""

from __future__ import annotations

import ast
import configparser
import fnmatch
import re
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HELPER_BUILD_REQUIRES = ("wheel", "packaging>=24.2")
"""Ours, not the repository's: what today's setuptools needs beside it. Pinned to a PR's date, the version
floor is dropped (an old setuptools needs no new packaging, and the floor would make the pin unsatisfiable)."""
TEST_EXTRAS = ("test", "tests", "testing", "dev", "develop", "development")
TEST_NAMED = TEST_EXTRAS[:3]
"""Extras and groups that hold the tests' own requirements (the others list a developer's whole toolbox)."""
REQUIREMENT_FILES = (
    "requirements.txt", "requirements-dev.txt", "requirements_dev.txt", "requirements-test.txt",
    "requirements_test.txt", "requirements-tests.txt", "dev-requirements.txt", "test-requirements.txt",
    "requirements/test.txt", "requirements/tests.txt", "requirements/dev.txt", "requirements/testing.txt",
)
_PKG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_DEB_RE = re.compile(r"^[a-z0-9][a-z0-9+.-]+$(?<!\.py)(?<!\.sh)(?<!\.txt)")
"""A Debian package name (lower case; not a file name a CI step's command line goes on with, like env.py)."""
# A tox factor condition before a dep: "cov: coverage", "py38,py39: mock", "!pypy-lint: x" — but not the
# scheme of a URL ("https://...") or an environment marker (those follow ";").
_TOX_FACTOR = re.compile(r"^(!?[A-Za-z0-9_.{}]+(?:[,-]!?[A-Za-z0-9_.{}]+)*)\s*:(?!//)\s*(.+)$")


@dataclass
class SetupFacts:
    python_constraint: str = ""
    python_versions: list[str] = field(default_factory=list)
    build_requires: list[str] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)
    system_packages: list[str] = field(default_factory=list)
    test_files: list[str] = field(default_factory=list)
    named_for_tests: list[str] = field(default_factory=list)
    """Canonical names the project's runtime dependencies, its test-named extras and groups, its test
    requirement files and tox's test deps list: never left out as a development tool."""
    left_out: list[str] = field(default_factory=list)
    """Requirements left out as development tools (``maps.yaml``'s ``development_tools``: linters, docs
    builders, release and environment tools) that only a developer's lists named and no module imports."""
    extras: dict[str, list[str]] = field(default_factory=dict)
    """Every optional-dependency extra and PEP 735 dependency group, name -> requirements (a recipe's
    ``install_extra`` adds one; the test-named ones are already in ``requirements``)."""
    packages: list[str] = field(default_factory=list)
    """Top-level names the project itself provides (packages and modules at the root, ``src/``, ``lib/``)."""
    has_c_extension: bool = False
    sources: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _add(items: list[str], new: list[str]) -> None:
    for item in new:
        item = item.strip()
        if item and item not in items:
            items.append(item)


def _add_list(facts: SetupFacts, new: list[str], *, tests: bool) -> None:
    """``new`` from one of the repository's lists: the tests' own (a test-named extra, group or requirements
    file) or a developer's."""
    if tests:
        _add_named(facts, new)
    else:
        _add(facts.requirements, new)


def _add_named(facts: SetupFacts, new: list[str]) -> None:
    """``new`` are the tests' own requirements (or the project's runtime ones): add them, and remember their names."""
    _add(facts.requirements, new)
    _add(facts.named_for_tests, [n for n in map(_req_name, new) if n])


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _req_name(req: str) -> str:
    m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", req)
    return _canonical(m.group(1)) if m else ""


def _is_local(req: str) -> bool:
    r = req.strip()
    return r in (".", "-e .", "-e.") or r.startswith(("-e ", "-e.", "file:", "./", "../", "-c ", "--")) or r.startswith(".[")


def read_requirements_file(root: Path, rel: str, seen: set[str] | None = None) -> list[str]:
    """Requirement lines of ``rel``, following ``-r`` includes, dropping local and option lines."""
    seen = seen if seen is not None else set()
    path = (root / rel).resolve()
    if rel in seen or not path.is_file() or not path.is_relative_to(root.resolve()):
        return []
    seen.add(rel)
    out: list[str] = []
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r ", "--requirement ")):
            inc = line.split(None, 1)[1].strip()
            out += read_requirements_file(root, str((Path(rel).parent / inc)), seen)
        elif not _is_local(line):
            out.append(line)
    return out


def _from_pyproject(root: Path, facts: SetupFacts) -> None:
    path = root / "pyproject.toml"
    if not path.is_file():
        return
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8", errors="replace"))
    except tomllib.TOMLDecodeError:
        facts.sources["pyproject.toml"] = "unparseable"
        return
    build = data.get("build-system", {})
    if isinstance(build.get("requires"), list):
        _add(facts.build_requires, [r for r in build["requires"] if isinstance(r, str)])
        facts.sources["build_requires"] = "pyproject.toml [build-system]"
    project = data.get("project", {})
    if isinstance(project.get("requires-python"), str):
        facts.python_constraint = project["requires-python"]
        facts.sources["python"] = "pyproject.toml requires-python"
    _add_named(facts, [d for d in project.get("dependencies", []) if isinstance(d, str)])
    extras = project.get("optional-dependencies", {}) or {}
    own = _canonical(project.get("name", ""))
    groups_all = data.get("dependency-groups", {}) or {}
    for table in (extras, groups_all):
        for name, reqs in table.items() if isinstance(table, dict) else ():
            if isinstance(reqs, list):
                facts.extras.setdefault(str(name), [d for d in reqs if isinstance(d, str) and _req_name(d) != own])
    for name in TEST_EXTRAS:  # "pkg[test]" inside pkg's own extras refers to itself: skip it
        _add_list(facts, [d for d in extras.get(name, []) if isinstance(d, str) and _req_name(d) != own], tests=name in TEST_NAMED)
    _classifiers(project.get("classifiers", []), facts)
    groups = data.get("dependency-groups", {}) or {}
    for name in TEST_EXTRAS:
        _add_list(facts, [d for d in groups.get(name, []) if isinstance(d, str)], tests=name in TEST_NAMED)


def _classifiers(classifiers: Any, facts: SetupFacts) -> None:
    for c in classifiers or []:
        m = re.fullmatch(r"Programming Language :: Python :: (3\.\d+)", str(c).strip())
        if m:
            _add(facts.python_versions, [m.group(1)])


def _from_setup_cfg(root: Path, facts: SetupFacts) -> None:
    path = root / "setup.cfg"
    if not path.is_file():
        return
    cfg = configparser.ConfigParser(interpolation=None)
    try:
        cfg.read_string(path.read_text(encoding="utf-8", errors="replace"))
    except configparser.Error:
        return
    if cfg.has_option("options", "python_requires") and not facts.python_constraint:
        facts.python_constraint = cfg.get("options", "python_requires").strip()
        facts.sources["python"] = "setup.cfg python_requires"
    if cfg.has_option("options", "install_requires"):
        _add_named(facts, cfg.get("options", "install_requires").splitlines())
    if cfg.has_section("options.extras_require"):
        for name in cfg.options("options.extras_require"):
            facts.extras.setdefault(name, [x.strip() for x in cfg.get("options.extras_require", name).splitlines() if x.strip()])
        for name in TEST_EXTRAS:
            if cfg.has_option("options.extras_require", name):
                _add_list(facts, cfg.get("options.extras_require", name).splitlines(), tests=name in TEST_NAMED)
    if cfg.has_option("metadata", "classifiers"):
        _classifiers(cfg.get("metadata", "classifiers").splitlines(), facts)


def _literal(node: ast.AST, names: dict[str, Any]) -> Any:
    if isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def _from_setup_py(root: Path, facts: SetupFacts) -> None:
    path = root / "setup.py"
    if not path.is_file():
        return
    try:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
    except SyntaxError:
        facts.sources["setup.py"] = "unparseable"
        return
    names: dict[str, Any] = {}
    for node in tree.body:  # module-level NAME = <literal>, so setup(install_requires=REQS) resolves
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = _literal(node.value, names)
            if value is not None:
                names[node.targets[0].id] = value
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "Extension":
            facts.has_c_extension = True
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "setup"):
            continue
        for kw in node.keywords:
            value = _literal(kw.value, names)
            if kw.arg == "install_requires" and isinstance(value, (list, tuple)):
                _add_named(facts, [v for v in value if isinstance(v, str)])
            elif kw.arg == "extras_require" and isinstance(value, dict):
                for name, reqs in value.items():
                    if isinstance(reqs, (list, tuple)):
                        facts.extras.setdefault(str(name), [v for v in reqs if isinstance(v, str)])
                for name in TEST_EXTRAS:
                    _add_list(facts, [v for v in value.get(name, []) if isinstance(v, str)], tests=name in TEST_NAMED)
            elif kw.arg == "python_requires" and isinstance(value, str) and not facts.python_constraint:
                facts.python_constraint = value
                facts.sources["python"] = "setup.py python_requires"
            elif kw.arg == "classifiers" and isinstance(value, (list, tuple)):
                _classifiers(value, facts)
            elif kw.arg == "ext_modules":
                facts.has_c_extension = True
            elif kw.arg == "setup_requires" and isinstance(value, (list, tuple)):
                _add(facts.build_requires, [v for v in value if isinstance(v, str)])


def _read_tox(root: Path) -> configparser.ConfigParser | None:
    path = root / "tox.ini"
    if not path.is_file():
        return None
    cfg = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        cfg.read_string(path.read_text(encoding="utf-8", errors="replace"))
    except configparser.Error:
        return None
    return cfg


ENV_MAKERS = frozenset({"tox", "virtualenv", "nox"})
"""What builds test environments: a requirements file pinning one of them is where the tests are run from."""


def developer_environment(requirements: list[str]) -> bool:
    """Whether ``requirements`` is a snapshot of a developer's own environment (``pip freeze``, a compiled
    dev lock): every line an exact pin, among them the tool that makes test environments (tox, virtualenv).
    Such a file lists docs builders, linters, benchmarks' rivals and platform shims of its day, not what the
    tests import; when tox names its test environment's deps, those are the tests' requirements."""
    pins = [re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*===?\s*[^\s,;]+\s*(?:;.*)?$", r) for r in requirements]
    return bool(pins) and all(pins) and any(_req_name(m.group(1)) in ENV_MAKERS for m in pins if m)


def _from_tox(root: Path, cfg: configparser.ConfigParser | None, facts: SetupFacts) -> None:
    """What ``root``'s tox.ini (``cfg``, read once by ``read_facts``) says: Python versions, test deps."""
    if cfg is None:
        return
    if cfg.has_option("tox", "envlist"):
        for m in re.finditer(r"py3(\d+)", cfg.get("tox", "envlist")):
            _add(facts.python_versions, [f"3.{m.group(1)}"])
    if cfg.has_option("testenv", "deps"):
        deps = []
        for line in cfg.get("testenv", "deps").splitlines():
            line = line.strip()
            if line.startswith("-r"):
                deps += read_requirements_file(root, line[2:].strip().replace("{toxinidir}/", ""))
            elif line and not line.startswith(("{", "#")) and not _is_local(line):
                factor = _TOX_FACTOR.match(line)
                if factor is None:
                    deps.append(line)
                elif all(re.fullmatch(r"py\d*", f) for f in re.split(r"[,-]", factor.group(1))):
                    deps.append(factor.group(2).strip())  # "py311: dep": a Python factor, kept as before
                # else "coverage: coverage" / "django42: Django<5" — a dep only of tox envs with that
                # factor, and no valid requirement line as written (pip refuses "coverage: coverage"):
                # dropped, as the default test env would not have it either (seen in pluggy, python-slugify).
        _add_named(facts, deps)
        facts.sources["tox"] = "tox.ini [testenv] deps"


def _from_nox(root: Path, facts: SetupFacts) -> None:
    path = root / "noxfile.py"
    if not path.is_file():
        return
    try:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
    except SyntaxError:
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "install":
            args = [_literal(a, {}) for a in node.args]
            if args and all(isinstance(a, str) for a in args) and "-r" not in args and "." not in args:
                _add(facts.requirements, [a for a in args if not a.startswith("-")])


def _from_ci(root: Path, facts: SetupFacts) -> None:
    workflows = root / ".github" / "workflows"
    if not workflows.is_dir():
        return
    for wf in sorted(workflows.glob("*.y*ml")):
        text = wf.read_text(encoding="utf-8", errors="replace")
        for m in re.finditer(r"python-version:\s*\[([^\]]+)\]", text):
            _add(facts.python_versions, re.findall(r"3\.\d+", m.group(1)))
        for m in re.finditer(r"apt(?:-get)?\s+install\s+(?:-\S+\s+)*([^\n&|;]+)", text):
            _add(facts.system_packages, [p for p in m.group(1).split() if _DEB_RE.match(p)])


def _python_version_file(root: Path, facts: SetupFacts) -> None:
    path = root / ".python-version"
    if path.is_file():
        m = re.match(r"\s*(3\.\d+)", path.read_text(errors="replace"))
        if m:
            facts.python_versions.insert(0, m.group(1))
            facts.sources["python_pin"] = ".python-version"


def project_packages(root: Path) -> list[str]:
    """Top-level import names the project provides: packages and modules at the root, ``src/`` or ``lib/``."""
    names: set[str] = set()
    for base in (root, root / "src", root / "lib"):
        if not base.is_dir():
            continue
        for p in base.iterdir():
            if p.is_dir() and (p / "__init__.py").is_file():
                names.add(p.name)
            elif p.is_file() and p.suffix in (".py", ".pyx") and p.stem not in ("setup", "conftest", "noxfile", "tasks"):
                names.add(p.stem)
    return sorted(names)


def development_tool(name: str) -> bool:
    """Whether the canonical distribution ``name`` is a development tool (``maps.yaml``'s ``development_tools``;
    an entry ending in ``*`` names a prefix)."""
    tools = _maps().get("development_tools") or {}
    return any(fnmatch.fnmatchcase(name, t) for t in tools if t != "_default")


def _leave_out_development_tools(root: Path, facts: SetupFacts) -> None:
    """Drop linters, docs builders, release and environment tools that only a developer's lists name: they
    cost an image tens of MB, and their pins churn, so later instances of a repository share fewer layers.
    One the tests' own lists name, or one a module of the project imports, stays; a test that still needs
    one gets it from the loop's missing-module rule."""
    named = set(facts.named_for_tests)
    candidates = [r for r in facts.requirements if (n := _req_name(r)) and n not in named and development_tool(n)]
    if not candidates:
        return
    from openswe_data.toolchains.python.imports import imported_modules

    table = (_maps().get("import_distributions") or {})
    imported = {_canonical(str(table.get(m, m))) for m in imported_modules(root)}
    drop = [r for r in candidates if _req_name(r) not in imported]
    if drop:
        facts.requirements = [r for r in facts.requirements if r not in drop]
        facts.left_out = sorted({_req_name(r) for r in drop})
        facts.sources["left_out"] = "maps.yaml development_tools, named only by a developer's lists, imported by no module"


def _maps() -> dict[str, Any]:
    from openswe_data import recipes
    from openswe_data.conventions import MAPS_FILE

    return recipes.read_yaml("builders", MAPS_FILE) or {}


def read_facts(root: Path, test_files: list[str] | None = None) -> SetupFacts:
    """Setup facts of the tree at ``root``; ``test_files`` come from the task's test patch."""
    facts = SetupFacts(test_files=list(test_files or []), packages=project_packages(root))
    _from_pyproject(root, facts)
    _from_setup_cfg(root, facts)
    _from_setup_py(root, facts)
    tox = _read_tox(root)
    tox_deps = tox is not None and tox.has_option("testenv", "deps")
    for rel in REQUIREMENT_FILES:
        reqs = read_requirements_file(root, rel)
        if tox_deps and developer_environment(reqs):
            facts.sources[f"skipped {rel}"] = "a developer's environment; tox.ini [testenv] deps name the tests'"
            continue  # (tox's deps still bring it back when they include it with -r)
        _add_list(facts, reqs, tests="test" in rel)
    _from_tox(root, tox, facts)
    _from_nox(root, facts)
    _from_ci(root, facts)
    _python_version_file(root, facts)
    _leave_out_development_tools(root, facts)
    if not facts.build_requires and ((root / "setup.py").is_file() or (root / "setup.cfg").is_file()):
        facts.build_requires = ["setuptools>=40.8", "wheel"]
    if any(re.match(r"^setuptools\b", r) for r in facts.build_requires):
        # Pre-installed in the dependency layer for tools that import the backend at test time; older
        # setuptools needs wheel, and setuptools>=77 a packaging newer than Debian's site-packages hold.
        _add(facts.build_requires, list(HELPER_BUILD_REQUIRES))
    if any(re.match(r"^hatchling\b", r) for r in facts.build_requires):
        # hatchling's editable build asks for `editables` besides (its get_requires_for_build_editable): an
        # isolated install fetches it; among the image's build tools it spares that isolated install
        _add(facts.build_requires, ["editables"])
    # pytest itself is not added here: the image's helper step installs it when the repository brings
    # none, so our own requirement is never co-resolved with the repository's pins
    return facts


def version_key(version: str) -> tuple[int, ...]:
    """``"3.11"`` -> ``(3, 11)``: Python versions in numeric order."""
    return tuple(int(x) for x in version.split("."))


def allows(facts: SetupFacts, version: str) -> bool:
    """Whether the project's requires-python admits some release of ``version`` (an unparseable one admits all)."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        spec = SpecifierSet(facts.python_constraint) if facts.python_constraint else SpecifierSet()
    except InvalidSpecifier:
        return True
    return spec.contains(f"{version}.0", prereleases=True) or spec.contains(f"{version}.99")


def choose_python(facts: SetupFacts, available: list[str], default: str = "3.11") -> str:
    """The Python to build with: a pinned version if available, else the best one the constraint allows.

    Preference: ``.python-version``; else among available versions allowed by requires-python, those the
    project names (classifiers, tox, CI) — ``default`` if named, else the newest named; else ``default``
    if allowed; else the newest allowed. With nothing allowed, the nearest available to what the project names.
    """
    allowed = [v for v in sorted(available, key=version_key) if allows(facts, v)]
    if facts.sources.get("python_pin") and facts.python_versions and facts.python_versions[0] in available:
        return facts.python_versions[0]
    named = [v for v in allowed if v in facts.python_versions]
    if named:
        # the default is the most shared base image (fewer images, more shared layers) when the project names it
        return default if default in named else named[-1]
    if allowed:
        return default if default in allowed else allowed[-1]
    return default if default in available else sorted(available, key=version_key)[-1]


PYTHON_RELEASES = {"3.8": "2019-10-14", "3.9": "2020-10-05", "3.10": "2021-10-04", "3.11": "2022-10-24",
                   "3.12": "2023-10-02", "3.13": "2024-10-07", "3.14": "2025-10-07"}
"""When each Python was released: a pull request's dependencies, resolved as of its date, expect a Python of
that day."""

ECOSYSTEM_LAG_DAYS = 90
"""How long after a Python's release its ecosystem ships wheels and build tools that work on it."""


def resolution_date(when: str, python: str) -> str:
    """The moment dependencies are resolved as of (ISO): the PR's date ``when``, or — when ``python`` came out
    later (the base suite has nothing older) — that Python's release plus ``ECOSYSTEM_LAG_DAYS``. Pinned to
    the PR's day, a build backend can predate the interpreter (setuptools of early 2019 does not import on
    Python 3.9) and no release of that day has a wheel for it."""
    import datetime as dt

    released = PYTHON_RELEASES.get(python)
    try:
        day = dt.date.fromisoformat(when.strip()[:10])
    except ValueError:
        return when
    if released is None:
        return when
    floor = dt.date.fromisoformat(released) + dt.timedelta(days=ECOSYSTEM_LAG_DAYS)
    return when if day >= floor else f"{floor.isoformat()}T00:00:00Z"


def python_of_date(facts: SetupFacts, available: list[str], when: str) -> str | None:
    """The newest available Python released before ``when`` (an ISO date) that the project allows; the
    oldest allowed one when none was out yet; ``None`` when ``when`` is no date."""
    import datetime as dt

    try:
        day = dt.date.fromisoformat(when.strip()[:10])
    except ValueError:
        return None
    allowed = [v for v in available if allows(facts, v)]
    if not allowed:
        return None
    released = [v for v in allowed if v in PYTHON_RELEASES and dt.date.fromisoformat(PYTHON_RELEASES[v]) <= day]
    return max(released, key=version_key) if released else min(allowed, key=version_key)
