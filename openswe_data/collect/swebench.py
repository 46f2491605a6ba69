"""Import of SWE-bench-style task files (SWE-bench, SWE-Gym, SWE-rebench, ...) -> tasks.

Input: a JSONL file, a Parquet file, or a folder (a ``datasets.save_to_disk`` folder, or one holding
Parquet/JSONL files) whose rows carry SWE-bench's fields (``instance_id``, ``repo``, ``base_commit``,
``patch``, ``test_patch``, ``problem_statement``, ...). Rows are already split into fix and tests, so only
the exclusion list and duplicates apply; ``FAIL_TO_PASS``/``PASS_TO_PASS`` are not imported because the
validate stage measures them again in our own environment. ``repo_url`` is the GitHub clone URL unless a
``repo_roots`` entry maps ``owner/name`` to a local mirror.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from openswe_data.collect.config import CollectConfig
from openswe_data.collect.dump import line_item_id, read_jsonl
from openswe_data.collect.filters import Drop
from openswe_data.collect.funnel import Funnel, save_funnel
from openswe_data.collect.normalize import (
    check_repo, check_sha, clean_text, count_at, iso_date, resolve_clone_url,
)
from openswe_data.collect.roots import RepoRoots, own_location
from openswe_data.collect.sink import Sink
from openswe_data.collect.split import DiffError, split_diff
from openswe_data.errors import CollectError, RecordError
from openswe_data.jsonlines import read_any
from openswe_data.records import Task, check_id
from openswe_data.store import Workspace

REQUIRED = ("instance_id", "repo", "base_commit", "patch", "problem_statement")
_PULL_RE = re.compile(r"-(\d+)$")


def iter_rows(path: Path) -> Iterator[tuple[str, Any, str | None]]:
    """``(source, row or None, error or None)`` for every row of a task file or folder, streaming.

    A file that cannot be read at all (a truncated Parquet file, a text file named ``.parquet``) is one
    bad row whose source is ``<file>:0``; the other files of a folder are still read.
    """
    if path.is_dir():
        if (path / "dataset_info.json").exists() or (path / "dataset_dict.json").exists():
            yield from _dataset_rows(path)
            return
        files = sorted(p for p in path.rglob("*") if p.suffix in (".parquet", ".jsonl") and p.is_file())
        if not files:
            raise CollectError(f"no .parquet or .jsonl task files in {path}", reason="input_not_found")
        for f in files:
            yield from iter_rows(f)
    elif path.suffix == ".parquet":
        yield from _parquet_rows(path)
    elif path.suffix == ".json":
        for where, obj, error in read_any(path):
            if where.startswith("["):
                yield f"{path}:{int(where[1:-1]) + 1}", obj, error
            else:
                yield f"{path}:{where[2:] if where.startswith(':L') else 1}", obj, error
    else:
        for lineno, obj, error in read_jsonl(path):
            yield f"{path}:{lineno}", obj, error


def _parquet_rows(path: Path) -> Iterator[tuple[str, Any, str | None]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    row = 0
    try:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=1024):
            for obj in batch.to_pylist():
                row += 1
                yield f"{path}:{row}", obj, None
    except (pa.ArrowException, OSError) as exc:
        yield f"{path}:{row + 1 if row else 0}", None, f"unreadable Parquet file: {exc}"


def _dataset_rows(path: Path) -> Iterator[tuple[str, Any, str | None]]:
    import datasets

    loaded = datasets.load_from_disk(str(path))
    splits = loaded.items() if isinstance(loaded, datasets.DatasetDict) else [("", loaded)]
    for name, ds in splits:
        for i, row in enumerate(ds, 1):
            yield f"{path}{'/' + name if name else ''}:{i}", row, None


def _text(row: Mapping[str, Any], key: str, item: str | None) -> str:
    value = row.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordError(f"expected text, got {type(value).__name__}", item=item, field=key)
    return value


def _version(row: Mapping[str, Any], item: str | None) -> str:
    value = row.get("version")
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else clean_text(_text(row, "version", item))


def task_from_row(row: Any, *, source: str, repo_roots: Mapping[str, str] | None, config: CollectConfig,
                  base_dir: Path | None = None) -> Task:
    """One SWE-bench row -> a checked ``Task`` (``RecordError``/``DiffError`` when it is not one).

    What reaches git later (repository, commit ids, clone URL, the patches' paths) is checked here.
    """
    if not isinstance(row, Mapping):
        raise RecordError(f"expected an object with SWE-bench fields, got {type(row).__name__}")
    item = row.get("instance_id") if isinstance(row.get("instance_id"), str) else None
    missing = [k for k in REQUIRED if not isinstance(row.get(k), str) or not row.get(k)]
    if missing:
        raise RecordError(f"missing or empty field(s): {', '.join(missing)}", item=item, field=missing[0])
    check_id(row["instance_id"])
    repo = check_repo(row["repo"], item=item)
    check_sha(row["base_commit"], field="base_commit", item=item)
    setup_commit = check_sha(row.get("environment_setup_commit"), field="environment_setup_commit", item=item,
                             optional=True) or ""
    test_patch = _text(row, "test_patch", item)
    test_files = split_diff(test_patch, config).test_files if test_patch.strip() else []
    split_diff(row["patch"], config)  # refuses a gold patch that is not a readable diff
    pull = row.get("pull_number")
    if isinstance(pull, str) and pull.isdigit():
        pull = int(pull)
    if pull is None:
        match = _PULL_RE.search(row["instance_id"])
        pull = int(match.group(1)) if match else 0
    pull = count_at(pull, field="pull_number", item=item)
    return Task(
        instance_id=row["instance_id"],
        repo=repo,
        base_commit=row["base_commit"],
        patch=row["patch"],
        test_patch=test_patch,
        problem_statement=clean_text(row["problem_statement"]),
        pull_number=pull,
        hints_text=clean_text(_text(row, "hints_text", item)),
        created_at=iso_date(row.get("created_at"), field="created_at", item=item),
        version=_version(row, item),
        environment_setup_commit=setup_commit,
        repo_url=_location(row, repo, repo_roots, base_dir) if _text(row, "repo_url", item) is not None else "",
        license=_text(row, "license", item) or None,
        test_files=test_files,
        source=source,
    )


def _location(row: Mapping[str, Any], repo: str, roots: Mapping[str, str] | None, base_dir: Path | None) -> str:
    """An explicit ``owner/name=PATH`` mirror, else the row's own local path (relative to its file), else a
    mirror from a folder of mirrors, else the row's URL or GitHub's (see ``collect/roots.py``)."""
    own = own_location(row)
    explicit = roots.explicit if isinstance(roots, RepoRoots) else (roots or {})
    if repo in explicit or not own or "://" in own or own.startswith("git@"):
        return resolve_clone_url(own, base_dir=base_dir, repo=repo, repo_roots=roots)
    path = resolve_clone_url(own, base_dir=base_dir, repo=repo, repo_roots=None)
    if isinstance(roots, RepoRoots):
        roots.note(repo, path, "task file")
    return path


def collect_swebench(
    path: str | Path,
    workspace: Workspace | str | Path,
    config: CollectConfig | None = None,
    *,
    repo_roots: Mapping[str, str] | None = None,
) -> Funnel:
    """Import a SWE-bench-style task file or folder into ``workspace``'s ``tasks`` stage (resumable)."""
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace, create=True)
    config = config or CollectConfig()
    src = Path(path)
    if not src.exists():
        raise CollectError(f"task file or folder {src} does not exist", reason="input_not_found")
    funnel = Funnel("swebench")
    with Sink(ws, config, funnel, bulk=True) as sink:
        for source, row, error in iter_rows(src):
            if error is None:
                try:
                    sink.add_task(task_from_row(row, source=source, repo_roots=repo_roots, config=config,
                                                base_dir=src if src.is_dir() else src.parent))
                    continue
                except (RecordError, DiffError) as exc:
                    error = exc
            item = _reject_id(row, source)
            sink.funnel.seen += 1
            if not sink.is_done(item):
                reason = error.reason if isinstance(error, DiffError) else "malformed_record"
                detail = getattr(error, "message", None) or str(error)
                sink.reject(item, Drop(reason, f"{source}: {detail}"), source=source,
                            repo=row.get("repo", "") if isinstance(row, Mapping) and isinstance(row.get("repo"), str) else "")
    save_funnel(ws, funnel)
    return funnel


def _reject_id(row: Any, source: str) -> str:
    if isinstance(row, Mapping) and isinstance(row.get("instance_id"), str):
        try:
            return check_id(row["instance_id"])
        except RecordError:
            pass
    file, _, line = source.rpartition(":")
    return line_item_id(Path(file), int(line) if line.isdigit() else 0)


def parse_repo_roots(values: list[str]) -> RepoRoots:
    """``owner/name=PATH`` entries and folders of mirrors -> a lazy ``owner/name -> folder`` mapping that
    remembers what it resolved (naming rule in ``collect/roots.py``)."""
    return RepoRoots.parse(values)

