"""A pull request -> its contextually-native trajectory (no environment, no LLM).

Input: ``PRContext`` (from a collected ``PullRequest``, or a ``Task`` imported without one) and the
``Sources`` of its touched files at the base commit. Output: an ``AgentTrajectory`` of kind ``contextual``:

    system   the agent's role (``builders/prompts/trajectories/system.md.j2``)
    user     the repository, the linked issues with their discussion, or the PR's text when no issue
             is linked, and the optional summary (``task.md.j2``)
    calls    view each touched file as it was at the base commit; search for the symbols the change
             touches; the change itself as ``str_replace`` / ``create`` / ``bash rm`` calls, with the
             commit messages as the reasoning of the first edit
    final    the PR's own account of the change (``final.md.j2``)

Why this shape (daVinci-Dev's contextually-native data): it keeps a PR's whole information flow in the
order an agent meets it, and exists for every collected PR, valid environment or not. The observations
are rebuilt from the repository's real files, not run; ``files_source`` says whether they came from the
repository or only from the diff's context lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from openswe_data import conventions as C
from openswe_data import recipes
from openswe_data.trajectories.edits import Edit, diff_edits, parse_hunks
from openswe_data.trajectories.sources import Sources
from openswe_data.trajectories.tools import Conversation

PROMPTS = "prompts/trajectories"
_SYMBOL = re.compile(r"\b(?:def|class|function|func|fn)\s+([A-Za-z_][A-Za-z0-9_]*)")
MAX_SEARCHES = 2
MAX_VIEW_LINES = 400


@dataclass
class PRContext:
    """What a contextual trajectory is made of, whatever the PR came from."""

    instance_id: str
    repo: str
    diff: str
    title: str = ""
    body: str = ""
    description: str = ""
    issues: list[dict[str, Any]] = field(default_factory=list)
    hints: str = ""
    commit_messages: list[str] = field(default_factory=list)
    base_commit: str = ""
    repo_url: str = ""
    created_at: str = ""
    license: str | None = None
    source: str = "pr"

    @classmethod
    def from_pr(cls, pr: Any) -> PRContext:
        return cls(instance_id=pr.instance_id, repo=pr.repo, diff=pr.diff, title=pr.title, body=pr.body,
                   issues=list(pr.linked_issues or []), commit_messages=list(pr.commit_messages),
                   base_commit=pr.base_commit, repo_url=pr.repo_url, created_at=pr.created_at,
                   license=pr.license, source="pr")

    @classmethod
    def from_task(cls, task: Any) -> PRContext:
        """A task imported without its PR (SWE-bench files): the problem statement stands for the issue."""
        diff = task.patch + ("" if not task.patch or task.patch.endswith("\n") else "\n") + task.test_patch
        issue = {"number": task.pull_number, "title": "", "body": task.problem_statement, "comments": []}
        return cls(instance_id=task.instance_id, repo=task.repo, diff=diff, issues=[issue], hints=task.hints_text,
                   base_commit=task.base_commit, repo_url=task.repo_url, created_at=task.created_at,
                   license=task.license, source="task")


def render(name: str, variables: dict[str, Any], explicit: str | None = None) -> str:
    return recipes.render("builders", f"{PROMPTS}/{name}.md.j2", variables, explicit=explicit).strip()


def numbered(text: str, start: int = 1, limit: int = MAX_VIEW_LINES) -> str:
    """``cat -n``'s form; past ``limit`` lines the rest is summarized in one line."""
    lines = text.splitlines()
    shown = [f"{i:6}\t{line}" for i, line in enumerate(lines[:limit], start)]
    if len(lines) > limit:
        shown.append(f"... [{len(lines) - limit} more lines]")
    return "\n".join(shown)


def hunk_excerpt(diff_block: str) -> str:
    """What the diff shows of a file before the change: its old-side lines, numbered, hunk by hunk."""
    pieces = []
    for hunk in parse_hunks(diff_block):
        old = [ln[1:] for ln in hunk.lines if ln[0] in " -"]
        pieces.append(numbered("".join(old), max(hunk.old_start, 1)))
    return "\n...\n".join(pieces)


def _blocks(diff: str) -> dict[str, Any]:
    """Path before the change -> its ``collect.split.FileChange``."""
    from openswe_data.collect.split import split_diff

    return {(c.old_path or c.path): c for c in split_diff(diff).files} if diff.strip() else {}


