"""Every build template renders with the variables its README lists, and fails loudly without one."""

from __future__ import annotations

import pytest

from openswe_data.build.context import render_dockerfile
from openswe_data.build.evalscript import render_eval_script
from openswe_data.toolchains.python.facts import SetupFacts
from openswe_data.errors import RecipeError
from openswe_data import recipes


def test_the_dockerfile_template_orders_layers_from_stable_to_volatile():
    text = render_dockerfile("openswe/base:py3.11", SetupFacts(system_packages=["libyaml-dev"]), "ARG PIP_INDEX_URL",
                             install_project=True)
    order = [text.index(s) for s in ("FROM openswe/base:py3.11", "ARG PIP_INDEX_URL", "apt-get install",
                                     "COPY openswe/build-requirements.txt", "pip install --no-cache-dir --disable-pip-version-check -r",
                                     "COPY testbed/", "-e .", "COPY openswe/eval.sh")]
    assert order == sorted(order)


def test_a_tree_that_is_not_a_package_skips_the_project_install():
    text = render_dockerfile("b", SetupFacts(), "", install_project=False)
    assert "-e ." not in text and "apt-get" not in text


def test_the_eval_template_renders_and_a_missing_variable_fails_loudly():
    assert "python -m pytest" in render_eval_script("", ["tests/test_a.py"], ["tests/test_a.py"], [])
    with pytest.raises(RecipeError, match="test_patch|undefined"):
        recipes.render("builders", "eval.sh.j2", {"testbed": "/testbed"})


def test_a_build_pinned_to_a_date_resolves_the_test_runner_of_that_date_too():
    pinned = render_dockerfile("b", SetupFacts(), "", install_project=True, exclude_newer="2021-01-03T00:00:00Z",
                               runner_packages=("pytest",))
    deps = next(line for line in pinned.splitlines() if "-r /openswe/requirements.txt" in line)
    assert deps.rstrip().endswith("pytest --reinstall-package pytest")  # not the base image's newer pytest
    unpinned = render_dockerfile("b", SetupFacts(), "", install_project=True, runner_packages=("pytest",))
    assert "--reinstall-package" not in unpinned


def test_an_engine_failure_during_a_build_is_infrastructure_not_the_step():
    from openswe_data import conventions as C
    from openswe_data.build.images import failure_reason

    step = [f'Step 8/22 : RUN echo "{C.INSTALL_BUILD_MARK}" && pip install -r /openswe/build-requirements.txt']
    engine = ("failed to create endpoint jovial_wu on network bridge: adding interface veth8a38518 to bridge "
              "docker0 failed: could not find bridge docker0: route ip+net: no such network interface")
    assert failure_reason(engine, step) == "internal_error"
    assert failure_reason("The command '/bin/sh -c pip install' returned a non-zero code: 1", step) == "build_deps_failed"
    # what a daemon stopping under a running step answers (seen in test_daemon_restart's build case)
    restart = "failed to update store for object type *libnetwork.endpoint: open : no such file or directory"
    assert failure_reason(restart, step) == "internal_error"


def test_a_dated_editable_install_builds_the_project_with_the_images_tools():
    pinned = render_dockerfile("b", SetupFacts(), "", install_project=True, exclude_newer="2021-01-03T00:00:00Z")
    project = pinned[pinned.index("install project"):]
    assert "--no-build-isolation" in project and "-e ." in project and "uv pip" not in project.split("COPY")[0]
    regular = render_dockerfile("b", SetupFacts(), "", install_project=True, exclude_newer="2021-01-03T00:00:00Z",
                                install_mode="regular")
    assert "uv pip install" in regular[regular.index("install project"):].split("COPY")[0]


def test_a_pure_python_install_tries_the_images_own_build_tools_before_an_isolated_build():
    from openswe_data import conventions as C

    def install_step(**kwargs) -> str:
        text = render_dockerfile("b", SetupFacts(**kwargs.pop("facts", {})), "", install_project=True, **kwargs)
        return text[text.index("install project"):].split("COPY")[0]

    step = install_step()
    quick, _, isolated = step.partition(C.QUICK_INSTALL_NOTE)
    assert "--no-build-isolation --check-build-dependencies -e ." in " ".join(quick.replace("\\\n", " ").split())
    assert "--no-build-isolation" not in isolated and "-e ." in isolated  # the fallback is the usual install
    assert "--no-build-isolation" in install_step(install_mode="regular").split(C.QUICK_INSTALL_NOTE)[0]
    # compiled code builds as its own build isolation builds it; a dated build and a recipe's own mode keep theirs
    for kwargs in ({"facts": {"has_c_extension": True}}, {"exclude_newer": "2021-01-03T00:00:00Z"},
                   {"install_mode": "no_build_isolation"}):
        assert C.QUICK_INSTALL_NOTE not in install_step(**kwargs) and "--check-build-dependencies" not in install_step(**kwargs)
