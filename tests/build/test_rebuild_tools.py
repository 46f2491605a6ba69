"""The eval script's rebuild of compiled code builds with the tools the image's isolated install used, not
with the environment's own (older) ones: found on wrapt, whose PEP 639 license string the base image's
setuptools refused, so the gold fix in C was never compiled and the test still crashed."""

from __future__ import annotations

from openswe_data.build.context import render_dockerfile
from openswe_data.build.evalscript import BUILD_TOOLS_DIR, isolated_install, rebuild_command
from openswe_data.toolchains.python.facts import SetupFacts


def test_the_rebuild_puts_the_isolated_builds_tools_first_on_the_path_only_when_asked():
    plain = rebuild_command("editable", True)
    tooled = rebuild_command("editable", True, build_tools=True)
    assert BUILD_TOOLS_DIR not in plain
    assert tooled == f"PYTHONPATH={BUILD_TOOLS_DIR}${{PYTHONPATH:+:$PYTHONPATH}} {plain}"
    generated = rebuild_command("regular", True, "python -m cython a.pyx", build_tools=True)
    assert generated.startswith("( python -m cython a.pyx && PYTHONPATH=") and generated.endswith(" . )")
    # a checkout run from source was never installed: nothing to match
    assert BUILD_TOOLS_DIR not in rebuild_command("source", True, build_tools=True)


def test_only_an_isolated_install_needs_them():
    assert isolated_install("editable", True, dated=False, pyproject=True)
    assert isolated_install("regular", True, dated=True, pyproject=False)  # uv always builds in isolation
    # a dated editable install builds without isolation; pip installs a tree without pyproject.toml the
    # legacy way, with the environment's setuptools (today's would shell out to pip, online, from develop)
    assert not isolated_install("editable", True, dated=True, pyproject=True)
    assert not isolated_install("editable", True, dated=False, pyproject=False)
    assert not isolated_install("no_build_isolation", True, dated=False, pyproject=True)
    assert not isolated_install("source", True, dated=False, pyproject=True)
    assert not isolated_install("editable", False, dated=False, pyproject=True)


def test_the_image_keeps_the_build_requirements_in_a_folder_of_their_own_before_the_source():
    facts = SetupFacts(build_requires=["setuptools>=62", "wheel"])
    text = render_dockerfile("b", facts, "", install_project=True, build_tools=True)
    step = f"--target {BUILD_TOOLS_DIR} -r /openswe/build-requirements.txt"
    assert step in text and text.index(step) < text.index("COPY testbed/") < text.index("-e .")
    assert BUILD_TOOLS_DIR not in render_dockerfile("b", facts, "", install_project=True)
    dated = render_dockerfile("b", facts, "", install_project=True, install_mode="regular", build_tools=True,
                              exclude_newer="2021-01-03T00:00:00Z")
    line = dated[dated.index(step) - 250:dated.index(step)]
    assert "--exclude-newer 2021-01-03T00:00:00Z" in line  # resolved as of the same date as the install
