"""Focused confirmation runs: the adaptive flake gate's extra runs ran only the FAIL_TO_PASS tests.

The gate's extra runs exist for one question — could a FAIL_TO_PASS test be a coin flip that happened to
fail every time before the fix and pass every time after? — so they need only those tests. Input: a built
``Environment`` and the test ids to confirm. Output: the record's own eval script with the targeted files
in its test command replaced by those ids, or ``None`` when that cannot be done safely: a runner other
than pytest, an eval script whose command is not the record's (an agent rewrote it), an id outside the
targeted files. ``None`` means the extra runs run the whole targeted files, as before.

A focused run whose side with the fix does not report every id (a parametrised id the command line cannot
select, a repository command that runs from another folder) is set aside by the caller and the remaining
runs are full ones, so focusing can cost a run, never a verdict. PASS_TO_PASS tests keep the full runs'
evidence (``ValidateOptions.runs_per_side`` runs a side); each record's ``runs`` says which runs were
focused, and ``test_stability`` counts each test out of the runs that ran it.
"""

from __future__ import annotations

import shlex

from openswe_data.records import Environment


def focused_script(env: Environment, test_ids: list[str]) -> str | None:
    """``env``'s eval script running only ``test_ids`` (pytest node ids), or ``None`` (see the module)."""
    if (env.log_parser or "pytest") != "pytest" or not (env.eval_script and env.test_command and env.test_files):
        return None
    files = " ".join(shlex.quote(f) for f in env.test_files)
    if not test_ids or any(t.split("::", 1)[0] not in env.test_files for t in test_ids):
        return None
    lines = env.eval_script.split("\n")
    at = [i for i, line in enumerate(lines) if line.strip() == env.test_command.strip()]
    if env.test_command.count(files) != 1 or len(at) != 1:
        return None  # the command is not a line of its own once (an agent's script) or names its files twice
    lines[at[0]] = lines[at[0]].replace(files, " ".join(shlex.quote(t) for t in sorted(test_ids)))
    return "\n".join(lines)
