"""Workspace (or release) files -> DuckDB views named after the stages.

Input: a workspace folder (``<ws>/<stage>/parts/*.parquet`` + ``<ws>/<stage>/items/<xx>/<key>.json``, rejects
under ``<stage>/rejects/`` in the same two forms) or a published release folder (``data/<config>/*.parquet``).
Output: a DuckDB connection holding one view per stage (``prs``, ``tasks``, ``environments``,
``validations``, ``records``, ``attempts``, ``curated``, ``trajectories``, ``llm_calls``, ``releases``,
``agent_trajectories``, ``verifier``),
``rejects`` (every stage's rejects), and the helpers ``instance_repos`` and ``repo_of(instance_id)``.

Why it is built this way: Parquet parts can hold a million rows, so DuckDB reads them in place (projection
and filter pushdown; nothing is loaded into Python). Item files are few (they are folded into parts by
``compact``), so they are read with the store's own reader, checked, and registered as one Arrow table per
stage. Each view then keeps one row per key exactly as ``Results.__iter__`` does: item files win over
parts, later parts over earlier ones, later rows over earlier rows. Every view has its record type's exact
columns and types, even for an empty or missing stage, so SQL reports never depend on what has run yet.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

from openswe_data.records import RECORD_TYPES, Record, Reject
from openswe_data.store import STAGES, Results

RELEASE_ALIASES = {"default": "records", "trajectories": "agent_trajectories"}
"""Release config names that stand for a stage view (a release's main config holds validated records; its
``trajectories`` config holds agent-native trajectories of every kind)."""

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def duck_type(arrow_type: Any) -> str:
    """The DuckDB type name for an Arrow type used by the record schemas."""
    import pyarrow as pa

    t = arrow_type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "VARCHAR"
    if pa.types.is_int64(t):
        return "BIGINT"
    if pa.types.is_float64(t):
        return "DOUBLE"
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return duck_type(t.value_type) + "[]"
    if pa.types.is_struct(t):
        return "STRUCT(" + ", ".join(f'"{f.name}" {duck_type(f.type)}' for f in t) + ")"
    raise TypeError(f"no DuckDB type for Arrow type {t}")  # pragma: no cover - schemas use only the above


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _default_sql(cls: type[Record], name: str, dtype: str) -> str:
    """The SQL literal of a field's dataclass default (what the store's reader fills in for old files)."""
    f = {f.name: f for f in dataclasses.fields(cls)}[name]  # type: ignore[arg-type]
    if f.default is not dataclasses.MISSING:
        value = f.default
    elif f.default_factory is not dataclasses.MISSING:
        value = f.default_factory()
    else:
        return f"CAST(NULL AS {dtype})"
    if value is None:
        return f"CAST(NULL AS {dtype})"
    if f.metadata.get("json"):
        return _quote(json.dumps(value, sort_keys=True))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return f"CAST({value!r} AS {dtype})"
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, list) and not value:
        return f"CAST([] AS {dtype})"
    return f"CAST(NULL AS {dtype})"


def _columns(cls: type[Record]) -> list[tuple[str, str]]:
    return [(f.name, duck_type(f.type)) for f in cls.schema()]


def _empty_select(cls: type[Record]) -> str:
    cols = ", ".join(f'CAST(NULL AS {t}) AS "{n}"' for n, t in _columns(cls))
    return f"SELECT {cols} WHERE FALSE"


def _parts_select(results: Results[Any], parts: list[Path]) -> str:
    """Parquet parts as rows of ``cls``'s columns, plus the ordering columns used to de-duplicate."""
    cls = results.cls
    files = [str(p) for p in parts]
    present: dict[str, int] = {}
    for p in parts:
        for name in results.part_columns(p):
            present[name] = present.get(name, 0) + 1
    cols = []
    for name, dtype in _columns(cls):
        if name not in present:
            expr = _default_sql(cls, name, dtype)
        elif present[name] < len(files):
            expr = f'COALESCE(CAST("{name}" AS {dtype}), {_default_sql(cls, name, dtype)})'
        else:
            expr = f'CAST("{name}" AS {dtype})'
        cols.append(f'{expr} AS "{name}"')
    file_list = "[" + ", ".join(_quote(f) for f in files) + "]"
    return (
        f"SELECT {', '.join(cols)}, 0 AS __src, list_position({file_list}, filename) AS __ord, "
        f"file_row_number AS __row FROM read_parquet({file_list}, filename=true, file_row_number=true, "
        f"union_by_name=true)"
    )


def _items_table(results: Results[Any]) -> Any | None:
    """Item files as one Arrow table (read and checked by the store's own reader), or None if there are none."""
    from openswe_data.records import to_table

    records = [results._load_item(p) for p in results._item_files()]
    return to_table(records, results.cls) if records else None


def results_select(con: Any, results: Results[Any], table_name: str) -> str:
    """A SELECT giving one row per key of ``results``, with exact columns and types."""
    cls = results.cls
    names = ", ".join(f'"{n}"' for n, _ in _columns(cls))
    pieces = []
    parts = results._part_files()
    if parts:
        pieces.append(_parts_select(results, parts))
    items = _items_table(results)
    if items is not None:
        con.register(f"_items_{table_name}", items)
        pieces.append(f"SELECT {names}, 1 AS __src, 0 AS __ord, 0 AS __row FROM _items_{table_name}")
    if not pieces:
        return _empty_select(cls)
    key = ", ".join(f'"{k}"' for k in cls.KEY)
    union = " UNION ALL ".join(pieces)
    return (
        f"SELECT {names} FROM ({union}) "
        f"QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY __src DESC, __ord DESC, __row DESC) = 1"
    )


