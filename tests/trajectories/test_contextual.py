"""Contextual trajectories: a PR's information flow as an agent's tool calls, for every collected PR."""

from __future__ import annotations

import json

from openswe_data.store import Workspace
from openswe_data.trajectories import STAGE, AgentTrajectory, TrajectoryOptions, build_trajectories
from openswe_data.trajectories.contextual import PRContext, build_messages
from openswe_data.trajectories.sources import Sources, read_sources
from openswe_data.trajectories.tools import TOOL_NAMES, arguments_of

from traj_helpers import AFTER, BEFORE, pr_from_repo


def _calls(messages, name):
    return [(m, arguments_of(m["tool_calls"][0])) for m in messages
            if m.get("tool_calls") and m["tool_calls"][0]["function"]["name"] == name]


def _results(messages):
    return {m["tool_call_id"]: m["content"] for m in messages if m["role"] == "tool"}


def test_a_contextual_trajectory_views_the_files_at_the_base_and_replays_the_change_as_edits(make_repo, tmp_path):
    repo = make_repo("widgets", BEFORE, AFTER)
    ctx = PRContext.from_pr(pr_from_repo(repo))
    sources = read_sources(tmp_path / "cache", ctx.repo_url, ctx.base_commit, ["widgets/core.py", "tests/test_core.py"])
    messages = build_messages(ctx, sources)

    assert [m["role"] for m in messages[:2]] == ["system", "user"]
    assert "parse(' 1') fails" in messages[1]["content"] and "Same with tabs." in messages[1]["content"]
    views = {args["path"]: _results(messages)[m["tool_calls"][0]["id"]] for m, args in _calls(messages, "view")}
    assert "     5\t    return int(text)" in views["widgets/core.py"], "the file as it was at the base commit"
    # replaying the edits on the base files gives the files after the PR
    files = dict(BEFORE)
    for _, args in _calls(messages, "str_replace"):
        assert files[args["path"]].count(args["old_str"]) == 1, "every search block is unambiguous"
        files[args["path"]] = files[args["path"]].replace(args["old_str"], args["new_str"])
    for _, args in _calls(messages, "create"):
        files[args["path"]] = args["content"]
    assert {p: files[p] for p in AFTER} == AFTER
    first_edit = next(m for m in messages if m.get("tool_calls") and m["tool_calls"][0]["function"]["name"] != "view"
                      and m["tool_calls"][0]["function"]["name"] != "search")
    assert first_edit["content"] == "parse: strip whitespace first", "the commit message is the edit's reasoning"
    assert messages[-1] == {"role": "assistant", "content": "Strip spaces before parsing\n\nParsing failed on padded input."}


def test_every_tool_call_has_an_id_a_schema_and_exactly_one_result(make_repo, tmp_path):
    repo = make_repo("widgets", BEFORE, AFTER)
    messages = build_messages(PRContext.from_pr(pr_from_repo(repo)), Sources())
    calls = [c for m in messages for c in m.get("tool_calls") or []]
    assert calls and all(c["function"]["name"] in TOOL_NAMES for c in calls)
    assert all(isinstance(json.loads(c["function"]["arguments"]), dict) for c in calls)
    assert sorted(_results(messages)) == sorted(c["id"] for c in calls)


def test_files_the_change_imports_are_added_within_the_token_budget(make_repo, tmp_path):
    repo = make_repo("widgets", BEFORE, AFTER)
    ctx = PRContext.from_pr(pr_from_repo(repo))
    wide = read_sources(tmp_path / "cache", ctx.repo_url, ctx.base_commit, ["widgets/core.py"], budget_tokens=1000)
    narrow = read_sources(tmp_path / "cache", ctx.repo_url, ctx.base_commit, ["widgets/core.py"], budget_tokens=1)
    assert wide.imported == {"widgets/util.py": BEFORE["widgets/util.py"]} and wide.origin == "repository"
    assert narrow.imported == {}
    searches = _calls(build_messages(ctx, wide), "search")
    assert [args["pattern"] for _, args in searches] == ["parse", "test_parse"], "the code's symbols first"
    hits = _results(build_messages(ctx, wide))[searches[0][0]["tool_calls"][0]["id"]]
    assert "widgets/core.py:4:def parse(text):" in hits


def test_without_its_repository_a_pr_still_gets_a_trajectory_from_the_diff_context(make_repo, tmp_path):
    repo = make_repo("widgets", BEFORE, AFTER)
    pr = pr_from_repo(repo, url=str(tmp_path / "gone"))
    ws = Workspace(tmp_path / "ws", create=True)
    ws.stage("prs").put(pr)
    summary = build_trajectories(ws, TrajectoryOptions(kinds=("contextual",)))
    t = ws.stage(STAGE, AgentTrajectory).get(f"{pr.instance_id}.contextual")
    assert summary.made == {"contextual": 1} and t.files_source == "hunks"
    view = next(m["content"] for m in t.messages if m["role"] == "tool")
    assert "     5\t    return int(text)" in view, "the diff's own context lines, numbered as in the file"
    assert t.tokens > 0 and t.tokenizer == "tiktoken:cl100k_base" and len(t.simhash) == 16


def test_a_pr_that_cannot_be_rendered_is_a_reject_and_the_batch_goes_on(make_repo, tmp_path):
    repo = make_repo("widgets", BEFORE, AFTER)
    ws = Workspace(tmp_path / "ws", create=True)
    good = pr_from_repo(repo)
    ws.stage("prs").put(good)
    broken = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n+x\n"  # a hunk shorter than it says
    ws.stage("prs").put(pr_from_repo(repo, 8).replace(diff=broken))
    summary = build_trajectories(ws, TrajectoryOptions(kinds=("contextual",)))
    stage = ws.stage(STAGE, AgentTrajectory)
    assert summary.made == {"contextual": 1}
    [reject] = list(stage.rejects)
    assert reject.item_id == "acme__widgets-8.contextual" and reject.reason == "contextual_failed"
    again = build_trajectories(ws, TrajectoryOptions(kinds=("contextual",)))
    assert again.already_done == 2 and not again.made, "resume skips results and rejects"
