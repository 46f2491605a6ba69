"""Every report -> one Markdown and one HTML document with PNG plots and a CSV per report.

Input: a workspace or release folder. Output: ``<out>/report.md``, ``<out>/report.html``,
``<out>/plots/<report>.png`` and ``<out>/tables/<report>.csv``.

Why: a person reads a chart before a table, so each section leads with its plot and keeps the exact
numbers below it (the first rows here, all of them in the CSV). Both documents reference the same PNG
files by relative path, so the folder can be zipped, attached to a release or opened from disk.
"""

from __future__ import annotations

import datetime as _dt
import html
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SECTIONS: list[tuple[str, str, str]] = [
    ("funnel", "Funnel", "How many instances survive each stage, from crawled pull requests to curated environments."),
    ("funnel_by_repo", "Funnel by repository", "The same funnel per repository."),
    ("failure_reasons", "Failure reasons", "Why instances dropped out, stage by stage (machine-readable reasons)."),
    ("failure_faults", "Whose fault", "Invalid records by fault (environment, task, infrastructure) and reason."),
    ("build_rules", "Closed build loop: rules",
     "Which diagnosis rules fired, how often, and how many instances they rescued."),
    ("build_undiagnosed", "Closed build loop: not diagnosed",
     "Instances the loop could not fix and no rule diagnosed: where to write the next rule."),
    ("cost_summary", "Cost", "Total LLM spend from the cost ledger, and dollars per valid environment."),
    ("cost_by_stage", "Cost by stage, agent and model", "Where the ledger's dollars and tokens went."),
    ("cost_by_repo", "Cost by repository", "Spend per repository and per valid environment of it."),
    ("difficulty", "Difficulty", "Curated instances by difficulty band, measured from sampled agent pass rates."),
    ("difficulty_by_repo", "Difficulty by repository", "Difficulty bands for each repository."),
    ("repo_distribution", "Repository distribution", "Valid instances per repository: the head and the long tail."),
    ("repo_concentration", "Repository concentration",
     "How concentrated the dataset is (HHI: sum of squared shares; Gini: 0 = even)."),
    ("python_versions", "Python versions", "Built environments per Python version, and how many validated."),
    ("time_histogram", "Build and validation times", "How long builds and validations took."),
    ("time_distributions", "Time percentiles", "Build times by build method; validation times by verdict."),
    ("flaky_tests", "Flaky tests", "Tests whose outcome changed across reruns (excluded from grading)."),
    ("image_disk", "Image disk usage", "Disk used by built images; a shared image counts once."),
    ("trajectory_tokens", "Agent-native trajectories",
     "Trajectories by kind (contextual from every PR, environmental replays, sampled runs) and their tokens."),
    ("trajectory_tokens_by_repo", "Trajectory tokens by repository", "Which repositories the training tokens come from."),
    ("trajectory_lengths", "Trajectory lengths", "How long trajectories are, in tokens, per kind."),
    ("trajectory_exclusions", "Trajectory exclusions", "Decontamination and failures: why trajectories were left out."),
    ("verifier_pairs", "Verifier pairs", "Labelled success / failure pairs for training a verifier."),
    ("drift", "Drift over time",
     "Environments validated again later (`openswe revalidate`), rebuilt without cache and pulled by digest: "
     "which still give the recorded tests, by repository and age."),
]
"""(report, title, one-line explanation), in reading order. Reports not listed here go in an appendix."""

MAX_ROWS = 20


@dataclass
class ReportFiles:
    """What ``write_report`` wrote."""

    markdown: Path
    html: Path
    plots: list[Path] = field(default_factory=list)
    tables: list[Path] = field(default_factory=list)


