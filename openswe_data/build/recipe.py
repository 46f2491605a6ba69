"""Recipes and fixes: what the closed loop may change about how one instance is built and tested.

A ``Recipe`` is the overlay on the setup facts that one attempt builds with (empty: the heuristic build). A
``Fix`` is one change from a small, typed vocabulary — the only things a diagnosis rule (or, later, an
agent) can ask for. Keeping the vocabulary small and typed is what makes every attempt reproducible, every
rule testable and a validated recipe reusable for the next instance of the same repository.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

InstallMode = Literal["editable", "regular", "no_build_isolation", "source"]


class Fix(BaseModel):
    """Exactly one change. Requirement strings are PEP 508 (``name>=1``); names compare canonically."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    add_system_package: str | None = None
    """A Debian package (a compiler, a ``-dev`` header package, a tool the tests call)."""
    add_requirement: str | None = None
    """A Python requirement the tests need and no manifest lists."""
    drop_requirement: str | None = None
    """A requirement (by name) that cannot be installed and the tests do not need."""
    pin_requirement: str | None = None
    """A requirement with a version constraint replacing any listed one (``pytest<8``)."""
    install_extra: str | None = None
    """An optional-dependency extra or PEP 735 dependency group whose requirements the tests import."""
    install_mode: InstallMode | None = None
    """How the project itself is installed: ``editable`` (default), ``regular``, ``no_build_isolation``
    (legacy ``setup.py`` projects whose build needs what is installed), ``source`` (not installed at all:
    run from the checkout with ``PYTHONPATH``, for a backend that cannot build here)."""
    pin_build_date: bool | None = None
    """Resolve every requirement, build requirements included, as of the pull request's date."""
    python: str | None = None
    """A Python version (``3.9``), ``older`` / ``newer`` than the one that failed, ``<3.9``: the newest
    suite Python below 3.9 (one that still has what 3.9 removed), when it is older than the one that failed,
    or ``>=3.13``: the oldest suite Python from 3.13 on (tests skipped below it), when it is newer than the one
    that failed."""
    test_option: str | None = None
    """An option added to the test command (``-p no:warnings``)."""
    rebuild_compiled: bool | None = None
    """Rebuild compiled extensions in the eval script after the patches are applied."""
    generate_cython: bool | None = None
    """Generate the C/C++ files the build compiles from the checkout's Cython ``.pyx`` sources (the repository
    does not commit them) before the project install, and again in the eval script after a patch touches
    compiled sources; Cython is the repository's own, else ours (never co-resolved with its pins)."""
    runner: str | None = None
    """Switch the test runner (``pytest``, ``unittest``)."""
    test_command: str | None = None
    """The test command as the project runs it, around ours: ``{command}`` is our targeted command (results
    file, options, the test files), e.g. ``PKG_TESTING=1 {command}``; the eval script's checks still apply."""

    @model_validator(mode="after")
    def _exactly_one(self) -> Fix:
        set_fields = [k for k, v in self.model_dump().items() if v is not None]
        if len(set_fields) != 1:
            raise ValueError(f"a fix changes exactly one thing, this one sets {set_fields or 'nothing'}")
        return self

    @property
    def kind(self) -> str:
        return next(k for k, v in self.model_dump().items() if v is not None)

    @property
    def value(self) -> object:
        return getattr(self, self.kind)

    def describe(self) -> str:
        return f"{self.kind}={self.value}"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(req: str) -> str:
    m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", req)
    return canonical(m.group(1)) if m else ""


