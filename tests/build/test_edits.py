"""An agent's edit of the Dockerfile or eval script: the build contract refuses what would break it, the
layer rule moves a new variable down to the step that needs it, and the eval script round-trips through the
view an agent sees (the test patch as one placeholder line). No Docker: these are checks on text."""

from __future__ import annotations

import pytest

from openswe_data.build.edits import (
    PATCH_PLACEHOLDER, EditRefused, dockerfile_problems, eval_script_view, failed_step, restore_eval_script,
    revise_dockerfile,
)
from openswe_data.build.evalscript import check_eval_script, render_eval_script
from openswe_data.build.evalscript import test_command as targeted_command
from openswe_data.build.recipe import Fix, Recipe


def template_dockerfile(system_packages=()) -> str:
    from openswe_data.build.context import render_dockerfile
    from openswe_data.toolchains.python.facts import SetupFacts

    facts = SetupFacts(requirements=["pytest"], system_packages=list(system_packages), has_c_extension=True)
    return render_dockerfile("openswe-base:py3.11", facts, "", install_project=True)


def step_of(dockerfile: str, prefix: str) -> int:
    from openswe_data.build.edits import instructions

    keys = [i.key for i in instructions(dockerfile) if i.key]
    return next(n for n, k in enumerate(keys, 1) if k.startswith(prefix))


TEST_PATCH = ("diff --git a/tests/test_a.py b/tests/test_a.py\n--- a/tests/test_a.py\n+++ b/tests/test_a.py\n"
              "@@ -1,2 +1,4 @@\n def test_a():\n     assert True\n+def test_b():\n+    assert True\n")


def script() -> str:
    return render_eval_script(TEST_PATCH, ["tests/test_a.py"], ["tests/test_a.py"], [],
                              command=targeted_command(["tests/test_a.py"]))


def test_the_template_dockerfile_keeps_the_contract_an_edit_is_held_to():
    assert dockerfile_problems(template_dockerfile(["libfoo-dev"])) == []


@pytest.mark.parametrize("breakage, expected", [
    (lambda d: d.replace("COPY testbed/ /testbed/", "COPY testbed/ /src/"), "exactly one `COPY testbed/ /testbed/`"),
    (lambda d: d.replace("COPY openswe/eval.sh /eval.sh", "COPY openswe/eval.sh /tmp/eval.sh"), "`COPY openswe/eval.sh /eval.sh`"),
    (lambda d: d.replace("FROM openswe-base:py3.11", "RUN true"), "base image"),
    (lambda d: d.replace("COPY testbed/ /testbed/\n", "").replace("FROM openswe-base:py3.11\n",
                                                                 "FROM openswe-base:py3.11\nCOPY testbed/ /testbed/\n"),
     "above the dependency manifests"),
    (lambda d: d + "RUN git clone https://example.org/r.git /testbed\n", "elsewhere than the snapshot"),
])
def test_an_edit_that_breaks_the_build_contract_is_refused_with_its_reason(breakage, expected):
    current = template_dockerfile()
    with pytest.raises(EditRefused) as refused:
        revise_dockerfile(current, breakage(current), failed=None)
    assert any(expected in p for p in refused.value.problems), refused.value.problems


def test_an_edit_that_changes_nothing_or_has_nothing_to_edit_is_refused():
    current = template_dockerfile()
    with pytest.raises(EditRefused, match="changes no instruction"):
        revise_dockerfile(current, "# only a comment\n" + current, failed=None)
    with pytest.raises(EditRefused, match="nothing to edit"):
        revise_dockerfile("", current, failed=3)


def test_a_variable_added_at_the_top_moves_down_to_the_step_that_failed():
    current = template_dockerfile(["gcc"])
    failed = step_of(current, "RUN git reset --quiet")  # the step that installs the project
    proposed = (current.replace("FROM openswe-base:py3.11\n", "FROM openswe-base:py3.11\nENV SPKG_LIBSODIUM=system\n")
                .replace("install -y --no-install-recommends gcc", "install -y --no-install-recommends gcc libsodium-dev"))
    revision = revise_dockerfile(current, proposed, failed=failed)
    lines = revision.dockerfile.splitlines()
    env_at = lines.index("ENV SPKG_LIBSODIUM=system")
    step_after = next(line for line in lines[env_at + 1:] if not line.startswith("#"))
    assert step_after.startswith("RUN git reset --quiet"), revision.dockerfile
    assert "libsodium-dev" in revision.dockerfile  # the system package stays in its stable layer
    assert revision.rebuild_from == 2 and any("moved `ENV SPKG_LIBSODIUM=system`" in n for n in revision.notes)
    assert dockerfile_problems(revision.dockerfile) == []


