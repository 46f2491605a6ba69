"""Cython sources a repository does not commit: which C/C++ files are generated, the command, and where the
image and the eval script run it (the Docker half is the ``cython`` loop fixture)."""

from __future__ import annotations

from pathlib import Path

from openswe_data.build.context import render_dockerfile
from openswe_data.build.evalscript import rebuild_command, render_eval_script
from openswe_data.build.recipe import Fix, Recipe
from openswe_data.repair.rules import diagnose
from openswe_data.toolchains.python import cython
from openswe_data.toolchains.python.facts import SetupFacts

MISSING = "cc1: fatal error: pkg/_fast.c: No such file or directory"


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def test_each_missing_c_file_is_generated_from_its_pyx_and_cpp_ones_with_cplus(tmp_path):
    root = _tree(tmp_path, {
        "setup.py": ("from setuptools import Extension, setup\nsetup(ext_modules=[Extension('pkg._fast', ['pkg/_fast.c']),\n"
                     "    Extension('pkg._vec', ['pkg/_vec.cpp']), Extension('pkg._t', ['tests/_helper.c'])],\n"
                     "    compiler_directives={'language_level': '3'})\n"),
        "pkg/_fast.pyx": 'include "_inc.pyx"\n', "pkg/_inc.pyx": "cdef int one = 1\n",
        "pkg/_vec.pyx": "def f(): pass\n", "pkg/_lang.pyx": "# distutils: language = c++\ndef g(): pass\n",
        "pkg/_done.pyx": "def h(): pass\n", "pkg/_done.c": "/* committed */\n",
        "tests/_helper.pyx": "def t(): pass\n", "docs/example.pyx": "def broken(:\n",
    })
    assert cython.to_generate(root) == [("pkg/_fast.pyx", False), ("pkg/_lang.pyx", True), ("pkg/_vec.pyx", True),
                                        ("tests/_helper.pyx", False)]
    assert cython.pyx_stems(root) >= {"pkg/_fast", "pkg/_inc", "docs/example"}
    command = cython.generate_command(root)
    assert command == ("PYTHONPATH=/openswe/cython${PYTHONPATH:+:$PYTHONPATH} python -m cython -X language_level=3 "
                       "pkg/_fast.pyx tests/_helper.pyx && PYTHONPATH=/openswe/cython${PYTHONPATH:+:$PYTHONPATH} "
                       "python -m cython -X language_level=3 --cplus pkg/_lang.pyx pkg/_vec.pyx")


def test_a_tree_with_every_c_file_committed_generates_nothing(tmp_path):
    root = _tree(tmp_path, {"setup.py": "", "pkg/_a.pyx": "", "pkg/_a.c": ""})
    assert cython.generate_command(root) == "" and cython.language_level(root) == ""


def test_the_rule_fires_only_when_a_pyx_of_the_missing_files_stem_exists():
    fired = diagnose("build", "install_failed", MISSING, {"pyx_stems": {"pkg/_fast"}})
    assert [p.fix.describe() for p in fired][:1] == ["generate_cython=True"]
    for stems in ({"pkg/_other"}, set()):  # a C file simply absent is not Cython's to make
        assert all(p.fix.kind != "generate_cython"
                   for p in diagnose("build", "install_failed", MISSING, {"pyx_stems": stems}))


def test_the_fix_generates_before_the_project_install_with_cython_ours_only_in_a_folder_of_its_own():
    command = "PYTHONPATH=/openswe/cython python -m cython pkg/_fast.pyx"
    text = render_dockerfile("b", SetupFacts(), "", install_project=True, generate_sources=command)
    order = [text.index(s) for s in ("helpers.sh", "--target /openswe/cython Cython", "COPY testbed/",
                                     ">>>>> openswe: generate sources", command, "install project", "-e .", "ls-files --others")]
    assert order == sorted(order)
    assert 'if ! python -c "import Cython"' in text  # the repository's own Cython when it brought one
    dated = render_dockerfile("b", SetupFacts(), "", install_project=True, generate_sources=command,
                              exclude_newer="2021-01-03T00:00:00Z")
    helper = dated[dated.index("--target /openswe/cython") - 200:dated.index("--target /openswe/cython")]
    assert "--exclude-newer 2021-01-03T00:00:00Z" in helper
    assert ">>>>> openswe: generate sources" not in render_dockerfile("b", SetupFacts(), "", install_project=True)


def test_the_eval_script_generates_again_before_it_rebuilds_after_a_patch():
    rebuild = rebuild_command("editable", True, "python -m cython pkg/_fast.pyx")
    assert rebuild.startswith("( python -m cython pkg/_fast.pyx && pip install") and rebuild.endswith("-e . )")
    script = render_eval_script("", ["tests/test_a.py"], ["tests/test_a.py"], [], rebuild=rebuild)
    trigger = script.index("git diff --name-only HEAD")
    assert "pyx" in script[trigger:script.index("\n", trigger)] and script.index(rebuild) > trigger
    assert rebuild_command("editable", True) == rebuild_command("editable", True, "")


def test_the_fix_changes_both_files_and_old_recipe_keys_stay_valid():
    edited = Recipe(dockerfile="FROM x", eval_script="#!/bin/bash")
    fixed = edited.with_fix(Fix(generate_cython=True))
    assert fixed.generate_cython and fixed.dockerfile is None and fixed.eval_script is None
    assert fixed.key() != Recipe().key()
    assert Recipe().key() == _legacy_key()  # the new field at its default leaves recorded keys as they were


def _legacy_key() -> str:
    """A recipe key as it was computed before ``generate_cython`` existed."""
    import hashlib
    import json

    data = {k: v for k, v in Recipe().model_dump(exclude={"fixes"}).items()
            if k not in ("test_command", "dockerfile", "eval_script", "generate_cython")}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]
