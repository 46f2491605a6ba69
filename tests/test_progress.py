"""Live progress: a stage's loop reports through one tracker; the executor says what is running; a display
shows it (plain lines off a terminal) and the failures come back as a reason -> count table naming ids."""

from __future__ import annotations

import io
import threading

from openswe_data import progress
from openswe_data.execute import LocalExecutor


def test_the_executor_marks_items_running_and_the_stage_marks_them_done_with_reasons():
    seen_running: list[list[str]] = []
    gate = threading.Event()

    def work(n: int) -> int:
        gate.wait(5)
        return n

    items = list(range(5))
    pairs = LocalExecutor(2).map(work, items)
    tracked = progress.over("demo", pairs, len(items), name=lambda n: f"i{n}",
                            outcome=lambda n, r: (n % 2 == 0, "odd", f"/logs/i{n}"))
    with progress.display(io.StringIO(), live=False, every=3600) as shown:
        gate.set()
        for _n, _r in tracked:
            seen_running.append(sorted(progress.current().running))
    (tracker,) = shown.trackers
    assert tracker.done == 5 and tracker.failed == 2 and not tracker.running
    assert any(seen_running), "the executor never marked an item as running"
    assert tracker.failures["odd"].ids == ["i1", "i3"]


def test_off_a_terminal_progress_is_plain_lines_with_counts_and_a_final_line():
    stream = io.StringIO()
    with progress.display(stream, live=False, every=3600):
        with progress.track("validate", 3) as t:
            t.started("a")
            t.finished("a")
            t.started("b")
            assert t.line().startswith("validate: 1/3 done, running b; ETA ")
            t.finished("b", ok=False, reason="no_fail_to_pass")
            t.finished("c")
    text = stream.getvalue()
    assert "validate: 3 instance(s) to do" in text
    assert "validate: 3/3 done, 1 failed, in 0s" in text


def test_a_periodic_line_appears_while_an_item_runs():
    stream = io.StringIO()
    with progress.display(stream, live=False, every=0.05):
        with progress.track("build", 1) as t:
            t.started("slow")
            threading.Event().wait(0.3)
            t.finished("slow")
    assert "build: 0/1 done, running slow" in stream.getvalue()


def test_on_a_terminal_a_rich_bar_shows_done_of_total():
    stream = io.StringIO()
    with progress.display(stream, live=True):
        with progress.track("evaluate", 2) as t:
            t.finished("x")
            t.finished("y", ok=False, reason="tests_failed")
    assert "2/2" in stream.getvalue()


def test_the_failure_table_names_reasons_counts_first_ids_and_logs_without_dict_reprs():
    t = progress.Tracker("build", 6)
    for i in range(5):
        t.finished(f"o__r-{i}", ok=False, reason="install_failed", log=f"/ws/logs/environments/o__r-{i}")
    t.finished("o__r-9", ok=False, reason="timeout", log="/ws/logs/environments/o__r-9")
    lines = progress.failure_table(t)
    assert lines[0].split() == ["stage", "reason", "count", "first", "instances", "logs"]
    assert lines[1].split()[:3] == ["build", "install_failed", "5"]
    assert "o__r-0, o__r-1, o__r-2 ..." in lines[1] and lines[1].endswith("/ws/logs/environments/<id>")
    assert lines[2].split()[:3] == ["build", "timeout", "1"] and lines[2].endswith("/ws/logs/environments/o__r-9")
    assert not any("{" in line for line in lines)


def test_without_a_display_nothing_is_printed(capsys):
    with progress.track("quiet", 2) as t:
        t.finished("a")
    assert capsys.readouterr() == ("", "")
    assert progress.current().line() == ": 0/0 done"


def test_durations_read_as_a_person_would_say_them():
    assert [progress.human_duration(s) for s in (0.5, 4.0, 42.4, 64, 120, 3725, 7200)] == ["0.5s", "4s", "42s", "1m 4s", "2m", "1h 2m", "2h"]


def test_cluster_counts_per_stage_and_per_node_reach_the_live_line():
    from openswe_data.execute.cluster_progress import ClusterProgress

    cp = ClusterProgress(every=0)
    cp.start("validate")
    for _ in range(3):
        cp.submitted("validate", +1)
    cp.placed("validate", ["10.0.0.1/aa", "10.0.0.2/bb"])  # two run, one waits for a slot
    cp.submitted("validate", -1)
    cp.finished("validate", "10.0.0.1/aa", failed=True)
    cp.retried("validate", "10.0.0.2/bb", "WorkerCrashedError: killed")
    view = cp.node_view("validate")
    assert [(n, c.done, c.running, c.failed, c.retried) for n, c in view.items()] == [
        ("10.0.0.1/aa", 1, 0, 1, 0), ("10.0.0.2/bb", 0, 1, 0, 1)]
    assert cp.line() == ("[ray] validate: 1 done, 1 running, 1 queued, 1 failed, 1 retried | "
                         "10.0.0.1/aa: 1 done, 0 running, 1 failed; 10.0.0.2/bb: 0 done, 1 running, 0 failed, 1 retried")
    cp.placed("validate", ["10.0.0.2/bb"])  # a later look: the stage's running count follows its nodes
    assert (cp.stages["validate"].running, cp.queued("validate")) == (1, 1)
    cp.start("sample")  # another stage: its own per-node counts, the node totals keep both
    cp.finished("sample", "10.0.0.1/aa", failed=False)
    assert list(cp.node_view()) == ["10.0.0.1/aa"] and cp.nodes["10.0.0.1/aa"].done == 2

    tracker = progress.Tracker("validate", 3)
    tracker.set_nodes({n: c.text() for n, c in view.items()})
    assert tracker.line() == ("validate: 0/3 done | 10.0.0.1/aa: 1 done, 0 running, 1 failed; "
                              "10.0.0.2/bb: 0 done, 1 running, 0 failed, 1 retried")
