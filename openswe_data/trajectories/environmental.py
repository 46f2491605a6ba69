"""A validated record -> an environmentally-native trajectory: the change replayed in its image, for real.

Input: a ``ValidatedRecord`` (its image, test patch, test command), the change to replay (the gold
``patch``, or a graded attempt's patch) and an ``Environment`` (``sample.environment.DockerEnvironment``:
one container of the image, no network, each command its own ``docker exec``). Output: the messages.

The gold replay does what an agent would, and every observation is the output of the command it names,
run in the container: ``view`` is ``cat -n``, ``search`` is ``grep -rn``, ``str_replace`` / ``create`` run
a small editor (``editor.py``, copied in) on the file in ``/testbed``, ``bash`` is the command. Order:
look at the files the fix touches -> write the tests (the test patch as edits) -> run the test command and
see them fail -> make the fix -> run it again and see them pass -> submit (``git diff``).

An attempt replay shows the attempt's own edits and its ``git diff`` only: running the hidden tests
would write the label into the trajectory a verifier is trained to predict. An edit the editor cannot
make (its context is not unique) falls back to ``git apply`` of that file's block, shown as that command.
"""

from __future__ import annotations

import base64
import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openswe_data import conventions as C
from openswe_data.trajectories.contextual import render
from openswe_data.trajectories.edits import Edit, diff_edits, touched_paths
from openswe_data.trajectories.tools import Conversation

EDITOR = "/tmp/openswe-editor.py"
ARGS = "/tmp/openswe-editor-args.json"
CHUNK = 60_000
"""Bytes of base64 per command when copying a file in (one argument stays far below the kernel's limit)."""
COMMAND_TIMEOUT = 300.0
OUTPUT_LIMIT = 20_000


@dataclass
class Replay:
    messages: list[dict[str, Any]] = field(default_factory=list)
    exit_before: int | None = None
    """The test command's exit status before the fix (gold replays only)."""
    exit_after: int | None = None
    log_before: str = ""
    log_after: str = ""


class Shell:
    """Runs tool calls in an ``Environment`` and records each with its real output."""

    def __init__(self, env: Any, conv: Conversation) -> None:
        self.env, self.conv = env, conv

    def run(self, command: str) -> tuple[str, int]:
        from openswe_data.sample.environment import cut_output

        out = self.env.execute(command, timeout=COMMAND_TIMEOUT)
        text, _ = cut_output(out.output, OUTPUT_LIMIT)
        return text, out.returncode

    def write(self, path: str, data: bytes) -> None:
        encoded = base64.b64encode(data).decode()
        self.run(f": > {path}.b64")
        for i in range(0, len(encoded), CHUNK):
            self.run(f"printf %s {encoded[i:i + CHUNK]} >> {path}.b64")
        _, code = self.run(f"base64 -d {path}.b64 > {path} && rm -f {path}.b64")
        if code != 0:
            raise RuntimeError(f"could not copy {path} into the container")

    def tool(self, name: str, arguments: dict[str, Any], command: str, thought: str = "") -> tuple[str, int]:
        output, code = self.run(command)
        self.conv.step(name, arguments, output if name != "bash" else f"{output}\n[exit code: {code}]", thought)
        return output, code

    def edit(self, edit: Edit, block: str, thought: str = "") -> None:
        if edit.kind in ("replace", "create"):
            args = ({"command": "str_replace", "path": edit.path, "old_str": edit.old, "new_str": edit.new}
                    if edit.kind == "replace" else {"command": "create", "path": edit.path, "content": edit.new})
            self.write(ARGS, json.dumps(args).encode())
            output, code = self.run(f"$(command -v python3 || command -v python) {EDITOR} {ARGS} 2>&1")
            if code == 0:
                shown = {k: v for k, v in args.items() if k != "command"}
                self.conv.step("str_replace" if edit.kind == "replace" else "create", shown, output, thought)
                return
        if edit.kind == "delete":
            self.tool("bash", {"command": f"rm {shlex.quote(edit.path)}"}, f"rm {shlex.quote(edit.path)}", thought)
            return
        # not unique, binary, or no Python in the image: apply the file's block with git, as a shell command
        self.write("/tmp/openswe-block.diff", block.encode())
        command = "git apply --verbose /tmp/openswe-block.diff"
        self.tool("bash", {"command": f"git apply --verbose - <<'EOF'\n{block}EOF"}, command, thought)


def _blocks(patch: str) -> dict[str, str]:
    from openswe_data.collect.split import split_diff

    return {c.path: c.text for c in split_diff(patch).files} if patch.strip() else {}


def _apply(shell: Shell, patch: str, thought: str = "") -> None:
    """Replay ``patch`` file by file as editor calls on the container's files as they stand."""
    blocks = _blocks(patch)
    done: set[str] = set()
    for path, block in blocks.items():
        text, code = shell.run(f"cat {shlex.quote(path)}")
        before = {path: text} if code == 0 else {}
        for edit in diff_edits(block, before):
            if edit.kind == "binary" and path in done:
                continue
            shell.edit(edit, block, thought)
            thought = ""
        done.add(path)


def replay(record: Any, env: Any, *, patch: str | None = None, run_tests: bool = True,
           recipes_path: str | None = None) -> Replay:
    """Replay ``patch`` (default: the gold one) in ``env``; see the module docstring for the steps."""
    conv = Conversation()
    shell = Shell(env, conv)
    result = Replay()
    variables = {"repo": record.repo, "testbed": C.TESTBED, "instance_id": record.instance_id,
                 "problem_statement": record.problem_statement, "test_command": record.test_command}
    conv.say("system", render("system", variables, recipes_path))
    conv.say("user", render("replay_task", variables, recipes_path))
    shell.write(EDITOR, (Path(__file__).parent / "editor.py").read_bytes())
    change = record.patch if patch is None else patch
    for path in touched_paths(change):
        shell.tool("view", {"path": path}, f"cat -n {shlex.quote(path)}")
    if run_tests:
        _apply(shell, record.test_patch, "First I write tests that show the problem.")
        result.log_before, result.exit_before = shell.tool(
            "bash", {"command": record.test_command}, record.test_command, "Now I run them: they should fail.")
    _apply(shell, change, "Now the fix.")
    if run_tests:
        result.log_after, result.exit_after = shell.tool(
            "bash", {"command": record.test_command}, record.test_command, "Run the tests again.")
    # the answer is the diff of the files the replay touched (build output of the image stays out of it)
    touched = (touched_paths(record.test_patch) if run_tests else []) + touched_paths(change)
    paths = " ".join(shlex.quote(p) for p in dict.fromkeys(touched))
    shell.tool("submit", {}, f"git add -A -- {paths} && git diff --cached -- {paths}", "The change is ready.")
    conv.say("assistant", "I made the change shown in the diff above"
             + (" and the tests pass." if result.exit_after == 0 else "."))
    result.messages = conv.messages
    return result
