"""Why an instance is invalid, and whose fault that is: the one table of build and validation reasons.

Every invalid record carries a machine-readable ``reason`` and a ``fault``:

- ``environment``: the image or the way we run the tests is broken (install, import of the package,
  collection, runner errors, timeouts, OOM). Another build recipe might rescue the instance — this is
  what the build loop's diagnosis works on.
- ``task``: the pull request itself does not make a usable task (no test fails before the fix, the gold
  patch fails its own tests, the only changing tests are flaky, patches that do not apply). No recipe
  rescues it.
- ``infrastructure``: our own machinery failed (the engine stopped answering); the instance is redone.

A reason not in the table is reported as ``environment`` (the cautious reading: a task is never called
bad for a cause nobody classified).
"""

from __future__ import annotations

ENVIRONMENT, TASK, INFRASTRUCTURE = "environment", "task", "infrastructure"

REASONS: dict[str, tuple[str, str]] = {
    # build
    "install_failed": (ENVIRONMENT, "the repository's dependencies or the project itself did not install"),
    "build_deps_failed": (ENVIRONMENT, "the project's build requirements did not install"),
    "helper_install_failed": (ENVIRONMENT, "our own test-runner helpers (pytest, pytest-timeout) did not install"),
    "build_failed": (ENVIRONMENT, "the image build failed outside the install steps"),
    "build_timeout": (ENVIRONMENT, "the image build did not finish in time"),
    "base_image_unavailable": (ENVIRONMENT, "no base image for the chosen Python"),
    "eval_script_unsafe": (ENVIRONMENT, "the eval script could pass without running the targeted tests"),
    "dockerfile_unsafe": (ENVIRONMENT, "an edited Dockerfile breaks the build contract (base image, the context "
                                       "copies to /testbed and /eval.sh in stable-first order, no fetched source)"),
    "leak": (ENVIRONMENT, "the image holds commits or objects from after the base commit"),
    "compiled_extension_missing": (ENVIRONMENT, "the project has compiled extensions but the build made none "
                                                "(a silent pure-Python fallback)"),
    "repo_unavailable": (ENVIRONMENT, "the repository could not be mirrored"),
    "base_commit_missing": (TASK, "the base commit is not in the repository"),
    "patch_does_not_apply": (TASK, "the gold or test patch does not apply to the base commit"),
    "no_test_files": (TASK, "the test patch touches no runnable test module"),
    # validation
    "import_error": (ENVIRONMENT, "the targeted test modules fail to import the package or a dependency"),
    "collection_error": (ENVIRONMENT, "the targeted test modules could not be collected with the gold patch"),
    "runner_unavailable": (ENVIRONMENT, "the recipe's test runner has nothing to run here (no test command of the "
                                        "repository's own)"),
    "runner_error": (ENVIRONMENT, "the test runner itself failed (bad option, plugin or internal error)"),
    "no_tests_collected": (ENVIRONMENT, "the test command ran no test"),
    "timeout": (ENVIRONMENT, "a whole test run exceeded its time limit"),
    "oom": (ENVIRONMENT, "a test run was killed for exceeding its memory limit"),
    "crashed": (ENVIRONMENT, "the test process died (a signal, e.g. a segfault in compiled code)"),
    "unreported_test_id": (INFRASTRUCTURE, "a recorded test id was not reported by the runner (a parser bug)"),
    "internal_error": (INFRASTRUCTURE, "our machinery failed (e.g. the engine stopped answering)"),
    "no_fail_to_pass": (TASK, "no targeted test fails before the gold patch and passes after it"),
    "gold_patch_fails": (TASK, "targeted tests still fail with the gold patch"),
    "flaky": (TASK, "the only tests whose status the gold patch changes are flaky across reruns"),
    "not_legitimate": (ENVIRONMENT, "the probe passed without a legitimate test run (tests that did not run, a "
                                    "hard-coded exit status, or FAIL_TO_PASS tests the test patch does not touch)"),
    "gate_failed": (TASK, "a FAIL_TO_PASS test did not fail k of k times without the fix and pass k of k with it"),
}
"""reason -> (fault, what it means)."""


def fault_of(reason: str) -> str:
    """``environment``, ``task`` or ``infrastructure`` for an invalid record's reason; ``""`` for none."""
    if not reason:
        return ""
    return REASONS.get(reason, (ENVIRONMENT, ""))[0]