def format_value(column: str, value: Any) -> str:
    """A cell as a person reads it: shares as %, dollars with $, bytes in GB/MB, counts with separators."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    name = column.lower()
    if "share" in name or name.endswith("_rate"):
        return f"{value:.1%}"
    if "usd" in name:
        return f"${value:,.4f}" if abs(value) < 1 else f"${value:,.2f}"
    if "bytes" in name:
        for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
            if abs(value) >= size:
                return f"{value / size:,.2f} {unit}"
        return f"{value:,.0f} B"
    if name.endswith("_seconds"):
        from openswe_data.progress import human_duration

        return human_duration(value)
    if name in ("hhi", "gini"):
        return f"{value:.3f}"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def _rows(df: Any) -> tuple[list[str], list[list[str]]]:
    cols = [str(c) for c in df.columns]
    rows = [[format_value(c, v) for c, v in zip(cols, rec)]
            for rec in df.head(MAX_ROWS).astype(object).itertuples(index=False, name=None)]
    return cols, rows


def _md_table(df: Any) -> str:
    if df.empty:
        return "_No rows: the stages this report reads have no results yet._\n"
    cols, rows = _rows(df)
    esc = lambda s: s.replace("|", "\\|").replace("\n", " ")  # noqa: E731
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    if len(df) > MAX_ROWS:
        lines.append(f"\n_First {MAX_ROWS} of {len(df):,} rows; all of them are in the CSV._")
    return "\n".join(lines) + "\n"


def _html_table(df: Any) -> str:
    if df.empty:
        return "<p class=empty>No rows: the stages this report reads have no results yet.</p>"
    cols, rows = _rows(df)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    more = f"<p class=note>First {MAX_ROWS} of {len(df):,} rows; all of them are in the CSV.</p>" \
        if len(df) > MAX_ROWS else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


CSS = """body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0 1.5em}th,td{border-bottom:1px solid #ddd;
padding:.25em .6em;text-align:right}th:first-child,td:first-child{text-align:left}th{background:#f4f4f4}
img{max-width:100%;border:1px solid #eee}.note,.empty{color:#777;font-size:.85em}"""


def write_report(source: str | Path, out_dir: str | Path, *, recipes: str | Path | None = None) -> ReportFiles:
    """Run every report over the workspace/release ``source`` and write the documents into ``out_dir``."""
    from openswe_data.analyze.plots import PLOTS
    from openswe_data.analyze.reports import connect, list_reports, run_report

    out = Path(out_dir)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    names = list(list_reports(recipes=recipes))
    known = [s for s in SECTIONS if s[0] in names]
    extra = [(n, n.replace("_", " ").capitalize(), f"Report `{n}` (analysis/{n}.sql).")
             for n in names if n not in {s[0] for s in SECTIONS}]
    files = ReportFiles(markdown=out / "report.md", html=out / "report.html")
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    md = [f"# OpenSWE data report\n\nSource: `{source}`  \nGenerated: {stamp}\n"]
    body = [f"<h1>OpenSWE data report</h1><p>Source: <code>{html.escape(str(source))}</code><br>"
            f"Generated: {stamp}</p>"]
    con = connect(source)
    try:
        for name, title, blurb in known + extra:
            df = run_report(name, con, as_pandas=True, recipes=recipes)
            csv = out / "tables" / f"{name}.csv"
            df.to_csv(csv, index=False)
            files.tables.append(csv)
            plot = PLOTS[name](df, out / "plots" / f"{name}.png") if name in PLOTS else None
            md.append(f"## {title}\n\n{blurb}\n")
            body.append(f"<h2>{html.escape(title)}</h2><p>{html.escape(blurb)}</p>")
            if plot is not None:
                files.plots.append(plot)
                rel = plot.relative_to(out).as_posix()
                md.append(f"![{title}]({rel})\n")
                body.append(f'<img src="{html.escape(rel)}" alt="{html.escape(title)}">')
            md.append(_md_table(df) + f"\nAll rows: [tables/{name}.csv](tables/{name}.csv)\n")
            body.append(_html_table(df) + f'<p class=note>All rows: <a href="tables/{name}.csv">{name}.csv</a></p>')
    finally:
        con.close()
    files.markdown.write_text("\n".join(md), encoding="utf-8")
    files.html.write_text(
        "<!doctype html><html><head><meta charset=utf-8><title>OpenSWE data report</title>"
        f"<style>{CSS}</style></head><body>{''.join(body)}</body></html>\n", encoding="utf-8")
    return files
