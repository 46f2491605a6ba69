"""The written report: every plot it references exists and is a valid PNG; tables and CSVs are there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from openswe_data import analyze
from openswe_data.analyze.document import format_value

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def written(fixture_ws: Path, tmp_path_factory: pytest.TempPathFactory):
    return analyze.write_report(fixture_ws, tmp_path_factory.mktemp("report"))


def test_every_plot_the_html_references_exists_and_decodes_as_a_png(written):
    html = written.html.read_text()
    sources = re.findall(r'<img src="([^"]+)"', html)
    assert len(sources) == 10  # funnel, failures, 2 cost, 2 difficulty, repos, python, times, disk
    import matplotlib.image

    for src in sources:
        path = written.html.parent / src
        assert path.is_file(), src
        assert path.read_bytes()[:8] == PNG_SIGNATURE, src
        pixels = matplotlib.image.imread(path)
        assert pixels.shape[0] > 100 and pixels.shape[1] > 100, src
        assert pixels.std() > 0, f"{src} is a blank image"
    assert sorted(written.html.parent / s for s in sources) == sorted(written.plots)


def test_the_markdown_references_the_same_plots_and_every_report_has_a_section_and_a_csv(written):
    md = written.markdown.read_text()
    assert sorted(re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)) == sorted(
        p.relative_to(written.markdown.parent).as_posix() for p in written.plots)
    for name in analyze.list_reports():
        csv = written.markdown.parent / "tables" / f"{name}.csv"
        assert csv.is_file() and f"tables/{name}.csv" in md
    assert "| crawled | 10 | 100.0% |" in md


def test_the_html_shows_the_numbers_a_person_reads(written):
    html = written.html.read_text()
    assert "<td>acme/web</td>" in html
    assert "<td>$2.45</td>" in html  # llm_usd in the cost summary
    assert "<td>$0.4900</td>" in html  # usd_per_valid


def test_an_empty_workspace_renders_a_report_with_no_plots_and_says_so(tmp_path):
    from openswe_data.store import Workspace

    Workspace(tmp_path / "ws", create=True)
    files = analyze.write_report(tmp_path / "ws", tmp_path / "out")
    assert files.plots == []
    assert "No rows" in files.html.read_text()
    assert len(files.tables) == len(analyze.list_reports())


@pytest.mark.parametrize("column, value, text", [
    ("share_of_crawled", 0.5, "50.0%"),
    ("valid_rate", 1.0, "100.0%"),
    ("cost_usd", 1234.5, "$1,234.50"),
    ("usd_per_valid", 0.49, "$0.4900"),
    ("total_bytes", 3_500_000_000, "3.50 GB"),
    ("instances", 12345, "12,345"),
    ("mean_seconds", 20.9166, "21s"),
    ("p90_seconds", 64.2, "1m 4s"),
    ("gini", 0.26666, "0.267"),
    ("share", None, ""),
])
def test_cells_are_formatted_by_what_their_column_holds(column, value, text):
    assert format_value(column, value) == text
