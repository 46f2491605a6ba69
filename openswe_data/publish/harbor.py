"""Validated records -> Harbor task folders (`openswe export --format harbor`), one per instance.

Input: valid records (a workspace, or a release folder whose records carry registry digests). Output, per
instance, the layout Harbor's ``TaskPaths`` reads (checked with the real ``harbor lint`` in the tests)::

    <instance_id>/task.toml          image pinned by digest, /testbed workdir, a separate no-network verifier
    <instance_id>/instruction.md     from the problem statement
    <instance_id>/environment/Dockerfile    FROM the same pinned image
    <instance_id>/solution/solve.sh  applies the gold patch
    <instance_id>/tests/test.sh      applies the agent's patch, runs tests/eval.sh (the record's own eval
                                     script), grades with tests/grade.py and the record's own parser
                                     (tests/openswe_parser/) -> /logs/verifier/reward.txt
    <instance_id>/tests/config.json  FAIL_TO_PASS, PASS_TO_PASS, test files, parser name

Why a separate verifier: Harbor's linter asks that grading not share the agent's sandbox. The agent's change
reaches the verifier as a patch: a ``verifier.collect`` hook writes ``git diff`` of ``/testbed`` into Harbor's
artifacts folder, which Harbor restores into the verifier's fresh container of the same image. The parser is
copied from this package's own modules (standard library only), so a task grades exactly as ``openswe
evaluate`` does. Templates are recipes: ``builders/harbor/``.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from openswe_data import conventions as C
from openswe_data import recipes
from openswe_data.build.evalscript import heredoc_terminator
from openswe_data.errors import PublishError
from openswe_data.records import ValidatedRecord

AGENT_PATCH = "/logs/artifacts/openswe-agent.patch"
"""Where the collect hook writes the agent's change; Harbor restores its artifacts folder in the verifier."""
VERIFIER_DIR = "/logs/verifier"
REWARD_PATH = f"{VERIFIER_DIR}/reward.txt"
PARSER_MODULES = ("conventions.py", "toolchains/python/pytest_results.py", "toolchains/python/unittest_results.py")
"""The record's parser, copied into ``tests/openswe_parser/openswe_data/`` (with empty package files)."""
_REGISTRY_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


def image_pin(record: ValidatedRecord) -> tuple[str, str]:
    """``(reference, kind)``: ``repository@sha256:...`` (``kind`` ``registry``) when the record's image was
    published (its name starts with a registry host and its digest is the registry's); else the image as built
    in this workspace, by its content-keyed tag (``kind`` ``local``: only this machine's engine has it, and a
    local image id is no registry digest, so it is not written as one)."""
    repo = record.image_name.rsplit("@", 1)[0]
    if ":" in repo.rsplit("/", 1)[-1]:
        repo = repo.rsplit(":", 1)[0]
    first = repo.split("/", 1)[0]
    published = "/" in repo and ("." in first or ":" in first or first == "localhost")
    if published and _REGISTRY_DIGEST.match(record.image_digest or ""):
        return f"{repo}@{record.image_digest}", "registry"
    if not record.image_name:
        raise PublishError(f"{record.instance_id}: the record names no image",
                           hint="build and validate it again, or export from a release published with --registry")
    return record.image_name, "local"


