"""Fixture projects for the agent tier: each fails with the heuristic recipe and no rule can fix it, so
only the agents (scripted here: no network) can — or must give up within budget.

- ``syslib``: a C extension needing a system library no rule's table knows (libsodium); the README says
  which Debian package. The explorer reads it; the Dockerfile agent adds the package.
- ``envvar``: the suite only runs with ``PKG_TESTING=1`` (as tox.ini sets it); the test-analysis agent
  sends the eval-script agent there, which wraps the test command.
- ``cheat``: the same project; the eval-script agent first proposes a command that exits 0 whatever the
  tests do — the legitimacy review must catch it — and then the honest one.
- ``stubborn``: the same project; the eval-script agent only proposes useless options, at $0.10 a call,
  until the instance's budget stops it.
"""

from __future__ import annotations

from typing import Any

import yaml

SODIUM_C = ('#include <Python.h>\n#include <sodium.h>\n\n'
            'static PyObject *ready(PyObject *self, PyObject *args) {\n'
            '    return PyBool_FromLong(sodium_init() >= 0);\n}\n\n'
            'static PyMethodDef methods[] = {{"ready", ready, METH_NOARGS, ""}, {NULL, NULL, 0, NULL}};\n'
            'static struct PyModuleDef mod = {PyModuleDef_HEAD_INIT, "_sodium", NULL, -1, methods};\n'
            'PyMODINIT_FUNC PyInit__sodium(void) { return PyModule_Create(&mod); }\n')

SYSLIB = {
    "base": {"setup.py": ("from setuptools import Extension, setup\n\nsetup(name='spkg', version='0.1', packages=['spkg'],\n"
                          "      ext_modules=[Extension('spkg._sodium', ['spkg/_sodium.c'], libraries=['sodium'])])\n"),
             "README.md": ("# spkg\n\n## Development\n\nThe extension links libsodium:\n\n```sh\n"
                           "sudo apt-get install libsodium-dev\npip install -e .\npytest\n```\n"),
             "spkg/_sodium.c": SODIUM_C,
             "spkg/__init__.py": "from spkg._sodium import ready\n\n\ndef pad(s, n):\n    return s + ' ' * (n - len(s) - 1)\n"},
    "gold": {"spkg/__init__.py": "from spkg._sodium import ready\n\n\ndef pad(s, n):\n    return s + ' ' * (n - len(s))\n"},
    "tests": {"tests/test_pad.py": ("from spkg import pad, ready\n\n\ndef test_ready():\n    assert ready()\n\n\n"
                                    "def test_pad_to_width():\n    assert pad('ab', 4) == 'ab  '\n")},
}

ENVVAR = {
    "base": {"pytest.ini": "[pytest]\npythonpath = .\n",
             "tox.ini": "[testenv]\nsetenv =\n    PKG_TESTING = 1\ncommands = pytest {posargs}\n",
             "tests/conftest.py": ("import os\n\nimport pytest\n\n\n@pytest.fixture(autouse=True)\ndef _testing_mode():\n"
                                   "    if os.environ.get('PKG_TESTING') != '1':\n"
                                   "        pytest.fail('run the tests with PKG_TESTING=1, as tox.ini does')\n"),
             "epkg/__init__.py": "def mean(xs):\n    return sum(xs) // len(xs)\n"},
    "gold": {"epkg/__init__.py": "def mean(xs):\n    return sum(xs) / len(xs)\n"},
    "tests": {"tests/test_mean.py": "from epkg import mean\n\n\ndef test_mean_is_exact():\n    assert mean([1, 2]) == 1.5\n"},
}

PROJECTS: dict[str, dict[str, dict[str, str]]] = {"syslib": SYSLIB, "envvar": ENVVAR, "cheat": ENVVAR, "stubborn": ENVVAR}
PREFIX = "agents"


def _on(agent: str, instance: str = "", attempt: int | None = None) -> str:
    parts = [f"(?=.*# agent: {agent}\\n)"]
    if instance:
        parts.append(f"(?=.*instance {PREFIX}__{instance}-1\\b)")
    if attempt is not None:
        parts.append(f"(?=.*attempt {attempt}\\b)")
    return "(?s)^" + "".join(parts)


def _reply(match: str, answer: dict[str, Any], cost: float = 0.01) -> dict[str, Any]:
    return {"match": match, "content": "```yaml\n" + yaml.safe_dump(answer, sort_keys=False) + "```",
            "prompt_tokens": 1500, "completion_tokens": 120, "cost_usd": cost}


TESTING_MODE = {"fault": "environment", "cause": "test_mode_variable_unset", "to": "eval_script",
                "feedback": "tests/conftest.py fails every test unless PKG_TESTING=1; tox.ini sets it"}

SCRIPT: list[dict[str, Any]] = [
    # syslib: the explorer reads the README; the Dockerfile agent adds the package
    _reply(_on("explorer", "syslib"), {"facts": {"system_packages": ["libsodium-dev"],
                                                  "notes": "README.md:L7 installs libsodium-dev"}}),
    _reply(_on("dockerfile", "syslib"), {"diagnosis": "missing_libsodium_header",
                                         "signature": r"fatal error: sodium\.h: No such file or directory",
                                         "fixes": [{"add_system_package": "libsodium-dev"}]}),
    # envvar, cheat, stubborn: the analysis sends the eval-script agent to the test-mode variable
    _reply(_on("test-analysis", "stubborn"), TESTING_MODE, cost=0.10),
    _reply(_on("explorer", "stubborn"), {"facts": {"notes": "nothing found"}}, cost=0.10),
    _reply(_on("eval-script", "stubborn"), {"diagnosis": "verbosity", "fixes": [{"test_option": "-v"}]}, cost=0.10),
    _reply(_on("test-analysis"), TESTING_MODE),
    _reply(_on("explorer"), {"facts": {"test_command": "PKG_TESTING=1 pytest", "notes": "tox.ini:L3 sets PKG_TESTING"}}),
    _reply(_on("eval-script", "cheat", 1), {"diagnosis": "test_mode_variable_unset",
                                            "fixes": [{"test_command": "PKG_TESTING=1 {command} || python -c 'raise SystemExit(0)'"}]}),
    _reply(_on("eval-script", "cheat", 2), {"diagnosis": "test_mode_variable_unset",
                                            "fixes": [{"test_command": "PKG_TESTING=1 {command}"}]}),
    _reply(_on("eval-script", "envvar"), {"diagnosis": "test_mode_variable_unset",
                                          "signature": "run the tests with PKG_TESTING=1",
                                          "fixes": [{"test_command": "PKG_TESTING=1 {command}"}]}),
    # every other pass: the review finds it legitimate
    _reply(_on("legitimacy-review"), {"legitimate": True, "problems": []}),
]
