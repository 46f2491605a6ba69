"""Edits of the two build files by an agent: the Dockerfile's contract, its layer rule, and the eval script's view.

Input: the Dockerfile (or eval script) an attempt built with and the whole new file an agent proposes.
Output: the file to build with, or an :class:`EditRefused` naming every problem (the attempt records them).

Why whole files rather than diffs: a model reproduces a 40-line file reliably and a unified diff's hunk
headers unreliably; the result is checked in full either way. The eval script is shown with its test patch
replaced by one placeholder line (the patch is the task's, never the agent's to write, and the largest part
of the file); the placeholder must come back exactly once and the patch is put back in its place.

The Dockerfile contract is the build's own (``dockerfile_problems``, also run by the build on any Dockerfile
that is not the template's): a base image, the context copies (``COPY testbed/ /testbed/``, the eval script
at ``/eval.sh``) in the template's stable-first order. The eval script goes through
``evalscript.check_eval_script`` like every other script.

The layer rule (``revise_dockerfile``): an ``ENV`` line the edit *adds* above the step that failed (or,
when the image built and the tests failed, anywhere) is moved down to just before that step (to the end).
The layers above it were built without the variable and worked: they keep their cached image, and only
the failing step and what follows rebuild. This is a reorder, not a refusal: it changes nothing a step
already shown to work depends on, and a refusal would pay for another call to say the same thing. Other
added lines (``RUN``, ``COPY``) stay where the agent put them (their effect on the file system cannot be
moved safely); the revision records from which step it rebuilds. An edit that moves the context copies out
of the template's order — the source or the eval script above the dependency install — is refused: every
instance of the repository would then rebuild its dependencies.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from openswe_data import conventions as C
from openswe_data.errors import BuildError

MANIFESTS = "COPY openswe/build-requirements.txt"
SOURCE = f"COPY testbed/ {C.TESTBED}/"
EVAL = f"COPY openswe/eval.sh {C.EVAL_SCRIPT_PATH}"
PATCH_PLACEHOLDER = "# OPENSWE: the test patch goes here, unchanged (keep this line exactly once)"
_STEP = re.compile(r"^Step (\d+)/(\d+) :", re.M)


class EditRefused(BuildError):
    reason = "edit_refused"

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class Instruction:
    """One Dockerfile instruction (continuation lines joined) with the comment lines above it."""

    lines: list[str]
    key: str = field(init=False)
    """The instruction's words, whitespace-normalised: what two versions of a file are compared on."""

    def __post_init__(self) -> None:
        body = [line.rstrip().removesuffix("\\") for line in self.lines if not line.lstrip().startswith("#")]
        self.key = " ".join(" ".join(body).split())

    @property
    def word(self) -> str:
        return self.key.split(" ", 1)[0].upper() if self.key else ""


def instructions(text: str) -> list[Instruction]:
    out: list[Instruction] = []
    pending: list[str] = []
    continued = False
    for line in text.splitlines():
        if continued:
            pending.append(line)
            continued = line.rstrip().endswith("\\")
            if not continued:
                out.append(Instruction(pending))
                pending = []
            continue
        pending.append(line)
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        continued = line.rstrip().endswith("\\")
        if not continued:
            out.append(Instruction(pending))
            pending = []
    if pending and any(line.strip() for line in pending):
        out.append(Instruction(pending))
    return out


def render(items: list[Instruction]) -> str:
    return "\n".join(line for item in items for line in item.lines).rstrip("\n") + "\n"


