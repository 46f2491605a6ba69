"""Build contexts: the files an environment image is built from, and the hash that names the image.

Input: a snapshot of the repository, setup facts, the base image and the eval script. Output: a folder
with ``Dockerfile``, ``testbed/`` (the snapshot, with its one-commit history), ``openswe/requirements.txt``,
``openswe/build-requirements.txt``, ``openswe/eval.sh`` and the CA bundle when configured — plus a content
hash over all of it. Same inputs, same hash, same image: a rebuild is a cache hit, not a build.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from openswe_data import conventions as C
from openswe_data import recipes
from openswe_data.toolchains.python.facts import HELPER_BUILD_REQUIRES, SetupFacts
from openswe_data.build.network import build_network_args, network_dockerfile_lines
from openswe_data.settings import Settings

TEMPLATE = "Dockerfile.j2"
HELPERS = "helpers.sh"
"""Installs our own test-runner helpers (pytest when missing, pytest-timeout) in a step of their own."""


HEAD_DIR = "openswe/head"
"""Where the context keeps the Dockerfile's shared head alone (``build/images.py`` builds it first)."""


@dataclass
class Context:
    path: Path
    dockerfile: str
    buildargs: dict[str, str]
    content_hash: str
    head_key: str = ""
    """Identifies the Dockerfile's head — ``FROM`` and the network lines, the same for every image on one
    base — built alone from ``HEAD_DIR`` before the whole; empty when the Dockerfile does not start with it."""


def render_dockerfile(base_image: str, facts: SetupFacts, network_lines: str, *, install_project: bool,
                      exclude_newer: str = "", template: str = TEMPLATE, install_mode: str = "editable",
                      scm_version: str = "", runner_packages: tuple[str, ...] = (), generate_sources: str = "",
                      build_tools: bool = False) -> str:
    """``generate_sources``: the command generating the C/C++ files the build compiles (``""``: none);
    ``build_tools``: keep the build requirements, resolved as an isolated build resolves them, in a folder of
    their own for the eval script's rebuild (``evalscript.rebuild_command``)."""
    from openswe_data.build.evalscript import BUILD_TOOLS_DIR
    from openswe_data.toolchains.python.cython import HELPER_DIR

    return recipes.render("builders", template, {
        "build_tools_dir": BUILD_TOOLS_DIR if build_tools else "",
        "generate_sources": generate_sources,
        "generate_sources_mark": C.GENERATE_SOURCES_MARK,
        "cython_dir": HELPER_DIR,
        "runner_packages": list(runner_packages),
        "install_mode": install_mode,
        "scm_version": scm_version,
        "verbose_install": facts.has_c_extension,
        "quick_install": install_mode in ("editable", "regular") and not exclude_newer and not facts.has_c_extension,
        "quick_install_note": C.QUICK_INSTALL_NOTE,
        "base_image": base_image,
        "network_lines": network_lines,
        "system_packages": facts.system_packages,
        "install_project": install_project,
        "exclude_newer": exclude_newer,
        "install_build_mark": C.INSTALL_BUILD_MARK,
        "install_deps_mark": C.INSTALL_DEPS_MARK,
        "install_helpers_mark": C.INSTALL_HELPERS_MARK,
        "install_project_mark": C.INSTALL_PROJECT_MARK,
        "testbed": C.TESTBED,
        "eval_script_path": C.EVAL_SCRIPT_PATH,
    })


def installable(root: Path) -> bool:
    """Whether pip can install the tree as a package (else tests run from the source folder).

    pip needs a ``setup.py`` or a ``pyproject.toml``; a ``setup.cfg`` alone (often just tool settings, such
    as ``[tool:pytest]`` or ``[flake8]``) is not a project pip will install.
    """
    if (root / "setup.py").is_file():
        return True
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return False
    text = pyproject.read_text(errors="replace")
    return "[build-system]" in text or "[project]" in text


def hash_tree(root: Path) -> str:
    """A content hash of every file under ``root`` (paths, modes and bytes), independent of mtimes.

    ``.git`` folders are skipped: their index holds timestamps; the snapshot's commit sha stands for them.
    """
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        for name in sorted(filenames):
            p = Path(dirpath) / name
            rel = p.relative_to(root).as_posix()
            h.update(rel.encode() + b"\0")
            if p.is_symlink():
                h.update(b"L" + os.readlink(p).encode())
            else:
                h.update(b"X" if os.access(p, os.X_OK) else b"F")
                h.update(p.read_bytes())
            h.update(b"\0")
    return h.hexdigest()


def assemble(dest: Path, *, base_image: str, base_image_id: str, snapshot_sha: str, facts: SetupFacts,
             eval_script: str, settings: Settings | None = None, dockerfile: str | None = None,
             exclude_newer: str = "", install_mode: str = "editable", scm_version: str = "",
             runner_packages: tuple[str, ...] = (), generate_sources: str = "", build_tools: bool = False) -> Context:
    """Write the context files next to the snapshot already in ``dest/testbed`` and hash everything.

    ``dockerfile`` overrides the template (the repair seam: an agent may supply its own);
    ``exclude_newer`` (an RFC 3339 time) resolves dependencies as of that moment, and the test runner's
    ``runner_packages`` with them; ``generate_sources`` runs before the project install.
    """
    buildargs, files = build_network_args(settings)
    meta = dest / "openswe"
    meta.mkdir(parents=True, exist_ok=True)
    (meta / "requirements.txt").write_text("\n".join(facts.requirements) + "\n")
    build_requires = facts.build_requires
    if exclude_newer:  # our helpers' version floors are today's: as of the PR's date they only block the pin
        build_requires = [r.split(">=")[0] if r in HELPER_BUILD_REQUIRES else r for r in build_requires]
    (meta / "build-requirements.txt").write_text("\n".join(build_requires) + "\n")
    (meta / "eval.sh").write_text(eval_script)
    (meta / "helpers.sh").write_text(recipes.read("builders", HELPERS))
    for name, data in files.items():
        (dest / name).write_bytes(data)
    text = dockerfile or render_dockerfile(base_image, facts, network_dockerfile_lines(files),
                                           install_project=installable(dest / "testbed"), exclude_newer=exclude_newer,
                                           install_mode=install_mode, scm_version=scm_version,
                                           runner_packages=runner_packages, generate_sources=generate_sources,
                                           build_tools=build_tools)
    (dest / "Dockerfile").write_text(text)
    head = f"FROM {base_image}\n{network_dockerfile_lines(files)}\n"
    head_key = ""
    if re.sub(r"\A(?:[ \t]*(?:#[^\n]*)?\n)*", "", text).startswith(head):  # past the leading comments
        (dest / HEAD_DIR).mkdir(parents=True, exist_ok=True)
        (dest / HEAD_DIR / "Dockerfile").write_text(head)
        for name, data in files.items():
            (dest / HEAD_DIR / name).write_bytes(data)
        head_key = hashlib.sha256(repr((base_image_id, head, sorted(files.items()), sorted(buildargs.items())))
                                  .encode()).hexdigest()
    h = hashlib.sha256()
    h.update(base_image_id.encode())
    h.update(snapshot_sha.encode())
    h.update(hash_tree(dest).encode())
    h.update(repr(sorted(buildargs.items())).encode())
    return Context(path=dest, dockerfile=text, buildargs=buildargs, content_hash=h.hexdigest(), head_key=head_key)
