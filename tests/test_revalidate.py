"""`openswe revalidate`: an example's environment, validated again later, shows no drift — rebuilt from its
Dockerfile without cache and pulled by digest, from the workspace and from its published release — and a
deliberately changed environment (a changed published image, a changed Dockerfile) is reported as drift."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from openswe_data.cli import make_app
from openswe_data.records import Drift, ValidatedRecord
from openswe_data.store import Workspace

pytestmark = [pytest.mark.docker, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[1]
IID = "openswe-examples__wordstats-7"
BREAK = "RUN printf 'raise RuntimeError(\"the environment changed\")\\n' > /testbed/tests/conftest.py"


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    """One example collected, built, validated and released, in real Docker."""
    from openswe_data import engine
    from openswe_data.collect import collect_dump
    from openswe_data.publish import PublishOptions, publish
    from openswe_data.repair import build_with_loop
    from openswe_data.validate import validate_environments

    if not engine.available():
        pytest.skip("no Docker engine answers")
    root = tmp_path_factory.mktemp("revalidate")
    subprocess.run([sys.executable, str(ROOT / "examples" / "make_repos.py"), "--out", str(root / "repos"),
                    "--dump", str(root / "all.jsonl"), "--quiet"], check=True)
    line = next(raw for raw in (root / "all.jsonl").read_text().splitlines() if '"openswe-examples/wordstats"' in raw)
    (root / "prs.jsonl").write_text(line + "\n")
    ws = Workspace(root / "ws", create=True)
    collect_dump([root / "prs.jsonl"], ws)
    build_with_loop(ws, workers=1)
    validate_environments(ws, workers=1)
    record = ws.stage("records").get(IID)
    assert record is not None and record.verdict == "valid", record
    # the adaptive flake gate: 10 runs a side when the runs are short (< 10 s), never fewer than 5
    n = record.runs_before
    assert record.runs_after == n in (5, 10) and record.flake_miss_probability == 0.5 ** (2 * n)
    publish(ws, PublishOptions(version="0.1.0", out=root / "release", skip_bad=True))
    return root, ws


def revalidate(*args: str):
    result = CliRunner().invoke(make_app(), ["revalidate", *args, "--k", "2"])
    assert result.exit_code == 0, result.output
    return result.output


def latest(ws: Workspace, source: str) -> Drift:
    rows = [d for d in ws.stage("drift", Drift) if d.image_source == source and d.instance_id == IID]
    return max(rows, key=lambda d: d.checked_at)


def test_the_examples_environment_shows_no_drift_rebuilt_or_pulled(validated):
    root, ws = validated
    output = revalidate(str(ws.path), "-w", str(ws.path))
    record = ws.stage("records").get(IID)
    for source in ("rebuilt", "pulled"):
        drift = latest(ws, source)
        assert drift.status == "same", (source, drift.detail, output)
        assert sorted(drift.FAIL_TO_PASS) == sorted(record.FAIL_TO_PASS) and drift.lost_tests == []
        assert drift.runs == 2 and drift.age_days is not None and drift.age_days >= 0
    assert "same 2" in output
    report = CliRunner().invoke(make_app(), ["report", "drift", "-w", str(ws.path), "--format", "json"])
    rows = [json.loads(r) for r in report.output.strip().splitlines()]
    assert {(r["image_source"], r["same"], r["drifted"]) for r in rows} == {("rebuilt", 1, 0), ("pulled", 1, 0)}


def test_the_published_release_shows_no_drift(validated, tmp_path):
    root, _ = validated
    out_ws = tmp_path / "checks"
    revalidate(str(root / "release"), "-w", str(out_ws), "--repo-root", f"openswe-examples/wordstats={root / 'repos' / 'wordstats'}")
    checks = Workspace(out_ws)
    assert {d.image_source: d.status for d in checks.stage("drift", Drift)} == {"rebuilt": "same", "pulled": "same"}


def test_a_changed_environment_is_reported_as_drift(validated, tmp_path):
    from openswe_data import engine

    root, ws = validated
    record = ws.stage("records").get(IID)
    # the published image changed under its users: a new image with the same name, now a different digest
    client = engine.client()
    changed, _ = client.images.build(fileobj=io.BytesIO(f"FROM {record.image_digest}\n{BREAK}\n".encode()),
                                     tag="openswe/revalidate-test:changed", rm=True)
    try:
        ws.stage("records").put(record.replace(image_digest=changed.id))
        output = revalidate(str(ws.path), "-w", str(ws.path), "--no-rebuild")
        pulled = latest(ws, "pulled")
        assert pulled.status == "drift", pulled
        assert not pulled.same_fail_to_pass and pulled.FAIL_TO_PASS == []
        assert f"drift: {IID} (pulled): drift" in output

        # the recipe gives something else today: the rebuilt environment drifts
        ws.stage("records").put(record.replace(dockerfile=record.dockerfile.rstrip("\n") + f"\n{BREAK}\n"))
        revalidate(str(ws.path), "-w", str(ws.path), "--no-pull")
        rebuilt = latest(ws, "rebuilt")
        assert rebuilt.status == "drift" and rebuilt.FAIL_TO_PASS == [], rebuilt
        report = CliRunner().invoke(make_app(), ["report", "drift", "-w", str(ws.path), "--format", "json"])
        rows = {json.loads(r)["image_source"]: json.loads(r) for r in report.output.strip().splitlines()}
        assert rows["pulled"]["drifted"] == 1 and rows["rebuilt"]["drifted"] == 1
    finally:
        ws.stage("records").put(record)  # the workspace's record as validated
        client.images.remove("openswe/revalidate-test:changed", force=True)
