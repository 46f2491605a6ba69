"""The record types: the spine every stage reads and writes.

``PullRequest -> Task -> Environment -> Validation -> ValidatedRecord -> Attempt -> CuratedRecord
-> Trajectory``, plus ``LLMCall`` (the cost ledger), ``Reject`` (why an item dropped out) and ``Release``.

Each type is a dataclass with one Arrow schema derived from its annotations, so Parquet, JSONL and the
Hub release all agree on columns and types. ``ValidatedRecord`` keeps SWE-bench's field names so existing
harnesses read it unchanged; ``to_swebench``/``from_swebench`` give SWE-bench's JSON form, where
``FAIL_TO_PASS``/``PASS_TO_PASS`` are JSON-encoded strings.

Values are checked on the way in (``from_dict``): a wrong type, a missing field, text that is not valid
UTF-8 or an id that could escape a folder (``../x``) is a ``RecordError`` naming the field and the item.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from openswe_data.errors import RecordError
from openswe_data.fields import Kind, arrow_type, check_id, coerce, json_field, kind_of

SCHEMA_VERSION = "2"
"""Bumped when a column is renamed, removed or changes type (adding a column does not bump it)."""

R = TypeVar("R", bound="Record")


def instance_id_for(repo: str, pull_number: int) -> str:
    """SWE-bench's instance id: ``owner/name`` + PR 12 -> ``owner__name-12``."""
    return check_id(f"{repo.replace('/', '__')}-{pull_number}")


# --- the base ----------------------------------------------------------------------------------------
class Record:
    """Shared behaviour of every record type: checked construction, dict/Arrow/JSON forms."""

    KEY: ClassVar[tuple[str, ...]] = ("instance_id",)
    """The fields that identify one item; the store keeps one result per key."""

    @classmethod
    def _kinds(cls) -> dict[str, Kind]:
        cache = cls.__dict__.get("_kind_cache")
        if cache is None:
            hints = typing.get_type_hints(cls)
            cache = {f.name: kind_of(hints[f.name], f.metadata) for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
            cls._kind_cache = cache  # type: ignore[attr-defined]
        return cache

    @classmethod
    def schema(cls) -> Any:
        """The Arrow schema (``pyarrow.Schema``) of this record type."""
        import pyarrow as pa

        return pa.schema(
            [pa.field(name, arrow_type(kind), nullable=kind.optional or kind.name == "json")
             for name, kind in cls._kinds().items()],
            metadata={"openswe.record": cls.__name__, "openswe.schema_version": SCHEMA_VERSION},
        )

    @classmethod
    def field_names(cls) -> list[str]:
        return list(cls._kinds())

    @classmethod
    def from_dict(cls: type[R], data: typing.Mapping[str, Any], *, strict: bool = True) -> R:
        """Build a checked record from a mapping; ``strict`` refuses unknown fields."""
        if not isinstance(data, typing.Mapping):
            raise RecordError(f"expected a mapping for a {cls.__name__}, got {type(data).__name__}")
        kinds = cls._kinds()
        raw_item = data.get(cls.KEY[0])
        item = raw_item if isinstance(raw_item, str) else None
        for name in cls.KEY:
            if name.endswith("_id") and name in data:
                check_id(data[name], field_name=name, item=item)
        if strict:
            unknown = sorted(set(data) - set(kinds))
            if unknown:
                raise RecordError(
                    f"unknown field(s) for {cls.__name__}: {', '.join(unknown)}", item=item, field=unknown[0]
                )
        values: dict[str, Any] = {}
        defaults = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        for name, kind in kinds.items():
            if name in data:
                values[name] = coerce(data[name], kind, item=item, field_name=name)
            elif defaults[name].default is dataclasses.MISSING and defaults[name].default_factory is dataclasses.MISSING:
                raise RecordError(f"is required for a {cls.__name__} but missing", item=item, field=name)
        return cls(**values)

    def __post_init__(self) -> None:
        kinds = self._kinds()
        item = getattr(self, self.KEY[0], None)
        item = item if isinstance(item, str) else None
        for name, kind in kinds.items():
            object.__setattr__(self, name, coerce(getattr(self, name), kind, item=item, field_name=name))
        for name in self.KEY:
            if name.endswith("_id"):
                check_id(getattr(self, name), field_name=name, item=item)

    def key(self) -> str:
        """The item's key as one safe string (used for file names and de-duplication)."""
        return "~".join(str(getattr(self, k)) for k in self.KEY)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    def to_row(self, secrets: list[str] | None = None) -> dict[str, Any]:
        """The Arrow/Parquet row: JSON fields become JSON strings; every secret the environment holds is
        replaced by ``***`` (``secrets``: the values to hide, when the caller looked them up already)."""
        from openswe_data.settings import scrub_value, secret_values

        row = self.to_dict()
        for name, kind in self._kinds().items():
            if kind.name == "json":
                row[name] = json.dumps(row[name], ensure_ascii=False, sort_keys=True)
        secrets = secret_values() if secrets is None else secrets
        return {k: scrub_value(v, secrets) for k, v in row.items()} if secrets else row

    def replace(self: R, **changes: Any) -> R:
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]


