"""A unified diff -> the edits an agent would make: search-and-replace blocks, file creations, deletions.

Input: a diff (a PR's, a gold ``patch``, a ``test_patch``) and, when known, each file's text before the
change. Output: ``Edit`` s in diff order. A hunk becomes one ``str_replace``: the lines it removes with the
lines around them as ``old``, the lines it adds in their place as ``new``. The shared context is trimmed to
the smallest block that occurs exactly once in the file as it stands before that edit (so the edit is
unambiguous, as editor tools require); without the file, the whole hunk is kept. The file blocks come from
``collect.split`` (one parser of diffs); binary files and mode-only changes have no text edit.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Edit:
    path: str
    kind: str  # replace | create | delete | binary
    old: str = ""
    new: str = ""


@dataclass(frozen=True)
class Hunk:
    old_start: int
    lines: tuple[str, ...]  # each starts with ' ', '-' or '+'; '\' markers dropped


def parse_hunks(block: str) -> list[Hunk]:
    """The hunks of one file's diff block."""
    hunks: list[Hunk] = []
    current: list[str] | None = None
    start = 0
    for line in block.splitlines(keepends=True):
        if line.startswith("@@"):
            if current is not None:
                hunks.append(Hunk(start, tuple(current)))
            current = []
            try:
                start = int(line.split()[1].lstrip("-").split(",")[0])
            except (IndexError, ValueError):
                start = 0
        elif current is not None and line[:1] in (" ", "-", "+"):
            current.append(line)
        elif current is not None and line.startswith("\\"):
            if current:  # "\ No newline at end of file": the previous line has no newline
                current[-1] = current[-1].rstrip("\n")
        elif current is not None and line.strip() == "":
            current.append(" \n")  # some tools drop the space of an empty context line
    if current is not None:
        hunks.append(Hunk(start, tuple(current)))
    return hunks


def _sides(lines: tuple[str, ...]) -> tuple[list[str], list[str]]:
    old = [ln[1:] for ln in lines if ln[0] in " -"]
    new = [ln[1:] for ln in lines if ln[0] in " +"]
    return old, new


def hunk_edit(path: str, hunk: Hunk, before: str | None) -> Edit:
    """One hunk as a search-and-replace, its context trimmed to what keeps ``old`` unique in ``before``."""
    old, new = _sides(hunk.lines)
    lead = 0
    while lead < min(len(old), len(new)) and old[lead] == new[lead]:
        lead += 1
    trail = 0
    while trail < min(len(old), len(new)) - lead and old[-1 - trail] == new[-1 - trail]:
        trail += 1
    if before is None:
        return Edit(path, "replace", "".join(old), "".join(new))
    # grow the context one line a side at a time until the old block is unique (or the hunk is used up)
    keep_lead, keep_trail = 0, 0
    while True:
        lo, hi = lead - keep_lead, len(old) - (trail - keep_trail)
        block = "".join(old[lo:hi])
        if block and before.count(block) == 1:
            break
        if keep_lead >= lead and keep_trail >= trail:
            break
        keep_lead, keep_trail = min(lead, keep_lead + 1), min(trail, keep_trail + 1)
    lo, hi = lead - keep_lead, len(old) - (trail - keep_trail)
    return Edit(path, "replace", "".join(old[lo:hi]), "".join(new[lo:len(new) - (trail - keep_trail)]))


def file_edits(change: object, before: str | None) -> list[Edit]:
    """The edits of one ``collect.split.FileChange`` (``before``: the file's text at the base, if known)."""
    path, status, block = change.path, change.status, change.text  # type: ignore[attr-defined]
    if change.is_binary:  # type: ignore[attr-defined]
        return [Edit(path, "binary")]
    if status == "deleted":
        return [Edit(path, "delete")]
    hunks = parse_hunks(block)
    if status == "added" or (before is None and hunks and hunks[0].old_start == 0):
        return [Edit(path, "create", new="".join("".join(_sides(h.lines)[1]) for h in hunks))]
    edits, text = [], before
    for hunk in hunks:
        edit = hunk_edit(path, hunk, text)
        if text is not None and edit.old and text.count(edit.old) == 1:
            text = text.replace(edit.old, edit.new, 1)
        edits.append(edit)
    return edits


def diff_edits(diff: str, files_before: dict[str, str] | None = None) -> list[Edit]:
    """Every edit of ``diff`` in order; ``files_before`` maps paths to their text at the base commit."""
    from openswe_data.collect.split import split_diff

    if not diff.strip():
        return []
    before = files_before or {}
    out: list[Edit] = []
    for change in split_diff(diff).files:
        source = before.get(change.old_path or change.path)
        out.extend(file_edits(change, source))
    return out


def touched_paths(diff: str) -> list[str]:
    """The paths a diff changes (before a rename: the old path), in order, without duplicates."""
    from openswe_data.collect.split import split_diff

    if not diff.strip():
        return []
    return list(dict.fromkeys(c.old_path or c.path for c in split_diff(diff).files))
