"""Import of crawled pull-request dumps: JSONL files (one PR a line, see docs/collect.md) -> tasks.

The file is streamed line by line and written in Parquet batches, so memory stays flat however long the
dump is. A line that is not JSON, or not a pull request, becomes a ``malformed_record`` reject whose
``source`` is ``file:line``, and the import goes on. Raw bytes that are not UTF-8 are read with
``surrogateescape`` so the damage is pinned on the field that holds it: in the diff it is a
``non_utf8_diff`` drop, in prose it is replaced by U+FFFD.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from openswe_data.collect.config import CollectConfig
from openswe_data.collect.filters import Drop
from openswe_data.collect.funnel import Funnel, save_funnel
from openswe_data.collect.normalize import clean_text, pull_request_from_dump
from openswe_data.collect.sink import Sink
from openswe_data.collect.split import DiffError, decode_diff
from openswe_data.errors import CollectError, RecordError
from openswe_data.jsonlines import read_lines
from openswe_data.records import check_id, instance_id_for
from openswe_data.store import Workspace


def line_item_id(path: Path, lineno: int) -> str:
    """A safe reject id for a line that has no usable instance id: ``<file-name>-L<line>``."""
    stem = re.sub(r"[^A-Za-z0-9_.\-]", "_", path.name).replace("..", "_").lstrip("._-") or "input"
    return check_id(f"{stem}-L{lineno}"[-200:].lstrip("._-"))


def read_jsonl(path: Path) -> Iterator[tuple[int, Any, str | None]]:
    """``(line number, parsed object or None, error or None)`` for each non-blank line, streaming; bytes
    that are not UTF-8 are kept as lone surrogates so the field holding them is named later."""
    yield from read_lines(path, errors="surrogateescape")


def _guess_id(obj: Any) -> str | None:
    """The instance id of a line that parsed as JSON but failed later, when it can be told."""
    try:
        repo = obj["repo"]["full_name"]
        number = obj["pull"]["number"]
        if isinstance(repo, str) and isinstance(number, int) and not isinstance(number, bool) and "/" in repo:
            return instance_id_for(repo, number)
    except (KeyError, TypeError, RecordError):
        pass
    return None


def import_dump_file(path: Path, sink: Sink, *, repo_roots: Mapping[str, str] | None = None) -> None:
    """Feed every line of one dump file into ``sink``."""
    base_dir = path.resolve().parent
    for lineno, obj, error in read_jsonl(path):
        where = f"{path}:{lineno}"
        if error is not None:
            item = line_item_id(path, lineno)
            sink.funnel.seen += 1
            if not sink.is_done(item):
                sink.reject(item, Drop("malformed_record", f"{where}: not a JSON object ({error})"), source=where)
            continue
        try:
            if isinstance(obj, dict) and isinstance(obj.get("diff"), str):
                decode_diff(obj["diff"])
            pr = pull_request_from_dump(obj, base_dir=base_dir, source=where, repo_roots=repo_roots)
        except (RecordError, DiffError) as exc:
            item = _guess_id(obj) or line_item_id(path, lineno)
            sink.funnel.seen += 1
            if not sink.is_done(item):
                reason = exc.reason if isinstance(exc, DiffError) else "malformed_record"
                repo = obj.get("repo", {}).get("full_name", "") if isinstance(obj, dict) and isinstance(
                    obj.get("repo"), dict) else ""
                sink.reject(item, Drop(reason, f"{where}: {clean_text(exc.message)}"), source=where,
                            repo=clean_text(repo) if isinstance(repo, str) else "")
            continue
        sink.add_pr(pr)


def collect_dump(
    paths: Iterable[str | Path],
    workspace: Workspace | str | Path,
    config: CollectConfig | None = None,
    *,
    repo_roots: Mapping[str, str] | None = None,
) -> Funnel:
    """Import crawled-PR dump files into ``workspace``: PRs into ``prs``, tasks and rejects into ``tasks``.

    Re-running with the same files skips every item already stored (resume). Returns this run's funnel;
    it is also saved, with the workspace totals, to ``<ws>/collect/funnel.json``.
    """
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace, create=True)
    config = config or CollectConfig()
    files = [Path(p) for p in paths]
    missing = [str(p) for p in files if not p.is_file()]
    if missing:
        raise CollectError(f"dump file(s) not found: {', '.join(missing)}", reason="input_not_found",
                           hint="pass JSONL files in the crawled-PR dump format (docs/collect.md)")
    funnel = Funnel("dump")
    with Sink(ws, config, funnel, bulk=True) as sink:
        for path in files:
            import_dump_file(path, sink, repo_roots=repo_roots)
    save_funnel(ws, funnel)
    return funnel