# --- the record types --------------------------------------------------------------------------------
@dataclass
class PullRequest(Record):
    """A merged pull request as crawled or imported, with what collect needs to judge it."""

    KEY: ClassVar[tuple[str, ...]] = ("instance_id",)
    instance_id: str
    repo: str
    pull_number: int
    base_commit: str
    diff: str
    title: str = ""
    body: str = ""
    created_at: str = ""
    merged_at: str | None = None
    author: str = ""
    author_type: str = "User"
    repo_url: str = ""
    stars: int | None = None
    language: str | None = None
    license: str | None = None
    head_commit: str | None = None
    linked_issues: Any = json_field(list)
    commit_messages: list[str] = field(default_factory=list)
    source: str = ""


@dataclass
class Task(Record):
    """A pull request worth building: the gold fix and the tests split apart, with the problem text."""

    instance_id: str
    repo: str
    base_commit: str
    patch: str
    test_patch: str
    problem_statement: str
    pull_number: int = 0
    hints_text: str = ""
    created_at: str = ""
    version: str = ""
    environment_setup_commit: str = ""
    repo_url: str = ""
    license: str | None = None
    test_files: list[str] = field(default_factory=list)
    source: str = ""


@dataclass
class Environment(Record):
    """A built environment: the image, how it was built, and the eval script that grades it."""

    instance_id: str
    status: str  # built | failed
    reason: str = ""
    image_name: str = ""
    image_digest: str = ""
    context_hash: str = ""
    dockerfile: str = ""
    eval_script: str = ""
    python_version: str = ""
    test_command: str = ""
    test_files: list[str] = field(default_factory=list)
    log_parser: str = "pytest"
    build_method: str = "heuristic"  # heuristic | agent
    attempts: int = 0
    cost_usd: float = 0.0
    tokens: int = 0
    build_seconds: float = 0.0
    setup_facts: Any = json_field(dict)
    frozen_requirements: list[str] = field(default_factory=list)
    history_audit: Any = json_field(dict)
    build_log: str = ""
    log_path: str = ""
    image_size_bytes: int | None = None  # the image's disk size as the engine reports it (None: not measured)
    recipe: Any = json_field(dict)  # the build recipe overlay this environment was built with (openswe_data.build.recipe)


