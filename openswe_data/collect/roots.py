"""Where a task's repository comes from: an explicit mirror, the task's own local path, a folder of mirrors,
or its GitHub URL — and a record of what each repository resolved to, so a run can say so.

The naming rule for a folder of mirrors (``--repo-root DIR``): repository ``owner/name`` is found at the
first of ``DIR/owner__name``, ``DIR/owner+name``, ``DIR/owner/name`` (each also with ``.git``, case
ignored), else at ``DIR/name`` (or ``name.git``) when that folder is a git repository. An explicit
``--repo-root owner/name=PATH`` wins over everything; a task's own local path field wins over a folder.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from openswe_data.errors import CollectError

OWN_PATH_FIELDS = ("repo_url", "repo_path", "local_path", "repo_dir")
"""Fields of a task row that may hold its own repository location (the first one set is used)."""


class RepoRoots(Mapping[str, str]):
    """``owner/name -> local folder`` for every repository it can find; remembers what it resolved and missed."""

    def __init__(self, explicit: Mapping[str, str] | None = None, folders: list[Path] | None = None) -> None:
        self.explicit = dict(explicit or {})
        self.folders = list(folders or [])
        self.resolved: dict[str, tuple[str, str]] = {}
        """owner/name -> (folder, how: ``--repo-root``, ``task file``, ``mirror folder``)."""
        self.missed: set[str] = set()
        self._listing: dict[Path, dict[str, Path]] = {}

    @classmethod
    def parse(cls, values: list[str]) -> RepoRoots:
        """``owner/name=PATH`` entries and bare ``DIR`` folders of mirrors (see the module's naming rule)."""
        explicit, folders = {}, []
        for value in values:
            if "=" in value:
                repo, _, folder = value.partition("=")
                explicit[repo.strip()] = folder.strip()
            elif Path(value).expanduser().is_dir():
                folders.append(Path(value).expanduser().resolve())
            else:
                raise CollectError(f"--repo-root {value}: not a folder (give a folder of mirrors or owner/name=PATH)",
                                   reason="bad_config")
        return cls(explicit, folders)

    def find(self, repo: str) -> str | None:
        """The local folder for ``repo``, or None (then its URL is used)."""
        if repo in self.resolved:
            return self.resolved[repo][0]
        if repo in self.explicit:
            return self.note(repo, str(Path(self.explicit[repo]).expanduser().resolve()), "--repo-root")
        owner, _, name = repo.partition("/")
        for folder in self.folders:
            found = self._in(folder, owner, name)
            if found is not None:
                return self.note(repo, str(found), "mirror folder")
        if self.folders:
            self.missed.add(repo)
        return None

    def note(self, repo: str, folder: str, how: str) -> str:
        self.resolved[repo] = (folder, how)
        self.missed.discard(repo)
        return folder

    def _in(self, folder: Path, owner: str, name: str) -> Path | None:
        children = self._children(folder)
        for key in (f"{owner}__{name}", f"{owner}+{name}"):
            for candidate in (key, key + ".git"):
                if candidate.lower() in children:
                    return children[candidate.lower()]
        if owner.lower() in children:
            inner = self._children(children[owner.lower()])
            for candidate in (name, name + ".git"):
                if candidate.lower() in inner:
                    return inner[candidate.lower()]
        for candidate in (name, name + ".git"):
            path = children.get(candidate.lower())
            if path is not None and ((path / ".git").exists() or (path / "HEAD").is_file()):
                return path
        return None

    def _children(self, folder: Path) -> dict[str, Path]:
        if folder not in self._listing:
            try:
                self._listing[folder] = {c.name.lower(): c for c in folder.iterdir() if c.is_dir()}
            except OSError:
                self._listing[folder] = {}
        return self._listing[folder]

    def describe(self) -> list[str]:
        """One line per repository: where it resolved to and why, or that no mirror was found."""
        lines = [f"{repo} -> {folder} ({how})" for repo, (folder, how) in sorted(self.resolved.items())]
        where = ", ".join(str(f) for f in self.folders)
        lines += [f"{repo}: no mirror under {where} (looked for owner__name, owner+name, owner/name, name); "
                  f"its URL is used" for repo in sorted(self.missed)]
        return lines

    # Mapping, so readers that take ``repo_roots: Mapping[str, str]`` resolve lazily through ``find``.
    def __getitem__(self, repo: str) -> str:
        found = self.find(repo)
        if found is None:
            raise KeyError(repo)
        return found

    def __contains__(self, repo: object) -> bool:
        return isinstance(repo, str) and self.find(repo) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(set(self.explicit) | set(self.resolved)))

    def __bool__(self) -> bool:
        return bool(self.explicit or self.folders)

    def __len__(self) -> int:
        return len(set(self.explicit) | set(self.resolved))


def own_location(row: Mapping[str, object]) -> str:
    """A task row's own repository location (a URL or a local path), or ``""``."""
    for key in OWN_PATH_FIELDS:
        value = row.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""
