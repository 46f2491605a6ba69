"""Eval scripts: rendered from the template in SWE-bench's conventions, and refused when they could
report success without running the targeted tests."""

from __future__ import annotations

import pytest

from openswe_data import conventions as C
from openswe_data.build.evalscript import check_eval_script, render_eval_script

PATCH = "diff --git a/tests/test_x.py b/tests/test_x.py\n--- a/tests/test_x.py\n+++ b/tests/test_x.py\n@@ -1 +1,2 @@\n x = 1\n+y = 2\n"


def script() -> str:
    return render_eval_script(PATCH, ["tests/test_x.py", "tests/test_new.py"], ["tests/test_x.py"], ["tests/test_new.py"])


def test_the_rendered_script_follows_swebench_conventions_and_passes_the_check():
    s = script()
    assert s.index("git checkout HEAD -- tests/test_x.py") < s.index("git apply --verbose -") < s.index(C.START_TEST_OUTPUT)
    # files the test patch creates are removed before it is applied: a candidate cannot plant its own
    assert s.index("rm -rf tests/test_new.py") < s.index("git apply --verbose -")
    assert C.APPLY_PATCH_FAIL in s.split(C.START_TEST_OUTPUT)[0]  # a test patch that does not apply stops the run
    assert s.index(C.START_TEST_OUTPUT) < s.index("python -m pytest") < s.index(C.END_TEST_OUTPUT)
    assert s.rstrip().endswith("rm -rf tests/test_new.py")  # and removed again at the end
    assert C.TEST_EXIT_PREFIX in s and C.JUNIT_PATH in s
    assert check_eval_script(s, ["tests/test_x.py", "tests/test_new.py"]) == []


@pytest.mark.parametrize("tamper, complaint", [
    (lambda s: s.replace("$OPENSWE_PYTEST_OPTS tests/test_x.py", "$OPENSWE_PYTEST_OPTS"),
     "tests/test_x.py is not run"),
    (lambda s: s.replace("tests/test_new.py\nopenswe_status", "tests/test_new.py || true\nopenswe_status"), "could hide"),
    (lambda s: s.replace("python -m pytest", "echo PASSED tests/test_x.py::t; true #"), "prints test results"),
    (lambda s: s.replace(f"echo '{C.START_TEST_OUTPUT}'", ""), "exactly once"),
    (lambda s: s.replace(C.TEST_EXIT_PREFIX, "STATUS="), "exit status is not recorded"),
])
def test_a_script_that_could_pass_without_testing_is_refused(tamper, complaint):
    problems = check_eval_script(tamper(script()), ["tests/test_x.py", "tests/test_new.py"])
    assert any(complaint in p for p in problems), problems


def test_a_patch_holding_the_heredoc_terminator_cannot_end_it_early():
    tricky = PATCH.replace("+y = 2\n", "+OPENSWE_TEST_PATCH_EOF\n")
    s = render_eval_script(tricky, ["tests/test_x.py"], ["tests/test_x.py"], [])
    terminator = s.split("git apply --verbose - <<'", 1)[1].split("'", 1)[0]
    assert terminator != "OPENSWE_TEST_PATCH_EOF" and f"\n{terminator}\n" not in tricky


def test_a_recipe_option_of_several_words_reaches_pytest_as_several_arguments():
    import shlex

    from openswe_data import toolchains

    command = toolchains.get("python", "pytest").test_command(["tests/test_a.py"], ["-p no:timeout", "-k 'x or y'"])
    words = shlex.split(command)
    assert words[words.index("-p", words.index("no:randomly") + 1) + 1] == "no:timeout"
    assert "-p no:timeout" not in words
    assert words[words.index("-k") + 1] == "x or y"
