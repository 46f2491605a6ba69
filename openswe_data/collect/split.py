"""The fix/test split: a pull request's diff -> the gold ``patch`` (non-test files) and the ``test_patch``.

Why split by raw per-file blocks instead of re-printing what a parser understood: each block is kept
byte for byte (mode lines, rename headers, ``\\ No newline at end of file``, ``GIT binary patch`` data),
so ``patch`` and ``test_patch`` each ``git apply`` cleanly to the base commit, and together they are the
original diff. ``unidiff`` parses every block to learn its paths, status (added, deleted, renamed,
modified), binary-ness and line counts, and to refuse malformed hunks.
"""

from __future__ import annotations

import codecs
import fnmatch
from dataclasses import dataclass
from pathlib import PurePosixPath

from openswe_data.collect.config import CollectConfig
from openswe_data.errors import CollectError

_DEV_NULL = "/dev/null"


class DiffError(CollectError):
    """A diff that cannot be split; ``reason`` says why (``non_utf8_diff``, ``unparsable_diff``, ``empty_diff``)."""

    reason = "unparsable_diff"


@dataclass(frozen=True)
class FileChange:
    """One file's block of a diff, classified."""

    path: str
    """The file's path after the change (before it, for a deletion)."""
    old_path: str | None
    """The path before a rename, else ``None``."""
    status: str
    """``added``, ``deleted``, ``renamed`` or ``modified``."""
    is_test: bool
    is_binary: bool
    added: int
    removed: int
    text: str
    """The block exactly as it appeared in the diff."""


@dataclass(frozen=True)
class SplitDiff:
    """A diff cut into file blocks, each marked fix or test."""

    files: tuple[FileChange, ...]

    @property
    def patch(self) -> str:
        return "".join(f.text for f in self.files if not f.is_test)

    @property
    def test_patch(self) -> str:
        return "".join(f.text for f in self.files if f.is_test)

    @property
    def fix_files(self) -> list[str]:
        return [f.path for f in self.files if not f.is_test]

    @property
    def test_files(self) -> list[str]:
        return [f.path for f in self.files if f.is_test]

    @property
    def changed_lines(self) -> int:
        return sum(f.added + f.removed for f in self.files)

    @property
    def binary_files(self) -> list[str]:
        return [f.path for f in self.files if f.is_binary]


def decode_diff(data: bytes | str) -> str:
    """The diff as text; bytes that are not UTF-8 (or lone surrogates) raise ``DiffError(non_utf8_diff)``.

    A lossy decode would make the patch no longer apply, so such a diff is refused, not repaired.
    """
    try:
        if isinstance(data, bytes):
            return data.decode("utf-8")
        data.encode("utf-8")
        return data
    except UnicodeError as exc:
        raise DiffError(f"the diff is not valid UTF-8 ({exc.reason} at offset {exc.start})",
                        reason="non_utf8_diff") from None


def is_test_path(path: str, config: CollectConfig) -> bool:
    """True when ``path`` sits in a test folder or its file name matches a test-file pattern."""
    parts = PurePosixPath(path).parts
    dirs = set(config.test_dirs)
    if any(part in dirs for part in parts[:-1]):
        return True
    name = parts[-1] if parts else path
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in config.test_files)


def split_diff(diff: bytes | str, config: CollectConfig | None = None) -> SplitDiff:
    """Cut ``diff`` into classified file blocks; raises ``DiffError`` with a reason when it cannot."""
    config = config or CollectConfig()
    text = decode_diff(diff)
    if not text.strip():
        raise DiffError("the diff is empty", reason="empty_diff")
    if not text.endswith("\n"):
        text += "\n"
    blocks = _git_blocks(text)
    changes = [c for c in (_classify(block, config) for block in blocks) if c is not None]
    check_paths(changes)
    return SplitDiff(tuple(changes))


def unsafe_path(path: str) -> str | None:
    """Why ``path`` must not be written inside a checkout, or ``None`` when it is an ordinary file."""
    if path.startswith("/"):
        return "is absolute"
    parts = PurePosixPath(path).parts
    if ".." in parts:
        return "climbs out of the repository ('..')"
    if any(p.lower() == ".git" for p in parts):
        return "writes into git's own folder (.git)"
    if any(ord(c) < 32 for c in path):
        return "holds a control character"
    return None