def test_after_a_validation_failure_a_new_variable_goes_below_every_built_step_and_only_the_end_rebuilds():
    current = template_dockerfile()
    proposed = current.replace("FROM openswe-base:py3.11\n", "FROM openswe-base:py3.11\nENV PKG_TESTING=1\n")
    revision = revise_dockerfile(current, proposed, failed=None)
    assert revision.dockerfile.rstrip().endswith("ENV PKG_TESTING=1")
    n = len([line for line in revision.dockerfile.splitlines() if line and not line.startswith((" ", "#"))])
    assert revision.rebuild_from == n  # every step above comes from the cache


def test_an_added_run_step_stays_where_the_agent_put_it():
    current = template_dockerfile()
    proposed = current.replace("COPY testbed/ /testbed/\n", "RUN ldconfig\nCOPY testbed/ /testbed/\n")
    revision = revise_dockerfile(current, proposed, failed=None)
    assert "RUN ldconfig\nCOPY testbed/ /testbed/" in revision.dockerfile
    assert not any(n.startswith("moved") for n in revision.notes)


def test_the_failing_step_is_read_from_the_build_log():
    assert failed_step("Step 1/9 : FROM x\n ---> abc\nStep 7/9 : RUN echo boom\nerror") == 7
    assert failed_step("no steps here") is None


def test_the_eval_script_round_trips_through_the_view_an_agent_edits():
    original = script()
    view = eval_script_view(original, TEST_PATCH)
    assert PATCH_PLACEHOLDER in view and "+def test_b():" not in view
    assert restore_eval_script(view, TEST_PATCH) == original
    edited = view.replace("cd /testbed\n", "cd /testbed\nexport PKG_TESTING=1\n")
    restored = restore_eval_script(edited, TEST_PATCH)
    assert check_eval_script(restored, ["tests/test_a.py"], test_patch=TEST_PATCH, junit=True) == []
    with pytest.raises(EditRefused, match="test patch would not be applied"):
        restore_eval_script(view.replace(PATCH_PLACEHOLDER + "\n", ""), TEST_PATCH)


@pytest.mark.parametrize("breakage, expected", [
    (lambda s: s.replace('echo "OPENSWE_TEST_EXIT_CODE=${openswe_status}"', 'echo "OPENSWE_TEST_EXIT_CODE=0"'),
     "hard-coded exit status"),
    (lambda s: s.replace("cd /testbed\n", "cd /tmp\n"), "does not run in /testbed"),
    (lambda s: s.replace("--junitxml=/tmp/openswe-junit.xml", ""), "JUnit report"),
    (lambda s: s.replace(">>>>> Start Test Output", ">>>>> Begin"), "must be echoed exactly once"),
    (lambda s: s.replace("+def test_b():\n", ""), "does not apply the task's test patch"),
])
def test_an_eval_script_edit_that_breaks_the_checks_is_refused(breakage, expected):
    original = script()
    assert check_eval_script(original, ["tests/test_a.py"], test_patch=TEST_PATCH, junit=True) == []
    problems = check_eval_script(breakage(original), ["tests/test_a.py"], test_patch=TEST_PATCH, junit=True)
    assert any(expected in p for p in problems), problems


def test_a_typed_fix_renders_the_template_again_and_memory_keeps_no_edited_file():
    edited = Recipe().with_edit(dockerfile="FROM x\n", eval_script="#!/bin/bash\n", note="both")
    assert edited.key() != Recipe().key() and edited.fixes == ("edit=both",)
    assert edited.with_fix(Fix(add_system_package="libfoo-dev")).dockerfile is None
    assert edited.with_fix(Fix(add_system_package="libfoo-dev")).eval_script == "#!/bin/bash\n"
    assert edited.with_fix(Fix(test_option="-v")).eval_script is None
    assert edited.reusable().key() == Recipe().key()