def changed_symbols(block: str, before: str | None) -> list[str]:
    """The function or class each hunk changes: the nearest definition above its first changed line (in the
    file when known, else in the hunk's context and header)."""
    lines = before.splitlines() if before is not None else None
    out = []
    for hunk in parse_hunks(block):
        offset = next((i for i, ln in enumerate(hunk.lines) if ln[0] in "-+"), 0)
        above = [ln[1:] for ln in hunk.lines[:offset + 1] if ln[0] in " -"]
        if lines is not None:
            first = hunk.old_start - 1 + sum(1 for ln in hunk.lines[:offset] if ln[0] in " -")
            above = lines[: first + 1]
        found = next((m for ln in reversed(above) for m in _SYMBOL.findall(ln)), None)
        header = _SYMBOL.findall(block.split("\n@@", 1)[0]) if found is None else []
        if found or header:
            out.append(found or header[-1])
    return out


def _search(pattern: str, files: dict[str, str]) -> str:
    hits = [f"{path}:{n}:{line}" for path, text in files.items()
            for n, line in enumerate(text.splitlines(), 1) if pattern in line]
    return "\n".join(hits[:50]) or "(no matches)"


def _edit_output(edit: Edit, text: str | None) -> tuple[str, str | None]:
    """The editor's answer to ``edit``, and the file's text after it (None when unknown)."""
    if text is None or not edit.old or text.count(edit.old) != 1:
        return f"The file {edit.path} has been edited.", None
    after = text.replace(edit.old, edit.new, 1)
    first = text[: text.index(edit.old)].count("\n")
    last = first + edit.new.count("\n")
    lines = after.splitlines()
    lo, hi = max(first - 2, 0), min(last + 3, len(lines))
    snippet = numbered("\n".join(lines[lo:hi]), lo + 1)
    return f"The file {edit.path} has been edited. Here is the result around the change:\n{snippet}", after


def build_messages(ctx: PRContext, sources: Sources, *, summary: str = "",
                   recipes_path: str | None = None) -> list[dict[str, Any]]:
    """The message list of ``ctx``'s contextual trajectory."""
    conv = Conversation()
    variables = {"repo": ctx.repo, "testbed": C.TESTBED, "description": ctx.description, "issues": ctx.issues,
                 "hints": ctx.hints, "title": ctx.title, "body": ctx.body, "summary": summary,
                 "commit_messages": [m.strip() for m in ctx.commit_messages if m.strip()]}
    conv.say("system", render("system", variables, recipes_path))
    conv.say("user", render("task", variables, recipes_path))
    blocks = _blocks(ctx.diff)
    ordered = sorted(blocks.items(), key=lambda kv: kv[1].is_test)  # the code before the tests
    files = dict(sources.files)
    for path, change in ordered:
        if path in files:
            conv.step("view", {"path": path}, numbered(files[path]))
        elif change.status != "added" and not change.is_binary:
            excerpt = hunk_excerpt(change.text)
            if excerpt:
                conv.step("view", {"path": path}, excerpt)
    known = {**sources.imported, **files}
    symbols = list(dict.fromkeys(sym for path, change in ordered for sym in changed_symbols(change.text, files.get(path))))
    if known:
        for symbol in symbols[:MAX_SEARCHES]:
            conv.step("search", {"pattern": symbol}, _search(symbol, known))
    thought = "\n\n".join(variables["commit_messages"])
    for edit in diff_edits(ctx.diff, files):
        if edit.kind == "replace":
            output, after = _edit_output(edit, files.get(edit.path))
            if after is not None:
                files[edit.path] = after
            conv.step("str_replace", {"path": edit.path, "old_str": edit.old, "new_str": edit.new}, output, thought)
        elif edit.kind == "create":
            files[edit.path] = edit.new
            conv.step("create", {"path": edit.path, "content": edit.new}, f"File created: {edit.path}", thought)
        elif edit.kind == "delete":
            files.pop(edit.path, None)
            conv.step("bash", {"command": f"rm {edit.path}"}, "", thought)
        else:
            continue
        thought = ""
    conv.say("assistant", render("final", variables, recipes_path))
    return conv.messages
