"""The repository's own test command: what its tox configuration, Makefile or test script runs.

Input: a snapshot's root. Output: a ``RepoCommand`` (the command line, where it was read, and which parser
reads its output), or ``None``. The ``script`` runner uses it when neither our pytest command nor unittest
discovery can run a suite — typically one whose runner sets the stage first (settings, ``sys.path``,
environment variables) before it imports the tests. Read, never executed on the host.

Why the parser is chosen from the command: the record's ``log_parser`` must name a parser that reads what
the command prints. A command that ends in pytest (directly, or a script calling ``pytest.main``) gets our
reporting options through ``PYTEST_ADDOPTS`` — JUnit file and ``-rA`` included — whatever launches it; a
unittest-based one is read by the unittest parser (its verbose ``... ok`` lines).
"""

from __future__ import annotations

import configparser
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

SCRIPTS = ("runtests.py", "run_tests.py", "tests/runtests.py", "tests/run_tests.py", "test/runtests.py",
           "tests/run.py", "test/run.py")
"""Test scripts looked for at these paths when no tox or Makefile command names one."""

_TEST_WORDS = re.compile(r"(?:\bpy\.?test\b|\bunittest\b|\bnose(?:tests|2)?\b|\btrial\b|\bruntests\b|\brun_tests\b|"
                         r"setup\.py\s+test\b|-m\s+tests?\b|\S*tests?\S*\.py\b)")
_NOT_TESTS = re.compile(r"^\s*(?:pip|python -m pip|coverage (?:report|combine|erase|xml|html)|flake8|mypy|ruff|"
                        r"black|isort|pre-commit|sphinx|rm|mkdir|echo|cp|mv)\b")


@dataclass(frozen=True)
class RepoCommand:
    command: str
    """The command line, tox substitutions resolved, ``{posargs}`` kept where the targets go."""
    source: str
    """Where it was read (``tox.ini [testenv] commands``, ``Makefile test``, ``runtests.py``)."""
    parser: str
    """``pytest`` or ``unittest``: the parser that reads its output."""

    @property
    def word(self) -> str:
        """A word of the command the eval-script check looks for between the markers."""
        words = [w for w in shlex.split(self.command.replace("{posargs}", "")) if "=" not in w]
        return next((w for w in words if w not in ("python", "python3", "-m")), words[0] if words else "python")


def repository_test_command(root: Path) -> RepoCommand | None:
    """The first test command the repository itself names: tox, then the Makefile, then a test script."""
    for found in (_from_tox(root), _from_makefile(root), _from_script(root)):
        if found is not None:
            return found
    return None


def _normalise(line: str) -> str | None:
    """A tox/Makefile command line as a plain shell command, or ``None`` when it does not run tests."""
    line = line.strip().lstrip("-@").strip()  # tox's "- cmd" ignores the status; make's "@" silences the echo
    line = re.sub(r"\{envpython\}|\{envbindir\}/python3?|\$\(PYTHON\)|\$\{PYTHON\}", "python", line)
    line = re.sub(r"\{(?:toxinidir|tox_root)\}/?", "", line)
    line = re.sub(r"\{posargs:[^}]*\}", "{posargs}", line)
    # coverage wraps the runner: run the runner itself (our options switch coverage off anyway)
    line = re.sub(r"^(?:python -m )?coverage run(?:\s+--?[\w-]+(?:[= ]\S+)?)*?\s+-m\s+", "python -m ", line)
    line = re.sub(r"^(?:python -m )?coverage run(?:\s+--?[\w-]+(?:[= ]\S+)?)*?\s+(?=\S+\.py)", "python ", line)
    if not line or "{" in line.replace("{posargs}", "") or _NOT_TESTS.match(line) or not _TEST_WORDS.search(line):
        return None
    return line


def _parser_of(command: str, root: Path) -> str:
    if re.search(r"\bpy\.?test\b", command):
        return "pytest"
    if re.search(r"\b(?:unittest|nose(?:tests|2)?|trial)\b|setup\.py\s+test\b", command):
        return "unittest"
    script = next((w for w in command.split() if w.endswith(".py")), "")
    text = (root / script).read_text(errors="replace") if script and (root / script).is_file() else ""
    return "pytest" if re.search(r"\bimport pytest\b|\bpytest\.main\(", text) else "unittest"


def _from_tox(root: Path) -> RepoCommand | None:
    for name, section in (("tox.ini", "testenv"), ("setup.cfg", "testenv")):
        path = root / name
        if not path.is_file():
            continue
        cfg = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            cfg.read_string(path.read_text(errors="replace"))
        except configparser.Error:
            continue
        if not cfg.has_option(section, "commands"):
            continue
        for raw in cfg.get(section, "commands").splitlines():
            command = _normalise(re.sub(r"^[\w,!-]+:\s+", "", raw))  # a factor condition ("py38: pytest")
            if command:
                return RepoCommand(command, f"{name} [{section}] commands", _parser_of(command, root))
    return None


def _from_makefile(root: Path) -> RepoCommand | None:
    path = root / "Makefile"
    if not path.is_file():
        return None
    lines = path.read_text(errors="replace").splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^tests?\s*:", line):
            for body in lines[i + 1:]:
                if not body.startswith("\t"):
                    break
                command = _normalise(body)
                if command:
                    return RepoCommand(command, "Makefile test", _parser_of(command, root))
    return None


def _from_script(root: Path) -> RepoCommand | None:
    for rel in SCRIPTS:
        if (root / rel).is_file():
            command = f"python {rel} {{posargs}}"
            return RepoCommand(command, rel, _parser_of(command, root))
    return None