def _toml(value: object) -> str:
    """A TOML value: JSON's strings, numbers and arrays are TOML's, once DEL (raw in JSON) is escaped."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _collect_command() -> str:
    from openswe_data.sample.environment import DIFF_COMMAND  # the patch an agent's work makes, as sampling takes it

    return f"mkdir -p {Path(AGENT_PATCH).parent} && cd {C.TESTBED} && {DIFF_COMMAND} > {AGENT_PATCH}"


def write_task(record: ValidatedRecord, folder: Path, *, agent_timeout: float = 3000.0,
               verifier_timeout: float = 1800.0, cpus: float = 1.0, memory_mb: int = 4096) -> str:
    """Write one Harbor task folder for ``record``; returns the image kind (``registry`` or ``local``)."""
    image, kind = image_pin(record)
    common = {"instance_id": record.instance_id, "testbed": C.TESTBED, "image": image}
    name = f"openswe/{record.instance_id}"
    toml_vars = {
        "name": name, "description": record.problem_statement.strip().splitlines()[0][:200]
        if record.problem_statement.strip() else record.instance_id,
        "keywords": ["openswe", "swe", record.repo], "instance_id": record.instance_id, "repo": record.repo,
        "base_commit": record.base_commit, "log_parser": record.log_parser or "pytest",
        "image_name": record.image_name, "image_pin": kind, "fail_to_pass": list(record.FAIL_TO_PASS),
        "pass_to_pass": list(record.PASS_TO_PASS), "agent_timeout": agent_timeout,
        "verifier_timeout": verifier_timeout, "collect_command": _collect_command(), "image": image,
        "testbed": C.TESTBED, "cpus": cpus, "memory_mb": memory_mb,
    }
    files = {
        "task.toml": recipes.render("builders", "harbor/task.toml.j2",
                                    {k: _toml(v) for k, v in toml_vars.items()}),
        "instruction.md": recipes.render("builders", "harbor/instruction.md.j2", {
            **common, "repo": record.repo, "base_commit": record.base_commit,
            "problem_statement": record.problem_statement.strip()}),
        "environment/Dockerfile": recipes.render("builders", "harbor/Dockerfile.j2", common),
        "solution/solve.sh": recipes.render("builders", "harbor/solve.sh.j2", {
            **common, "patch": record.patch.rstrip("\n"), "heredoc": heredoc_terminator(record.patch, "OPENSWE_GOLD_EOF")}),
        "tests/test.sh": recipes.render("builders", "harbor/test.sh.j2", {
            **common, "agent_patch": AGENT_PATCH, "verifier_dir": VERIFIER_DIR, "reward_path": REWARD_PATH,
            "junit_path": C.JUNIT_PATH}),
        "tests/eval.sh": record.eval_script,
        "tests/grade.py": recipes.read("builders", "harbor/grade.py"),
        "tests/unchanged.py": recipes.read("builders", "harbor/unchanged.py"),
        "tests/config.json": json.dumps({
            "instance_id": record.instance_id, "log_parser": record.log_parser or "pytest",
            "test_files": list(record.test_files), "FAIL_TO_PASS": list(record.FAIL_TO_PASS),
            "PASS_TO_PASS": list(record.PASS_TO_PASS)}, indent=2, ensure_ascii=False) + "\n",
    }
    package = Path(__file__).resolve().parents[1]
    for rel in PARSER_MODULES:
        files[f"tests/openswe_parser/openswe_data/{rel}"] = (package / rel).read_text(encoding="utf-8")
    for pkg in ("", "toolchains/", "toolchains/python/"):
        files[f"tests/openswe_parser/openswe_data/{pkg}__init__.py"] = ""
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text if not text or text.endswith("\n") else text + "\n", encoding="utf-8")
        if rel.endswith(".sh"):
            path.chmod(0o755)
    return kind


def export_harbor(records: list[ValidatedRecord], out: Path) -> dict[str, int]:
    """One task folder per record under ``out`` (each replaced whole, written beside and renamed into place);
    returns ``{registry: n, local: n}``, how many tasks pin a registry digest or a local image id."""
    out.mkdir(parents=True, exist_ok=True)
    kinds = {"registry": 0, "local": 0}
    for record in sorted(records, key=lambda r: r.instance_id):
        tmp, final = out / f".{record.instance_id}.tmp", out / record.instance_id
        shutil.rmtree(tmp, ignore_errors=True)
        kinds[write_task(record, tmp)] += 1
        shutil.rmtree(final, ignore_errors=True)
        tmp.replace(final)
    return kinds
