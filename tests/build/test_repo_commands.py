"""The repository's own test command is read from tox, the Makefile or a test script, never run on the host."""

from __future__ import annotations

import pytest

from openswe_data import toolchains
from openswe_data.build.evalscript import check_eval_script, render_eval_script
from openswe_data.errors import BuildError
from openswe_data.toolchains.python.commands import repository_test_command


def write(root, files):
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def test_tox_commands_skip_installs_and_unwrap_coverage(tmp_path):
    write(tmp_path, {"tox.ini": "[testenv]\ncommands =\n    pip install -e .\n"
                                "    coverage run --parallel -m pytest {posargs:tests}\n    coverage report\n"})
    found = repository_test_command(tmp_path)
    assert found is not None and found.source == "tox.ini [testenv] commands"
    assert found.command == "python -m pytest {posargs}" and found.parser == "pytest"


def test_a_makefile_test_target_running_unittest_is_read_with_the_unittest_parser(tmp_path):
    write(tmp_path, {"Makefile": "lint:\n\tflake8 .\n\ntest:\n\t@echo testing\n\t$(PYTHON) -m unittest discover -v tests\n"})
    found = repository_test_command(tmp_path)
    assert found is not None and found.command == "python -m unittest discover -v tests" and found.parser == "unittest"


def test_a_runtests_script_is_read_with_the_parser_of_what_it_calls(tmp_path):
    write(tmp_path, {"runtests.py": "import sys\nimport pytest\n\nsys.exit(pytest.main(['tests']))\n"})
    found = repository_test_command(tmp_path)
    assert found is not None and found.parser == "pytest" and found.word == "runtests.py"
    assert repository_test_command(write(tmp_path / "other", {"setup.py": "x"})) is None


def test_the_script_runner_passes_our_reporting_options_to_a_pytest_it_launches(tmp_path):
    write(tmp_path, {"tox.ini": "[testenv]\ncommands = pytest -p pytester {posargs}\n"})
    chain = toolchains.select(tmp_path, "script")
    command = chain.test_command(["tests/test_a.py"], ["-p no:timeout"])
    assert command.startswith('PYTEST_ADDOPTS="-rA ') and "--junitxml=" in command and "-p no:timeout" in command
    assert command.endswith("pytest -p pytester tests/test_a.py") and chain.names_its_targets
    script = render_eval_script("", ["tests/test_a.py"], ["tests/test_a.py"], [], command=command)
    assert check_eval_script(script, ["tests/test_a.py"], runner_word=chain.runner_word) == []


def test_a_whole_suite_script_need_not_name_the_targets_but_must_run(tmp_path):
    write(tmp_path, {"runtests.py": "import unittest\nunittest.main(module=None, argv=['x', 'discover', '-v'])\n"})
    chain = toolchains.select(tmp_path, "script")
    assert chain.log_parser == "unittest" and not chain.names_its_targets
    script = render_eval_script("", ["tests/test_a.py"], ["tests/test_a.py"], [], command=chain.test_command(["tests/test_a.py"]))
    assert check_eval_script(script, ["tests/test_a.py"], runner_word=chain.runner_word, targets_named=False) == []
    gutted = script.replace(chain.test_command(["tests/test_a.py"]), "true")
    assert check_eval_script(gutted, ["tests/test_a.py"], runner_word=chain.runner_word, targets_named=False)


def test_a_snapshot_without_a_command_of_its_own_cannot_use_the_script_runner(tmp_path):
    with pytest.raises(BuildError) as info:
        toolchains.select(tmp_path, "script")
    assert info.value.reason == "runner_unavailable"
