"""Tiny real git repositories that reproduce what real projects did to our test results.

Each project is a base tree, a gold change (non-test files) and a test change; ``make_task`` commits the
base with the real git CLI, derives both patches with ``git diff`` and returns the ``Task``. ``EXPECTED``
says what build + validate must make of each: verdict, reason, the exact FAIL_TO_PASS / PASS_TO_PASS, and
the targeted test files.
"""

from __future__ import annotations

from pathlib import Path

import git_projects  # type: ignore[import-not-found]
from openswe_data.records import Task

PYTEST_INI = "[pytest]\npythonpath = .\n"

PROJECTS: dict[str, dict[str, dict[str, str]]] = {
    # parametrized ids with spaces, a " - ", brackets, unicode and "::" — each one a distinct test
    "params": {
        "base": {"pytest.ini": PYTEST_INI, "pkg/__init__.py": "def shout(s):\n    return s.upper()\n"},
        "gold": {"pkg/__init__.py": "def shout(s):\n    return s.upper() + '!'\n"},
        "tests": {"tests/test_shout.py": (
            "import pytest\nfrom pkg import shout\n\n\n"
            "@pytest.mark.parametrize('text', ['a b', 'x - y', '[b]', '\\u00e9', 'k::v'])\n"
            "def test_shout(text):\n    assert shout(text).endswith('!')\n\n\n"
            "@pytest.mark.parametrize('text', ['plain words'])\n"
            "def test_upper(text):\n    assert shout(text).startswith('PLAIN')\n")},
    },
    # a coverage threshold in addopts: pytest exits 1 with every test passing
    "coverage": {
        "base": {"pytest.ini": "[pytest]\npythonpath = .\naddopts = --cov=pkg --cov-fail-under=100\n",
                 "requirements-dev.txt": "pytest-cov\n",
                 "pkg/__init__.py": ("def half(n):\n    return n / 2\n\n\n"
                                     "def never_tested(n):\n    if n:\n        return 1\n    return 2\n")},
        "gold": {"pkg/__init__.py": ("def half(n):\n    return n // 2\n\n\n"
                                     "def never_tested(n):\n    if n:\n        return 1\n    return 2\n")},
        "tests": {"tests/test_half.py": ("from pkg import half\n\n\ndef test_half_is_whole():\n    assert half(5) == 2\n\n\n"
                                         "def test_half_even():\n    assert half(4) == 2\n")},
    },
    # a test that hangs before the fix: with a per-test timeout it is one failed test, not a lost run
    "hanging": {
        "base": {"pytest.ini": PYTEST_INI,
                 "pkg/__init__.py": "def count_down(n):\n    while n != 0:\n        n -= 2\n    return n\n"},
        "gold": {"pkg/__init__.py": "def count_down(n):\n    while n > 0:\n        n -= 2\n    return max(n, 0)\n"},
        "tests": {"tests/test_count.py": ("from pkg import count_down\n\n\ndef test_odd_stops():\n    assert count_down(3) == 0\n\n\n"
                                          "def test_even_stops():\n    assert count_down(4) == 0\n")},
    },
    # a unittest-style module named test.py (pytest's default python_files would not match it)
    "testpy": {
        "base": {"pytest.ini": PYTEST_INI, "pkg/__init__.py": "def add(a, b):\n    return abs(a) + abs(b)\n",
                 "test.py": ("import unittest\n\nfrom pkg import add\n\n\nclass AddTest(unittest.TestCase):\n"
                             "    def test_add(self):\n        self.assertEqual(add(1, 2), 3)\n")},
        "gold": {"pkg/__init__.py": "def add(a, b):\n    return a + b\n"},
        "tests": {"test.py": ("import unittest\n\nfrom pkg import add\n\n\nclass AddTest(unittest.TestCase):\n"
                              "    def test_add(self):\n        self.assertEqual(add(1, 2), 3)\n\n"
                              "    def test_add_negative(self):\n        self.assertEqual(add(-1, -2), -3)\n")},
    },
    # the repository's own python_files: check_*.py
    "pyfiles": {
        "base": {"setup.cfg": "[tool:pytest]\npythonpath = .\npython_files = check_*.py\n",
                 "pkg/__init__.py": "def last(items):\n    return items[-2]\n",
                 "checks/check_first.py": "def test_always():\n    assert True\n"},
        "gold": {"pkg/__init__.py": "def last(items):\n    return items[-1]\n"},
        "tests": {"checks/check_last.py": "from pkg import last\n\n\ndef test_last():\n    assert last([1, 2, 3]) == 3\n"},
    },
    # the test patch touches conftest.py and a data file beside the module: only the module is a target
    "conftest": {
        "base": {"pytest.ini": PYTEST_INI, "pkg/__init__.py": "def count_words(text):\n    return len(text.split(' '))\n",
                 "tests/conftest.py": "import pytest\n",
                 "tests/test_words.py": "from pkg import count_words\n\n\ndef test_one():\n    assert count_words('a') == 1\n"},
        "gold": {"pkg/__init__.py": "def count_words(text):\n    return len(text.split())\n"},
        "tests": {"tests/conftest.py": ("import pathlib\n\nimport pytest\n\n\n@pytest.fixture\ndef sample():\n"
                                        "    return (pathlib.Path(__file__).parent / 'data' / 'sample.txt').read_text()\n"),
                  "tests/data/sample.txt": "two  words\n",
                  "tests/test_words.py": ("from pkg import count_words\n\n\ndef test_one():\n    assert count_words('a') == 1\n\n\n"
                                          "def test_sample(sample):\n    assert count_words(sample) == 2\n")},
    },
    # a refactor whose new test passes before and after; an unrelated flaky test must not make it "flaky"
    # the fix adds the name the new tests import: before it their module does not import at all, so no id of
    # it can be selected (pytest: "not found", exit 4) and the side without the fix confirms with full runs
    "newname": {
        "base": {"pytest.ini": PYTEST_INI, "pkg/__init__.py": "def double(n):\n    return n * 2\n",
                 "tests/test_double.py": "from pkg import double\n\n\ndef test_double():\n    assert double(2) == 4\n"},
        "gold": {"pkg/__init__.py": "def double(n):\n    return n * 2\n\n\ndef triple(n):\n    return n * 3\n"},
        "tests": {"tests/test_triple.py": ("from pkg import triple\n\n\ndef test_triple():\n    assert triple(2) == 6\n\n\n"
                                           "def test_triple_zero():\n    assert triple(0) == 0\n")},
    },
    # marshmallow-2318: a parametrize id built from the clock names another test in every run
    "clockids": {
        "base": {"pytest.ini": PYTEST_INI, "pkg/__init__.py": "def inc(n):\n    return n\n"},
        "gold": {"pkg/__init__.py": "def inc(n):\n    return n + 1\n"},
        "tests": {"tests/test_inc.py": ("import time\n\nimport pytest\n\nfrom pkg import inc\n\n\n"
                                        "@pytest.mark.parametrize('stamp', [time.time_ns()])\n"
                                        "def test_stamp(stamp):\n    assert stamp > 0\n\n\n"
                                        "def test_inc():\n    assert inc(1) == 2\n")},
    },
    "negative": {
        "base": {"pytest.ini": PYTEST_INI, "pkg/__init__.py": "def double(n):\n    return n * 2\n",
                 "tests/test_double.py": ("import random\n\nfrom pkg import double\n\n\n"
                                          "def test_noise():\n    assert random.random() < 0.5\n")},
        "gold": {"pkg/__init__.py": "def double(n):\n    return n + n\n"},
        "tests": {"tests/test_double.py": ("import random\n\nfrom pkg import double\n\n\n"
                                           "def test_noise():\n    assert random.random() < 0.5\n\n\n"
                                           "def test_double():\n    assert double(3) == 6\n")},
    },
}

