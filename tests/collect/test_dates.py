"""Dates are instants, not strings: hints keep the comments made before the first commit whatever offset or
form their time is written in, and a numeric merged_at is a merge time, not "closed without being merged"."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from openswe_data.collect import CollectConfig
from openswe_data.collect.filters import check_pull
from openswe_data.collect.normalize import hints_text, pull_request_from_dump
from openswe_data.errors import RecordError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hardening"))
from make_corpus import good_pr  # noqa: E402

FIRST_COMMIT = "2024-03-01T09:00:00Z"


def pr_with_comments(*comments):
    line = good_pr(1)
    line["commits"][0]["commit"]["author"]["date"] = FIRST_COMMIT
    line["linked_issues"][0]["comments"] = [{"body": body, "created_at": when} for body, when in comments]
    return pull_request_from_dump(line)


def test_hints_compare_instants_across_offsets_epochs_and_naive_times():
    pr = pr_with_comments(
        ("before, written at +02:00", "2024-03-01T10:30:00+02:00"),   # 08:30Z: a string compare drops it
        ("after, written at -02:00", "2024-03-01T08:30:00-02:00"),    # 10:30Z: a string compare keeps it
        ("before, an epoch", 1709280000),                            # 08:00Z
        ("after, an epoch in ms", 1709290800000),                    # 11:00Z
        ("before, no offset means UTC", "2024-03-01T08:59:00"),
        ("no date: cannot be placed", None),
    )
    assert hints_text(pr).splitlines() == ["before, written at +02:00", "before, an epoch",
                                           "before, no offset means UTC"]


def test_a_numeric_merged_at_is_a_merge_time():
    line = good_pr(2)
    line["pull"]["merged_at"] = 1709373600
    pr = pull_request_from_dump(line)
    assert pr.merged_at == "2024-03-02T10:00:00Z"
    assert check_pull(pr, CollectConfig()) is None


@pytest.mark.parametrize("value", ["yesterday", [1], True])
def test_a_merged_at_that_is_no_date_is_a_malformed_field(value):
    line = good_pr(3)
    line["pull"]["merged_at"] = value
    with pytest.raises(RecordError, match="pull.merged_at"):
        pull_request_from_dump(line)
