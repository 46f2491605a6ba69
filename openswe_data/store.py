"""The workspace: a folder every stage reads from and writes to, crash-safe and resumable.

Layout (``<ws>`` is the workspace folder)::

    <ws>/workspace.json                     marker and layout version
    <ws>/<stage>/items/<xx>/<key>.json      one result per item, written atomically
    <ws>/<stage>/parts/part-*.parquet       compacted results (and bulk imports), written atomically
    <ws>/<stage>/rejects/...                the same two forms for the items that dropped out
    <ws>/logs/<stage>/<key>/...             full logs (records keep excerpts and the path)

Why this shape: a result becomes visible only by ``rename`` of a fully written, fsynced temp file, so a
killed process never leaves a result that reads as complete, and several worker processes can write at
once without locks (one file per key). Reading merges parts and item files and keeps one result per key,
so a crash between "part written" and "items removed" duplicates nothing. Compaction holds a file lock so
two compactions never race. ``done()`` is what resume uses: an item with a result or a reject is skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

from openswe_data.errors import RecordError, StoreError, WorkspaceNotFound
from openswe_data.locks import file_lock
from openswe_data.records import RECORD_TYPES, Record, Reject

LAYOUT_VERSION = 1
R = TypeVar("R", bound=Record)

# The stages and the record type each one stores. Analysis views are named after these folders.
STAGES: dict[str, str] = {
    "prs": "PullRequest",
    "tasks": "Task",
    "environments": "Environment",
    "build_attempts": "BuildAttempt",
    "recipes": "RepoRecipe",
    "validations": "Validation",
    "records": "ValidatedRecord",
    "attempts": "Attempt",
    "curated": "CuratedRecord",
    "trajectories": "Trajectory",
    "llm_calls": "LLMCall",
    "releases": "Release",
    "drift": "Drift",
}


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see either nothing or all of it (temp, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def damaged(path: Path, what: str) -> StoreError:
    """The error for a workspace file that cannot be read: which file, what is wrong, what to do."""
    return StoreError(
        f"damaged workspace file {path}: {what}",
        reason="damaged_workspace_file",
        hint=f"move it out of the workspace (mv '{path}' '{path}.damaged') and re-run the stage "
             "(the same command): it redoes the items that file held",
    )


def _shard(key: str) -> str:
    return hashlib.sha1(key.encode()).hexdigest()[:2]


class Results(Generic[R]):
    """One kind of record kept per key in a folder: item files plus compacted Parquet parts."""

    def __init__(self, folder: Path, cls: type[R]) -> None:
        self.folder = folder
        self.cls = cls
        self.items = folder / "items"
        self.parts = folder / "parts"

    # -- writing --------------------------------------------------------------------------------------
    def put(self, record: R) -> Path:
        """Store ``record`` as its key's result, atomically; replaces an earlier result for that key."""
        if not isinstance(record, self.cls):
            raise RecordError(
                f"this store holds {self.cls.__name__} records, got {type(record).__name__}",
                item=getattr(record, "key", lambda: None)(),
            )
        key = record.key()
        payload = {"record": self.cls.__name__, "data": record.to_row()}
        path = self.items / _shard(key) / f"{key}.json"
        with self._lock(shared=True):
            atomic_write(path, json.dumps(payload, ensure_ascii=False).encode("utf-8"))
        return path

    def put_many(self, records: Iterable[R], *, batch_size: int = 100_000) -> int:
        """Store many records as Parquet parts (one atomic file per batch): the bulk-import path."""
        from openswe_data.records import to_table

        n = 0
        batch: list[R] = []
        for r in records:
            batch.append(r)
            if len(batch) >= batch_size:
                with self._lock(shared=True):
                    self._write_part(to_table(batch, self.cls))
                n += len(batch)
                batch = []
        if batch:
            with self._lock(shared=True):
                self._write_part(to_table(batch, self.cls))
            n += len(batch)
        return n

    def _write_part(self, table: Any) -> Path:
        import pyarrow.parquet as pq

        self.parts.mkdir(parents=True, exist_ok=True)
        path = self.parts / f"part-{uuid.uuid4().hex}.parquet"
        fd, tmp = tempfile.mkstemp(dir=self.parts, prefix=".tmp-", suffix=".parquet")
        os.close(fd)
        try:
            pq.write_table(table, tmp, compression="zstd")
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        _fsync_dir(self.parts)
        return path

    def delete(self, key: str) -> None:
        """Forget an item's file result (compacted rows are shadowed by a later put, not deleted)."""
        path = self.items / _shard(key) / f"{key}.json"
        if path.exists():
            with self._lock(shared=True), contextlib.suppress(FileNotFoundError):
                path.unlink()

    # -- reading --------------------------------------------------------------------------------------
    def _item_files(self) -> Iterator[Path]:
        if not self.items.is_dir():
            return
        for shard in sorted(self.items.iterdir()):
            if shard.is_dir():
                yield from sorted(p for p in shard.iterdir() if p.suffix == ".json" and not p.name.startswith("."))

    def _part_files(self) -> list[Path]:
        if not self.parts.is_dir():
            return []
        return sorted(
            (p for p in self.parts.iterdir() if p.suffix == ".parquet" and not p.name.startswith(".")),
            key=lambda p: (p.stat().st_mtime_ns, p.name),
        )

    def read_part(self, path: Path, columns: list[str] | None = None) -> Any:
        """One Parquet part as a ``pyarrow.Table``; a damaged or foreign file is a ``StoreError`` naming it."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(path, columns=columns)
        except (pa.ArrowException, OSError) as exc:
            raise damaged(path, f"not a readable Parquet file ({exc})") from None
        missing = [k for k in (columns or self.cls.KEY) if k not in table.column_names]
        if missing:
            raise damaged(path, f"not a {self.cls.__name__} part: no {', '.join(missing)} column")
        return table

    def part_columns(self, path: Path) -> list[str]:
        """The column names of one Parquet part (footer only); a damaged or foreign file is a ``StoreError``."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            names = pq.read_schema(path).names
        except (pa.ArrowException, OSError) as exc:
            raise damaged(path, f"not a readable Parquet file ({exc})") from None
        missing = [k for k in self.cls.KEY if k not in names]
        if missing:
            raise damaged(path, f"not a {self.cls.__name__} part: no {', '.join(missing)} column")
        return names

    def _records_of(self, path: Path) -> list[R]:
        from openswe_data.records import from_table

        try:
            return list(from_table(self.read_part(path), self.cls))
        except RecordError as exc:
            raise damaged(path, f"holds a row that is not a {self.cls.__name__}: {exc}") from None

    def _load_item(self, path: Path) -> R:
        try:
            payload = json.loads(path.read_bytes().decode("utf-8"))
            return self.cls.from_dict(payload["data"])
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            raise damaged(path, str(exc)) from None

    def keys(self) -> set[str]:
        """Keys of every stored result (cheap: reads only the key columns of parts)."""
        import pyarrow.parquet as pq

        with self._lock(shared=True):
            keys = {p.stem for p in self._item_files()}
            for part in self._part_files():
                table = self.read_part(part, columns=list(self.cls.KEY))
                cols = [table.column(k).to_pylist() for k in self.cls.KEY]
                keys.update("~".join(str(v) for v in vals) for vals in zip(*cols))
        return keys

    def __iter__(self) -> Iterator[R]:
        """Every result, one per key; item files win over parts, later parts over earlier ones."""
        latest: dict[str, R] = {}
        with self._lock(shared=True):
            for part in self._part_files():
                for r in self._records_of(part):
                    latest[r.key()] = r
            for path in self._item_files():
                r = self._load_item(path)
                latest[r.key()] = r
        yield from latest.values()

    def get(self, key: str) -> R | None:
        path = self.items / _shard(key) / f"{key}.json"
        if path.exists():
            return self._load_item(path)
        for r in self:
            if r.key() == key:
                return r
        return None

    def __len__(self) -> int:
        return len(self.keys())

    def table(self) -> Any:
        """All results as one ``pyarrow.Table``."""
        from openswe_data.records import to_table

        return to_table(list(self), self.cls)

    # -- maintenance ----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _lock(self, *, shared: bool = False) -> Iterator[None]:
        """Writers and readers share the lock; compaction takes it alone (it removes files).

        The lock dies with its process, so a killed writer never blocks anyone.
        """
        with file_lock(self.folder / ".lock", shared=shared):
            yield

    def compact(self, *, drop: set[str] | None = None) -> int:
        """Fold item files and parts into one Parquet part; returns the number of results.

        ``drop``: keys to leave out (a stage's rejects superseded by a later result).
        Order matters for crash safety: the new part is renamed into place before anything is removed,
        and reading de-duplicates by key, so a crash at any point loses and duplicates nothing.
        """
        from openswe_data.records import to_table

        with self._lock():
            old_parts = self._part_files()
            items = list(self._item_files())
            latest: dict[str, R] = {}
            for part in old_parts:
                for r in self._records_of(part):
                    latest[r.key()] = r
            dropping = bool(drop) and not drop.isdisjoint(latest)
            if len(old_parts) <= 1 and not items and not dropping:
                return len(latest)
            for path in items:
                r = self._load_item(path)
                latest[r.key()] = r
            records = [r for k, r in latest.items() if not drop or k not in drop]
            self._write_part(to_table(records, self.cls))
            for path in old_parts:
                path.unlink()
            for path in items:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            # No writer is mid-write while we hold the lock alone: temp files are a killed writer's.
            for tmp in list(self.items.glob("*/.tmp-*")) + list(self.parts.glob(".tmp-*")):
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
            return len(records)


