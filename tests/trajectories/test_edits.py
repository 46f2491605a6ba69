"""A unified diff becomes the edits an agent would make, and those edits reproduce the change."""

from __future__ import annotations

from openswe_data.trajectories.edits import diff_edits, touched_paths

from traj_helpers import diff_of


def _apply(files: dict[str, str], edits) -> dict[str, str]:
    files = dict(files)
    for e in edits:
        if e.kind == "replace":
            assert files[e.path].count(e.old) == 1, (e.path, e.old)
            files[e.path] = files[e.path].replace(e.old, e.new, 1)
        elif e.kind == "create":
            files[e.path] = e.new
        elif e.kind == "delete":
            files.pop(e.path)
    return files


def test_edits_made_on_the_base_files_give_the_files_after_the_change(make_repo):
    body = "".join(f"def f{i}():\n    return {i}\n\n\n" for i in range(30))
    before = {"m.py": body, "old.py": "x = 1\n", "same.py": "a = 1\na = 1\na = 1\n"}
    after = {"m.py": body.replace("return 3\n", "return 33\n").replace("return 27\n", "return -27\n"),
             "new.py": "y = 2\n", "same.py": "a = 1\na = 2\na = 1\n"}
    repo = make_repo("r", before, {**after, "old.py": None})
    edits = diff_edits(diff_of(repo, "HEAD~1"), before)
    assert [e.kind for e in edits].count("replace") == 3, "one search-and-replace per hunk"
    assert _apply(before, edits) == after
    short = next(e for e in edits if e.path == "m.py")
    assert short.old.count("\n") < 7, "the context is trimmed to what keeps the block unique"


def test_without_the_file_a_hunk_keeps_all_its_context(make_repo):
    repo = make_repo("r", {"m.py": "a\nb\nc\nd\ne\nf\ng\n"}, {"m.py": "a\nb\nc\nD\ne\nf\ng\n"})
    [edit] = diff_edits(diff_of(repo, "HEAD~1"))
    assert edit.old == "a\nb\nc\nd\ne\nf\ng\n" and edit.new == "a\nb\nc\nD\ne\nf\ng\n"


def test_touched_paths_name_each_file_once_in_diff_order(make_repo):
    repo = make_repo("r", {"a.py": "1\n", "b.py": "2\n"}, {"a.py": "3\n", "b.py": None, "c.py": "4\n"})
    assert touched_paths(diff_of(repo, "HEAD~1")) == ["a.py", "b.py", "c.py"]
    assert diff_edits("") == [] and touched_paths("") == []