# no configuration file and no setup.py at the root: pytest's rootdir would be the targets' folder, and
# ids would lose their "tests/" — they must stay relative to the repository root
PROJECTS["norootcfg"] = {
    "base": {"pkg/__init__.py": "def inc(n):\n    return n\n",
             "tests/conftest.py": "import pathlib\nimport sys\n\nsys.path.insert(0, str(pathlib.Path(__file__).parents[1]))\n"},
    "gold": {"pkg/__init__.py": "def inc(n):\n    return n + 1\n"},
    "tests": {"tests/test_inc.py": "from pkg import inc\n\n\ndef test_inc():\n    assert inc(1) == 2\n"},
}

SHOUT = "tests/test_shout.py::test_shout"
EXPECTED: dict[str, dict[str, object]] = {
    "params": {"verdict": "valid", "reason": "", "test_files": ["tests/test_shout.py"],
               "FAIL_TO_PASS": [f"{SHOUT}[[b]]", f"{SHOUT}[\\xe9]", f"{SHOUT}[a b]", f"{SHOUT}[k::v]", f"{SHOUT}[x - y]"],
               "PASS_TO_PASS": ["tests/test_shout.py::test_upper[plain words]"]},
    "coverage": {"verdict": "valid", "reason": "", "test_files": ["tests/test_half.py"],
                 "FAIL_TO_PASS": ["tests/test_half.py::test_half_is_whole"],
                 "PASS_TO_PASS": ["tests/test_half.py::test_half_even"]},
    "hanging": {"verdict": "valid", "reason": "", "test_files": ["tests/test_count.py"],
                "FAIL_TO_PASS": ["tests/test_count.py::test_odd_stops"],
                "PASS_TO_PASS": ["tests/test_count.py::test_even_stops"]},
    "testpy": {"verdict": "valid", "reason": "", "test_files": ["test.py"],
               "FAIL_TO_PASS": ["test.py::AddTest::test_add_negative"], "PASS_TO_PASS": ["test.py::AddTest::test_add"]},
    "pyfiles": {"verdict": "valid", "reason": "", "test_files": ["checks/check_last.py"],
                "FAIL_TO_PASS": ["checks/check_last.py::test_last"], "PASS_TO_PASS": []},
    "conftest": {"verdict": "valid", "reason": "", "test_files": ["tests/test_words.py"],
                 "FAIL_TO_PASS": ["tests/test_words.py::test_sample"], "PASS_TO_PASS": ["tests/test_words.py::test_one"]},
    "norootcfg": {"verdict": "valid", "reason": "", "test_files": ["tests/test_inc.py"],
                  "FAIL_TO_PASS": ["tests/test_inc.py::test_inc"], "PASS_TO_PASS": []},
    "newname": {"verdict": "valid", "reason": "", "test_files": ["tests/test_triple.py"],
                "FAIL_TO_PASS": ["tests/test_triple.py::test_triple", "tests/test_triple.py::test_triple_zero"],
                "PASS_TO_PASS": []},
    "clockids": {"verdict": "valid", "reason": "", "test_files": ["tests/test_inc.py"],
                 "FAIL_TO_PASS": ["tests/test_inc.py::test_inc"], "PASS_TO_PASS": []},
    "negative": {"verdict": "invalid", "reason": "no_fail_to_pass", "fault": "task", "test_files": ["tests/test_double.py"],
                 "FAIL_TO_PASS": [], "PASS_TO_PASS": ["tests/test_double.py::test_double"]},
}


def make_task(name: str, root: Path) -> Task:
    """Trust project ``name`` as a real git repository under ``root`` and the task of its fix."""
    return git_projects.make_task(name, root, PROJECTS[name])