class Stage(Results[R]):
    """A stage's results plus its rejects; ``done()`` tells resume what to skip."""

    def __init__(self, workspace: Workspace, name: str, cls: type[R]) -> None:
        super().__init__(workspace.path / name, cls)
        self.name = name
        self.workspace = workspace
        self.rejects: Results[Reject] = Results(self.folder / "rejects", Reject)

    def put(self, record: R) -> Path:
        path = super().put(record)
        self.rejects.delete(record.key())
        return path

    def reject(self, item_id: str, reason: str, detail: str = "", **extra: Any) -> Reject:
        """Record that ``item_id`` dropped out of this stage, with a machine-readable ``reason``."""
        rec = Reject(item_id=item_id, stage=self.name, reason=reason, detail=detail, **extra)
        self.rejects.put(rec)
        return rec

    def done(self) -> set[str]:
        """Keys with a result or a reject: what a re-run skips."""
        return self.keys() | self.rejects.keys()

    def pending(self, keys: Iterable[str]) -> list[str]:
        """``keys`` not yet done, in order, without duplicates."""
        done = self.done()
        seen: set[str] = set()
        out = []
        for k in keys:
            if k not in done and k not in seen:
                seen.add(k)
                out.append(k)
        return out

    def log_dir(self, key: str) -> Path:
        """The folder for an item's full logs in this stage."""
        path = self.workspace.path / "logs" / self.name / key
        path.mkdir(parents=True, exist_ok=True)
        return path

    def compact(self, *, drop: set[str] | None = None) -> int:
        n = super().compact(drop=drop)
        # a reject superseded by a later result (put() only removes the reject's item file) goes now
        self.rejects.compact(drop=self.keys())
        return n