@dataclass
class Validation(Record):
    """The two-sided run of an environment: tests before and after the gold patch, and the verdict."""

    instance_id: str
    verdict: str  # valid | invalid
    reason: str = ""
    FAIL_TO_PASS: list[str] = field(default_factory=list)
    PASS_TO_PASS: list[str] = field(default_factory=list)
    flaky_tests: list[str] = field(default_factory=list)
    tests_before: Any = json_field(dict)
    tests_after: Any = json_field(dict)
    exit_before: int | None = None
    exit_after: int | None = None
    log_before: str = ""
    log_after: str = ""
    log_reruns: str = ""
    log_path: str = ""
    validate_seconds: float = 0.0
    fault: str = ""  # environment | task | infrastructure when invalid (openswe_data.reasons)
    reason_detail: str = ""  # the reason in words: which tests, which error
    runs_before: int = 0
    runs_after: int = 0
    test_stability: Any = json_field(dict)  # node id -> [passes before, passes after, runs before, runs after] (runs that ran it)
    gold_pass_rate: float | None = None  # share of runs with the fix where every FAIL_TO_PASS passed
    noop_fail_rate: float | None = None  # share of runs without it where every FAIL_TO_PASS failed
    flake_miss_probability: float | None = None  # chance a test failing half of all runs at random looked
    # like this FAIL_TO_PASS (failed every run before, passed every run after): 0.5 ** (runs before + after)
    results_source: str = ""  # junit | rA | mixed | none: where the per-test results were read
    collection_errors: Any = json_field(dict)  # module -> error, from the first run with the fix
    runs: Any = json_field(list)  # per run: side, exit status and its cause, results source, seconds
    validated_at: str = ""  # UTC time the verdict was reached (RFC 3339)


@dataclass
class ValidatedRecord(Record):
    """The published row: SWE-bench's fields first, then ours."""

    instance_id: str
    repo: str
    base_commit: str
    patch: str
    test_patch: str
    problem_statement: str
    hints_text: str = ""
    created_at: str = ""
    version: str = ""
    FAIL_TO_PASS: list[str] = field(default_factory=list)
    PASS_TO_PASS: list[str] = field(default_factory=list)
    environment_setup_commit: str = ""
    pull_number: int = 0
    dockerfile: str = ""
    eval_script: str = ""
    image_name: str = ""
    image_digest: str = ""
    python_version: str = ""
    test_command: str = ""
    test_files: list[str] = field(default_factory=list)
    log_parser: str = "pytest"
    build_method: str = "heuristic"
    attempts: int = 0
    cost_usd: float = 0.0
    tokens: int = 0
    build_seconds: float = 0.0
    validate_seconds: float = 0.0
    license: str | None = None
    verdict: str = "valid"
    reason: str = ""
    flaky_tests: list[str] = field(default_factory=list)
    log_path: str = ""
    fault: str = ""
    reason_detail: str = ""
    runs_before: int = 0
    runs_after: int = 0
    test_stability: Any = json_field(dict)
    gold_pass_rate: float | None = None
    noop_fail_rate: float | None = None
    flake_miss_probability: float | None = None
    validated_at: str = ""

    SWEBENCH_JSON_LISTS: ClassVar[tuple[str, ...]] = ("FAIL_TO_PASS", "PASS_TO_PASS")

    def to_swebench(self) -> dict[str, Any]:
        """SWE-bench's JSON form: FAIL_TO_PASS/PASS_TO_PASS as JSON-encoded strings."""
        out = self.to_dict()
        for name in self.SWEBENCH_JSON_LISTS:
            out[name] = json.dumps(out[name])
        return out

    @classmethod
    def from_swebench(cls, data: typing.Mapping[str, Any]) -> ValidatedRecord:
        """Read SWE-bench's JSON form (JSON-encoded or plain lists); unknown fields are ignored."""
        known = {k: v for k, v in data.items() if k in cls._kinds()}
        return cls.from_dict(known)


