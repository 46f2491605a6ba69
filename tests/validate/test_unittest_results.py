"""The unittest runner's results, read from the real ``python -m unittest -v`` output (a subprocess on a
tiny module in tmp_path): ids written the way pytest names the same tests, statuses exact."""

from __future__ import annotations

import subprocess
import sys

from openswe_data import conventions as C
from openswe_data import toolchains
from openswe_data.validate.runner import RunResult

MODULE = '''import unittest


class MathTest(unittest.TestCase):
    def test_ok(self):
        self.assertEqual(1 + 1, 2)

    def test_bad(self):
        """A docstring moves the status to the next line."""
        self.assertEqual(1 + 1, 3)

    @unittest.skip("later")
    def test_skip(self):
        pass

    @unittest.expectedFailure
    def test_known(self):
        self.assertEqual(1, 2)

    def test_error(self):
        raise RuntimeError("boom")
'''


def run_unittest(tmp_path, *files: str) -> RunResult:
    command = toolchains.get("python", "unittest").test_command(list(files))
    proc = subprocess.run(command.replace("python", sys.executable, 1), shell=True, cwd=tmp_path,
                          capture_output=True, text=True)
    stdout = f"{C.START_TEST_OUTPUT}\n{proc.stdout}\n{C.END_TEST_OUTPUT}\n{C.TEST_EXIT_PREFIX}{proc.returncode}\n"
    return RunResult(log="+ python -m unittest\n" + stdout, exit_code=0, stdout=stdout)


def test_unittest_statuses_and_ids_are_read_from_its_own_verbose_lines(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "__init__.py").write_text("")
    (tmp_path / "tests" / "test_math.py").write_text(MODULE)
    result = run_unittest(tmp_path, "tests/test_math.py")
    toolchain = toolchains.for_parser("unittest")
    run = toolchain.parse(result, ["tests/test_math.py"])
    assert run.tests == {
        "tests/test_math.py::MathTest::test_ok": "PASSED",
        "tests/test_math.py::MathTest::test_bad": "FAILED",
        "tests/test_math.py::MathTest::test_skip": "SKIPPED",
        "tests/test_math.py::MathTest::test_known": "XFAIL",
        "tests/test_math.py::MathTest::test_error": "ERROR",
    }
    assert run.exit_code == 1 and run.exit_cause == "tests_failed" and run.consistent
    assert all(toolchain.reported(t, result) for t in run.tests)
    assert not toolchain.reported("tests/test_math.py::MathTest::test_ghost", result)


def test_a_module_unittest_cannot_import_is_a_collection_error_not_a_test(tmp_path):
    (tmp_path / "test_broken.py").write_text("import not_a_module_xyz\n")
    run = toolchains.parser("unittest")(run_unittest(tmp_path, "test_broken.py"), ["test_broken.py"])
    assert run.tests == {} and run.collection_errors
