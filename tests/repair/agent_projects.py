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
- ``sysenv``: ``syslib`` whose build also needs ``SPKG_LIBSODIUM=system`` (no typed fix sets a build
  variable): the Dockerfile agent edits the Dockerfile — the package into the system layer, the variable
  at the top, which the layer rule moves down to the step that failed.
- ``evaledit``: ``envvar`` fixed by an edit of the eval script (``export PKG_TESTING=1``); the first edit
  also hard-codes the recorded exit status and is refused, the second is accepted.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from openswe_data.agents import ScriptedModel

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

SYSENV = {**SYSLIB, "base": {**SYSLIB["base"], "setup.py": (
    "import os\n\nfrom setuptools import Extension, setup\nfrom setuptools.command.build_ext import build_ext\n\n\n"
    "class BuildExt(build_ext):\n    def run(self):\n        if os.environ.get('SPKG_LIBSODIUM') != 'system':\n"
    "            raise SystemExit('spkg ships no bundled libsodium: build with SPKG_LIBSODIUM=system')\n"
    "        super().run()\n\n\n"
    "setup(name='spkg', version='0.1', packages=['spkg'], cmdclass={'build_ext': BuildExt},\n"
    "      ext_modules=[Extension('spkg._sodium', ['spkg/_sodium.c'], libraries=['sodium'])])\n")}}

PROJECTS: dict[str, dict[str, dict[str, str]]] = {"syslib": SYSLIB, "envvar": ENVVAR, "cheat": ENVVAR, "stubborn": ENVVAR,
                                                  "sysenv": SYSENV, "evaledit": ENVVAR}
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
    _reply(_on("explorer", "sysenv"), {"facts": {"system_packages": ["libsodium-dev"],
                                                  "notes": "setup.py:L5 needs SPKG_LIBSODIUM=system"}}),
    # every other pass: the review finds it legitimate
    _reply(_on("legitimacy-review"), {"legitimate": True, "problems": []}),
]


APT = ("RUN apt-get update \\\n && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends {} \\\n"
       " && rm -rf /var/lib/apt/lists/*\n")


def edit_reply(kind: str, text: str, fence: str) -> dict[str, Any]:
    return {"content": (f"```yaml\ndiagnosis: {kind}\nedit: {'dockerfile' if fence == 'dockerfile' else 'eval_script'}\n```\n"
                        f"```{fence}\n{text}```\n"), "prompt_tokens": 2500, "completion_tokens": 600, "cost_usd": 0.02}


def shown(messages: list[dict[str, str]], fence: str) -> str:
    """The file the agent is shown in the user message's ```fence block."""
    return messages[-1]["content"].split(f"```{fence}\n", 1)[1].split("```", 1)[0]


class EditingModel(ScriptedModel):
    """``SCRIPT``, plus the answers that edit the file an agent is shown (they depend on the image's base tag
    and the test patch, so they are made from the prompt, as a model would)."""

    def query(self, messages: list[dict[str, str]]) -> Any:
        text = "\n".join(m["content"] for m in messages)
        if "# agent: dockerfile" in text and f"instance {PREFIX}__sysenv-1" in text:
            dockerfile = shown(messages, "dockerfile")
            if "apt-get install" in dockerfile:  # the package goes into the existing system layer
                dockerfile = re.sub(r"(--no-install-recommends [^\\\n]*?)( \\\n)", r"\1 libsodium-dev\2", dockerfile, 1)
            else:  # where the template puts a system layer: above the dependency manifests
                dockerfile = dockerfile.replace("COPY openswe/build-requirements.txt",
                                                APT.format("libsodium-dev") + "COPY openswe/build-requirements.txt", 1)
            # the variable where a hurried edit puts it: at the top
            dockerfile = re.sub(r"(?m)^(FROM .*\n)", r"\1ENV SPKG_LIBSODIUM=system\n", dockerfile, count=1)
            return self._as_reply(edit_reply("bundled_libsodium_disabled", dockerfile, "dockerfile"))
        if "# agent: eval-script" in text and f"instance {PREFIX}__evaledit-1" in text:
            script = shown(messages, "bash").replace("cd /testbed\n", "cd /testbed\nexport PKG_TESTING=1\n", 1)
            if "previous answer was refused" not in text:  # first: also a hard-coded exit status
                script = re.sub(r'echo "OPENSWE_TEST_EXIT_CODE=.*"', 'echo "OPENSWE_TEST_EXIT_CODE=0"', script)
            return self._as_reply(edit_reply("test_mode_variable_unset", script, "bash"))
        return super().query(messages)

    def _as_reply(self, spec: dict[str, Any]) -> Any:
        return ScriptedModel([spec], name=self.name).query([])
