"""The malformed-input corpus (``make_corpus.py``): every case mixed with good entries, through its reader.

Every good entry comes out stored, every bad one as a reject with a machine-readable reason whose source
names its line, row or file; no traceback; nothing written outside the workspace; the workspace still
readable; a damaged workspace file or a bad policy/recipe is refused with an error naming the file.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_run import cases, run_case  # noqa: E402

CASES = cases()


def test_the_corpus_has_at_least_300_cases_over_every_reader():
    readers = {c["reader"] for c in CASES}
    assert len(CASES) >= 300
    assert readers >= {"dump", "tasks", "attempts-openhands", "attempts-predictions", "attempts-swe-agent",
                       "attempts-mini-swe-agent", "policy", "recipe", "workspace"}


def test_the_committed_corpus_is_what_the_script_writes(tmp_path, monkeypatch):
    import make_corpus

    monkeypatch.setattr(make_corpus, "OUT", tmp_path / "corpus")
    make_corpus.main()
    committed = Path(make_corpus.__file__).parent / "corpus"
    written = {p.relative_to(tmp_path / "corpus"): p.read_bytes() for p in (tmp_path / "corpus").rglob("*") if p.is_file()}
    stored = {p.relative_to(committed): p.read_bytes() for p in committed.rglob("*") if p.is_file()}
    assert written.keys() == stored.keys()
    assert [k for k in written if written[k] != stored[k]] == []


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_a_malformed_input_loses_nothing_and_explains_every_reject(case, tmp_path):
    outcome = run_case(case, tmp_path)
    assert outcome.traceback is None, outcome.traceback
    assert outcome.lost == [], "good entries lost"
    assert outcome.unexplained == []
    assert outcome.accepted_bad == 0, "a bad entry was stored as good"
    assert outcome.leaked == [], "files written outside the workspace"
    assert outcome.unreadable is None
    assert outcome.unhelpful is None