def _key_sql(cls: type[Record]) -> str:
    if len(cls.KEY) == 1:
        return f'CAST("{cls.KEY[0]}" AS VARCHAR)'
    return "concat_ws('~', " + ", ".join(f'CAST("{k}" AS VARCHAR)' for k in cls.KEY) + ")"


def stage_types() -> dict[str, type[Record]]:
    """Every stage a view is made of, with its record type: the store's stages, then the trajectories
    step's own (``agent_trajectories``, ``verifier``), whose types live in that package."""
    from openswe_data.trajectories.records import STAGE, VERIFIER_STAGE, AgentTrajectory, VerifierExample

    types = {name: RECORD_TYPES[type_name] for name, type_name in STAGES.items()}
    types.update({STAGE: AgentTrajectory, VERIFIER_STAGE: VerifierExample})
    return types


def _register_workspace(con: Any, root: Path) -> None:
    rejects = []
    for name, cls in stage_types().items():
        folder = root / name
        con.execute(f'CREATE VIEW "{name}" AS {results_select(con, Results(folder, cls), name)}')
        rej = Results(folder / "rejects", Reject)
        if rej._part_files() or any(True for _ in rej._item_files()):
            # A reject superseded by a later result of the same stage no longer counts (Stage.put drops the
            # reject's item file, but a compacted reject stays in a part).
            rejects.append(
                f"SELECT * FROM ({results_select(con, rej, name + '_rejects')}) "
                f'WHERE item_id NOT IN (SELECT {_key_sql(cls)} FROM "{name}")'
            )
    con.execute("CREATE VIEW rejects AS " + (" UNION ALL ".join(rejects) or _empty_select(Reject)))


def _register_release(con: Any, root: Path) -> None:
    data = root / "data"
    configs = sorted(p for p in data.iterdir() if p.is_dir() and _IDENT.match(p.name)) if data.is_dir() else []
    defined: set[str] = set()
    for folder in configs:
        files = sorted(folder.rglob("*.parquet"))
        if not files:
            continue
        view = RELEASE_ALIASES.get(folder.name, folder.name)
        if view in defined:
            continue
        if view in STAGES:
            cls = RECORD_TYPES[STAGES[view]]
            key = ", ".join(f'"{k}"' for k in cls.KEY)
            select = f"SELECT * FROM ({_parts_select(Results(folder, cls), files)}) " + \
                f"QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY __ord DESC, __row DESC) = 1"
            names = ", ".join(f'"{n}"' for n, _ in _columns(cls))
            select = f"SELECT {names} FROM ({select})"
        else:
            file_list = "[" + ", ".join(_quote(str(f)) for f in files) + "]"
            select = f"SELECT * FROM read_parquet({file_list}, union_by_name=true)"
        con.execute(f'CREATE VIEW "{view}" AS {select}')
        defined.add(view)
    if "records" in defined:
        # A release ships validated records only; the per-stage views a report needs are read off them.
        derived = {
            "tasks": "records",
            "environments": "SELECT *, 'built' AS status FROM records",
            "validations": "records",
        }
        for view, source in derived.items():
            if view not in defined:
                cls = RECORD_TYPES[STAGES[view]]
                src = f"({source})" if source.startswith("SELECT") else source
                have = _columns_of(con, src)
                cols = [f'CAST("{n}" AS {t}) AS "{n}"' if n in have else f'{_default_sql(cls, n, t)} AS "{n}"'
                        for n, t in _columns(cls)]
                con.execute(f'CREATE VIEW "{view}" AS SELECT {", ".join(cols)} FROM {src} AS s')
                defined.add(view)
    for name, cls in stage_types().items():
        if name not in defined:
            con.execute(f'CREATE VIEW "{name}" AS {_empty_select(cls)}')
    con.execute(f"CREATE VIEW rejects AS {_empty_select(Reject)}")


def _columns_of(con: Any, source: str) -> set[str]:
    return {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source} AS s").fetchall()}


HELPERS = """
CREATE MACRO repo_of(id) AS
    CASE WHEN regexp_matches(id, '^.+__.+-[0-9]+$')
         THEN replace(regexp_extract(id, '^(.+)-[0-9]+$', 1), '__', '/') ELSE '(unknown)' END;
CREATE VIEW instance_repos AS
    SELECT instance_id, arg_min(repo, priority) AS repo FROM (
        SELECT instance_id, repo, 1 AS priority FROM tasks WHERE repo <> ''
        UNION ALL SELECT instance_id, repo, 2 FROM prs WHERE repo <> ''
        UNION ALL SELECT instance_id, repo, 3 FROM records WHERE repo <> ''
        UNION ALL SELECT item_id, repo, 4 FROM rejects WHERE repo <> ''
    ) GROUP BY instance_id;
"""
"""``instance_repos`` gives each known instance its repository (tasks first, then PRs, records, rejects);
``repo_of(id)`` reads it off a SWE-bench style id (``owner__name-12`` -> ``owner/name``) as a fallback."""


def register(con: Any, path: str | Path) -> str:
    """Create every view on ``con`` for the workspace or release at ``path``; returns ``workspace``/``release``."""
    root = Path(path)
    if (root / "workspace.json").exists():
        kind = "workspace"
        _register_workspace(con, root)
    elif (root / "data").is_dir():
        kind = "release"
        _register_release(con, root)
    else:
        from openswe_data.errors import AnalyzeError

        raise AnalyzeError(
            f"{root} is neither a workspace (no workspace.json) nor a release folder (no data/<config>/)",
            reason="not_a_workspace",
            hint="pass --workspace to the folder a stage wrote to, or to a release's local folder",
        )
    con.execute(HELPERS)
    return kind
