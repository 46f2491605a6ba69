"""A series of runs in one container (``runner.run_series``) in real Docker: each run keeps its own output,
exit status, report and time limit, and the series stops at a run that ended abnormally or changed the
checkout, so no run starts from another run's debris."""

from __future__ import annotations

import io
import tarfile

import pytest

from openswe_data import conventions as C
from openswe_data.validate.runner import Limits, run_series

pytestmark = pytest.mark.docker

# Each run counts itself in a file outside the checkout (the container is shared, so the count goes on),
# prints what the candidate patch left in the checkout, and writes a report naming its number.
COUNTING = f"""#!/bin/bash
n=$(( $(cat /tmp/count 2>/dev/null || echo 0) + 1 )); echo $n > /tmp/count
echo "run $n sees $(cat {C.TESTBED}/a.txt)"
echo "<testsuite name=\\"run-$n\\"/>" > {C.JUNIT_PATH}
echo trace-$n >&2
{{ACTION}}
echo "{C.TEST_EXIT_PREFIX}${{status:-1}}"
"""
PATCH = "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-base\n+fixed\n"


def script(action: str = "") -> str:
    return COUNTING.replace("{ACTION}", action)


@pytest.fixture(scope="module")
def checkout_image(docker_client):
    """A base image with a one-commit checkout in /testbed (a few seconds on top of the suite's base)."""
    from openswe_data.build import base_images

    base = base_images.ensure_base_images(["3.11"])["3.11"]
    dockerfile = (f"FROM {base}\nRUN mkdir -p {C.TESTBED} && cd {C.TESTBED} && git init -q && echo base > a.txt"
                  " && git add a.txt && git -c user.name=t -c user.email=t@t commit -qm base\n")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(dockerfile)
        tar.addfile(info, io.BytesIO(dockerfile.encode()))
    tag = "openswe-test/series:checkout"
    docker_client.images.build(fileobj=io.BytesIO(buf.getvalue()), custom_context=True, tag=tag, rm=True,
                               labels={"openswe.kind": "test"})
    yield tag
    docker_client.images.remove(tag, force=True)


def test_each_run_of_a_series_has_its_own_output_status_and_report(checkout_image):
    runs = run_series(checkout_image, 3, patch=PATCH, eval_script=script("status=1"))
    assert [r.stdout.splitlines()[0] for r in runs] == [f"run {n} sees fixed" for n in (1, 2, 3)]
    assert [r.junit for r in runs] == [f'<testsuite name="run-{n}"/>\n' for n in (1, 2, 3)]
    assert [r.exit_code for r in runs] == [0, 0, 0] and not any(r.timed_out or r.oom_killed for r in runs)
    assert all(f"trace-{n}" in r.log and f"trace-{n}" not in r.stdout for n, r in enumerate(runs, 1))
    assert "Applied patch a.txt cleanly" in runs[2].log  # the candidate patch, applied once, heads each log
    assert len({r.container for r in runs}) == 1 and runs[0].container


def test_a_run_that_changes_the_checkout_ends_the_series(checkout_image):
    runs = run_series(checkout_image, 4, eval_script=script(f"status=0; date > {C.TESTBED}/debris-$n"))
    assert len(runs) == 1 and runs[0].stdout.startswith("run 1 sees base")
    assert "the run changed the checkout: the series ends here" in runs[0].log


def test_bytecode_caches_a_run_writes_do_not_end_the_series(checkout_image):
    from openswe_data.toolchains import get

    pyc = f"status=0; mkdir -p {C.TESTBED}/pkg/__pycache__ && date > {C.TESTBED}/pkg/__pycache__/m$n.cpython-311.pyc"
    runs = run_series(checkout_image, 3, eval_script=script(pyc), regenerated=get("python").regenerated)
    assert len(runs) == 3
    assert len(run_series(checkout_image, 3, eval_script=script(pyc))) == 1  # anything else in the checkout does


def test_a_run_that_leaves_processes_running_ends_the_series(checkout_image):
    runs = run_series(checkout_image, 4, eval_script=script("status=0; (sleep 600 &) ; sleep 0.2"))
    assert len(runs) == 1 and runs[0].stdout.startswith("run 1 sees base")
    assert "processes outlived the run: the series ends here" in runs[0].log


def test_a_run_past_its_time_limit_is_timed_out_and_ends_the_series(checkout_image):
    runs = run_series(checkout_image, 4, limits=Limits(timeout=3),
                      eval_script=script('status=0; [ "$n" = 2 ] && sleep 60'))
    assert [r.timed_out for r in runs] == [False, True]
    assert 3 <= runs[1].seconds < 30


def test_a_test_command_killed_by_a_signal_ends_the_series(checkout_image):
    runs = run_series(checkout_image, 4, eval_script=script('status=0; [ "$n" = 1 ] && status=139'))
    assert len(runs) == 1 and f"{C.TEST_EXIT_PREFIX}139" in runs[0].stdout


def test_a_candidate_patch_that_does_not_apply_is_one_failed_run(checkout_image):
    runs = run_series(checkout_image, 3, patch=PATCH.replace("-base", "-other"), eval_script=script())
    assert len(runs) == 1 and runs[0].patch_failed and C.APPLY_PATCH_FAIL in runs[0].log


def test_a_run_the_kernel_killed_for_memory_is_oom_and_ends_the_series(checkout_image):
    eat = 'status=0; [ "$n" = 2 ] && { python -c "b = b\'x\' * (1 << 30)"; status=$?; }'
    runs = run_series(checkout_image, 4, limits=Limits(memory="256m"), eval_script=script(eat))
    assert [r.oom_killed for r in runs] == [False, True]
    assert f"{C.TEST_EXIT_PREFIX}137" in runs[1].stdout