@dataclass
class BuildAttempt(Record):
    """One turn of the closed build loop: the recipe tried, what happened, the diagnosis and the fix it led to."""

    KEY: ClassVar[tuple[str, ...]] = ("instance_id", "attempt")
    instance_id: str
    attempt: int
    repo: str = ""
    stage: str = ""  # build | validate: where this attempt ended
    outcome: str = ""  # valid | invalid | failed (build)
    reason: str = ""
    fault: str = ""
    diagnosis: str = ""  # the named diagnosis of a rule that fired ("" when none did)
    rule: str = ""  # the rule's name
    fix: str = ""  # the fix it proposed (kind=value)
    recipe: Any = json_field(dict)  # the recipe this attempt built with
    recipe_key: str = ""
    seeded_from: str = ""  # the instance whose validated recipe seeded this one (repository memory)
    image_name: str = ""
    seconds: float = 0.0
    detail: str = ""
    tier: str = ""  # rules | agents: which tier proposed ``fix`` ("" when none did)
    cost_usd: float = 0.0  # what the agent tier spent after this attempt (its model calls; cache hits are $0)
    llm_calls: int = 0  # the agent tier's model calls after this attempt, cache hits included
    refused: str = ""  # the agents' edits of the Dockerfile or eval script refused after this attempt, and why


@dataclass
class RepoRecipe(Record):
    """Repository memory: the recipe that validated one instance, offered to the next ones of its repository."""

    instance_id: str
    repo: str
    base_commit: str = ""
    created_at: str = ""
    recipe: Any = json_field(dict)
    python_version: str = ""
    attempts: int = 0


@dataclass
class Attempt(Record):
    """One sampled agent attempt at an instance, graded by the instance's own eval script."""

    KEY: ClassVar[tuple[str, ...]] = ("instance_id", "attempt_index")
    instance_id: str
    attempt_index: int
    model: str = ""
    scaffold: str = ""
    patch: str = ""
    resolved: bool | None = None
    reason: str = ""
    messages: list[dict[str, str]] = field(default_factory=list)
    cost_usd: float = 0.0
    tokens: int = 0
    source: str = ""


@dataclass
class CuratedRecord(Record):
    """An instance's measured difficulty and whether the policy keeps it."""

    instance_id: str
    n_attempts: int
    n_resolved: int
    pass_rate: float
    ci_low: float = 0.0
    ci_high: float = 1.0
    difficulty: str = ""
    kept: bool = False
    reason: str = ""
    policy: str = ""


@dataclass
class Trajectory(Record):
    """An SFT-ready trajectory: a kept attempt's cleaned messages in chat format."""

    KEY: ClassVar[tuple[str, ...]] = ("instance_id", "attempt_index")
    instance_id: str
    attempt_index: int
    model: str = ""
    scaffold: str = ""
    messages: list[dict[str, str]] = field(default_factory=list)
    resolved: bool = True
    masked_steps: list[int] = field(default_factory=list)
    policy: str = ""


@dataclass
class LLMCall(Record):
    """One paid model call: the cost ledger's row."""

    KEY: ClassVar[tuple[str, ...]] = ("call_id",)
    call_id: str
    instance_id: str = ""
    stage: str = ""
    agent: str = ""
    model: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    latency_seconds: float = 0.0
    created_at: str = ""
    status: str = "ok"  # ok | error | cached (answered by the call cache: no new spend)
    prompt_version: str = ""  # a hash of the prompt templates the call was rendered from
    cache_key: str = ""  # the content address of (model, messages) in the call cache


@dataclass
class Reject(Record):
    """Why an item dropped out of a stage: a machine-readable reason, a detail, and where it came from."""

    KEY: ClassVar[tuple[str, ...]] = ("item_id",)
    item_id: str
    stage: str
    reason: str
    detail: str = ""
    source: str = ""
    repo: str = ""
    log_path: str = ""


@dataclass
class Release(Record):
    """A published version: what went in and where it went."""

    KEY: ClassVar[tuple[str, ...]] = ("version",)
    version: str
    created_at: str = ""
    schema_version: str = SCHEMA_VERSION
    previous_version: str | None = None
    counts: Any = json_field(dict)
    configs: Any = json_field(dict)
    destinations: list[str] = field(default_factory=list)
    notes: str = ""