def dockerfile_problems(text: str) -> list[str]:
    """What a Dockerfile breaks of the build contract: a base image first, the source copied to /testbed
    with its history, the eval script where graders run it, in the template's stable-first order."""
    items = [i for i in instructions(text) if i.key]
    keys = [i.key for i in items]
    problems: list[str] = []
    if not items or items[0].word not in ("FROM", "ARG"):
        problems.append("the Dockerfile does not start from a base image (`FROM ...`)")
    at: dict[str, int] = {}
    for line in (SOURCE, EVAL):
        hits = [n for n, key in enumerate(keys) if key == line]
        if len(hits) != 1:
            problems.append(f"the Dockerfile must have exactly one `{line}` line, found {len(hits)}")
        else:
            at[line] = hits[0]
    manifests = [n for n, key in enumerate(keys) if key.startswith(MANIFESTS)]
    if SOURCE in at and manifests and manifests[0] > at[SOURCE]:
        problems.append("the source is copied above the dependency manifests: every instance would rebuild "
                        "its dependencies (stable layers first)")
    if SOURCE in at and EVAL in at and at[EVAL] < at[SOURCE]:
        problems.append("the eval script is copied above the source (it is the last, per-instance layer)")
    for item in items:
        fetches = re.search(r"\bgit\s+(clone|fetch|pull)\b", item.key)
        overwrites = item.key != SOURCE and re.match(rf"(COPY|ADD)\b.*\s{C.TESTBED}(/|\s|$)", item.key)
        if fetches or overwrites:  # the history audit would catch a leak; this refuses it before a build
            problems.append(f"`{item.key[:80]}` writes the repository from elsewhere than the snapshot")
    return problems


def failed_step(build_log: str) -> int | None:
    """The 1-based step a failed image build stopped at (its last ``Step N/M``), ``None`` when unknown."""
    steps = _STEP.findall(build_log)
    return int(steps[-1][0]) if steps else None


@dataclass
class Revision:
    dockerfile: str
    notes: list[str]
    rebuild_from: int
    """The first step (1-based) whose layer the revision changes: the steps above it come from the cache."""


def revise_dockerfile(current: str, proposed: str, *, failed: int | None) -> Revision:
    """``proposed`` checked and put in layer order (see the module docstring); ``failed`` is the 1-based
    step that failed (``None``: the image built and the tests failed)."""
    if not current.strip():
        raise EditRefused(["the build failed before its Dockerfile was written: there is nothing to edit"])
    problems = dockerfile_problems(proposed)
    if problems:
        raise EditRefused(problems)
    old = [i for i in instructions(current) if i.key]
    new = instructions(proposed)
    if [i.key for i in old] == [i.key for i in new if i.key]:
        raise EditRefused(["the edit changes no instruction"])
    boundary = len(old) if failed is None else min(max(failed - 1, 0), len(old))
    keyed = [i for i in new if i.key]
    ops = difflib.SequenceMatcher(a=[i.key for i in old], b=[i.key for i in keyed], autojunk=False).get_opcodes()
    moved: list[Instruction] = []
    out: list[Instruction] = []
    notes: list[str] = []
    known = {i.key for i in old}
    for tag, i1, i2, j1, j2 in ops:
        items = keyed[j1:j2]
        if tag != "equal" and i1 < boundary and i2 <= boundary:  # a new ENV line above the boundary: down to it
            late = [x for x in items if x.word == "ENV" and x.key not in known]
            notes += [f"moved `{x.key[:60]}` from above step {i1 + 1} to above step {boundary + 1}: the steps "
                      "between were built without it" for x in late]
            moved += late
            items = [x for x in items if x not in late]
        if moved and tag == "equal" and i1 < boundary < i2:  # the boundary falls inside unchanged lines
            cut = boundary - i1
            out += items[:cut] + moved + items[cut:]
            moved = []
            continue
        if moved and (i1 >= boundary or i2 > boundary):  # the first block at or past the boundary
            out += moved
            moved = []
        out += items
    out += moved
    final = render(out)
    first = next((n for n, (a, b) in enumerate(zip([i.key for i in old], [i.key for i in out])) if a != b),
                 min(len(old), len(out)))
    notes.append(f"rebuilds from step {first + 1} of {len(out)}")
    return Revision(final, notes, first + 1)


def eval_script_view(script: str, test_patch: str) -> str:
    """The eval script as an agent sees it: the test patch replaced by the placeholder line."""
    body = test_patch.rstrip("\n")
    return script.replace(body, PATCH_PLACEHOLDER, 1) if body and body in script else script


def restore_eval_script(edited: str, test_patch: str) -> str:
    """An agent's eval script with the test patch put back where its placeholder is."""
    count = edited.count(PATCH_PLACEHOLDER)
    if test_patch.strip() and count != 1:
        raise EditRefused([f"the placeholder line for the test patch must appear exactly once, found {count}: "
                           "the test patch would not be applied"])
    text = edited.replace(PATCH_PLACEHOLDER, test_patch.rstrip("\n"))
    return text if text.endswith("\n") else text + "\n"
