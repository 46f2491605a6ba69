"""The report renders with its plots on the examples' workspace, built and validated in real Docker."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def test_the_report_on_the_examples_references_only_real_pngs(examples_workspace, tmp_path):
    from openswe_data.analyze import run_report, write_report

    ws, expected, _ = examples_workspace
    files = write_report(ws.path, tmp_path / "report")
    html = files.html.read_text()
    plots = re.findall(r'<img[^>]+src="([^"]+)"', html)
    assert plots, "the report shows no plot"
    for src in plots:
        data = (files.html.parent / src).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", src
        assert len(data) > 2000, f"{src} is suspiciously small"
    funnel = run_report("funnel", ws.path, as_pandas=True)
    valid = sum(e["verdict"] == "valid" for e in expected.values())
    text = funnel.to_string()
    assert str(len(expected)) in text and str(valid) in text
    reasons = run_report("failure_reasons", ws.path, as_pandas=True).to_string()
    for reason in ("flaky", "no_fail_to_pass", "patch_does_not_apply"):
        assert reason in reasons