@dataclass
class Drift(Record):
    """One re-validation of a published environment later on (``openswe revalidate``): does the image,
    rebuilt from its Dockerfile without cache or pulled by digest, still give the recorded tests?"""

    KEY: ClassVar[tuple[str, ...]] = ("instance_id", "image_source", "checked_at")
    instance_id: str
    image_source: str  # rebuilt (its Dockerfile, no cache) | pulled (the published image, by digest)
    checked_at: str
    repo: str = ""
    status: str = ""  # same | drift | build_failed | image_missing
    image: str = ""
    validated_at: str = ""
    age_days: float | None = None  # checked_at - validated_at
    runs: int = 0  # runs per side
    same_fail_to_pass: bool = False
    same_pass_to_pass: bool = False
    lost_tests: list[str] = field(default_factory=list)  # recorded tests the runner no longer reports
    new_failures: list[str] = field(default_factory=list)  # recorded tests that no longer pass with the gold patch
    FAIL_TO_PASS: list[str] = field(default_factory=list)
    PASS_TO_PASS: list[str] = field(default_factory=list)
    verdict: str = ""
    reason: str = ""
    detail: str = ""
    log_path: str = ""


RECORD_TYPES: dict[str, type[Record]] = {
    t.__name__: t
    for t in (PullRequest, Task, Environment, Validation, ValidatedRecord, Attempt, CuratedRecord,
              Trajectory, LLMCall, Reject, Release, BuildAttempt, RepoRecipe, Drift)
}


# --- file forms --------------------------------------------------------------------------------------
def to_table(records: Iterable[Record], cls: type[Record]) -> Any:
    """A ``pyarrow.Table`` of ``records`` in ``cls``'s schema."""
    import pyarrow as pa

    from openswe_data.settings import secret_values

    secrets = secret_values()
    rows = [r.to_row(secrets) for r in records]
    return pa.Table.from_pylist(rows, schema=cls.schema())


def from_table(table: Any, cls: type[R]) -> Iterator[R]:
    """Records of ``cls`` from a ``pyarrow.Table`` (columns it does not know are ignored)."""
    known = set(cls.field_names())
    for batch in table.to_batches(max_chunksize=4096):
        for row in batch.to_pylist():
            yield cls.from_dict({k: v for k, v in row.items() if k in known})


def write_parquet(records: Iterable[Record], cls: type[Record], path: str | Path) -> None:
    import pyarrow.parquet as pq

    pq.write_table(to_table(records, cls), str(path), compression="zstd")


def read_parquet(path: str | Path, cls: type[R]) -> Iterator[R]:
    import pyarrow.parquet as pq

    yield from from_table(pq.read_table(str(path)), cls)


def write_jsonl(records: Iterable[Record], path: str | Path, *, swebench: bool = False) -> int:
    """Write one JSON object a line; ``swebench`` uses SWE-bench's JSON form. Returns the count."""
    from openswe_data.settings import scrub_value, secret_values

    n = 0
    secrets = secret_values()
    with open(path, "w", encoding="utf-8") as fh:
        for r in records:
            obj = r.to_swebench() if swebench and isinstance(r, ValidatedRecord) else r.to_dict()
            fh.write(json.dumps(scrub_value(obj, secrets), ensure_ascii=False) + "\n")
            n += 1
    return n


def read_jsonl(path: str | Path, cls: type[R]) -> Iterator[R]:
    """Records from a JSONL file; a bad line raises ``RecordError`` naming the file and line."""
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw.decode("utf-8"))
                if cls is ValidatedRecord:
                    yield ValidatedRecord.from_swebench(obj)  # type: ignore[misc]
                else:
                    yield cls.from_dict(obj)
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise RecordError(f"{path}:{lineno}: not a JSON object in UTF-8 ({exc})") from None
            except RecordError as exc:
                raise RecordError(f"{path}:{lineno}: {exc.message}", item=exc.item) from None
