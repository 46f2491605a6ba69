"""Is a passing instance legitimate? The free, deterministic half of the legitimacy review.

Input: the task, the environment and the validation probe that passed. Output: the problems found (none:
legitimate). A pass is only worth something when the targeted tests really ran on both sides, the recorded
exit status comes from the test run (a script that prints ``0`` after failing tests has a hard-coded exit
status), and the FAIL_TO_PASS tests are the ones the pull request's test patch touched. The model's half
(the test-analysis agent's review) runs after these pass; both run on every instance the agent tier passes.
"""

from __future__ import annotations

from openswe_data.records import Environment, Task, Validation

BAD = ("FAILED", "ERROR")


def _file(test_id: str) -> str:
    return test_id.split("::", 1)[0]


def problems(task: Task, env: Environment, validation: Validation) -> list[str]:
    """What makes ``validation``'s pass illegitimate; ``[]`` when nothing does."""
    from openswe_data.toolchains.python.targets import touched_paths

    found: list[str] = []
    before, after = dict(validation.tests_before or {}), dict(validation.tests_after or {})
    if not before or not after:
        found.append("the targeted tests did not run on both sides (no per-test results before or after the fix)")
    if any(s in BAD for s in before.values()) and validation.exit_before == 0:
        failing = sorted(t for t, s in before.items() if s in BAD)[:3]
        found.append(f"the recorded exit status is 0 although {failing} failed without the fix: "
                     "the exit status does not come from the test run")
    touched = set(touched_paths(task.test_patch)) | set(env.test_files)
    foreign = [t for t in validation.FAIL_TO_PASS if _file(t) not in touched
               and not any(_file(t).endswith(p) or p.endswith(_file(t)) for p in touched)]
    if foreign:
        found.append(f"FAIL_TO_PASS tests outside the files the test patch touches: {foreign[:3]}")
    return found