def check_paths(changes: list[FileChange]) -> None:
    """Refuse a diff that writes outside the repository: an absolute or ``..`` path, ``.git/``, or a path
    beneath a symbolic link the same diff creates (``git apply`` refuses these too, but later and with a
    message that does not say which pull request)."""
    links = {c.path for c in changes if "\nnew file mode 120000" in c.text or "\nnew mode 120000" in c.text}
    for c in changes:
        for path in filter(None, (c.path, c.old_path)):
            why = unsafe_path(path)
            if why is None and any(path.startswith(link + "/") for link in links):
                why = "sits beneath a symbolic link the same diff creates"
            if why is not None:
                raise DiffError(f"the diff touches {path!r}, which {why}", reason="unsafe_path")


def _lines(text: str) -> list[str]:
    # Only "\n" ends a line in a diff; str.splitlines would also cut at "\r", "\x0c", ... inside content.
    out = [line + "\n" for line in text.split("\n")]
    if out and out[-1] == "\n" and text.endswith("\n"):
        out.pop()
    return out


def _git_blocks(text: str) -> list[str]:
    """Blocks starting at each ``diff --git`` line (a hunk line never starts with ``d``)."""
    blocks: list[list[str]] = []
    preamble: list[str] = []
    for line in _lines(text):
        if line.startswith("diff --git "):
            blocks.append([line])
        elif blocks:
            blocks[-1].append(line)
        else:
            preamble.append(line)
    if not blocks:
        return _plain_blocks(text)
    if any(line.strip() for line in preamble):
        raise DiffError(f"text before the first 'diff --git' header: {preamble[0][:60]!r}")
    return ["".join(b) for b in blocks]


def _plain_blocks(text: str) -> list[str]:
    """A diff without git headers (``diff -u`` style): let unidiff find the files."""
    from unidiff import PatchSet
    from unidiff.errors import UnidiffParseError

    try:
        files = PatchSet(text)
    except UnidiffParseError as exc:
        raise DiffError(f"malformed diff: {exc}") from None
    if not files:
        raise DiffError("no file changes found in the diff")
    return [str(f) for f in files]


def _classify(block: str, config: CollectConfig) -> FileChange | None:
    from unidiff import PatchSet
    from unidiff.errors import UnidiffParseError

    try:
        parsed = PatchSet(block)
    except (UnidiffParseError, ValueError, IndexError) as exc:
        raise DiffError(f"malformed diff block {block.splitlines()[0][:80]!r}: {exc}") from None
    if len(parsed) != 1:
        raise DiffError(f"cannot read the file block {block.splitlines()[0][:80]!r}")
    pf = parsed[0]
    header = _header_paths(block)
    source = header.get("from") or _strip(pf.source_file)
    target = header.get("to") or _strip(pf.target_file)
    binary = pf.is_binary_file or "\nGIT binary patch\n" in block or "\nBinary files " in block
    if source == _DEV_NULL or "\nnew file mode " in block:
        status, path, old = "added", target, None
    elif target == _DEV_NULL or "\ndeleted file mode " in block:
        status, path, old = "deleted", source, None
    elif source != target:
        status, path, old = "renamed", target, source
    else:
        status, path, old = "modified", target, None
    if not path or path == _DEV_NULL:
        raise DiffError(f"no file path in diff block {block.splitlines()[0][:80]!r}")
    # A rename is classified by where the file ends up: moving a test into tests/ makes it a test change.
    return FileChange(path=path, old_path=old, status=status, is_test=is_test_path(path, config), is_binary=binary,
                      added=pf.added, removed=pf.removed, text=block)


def _header_paths(block: str) -> dict[str, str]:
    """Paths from ``rename from``/``rename to`` and ``---``/``+++`` lines (exact, unlike the header line)."""
    out: dict[str, str] = {}
    for line in block.split("\n"):
        if line.startswith("@@"):
            break
        if line.startswith("rename from "):
            out["from"] = _unquote(line[len("rename from "):])
        elif line.startswith("rename to "):
            out["to"] = _unquote(line[len("rename to "):])
        elif line.startswith("--- ") and "from" not in out:
            out["from"] = _strip(line[4:].split("\t")[0])
        elif line.startswith("+++ ") and "to" not in out:
            out["to"] = _strip(line[4:].split("\t")[0])
    return out


def _strip(name: str | None) -> str:
    if not name:
        return ""
    name = _unquote(name)
    if name == _DEV_NULL:
        return name
    return name[2:] if name[:2] in ("a/", "b/") else name


def _unquote(name: str) -> str:
    """Git's C-style quoted path (``"a/t\\303\\251st.py"``) -> the real path."""
    name = name.rstrip("\n")
    if len(name) >= 2 and name[0] == name[-1] == '"':
        raw = codecs.escape_decode(name[1:-1].encode("ascii", "backslashreplace"))[0]
        return raw.decode("utf-8", errors="replace")
    return name