class Recipe(BaseModel):
    """The overlay one attempt builds with; ``Recipe()`` is the heuristic build."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    python: str | None = None
    system_packages: tuple[str, ...] = ()
    add_requirements: tuple[str, ...] = ()
    drop_requirements: tuple[str, ...] = ()
    extras: tuple[str, ...] = ()
    install_mode: InstallMode = "editable"
    pin_build_date: bool = False
    test_options: tuple[str, ...] = ()
    rebuild_compiled: bool = False
    generate_cython: bool = False
    runner: str = "pytest"
    test_command: str | None = None
    dockerfile: str | None = None
    """A whole Dockerfile an agent wrote (``build/edits.py``: contract-checked, in layer order) built instead
    of the template's; a typed fix of what the Dockerfile installs renders the template again."""
    eval_script: str | None = None
    """A whole eval script an agent wrote (checked like ours); a typed fix of how tests run drops it."""
    fixes: tuple[str, ...] = ()
    """The fixes applied so far, in order (what the attempt records say)."""

    def key(self) -> str:
        """A short hash of everything but the history: two recipes with the same key build the same."""
        # the fields added after recipes were first recorded are left out while unset: recorded keys stay valid
        data = {k: v for k, v in self.model_dump(exclude={"fixes"}).items()
                if not (k in LATER_FIELDS and v == LATER_FIELDS[k])}
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]

    def with_fix(self, fix: Fix, *, failed_python: str = "", pythons: tuple[str, ...] = ()) -> Recipe:
        """This recipe with ``fix`` applied; ``failed_python`` and ``pythons`` resolve ``older``/``newer``."""
        changes: dict[str, object] = {"fixes": (*self.fixes, fix.describe())}
        k, v = fix.kind, fix.value
        if k in DOCKERFILE_KINDS:  # the template renders the change: an edited file would hide it
            changes["dockerfile"] = None
        if k in EVAL_SCRIPT_KINDS or k in ("install_mode", "generate_cython"):  # (a source install puts the
            # checkout on PYTHONPATH; generated sources are generated again before the eval script's rebuild)
            changes["eval_script"] = None
        if k == "add_system_package":
            changes["system_packages"] = _plus(self.system_packages, str(v))
        elif k == "add_requirement":
            changes["add_requirements"] = _plus(self.add_requirements, str(v))
        elif k == "drop_requirement":
            changes["drop_requirements"] = _plus(self.drop_requirements, requirement_name(str(v)))
            changes["add_requirements"] = tuple(r for r in self.add_requirements
                                                if requirement_name(r) != requirement_name(str(v)))
        elif k == "pin_requirement":
            name = requirement_name(str(v))
            changes["drop_requirements"] = _plus(self.drop_requirements, name)
            changes["add_requirements"] = _plus(tuple(r for r in self.add_requirements if requirement_name(r) != name),
                                                str(v))
        elif k == "install_extra":
            changes["extras"] = _plus(self.extras, str(v))
        elif k == "install_mode":
            changes["install_mode"] = v
        elif k == "pin_build_date":
            changes["pin_build_date"] = bool(v)
        elif k == "python":
            changes["python"] = _python(str(v), failed_python, pythons)
        elif k == "test_option":
            changes["test_options"] = _plus(self.test_options, str(v))
        elif k == "rebuild_compiled":
            changes["rebuild_compiled"] = bool(v)
        elif k == "generate_cython":
            changes["generate_cython"] = bool(v)
        elif k == "runner":
            changes["runner"] = str(v)
        elif k == "test_command":
            changes["test_command"] = str(v)
        return self.model_copy(update=changes)

    def with_edit(self, *, dockerfile: str | None = None, eval_script: str | None = None, note: str) -> Recipe:
        """This recipe building with an agent's edited Dockerfile and/or eval script (``note``: what for)."""
        changes: dict[str, object] = {"fixes": (*self.fixes, f"edit={note}")}
        if dockerfile is not None:
            changes["dockerfile"] = dockerfile
        if eval_script is not None:
            changes["eval_script"] = eval_script
        return self.model_copy(update=changes)

    def reusable(self) -> Recipe:
        """What repository memory keeps: without edited files (they name this instance's base image, version,
        test patch and test files; the next instance gets them from its own template)."""
        return self.model_copy(update={"dockerfile": None, "eval_script": None})

    def wrap_command(self, command: str) -> str:
        """Our targeted ``command`` inside this recipe's ``test_command`` (unchanged when it has none)."""
        if not self.test_command:
            return command
        wrapped = self.test_command.replace("{command}", command)
        return wrapped if wrapped != self.test_command else f"{self.test_command} {command}"

    def apply_to_requirements(self, requirements: list[str]) -> list[str]:
        """The manifest's requirements with this recipe's drops and additions."""
        dropped = set(self.drop_requirements)
        out = [r for r in requirements if requirement_name(r) not in dropped]
        return out + [r for r in self.add_requirements if r not in out]


LATER_FIELDS: dict[str, object] = {"test_command": None, "dockerfile": None, "eval_script": None,
                                   "generate_cython": False}
"""Fields added after recipes were first recorded, with their defaults: left out of a key while at them."""
DOCKERFILE_KINDS = ("add_system_package", "add_requirement", "drop_requirement", "pin_requirement", "install_extra",
                    "install_mode", "pin_build_date", "python", "generate_cython")
"""The fixes that change what the image installs and from which base (what the Dockerfile template renders)."""
EVAL_SCRIPT_KINDS = ("test_option", "runner", "rebuild_compiled", "test_command")
"""The fixes that change how the targeted tests are run (what the eval-script template renders)."""


def _plus(items: tuple[str, ...], item: str) -> tuple[str, ...]:
    return items if item in items else (*items, item)


def _python(value: str, failed: str, pythons: tuple[str, ...]) -> str | None:
    """``older``/``newer``: the nearest base version below/above ``failed``; ``<X``: the newest base version
    below ``X`` when it is below ``failed`` too; ``>=X``: the oldest base version from ``X`` on when it is
    above ``failed`` too (``None``: the suite has none); a version stands as it is."""
    from openswe_data.toolchains.python.facts import version_key

    if value.startswith(("<", ">=")):
        try:
            # a ``sys.version_info`` tuple's spelling (``3, 13``, from a skip condition) reads as 3.13
            bound = version_key(value.lstrip("<>=").replace(" ", "").replace(",", "."))
            down = value.startswith("<")  # the newest below the bound, or the oldest from it on
            inside = [v for v in pythons if (version_key(v) < bound) == down]
            pick = (max if down else min)(inside, key=version_key, default=None)
            if pick is None or not failed:
                return pick
            older, newer = version_key(pick) < version_key(failed), version_key(pick) > version_key(failed)
            return pick if (older if down else newer) else None  # beyond the one that failed, or nothing
        except ValueError:
            return None
    if value not in ("older", "newer"):
        return value
    ordered = sorted(pythons, key=version_key)
    if failed not in ordered:
        return None
    i = ordered.index(failed) + (-1 if value == "older" else 1)
    return ordered[i] if 0 <= i < len(ordered) else None