class Workspace:
    """A workspace folder; ``Workspace(path, create=True)`` makes one."""

    def __init__(self, path: str | Path, *, create: bool = False) -> None:
        self.path = Path(path)
        marker = self.path / "workspace.json"
        if not marker.exists():
            if not create:
                raise WorkspaceNotFound(
                    f"no workspace at {self.path}",
                    hint="run `openswe collect` first, or pass --workspace to the folder you used",
                )
            if self.path.exists() and not self.path.is_dir():
                raise StoreError(f"{self.path} exists and is not a folder")
            self.path.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileExistsError):
                fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
                os.close(fd)
                atomic_write(marker, json.dumps({"layout": LAYOUT_VERSION}).encode())

    def stage(self, name: str, cls: type[R] | None = None) -> Stage[R]:
        """The named stage (``tasks``, ``environments``, ...) holding records of ``cls``."""
        if cls is None:
            if name not in STAGES:
                raise StoreError(f"unknown stage {name!r}; known: {', '.join(STAGES)}")
            cls = RECORD_TYPES[STAGES[name]]  # type: ignore[assignment]
        if "/" in name or name.startswith("."):
            raise StoreError(f"bad stage name {name!r}")
        return Stage(self, name, cls)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return f"Workspace({str(self.path)!r})"
