"""Report results (pandas frames) -> PNG plots.

Input: one report's result as a ``pandas.DataFrame`` and the PNG path to write.
Output: the path, or ``None`` when there is nothing to plot (an empty report draws no empty chart).

Why: matplotlib's object API (``Figure`` + the Agg canvas) draws without pyplot's global state or a
display, so plotting is safe in a worker, a test or a headless server and never changes the caller's
backend. Each plot answers one question a reader of the report has; tables carry the exact numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

TOP = 15
"""Bars shown in a ranked chart; the rest is in the table."""

COLORS = ["#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3", "#8C8C8C"]


def _figure(width: float = 8.0, height: float = 4.5, ncols: int = 1) -> tuple[Any, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, ncols)
    return fig, axes


def _counts(axis: Any) -> None:
    """A count axis: whole-number ticks only (no 0.5 instances)."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _plain_log(axis: Any) -> None:
    """A log axis labelled 1, 10, 100 (plain numbers), no ``2×10^0`` minor labels."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}" if v >= 1 else f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def _save(fig: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, format="png")
    return path


def _hbar(ax: Any, labels: list[str], values: list[float], *, color: Any = COLORS[0], fmt: str = "{:,.0f}") -> None:
    """Horizontal bars, largest on top, each labelled with its value."""
    y = list(range(len(labels)))[::-1]
    bars = ax.barh(y, values, color=color)
    ax.set_yticks(y, labels)
    ax.bar_label(bars, [fmt.format(v) for v in values], padding=3, fontsize=8)
    ax.margins(x=0.15)
    if fmt == "{:,.0f}":
        _counts(ax.xaxis)
    ax.spines[["top", "right"]].set_visible(False)


def funnel(df: Any, path: Path) -> Path | None:
    if df.empty or df["instances"].sum() == 0:
        return None
    fig, ax = _figure(8, 3.8)
    labels = [f"{s}" for s in df["stage"]]
    values = df["instances"].tolist()
    shares = df["share_of_crawled"].fillna(0).tolist()
    y = list(range(len(labels)))[::-1]
    bars = ax.barh(y, values, color=COLORS[: len(values)])
    ax.set_yticks(y, labels)
    ax.bar_label(bars, [f"{v:,} ({s:.0%})" for v, s in zip(values, shares)], padding=3)
    ax.margins(x=0.2)
    _counts(ax.xaxis)
    ax.set_xlabel("instances")
    ax.set_title("Where instances drop out")
    ax.spines[["top", "right"]].set_visible(False)
    return _save(fig, path)


def cost_by_stage(df: Any, path: Path) -> Path | None:
    if df.empty or df["cost_usd"].sum() == 0:
        return None
    top = df.head(TOP)
    fig, ax = _figure(8, 1.2 + 0.35 * len(top))
    stages = sorted(set(top["stage"]))
    colors = [COLORS[stages.index(s) % len(COLORS)] for s in top["stage"]]
    _hbar(ax, [f"{s} / {a} / {m}" for s, a, m in zip(top["stage"], top["agent"], top["model"])],
          top["cost_usd"].tolist(), color=colors, fmt="${:,.2f}")
    ax.set_xlabel("US dollars")
    ax.set_title("LLM spend by stage / agent / model")
    return _save(fig, path)


def cost_by_repo(df: Any, path: Path) -> Path | None:
    if df.empty or df["cost_usd"].sum() == 0:
        return None
    top = df.head(TOP)
    fig, ax = _figure(8, 1.2 + 0.35 * len(top))
    _hbar(ax, top["repo"].tolist(), top["cost_usd"].tolist(), fmt="${:,.2f}")
    ax.set_xlabel("US dollars")
    ax.set_title(f"LLM spend: the {len(top)} most expensive repositories")
    return _save(fig, path)


def difficulty(df: Any, path: Path) -> Path | None:
    if df.empty:
        return None
    fig, ax = _figure(7, 4)
    x = range(len(df))
    ax.bar(x, df["instances"], color=COLORS[7], label="measured")
    ax.bar(x, df["kept"], color=COLORS[2], label="kept by the policy")
    ax.set_xticks(list(x), df["difficulty"].tolist())
    _counts(ax.yaxis)
    ax.set_ylabel("instances")
    ax.set_title("Difficulty (easiest on the left)")
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _save(fig, path)


def difficulty_by_repo(df: Any, path: Path) -> Path | None:
    if df.empty:
        return None
    wide = df.pivot_table(index="repo", columns="difficulty", values="instances", aggfunc="sum", fill_value=0)
    order = df.groupby("difficulty")["mean_pass_rate"].mean().sort_values(ascending=False).index
    wide = wide[list(order)]
    wide = wide.loc[wide.sum(axis=1).sort_values(ascending=False).index[:TOP]]
    fig, ax = _figure(8, 1.4 + 0.35 * len(wide))
    left = [0] * len(wide)
    y = list(range(len(wide)))[::-1]
    for n, band in enumerate(wide.columns):
        values = wide[band].tolist()
        ax.barh(y, values, left=left, color=COLORS[n % len(COLORS)], label=band)
        left = [a + b for a, b in zip(left, values)]
    ax.set_yticks(y, wide.index.tolist())
    _counts(ax.xaxis)
    ax.set_xlabel("instances")
    ax.set_title("Difficulty by repository (largest repositories)")
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    return _save(fig, path)


def repo_distribution(df: Any, path: Path) -> Path | None:
    if df.empty:
        return None
    fig, (left, right) = _figure(11, 4.5, ncols=2)
    top = df.head(TOP)
    _hbar(left, top["repo"].tolist(), top["instances"].tolist())
    left.set_title(f"Top {len(top)} repositories (valid instances)")
    right.plot(df["rank"], df["cumulative_share"] * 100, color=COLORS[0])
    right.set_xscale("log")
    _plain_log(right.xaxis)
    right.set_ylim(0, 100)
    right.set_xlabel("repositories, largest first (log scale)")
    right.set_ylabel("% of valid instances")
    right.set_title("Cumulative share: head and long tail")
    right.grid(alpha=0.3)
    return _save(fig, path)


def python_versions(df: Any, path: Path) -> Path | None:
    if df.empty:
        return None
    fig, ax = _figure(7, 4)
    x = list(range(len(df)))
    ax.bar([i - 0.2 for i in x], df["built"], width=0.4, color=COLORS[0], label="built")
    ax.bar([i + 0.2 for i in x], df["valid"], width=0.4, color=COLORS[2], label="valid")
    ax.set_xticks(x, df["python_version"].tolist())
    _counts(ax.yaxis)
    ax.set_xlabel("Python version")
    ax.set_ylabel("environments")
    ax.set_title("Python versions")
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _save(fig, path)


def time_histogram(df: Any, path: Path) -> Path | None:
    if df.empty:
        return None
    phases = [p for p in ("build", "validate") if (df["phase"] == p).any()]
    fig, axes = _figure(5.5 * len(phases), 4, ncols=len(phases))
    axes = list(axes) if len(phases) > 1 else [axes]
    for ax, phase, color in zip(axes, phases, (COLORS[0], COLORS[1])):
        part = df[df["phase"] == phase]
        counts = dict(zip(part["bucket_low"].astype(float), part["instances"]))
        lows = [0.0] + [2.0**k for k in range(0, 64) if 2.0**k <= max(counts)]
        lows = lows[lows.index(min(counts)):]  # every bucket between the first and last, empty ones too
        ax.bar(range(len(lows)), [counts.get(lo, 0) for lo in lows], color=color)
        ax.set_xticks(range(len(lows)), [_seconds_label(lo) for lo in lows], rotation=45, ha="right", fontsize=8)
        _counts(ax.yaxis)
        ax.set_xlabel("seconds (bucket start; each bucket doubles)")
        ax.set_ylabel("instances")
        ax.set_title(f"{phase.capitalize()} time")
        ax.spines[["top", "right"]].set_visible(False)
    return _save(fig, path)


def _seconds_label(low: float) -> str:
    from openswe_data.progress import human_duration

    return human_duration(low)


def failure_reasons(df: Any, path: Path) -> Path | None:
    if df.empty:
        return None
    top = df.sort_values("instances", ascending=False, kind="stable").head(TOP)
    stages = list(dict.fromkeys(df["stage"]))
    fig, ax = _figure(8, 1.2 + 0.35 * len(top))
    colors = [COLORS[stages.index(s) % len(COLORS)] for s in top["stage"]]
    _hbar(ax, [f"{s}: {r}" for s, r in zip(top["stage"], top["reason"])], top["instances"].tolist(), color=colors)
    ax.set_xlabel("instances")
    ax.set_title("Why instances dropped out (stage: reason)")
    return _save(fig, path)


def image_disk(df: Any, path: Path) -> Path | None:
    per_repo = df[df["repo"] != "(all)"]
    if per_repo.empty or per_repo["total_bytes"].sum() == 0:
        return None
    top = per_repo.head(TOP)
    fig, ax = _figure(8, 1.2 + 0.35 * len(top))
    _hbar(ax, top["repo"].tolist(), (top["total_bytes"] / 1e9).tolist(), color=COLORS[4], fmt="{:,.2f} GB")
    ax.set_xlabel("GB (each image counted once)")
    ax.set_title("Image disk usage by repository")
    return _save(fig, path)


def trajectory_tokens(df: Any, path: Path) -> Path | None:
    if df.empty or df["tokens"].sum() == 0:
        return None
    fig, ax = _figure(8, 1.2 + 0.5 * len(df))
    _hbar(ax, df["kind"].tolist(), df["tokens"].tolist(), color=COLORS[: len(df)])
    ax.set_xlabel("tokens")
    ax.set_title("Training tokens by trajectory kind")
    return _save(fig, path)


def trajectory_lengths(df: Any, path: Path) -> Path | None:
    if df.empty:
        return None
    kinds = list(dict.fromkeys(df["kind"]))
    lows = sorted(set(df["bucket_low"].astype(int)))
    fig, ax = _figure(8, 4)
    width = 0.8 / len(kinds)
    for i, kind in enumerate(kinds):
        counts = dict(zip(df[df["kind"] == kind]["bucket_low"].astype(int), df[df["kind"] == kind]["trajectories"]))
        ax.bar([x + i * width for x in range(len(lows))], [counts.get(lo, 0) for lo in lows], width=width,
               color=COLORS[i % len(COLORS)], label=kind)
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(lows))], [f"{lo:,}" for lo in lows], rotation=45, ha="right", fontsize=8)
    _counts(ax.yaxis)
    ax.set_xlabel("tokens (bucket start; each bucket doubles)")
    ax.set_ylabel("trajectories")
    ax.legend()
    ax.set_title("Trajectory lengths")
    ax.spines[["top", "right"]].set_visible(False)
    return _save(fig, path)


PLOTS: dict[str, Callable[[Any, Path], Path | None]] = {
    "funnel": funnel,
    "cost_by_stage": cost_by_stage,
    "cost_by_repo": cost_by_repo,
    "difficulty": difficulty,
    "difficulty_by_repo": difficulty_by_repo,
    "repo_distribution": repo_distribution,
    "python_versions": python_versions,
    "time_histogram": time_histogram,
    "failure_reasons": failure_reasons,
    "image_disk": image_disk,
    "trajectory_tokens": trajectory_tokens,
    "trajectory_lengths": trajectory_lengths,
}
"""Report name -> the plot drawn from its result."""
