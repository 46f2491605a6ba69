"""Writes the malformed-input corpus: ``python tests/hardening/make_corpus.py`` -> ``tests/hardening/corpus/``.

Every case is one input file (or folder) in which bad entries sit between good ones, and one manifest entry
(``corpus/manifest.json``) saying which reader reads it, which entries are good (their ids must come out
stored) and where the bad ones are (each must come out as a reject whose source names that line, row or
file). Readers: crawled-PR dumps (``collect dump``), task files as JSONL, JSON list, Parquet and folders
(``collect swebench``), attempt files of every scaffold (``curate import``), curation policies, recipe
templates and damaged workspace files. The corpus is committed; re-running this script rewrites it
identically (nothing random), so a diff shows what a change to the generator did.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "corpus"
BIG = 2**63
DEEP = "[" * 1200 + "]" * 1200


# --- good entries -----------------------------------------------------------------------------------
def good_diff(n: int) -> str:
    return (f"diff --git a/pkg/mod{n}.py b/pkg/mod{n}.py\n--- a/pkg/mod{n}.py\n+++ b/pkg/mod{n}.py\n"
            f"@@ -1 +1 @@\n-value = {n}\n+value = {n + 1}\n"
            f"diff --git a/tests/test_mod{n}.py b/tests/test_mod{n}.py\n--- a/tests/test_mod{n}.py\n"
            f"+++ b/tests/test_mod{n}.py\n@@ -1 +1 @@\n-assert True\n+assert value == {n + 1}\n")


def good_pr(n: int) -> dict[str, Any]:
    return {
        "repo": {"full_name": "corpus-org/widget", "clone_url": "https://example.invalid/corpus-org/widget.git",
                 "stargazers_count": 50, "language": "Python", "license": {"spdx_id": "MIT"}},
        "pull": {"number": n, "title": f"Fix value {n}", "body": "Fixes #1", "merged_at": "2024-03-02T10:00:00Z",
                 "created_at": "2024-03-01T10:00:00Z", "user": {"login": "alice", "type": "User"},
                 "base": {"sha": "a" * 40}, "head": {"sha": "b" * 40}},
        "diff": good_diff(n),
        "linked_issues": [{"number": 1, "title": "value is off", "body": "value should be one more.",
                           "created_at": "2024-02-01T00:00:00Z",
                           "comments": [{"user": {"login": "bob"}, "body": "Confirmed.",
                                         "created_at": "2024-02-02T00:00:00Z"}]}],
        "commits": [{"commit": {"message": "Fix value", "author": {"date": "2024-03-01T09:00:00Z"}}}],
    }


def good_task(n: int) -> dict[str, Any]:
    d = good_diff(n)
    fix, _, test = d.partition("diff --git a/tests")
    return {"instance_id": f"corpus-org__widget-{n}", "repo": "corpus-org/widget", "base_commit": "a" * 40,
            "patch": fix, "test_patch": "diff --git a/tests" + test, "problem_statement": "value is off",
            "hints_text": "", "created_at": "2024-03-01T10:00:00Z", "version": "1.0",
            "environment_setup_commit": "a" * 40, "pull_number": n,
            "repo_url": "https://example.invalid/corpus-org/widget.git"}


def good_openhands(n: int) -> dict[str, Any]:
    return {"instance_id": f"corpus-org__widget-{n}", "test_result": {"git_patch": good_diff(n)},
            "metadata": {"llm_config": {"model": "demo-model"}},
            "history": [{"source": "user", "action": "message", "args": {"content": "fix it"}},
                        {"source": "agent", "action": "run", "args": {"command": "ls", "thought": "look"},
                         "tool_call_metadata": {"function_name": "execute_bash", "model_response": {"choices": [
                             {"message": {"tool_calls": [{"id": "c1", "function": {"name": "execute_bash",
                                                                                     "arguments": "{\"command\": \"ls\"}"}}]}}]},
                                                "tool_call_id": "c1"}},
                        {"source": "environment", "observation": "run", "content": "pkg tests",
                         "tool_call_metadata": {"function_name": "execute_bash"}}],
            "metrics": {"accumulated_cost": 0.01, "accumulated_token_usage": {"prompt_tokens": 10, "completion_tokens": 5}}}


def good_prediction(n: int) -> dict[str, Any]:
    return {"instance_id": f"corpus-org__widget-{n}", "model_patch": good_diff(n), "model_name_or_path": "demo-model"}


def good_sweagent(n: int) -> dict[str, Any]:
    return {"history": [{"role": "system", "content": "you are an agent"}, {"role": "user", "content": "fix"},
                        {"role": "assistant", "content": "```bash\nls\n```"}],
            "info": {"submission": good_diff(n), "exit_status": "submitted",
                     "model_stats": {"instance_cost": 0.02, "tokens_sent": 10, "tokens_received": 3}},
            "replay_config": json.dumps({"agent": {"model": {"name": "demo-model"}}})}


def good_mini(n: int) -> dict[str, Any]:
    return {"instance_id": f"corpus-org__widget-{n}", "trajectory_format": "mini-swe-agent-1",
            "messages": [{"role": "system", "content": "agent"}, {"role": "user", "content": "fix"},
                         {"role": "assistant", "content": "```bash\nls\n```"}],
            "info": {"submission": good_diff(n), "exit_status": "Submitted",
                     "model_stats": {"instance_cost": 0.01, "api_calls": 2},
                     "config": {"model": {"model_name": "demo-model"}}}}


# --- mutations --------------------------------------------------------------------------------------
def put(obj: Any, path: str, value: Any) -> Any:
    """``obj`` with the dotted ``path`` (``a.b.0.c``) set to ``value`` (or removed when value is DELETE)."""
    obj = copy.deepcopy(obj)
    keys = path.split(".")
    cur = obj
    for k in keys[:-1]:
        cur = cur[int(k)] if isinstance(cur, list) else cur[k]
    last = keys[-1]
    if value is DELETE:
        if isinstance(cur, list):
            del cur[int(last)]
        else:
            cur.pop(last, None)
    elif isinstance(cur, list):
        cur[int(last)] = value
    else:
        cur[last] = value
    return obj


DELETE = object()
NUL = "bad\u0000value"
WRONG_TYPES: dict[str, Any] = {"list": [1, 2], "object": {"a": 1}, "int64_overflow": BIG, "negative_overflow": -BIG - 1,
                               "huge_float": 1e30, "bool": True}
# values that are wrong for a string field
STRING_BAD = {**WRONG_TYPES, "nul": NUL}
# values that are wrong for an integer field
INT_BAD = {"int64_overflow": BIG, "uint64_max": 2**64 - 1, "negative_overflow": -BIG - 1, "huge_float": 1e30,
           "string": "12", "list": [12], "bool": True, "fraction": 1.5}

TRAVERSAL_DIFFS = {
    "dotdot": "../outside.py", "absolute": "/etc/passwd", "git_dir": ".git/hooks/post-checkout",
    "nested_dotdot": "pkg/../../escape.py", "git_dir_nested": "pkg/.git/config",
}


def traversal_diff(n: int, path: str) -> str:
    return good_diff(n) + (f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n@@ -1 +1 @@\n-x\n+y\n")


def symlink_then_write(n: int) -> str:
    return good_diff(n) + ("diff --git a/pkg/link b/pkg/link\nnew file mode 120000\n--- /dev/null\n+++ b/pkg/link\n"
                           "@@ -0,0 +1 @@\n+/etc\n\\ No newline at end of file\n"
                           "diff --git a/pkg/link/passwd b/pkg/link/passwd\n--- a/pkg/link/passwd\n"
                           "+++ b/pkg/link/passwd\n@@ -1 +1 @@\n-root\n+evil\n")


def line_level() -> dict[str, bytes]:
    """Whole-line damage that any JSON Lines reader meets."""
    return {
        "truncated_json": b'{"repo": {"full_name": "a/b"}, "pull": {"num',
        "not_json": b"this is not json at all",
        "json_array": b"[1, 2, 3]",
        "json_string": b'"just a string"',
        "json_number": b"12345",
        "json_null": b"null",
        "empty_object": b"{}",
        "deep_nesting": ('{"x": ' + DEEP + "}").encode(),
        "deep_nesting_objects": ('{"a":' * 1100 + "1" + "}" * 1100).encode(),
        "invalid_utf8": b'{"repo": {"full_name": "corpus-org/wid\xffget"}}',
        "lone_surrogate": b'{"instance_id": "\\ud800"}',
        "nan_literal": b'{"instance_id": NaN}',
        "nul_raw": b'{"instance_id": "a\x00b"}',
        "big_int_line": f'{{"n": {BIG}}}'.encode(),
        "bom_mid_file": b'\xef\xbb\xbf{"instance_id": 5',
        "control_chars": b'{"instance_id": "a\x01\x02"',
    }


# --- case writers -----------------------------------------------------------------------------------
class Writer:
    def __init__(self) -> None:
        self.cases: list[dict[str, Any]] = []

    def jsonl(self, reader: str, name: str, lines: list[tuple[str, Any, str | None]], *, ext: str = "jsonl",
              bom: bool = False, eol: bytes = b"\n", **extra: Any) -> None:
        """``lines``: (kind, value, id) with kind ``good`` (value a dict, id its stored id) or ``bad``
        (value a dict or raw bytes)."""
        body = b""
        entries = []
        for lineno, (kind, value, item) in enumerate(lines, 1):
            raw = value if isinstance(value, bytes) else json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")
            body += raw + eol
            entries.append({"line": lineno, "expect": "keep" if kind == "good" else "reject", "id": item})
        rel = f"{reader}/{name}.{ext}"
        self._write(rel, (b"\xef\xbb\xbf" if bom else b"") + body)
        self.cases.append({"case": f"{reader}/{name}", "reader": reader, "input": rel, "entries": entries, **extra})

    def files(self, reader: str, name: str, files: dict[str, tuple[str, bytes, str | None]], **extra: Any) -> None:
        """A folder of files: name -> (kind, content, id); a bad file's location is its path."""
        entries = []
        for fname, (kind, content, item) in files.items():
            self._write(f"{reader}/{name}/{fname}", content)
            entries.append({"file": fname, "expect": "keep" if kind == "good" else "reject", "id": item})
        self.cases.append({"case": f"{reader}/{name}", "reader": reader, "input": f"{reader}/{name}",
                           "entries": entries, **extra})

    def raw(self, reader: str, name: str, rel: str, content: bytes | None, **extra: Any) -> None:
        if content is not None:
            self._write(rel, content)
        self.cases.append({"case": f"{reader}/{name}", "reader": reader, "input": rel, **extra})

    @staticmethod
    def _write(rel: str, data: bytes) -> None:
        path = OUT / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def dumps(w: Writer) -> None:
    n = iter(range(100, 100_000))
    def three(bad: Any) -> list[tuple[str, Any, str | None]]:
        a, b, c = next(n), next(n), next(n)
        return [("good", good_pr(a), f"corpus-org__widget-{a}"), ("bad", bad(b) if callable(bad) else bad, None),
                ("good", good_pr(c), f"corpus-org__widget-{c}")]
    for name, raw in line_level().items():
        w.jsonl("dump", f"line_{name}", three(raw))
    fields = {
        "repo.full_name": {**STRING_BAD, "dotdot": "../x", "absolute": "/etc", "url": "https://github.com/a/b",
                           "no_slash": "widget", "three_parts": "a/b/c", "dash_option": "--upload-pack/x",
                           "dot_name": "corpus-org/..", "empty": "", "missing": DELETE},
        "pull.number": {**INT_BAD, "negative": -5, "missing": DELETE, "null": None},
        "pull.base.sha": {**STRING_BAD, "option": "--output=/tmp/x", "empty": "", "missing": DELETE,
                          "spaces": "a b", "revision_range": "HEAD..main"},
        "pull.head.sha": {"list": [1], "nul": NUL, "option": "--upload-pack=x"},
        "pull.merged_at": {"list": ["x"], "object": {"a": 1}, "garbage": "yesterday", "bool": True},
        "pull.created_at": {"list": [1], "garbage": "not a date", "int64_overflow": BIG},
        "pull.title": {"list": ["x"], "object": {"a": 1}, "int64_overflow": BIG},
        "pull.body": {"list": ["x"], "object": {"a": 1}},
        "pull.user": {"string": "alice", "list": []},
        "pull.user.login": {"list": ["x"], "int": 5},
        "pull": {"string": "x", "list": [], "null": None, "missing": DELETE},
        "repo": {"string": "corpus-org/widget", "list": [], "missing": DELETE},
        "repo.clone_url": {"option": "--upload-pack=touch /tmp/pwned", "option_c": "-cprotocol.ext.allow=always",
                           "ext_transport": "ext::sh -c touch% /tmp/pwned", "nul": NUL, "list": [1],
                           "int": 7, "unknown_scheme": "gopher://example.invalid/x"},
        "repo.stargazers_count": {k: v for k, v in INT_BAD.items() if k != "fraction"},
        "repo.language": {"list": ["Python"], "int": 3},
        "repo.license": {"string_list": ["MIT"]},
        "diff": {"int": 5, "list": ["diff"], "nul_in_path": traversal_diff(1, "pkg/a\u0000b.py"), "null": None,
                 "missing": DELETE},
        "linked_issues": {"string": "#1", "object": {"number": 1}},
        "linked_issues.0.number": {**INT_BAD, "missing": DELETE},
        "linked_issues.0.title": {"list": [1]},
        "linked_issues.0.body": {"list": [1], "object": {}},
        "linked_issues.0.comments": {"string": "c", "object": {"a": 1}, "int": 1},
        "linked_issues.0.comments.0.created_at": {"list": [1], "object": {}},
        "linked_issues.0.comments.0.body": {"list": [1]},
        "commits": {"string": "x", "object": {"a": 1}},
        "commits.0.commit.author.date": {"list": [1], "object": {}},
        "commits.0.commit.message": {"list": [1], "object": {}},
    }
    for path, values in fields.items():
        for label, value in values.items():
            w.jsonl("dump", f"field_{path.replace('.', '_')}__{label}",
                    three(lambda i, p=path, v=value: put(good_pr(i), p, v)))
    for label, path in TRAVERSAL_DIFFS.items():
        w.jsonl("dump", f"diff_traversal__{label}", three(lambda i, p=path: put(good_pr(i), "diff", traversal_diff(i, p))))
    w.jsonl("dump", "diff_traversal__symlink_then_write", three(lambda i: put(good_pr(i), "diff", symlink_then_write(i))))
    # whole-file damage that keeps every entry good
    a, b = next(n), next(n)
    good2 = [("good", good_pr(a), f"corpus-org__widget-{a}"), ("good", good_pr(b), f"corpus-org__widget-{b}")]
    w.jsonl("dump", "file_utf8_bom", good2, bom=True)
    a, b = next(n), next(n)
    w.jsonl("dump", "file_crlf", [("good", good_pr(a), f"corpus-org__widget-{a}"),
                                  ("good", good_pr(b), f"corpus-org__widget-{b}")], eol=b"\r\n")
    a, b = next(n), next(n)
    w.jsonl("dump", "file_epoch_merged_at", [("good", put(good_pr(a), "pull.merged_at", 1709373600), f"corpus-org__widget-{a}"),
                                             ("good", put(good_pr(b), "pull.merged_at", 1709373600.5), f"corpus-org__widget-{b}")])
    a, b = next(n), next(n)
    w.jsonl("dump", "file_prose_nul", [("good", put(good_pr(a), "pull.title", NUL), f"corpus-org__widget-{a}"),
                                       ("good", put(good_pr(b), "pull.body", "x\u0000y"), f"corpus-org__widget-{b}")])


def tasks(w: Writer) -> None:
    n = iter(range(200_000, 300_000))
    def three(bad: Any) -> list[tuple[str, Any, str | None]]:
        a, b, c = next(n), next(n), next(n)
        return [("good", good_task(a), f"corpus-org__widget-{a}"), ("bad", bad(b) if callable(bad) else bad, None),
                ("good", good_task(c), f"corpus-org__widget-{c}")]
    for name, raw in line_level().items():
        w.jsonl("tasks", f"line_{name}", three(raw))
    fields = {
        "instance_id": {**STRING_BAD, "dotdot": "../../x", "slash": "a/b", "empty": "", "missing": DELETE,
                        "too_long": "x" * 300},
        "repo": {**STRING_BAD, "dotdot": "../x", "absolute": "/etc", "url": "https://github.com/a/b",
                 "no_slash": "widget", "dash_option": "--upload-pack/x", "missing": DELETE},
        "base_commit": {**STRING_BAD, "option": "--output=/tmp/x", "missing": DELETE, "spaces": "a b"},
        "patch": {"int": 5, "list": [1], "not_a_diff": "hello", "nul_in_path": traversal_diff(1, "a\u0000b.py"),
                  "traversal": traversal_diff(1, "../x.py").split("diff --git a/tests")[0] + traversal_diff(1, "../x.py").split("\n", 11)[-1]},
        "test_patch": {"int": 5, "list": [1], "traversal": "diff --git a/../t.py b/../t.py\n--- a/../t.py\n+++ b/../t.py\n@@ -1 +1 @@\n-a\n+b\n"},
        "problem_statement": {"list": [1], "object": {}, "int64_overflow": BIG, "missing": DELETE},
        "hints_text": {"list": [1], "object": {}},
        "pull_number": {k: v for k, v in INT_BAD.items() if k not in ("string",)},
        "repo_url": {"option": "--upload-pack=touch /tmp/pwned", "ext_transport": "ext::sh -c touch% /tmp/x",
                     "list": [1], "nul": NUL},
        "created_at": {"list": [1], "object": {}},
        "version": {"list": [1], "object": {}},
        "environment_setup_commit": {"list": [1], "option": "--x"},
        "license": {"list": [1]},
    }
    for path, values in fields.items():
        for label, value in values.items():
            w.jsonl("tasks", f"field_{path}__{label}", three(lambda i, p=path, v=value: put(good_task(i), p, v)))
    # JSON list files: a bad element between good ones; a truncated list
    for label, bad in {"element_string": "x", "element_number": 5, "element_list": [1],
                       "element_bad_repo": put(good_task(1), "repo", "../x"),
                       "element_big_number": put(good_task(1), "pull_number", BIG),
                       "element_deep": json.loads('{"x": ' + "[" * 900 + "]" * 900 + "}")}.items():
        a, b, c = next(n), next(n), next(n)
        bad_value = put(bad, "instance_id", f"corpus-org__widget-{b}") if isinstance(bad, dict) and "repo" in bad else bad
        body = json.dumps([good_task(a), bad_value, good_task(c)]).encode()
        w.raw("tasks", f"jsonlist_{label}", f"tasks/jsonlist_{label}.json", body,
              entries=[{"line": 1, "expect": "keep", "id": f"corpus-org__widget-{a}"},
                       {"line": 2, "expect": "reject", "id": None},
                       {"line": 3, "expect": "keep", "id": f"corpus-org__widget-{c}"}])
    w.raw("tasks", "jsonlist_truncated", "tasks/jsonlist_truncated.json", json.dumps([good_task(next(n))]).encode()[:-40],
          entries=[{"line": 1, "expect": "reject", "id": None}])
    a = next(n)
    w.raw("tasks", "jsonlist_with_bom", "tasks/jsonlist_with_bom.json", b"\xef\xbb\xbf" + json.dumps([good_task(a)]).encode(),
          entries=[{"line": 1, "expect": "keep", "id": f"corpus-org__widget-{a}"}])
    a = next(n)
    w.raw("tasks", "jsonlist_deep", "tasks/jsonlist_deep.json", ("[" + DEEP + "]").encode(),
          entries=[{"line": 1, "expect": "reject", "id": None}])
    # Parquet files: bad values in typed columns (written by the test at run time from this spec)
    parquet_bad = {"repo_dotdot": ("repo", "../x"), "repo_url_option": ("repo_url", "--upload-pack=x"),
                   "base_commit_option": ("base_commit", "--output=/x"), "instance_id_traversal": ("instance_id", "../../x"),
                   "patch_not_diff": ("patch", "hello"), "patch_nul_in_path": ("patch", traversal_diff(1, "a\u0000b.py")),
                   "pull_number_uint64": ("pull_number", BIG), "repo_url_nul": ("repo_url", NUL),
                   "problem_statement_empty": ("problem_statement", "")}
    for label, (column, value) in parquet_bad.items():
        a, b, c = next(n), next(n), next(n)
        rows = [good_task(a), put(good_task(b), column, value), good_task(c)]
        w.raw("tasks", f"parquet_{label}", f"tasks/parquet_{label}.parquet", None, parquet_rows=rows,
              entries=[{"line": 1, "expect": "keep", "id": f"corpus-org__widget-{a}"},
                       {"line": 2, "expect": "reject", "id": None},
                       {"line": 3, "expect": "keep", "id": f"corpus-org__widget-{c}"}])
    # a folder: one good JSONL file, one truncated Parquet file, one foreign file
    a, c = next(n), next(n)
    w.files("tasks", "folder_truncated_parquet", {
        "good.jsonl": ("good", json.dumps(good_task(a)).encode() + b"\n", f"corpus-org__widget-{a}"),
        "broken.parquet": ("bad", b"PAR1" + b"\x00" * 50, None),
        "more.jsonl": ("good", json.dumps(good_task(c)).encode() + b"\n", f"corpus-org__widget-{c}")})
    a, c = next(n), next(n)
    w.files("tasks", "folder_non_parquet_named_parquet", {
        "good.jsonl": ("good", json.dumps(good_task(a)).encode() + b"\n", f"corpus-org__widget-{a}"),
        "text.parquet": ("bad", b"not parquet at all\n", None),
        "more.jsonl": ("good", json.dumps(good_task(c)).encode() + b"\n", f"corpus-org__widget-{c}")})


def attempts(w: Writer) -> None:
    n = iter(range(300_000, 400_000))

    def three(make: Callable[[int], Any], bad: Any) -> list[tuple[str, Any, str | None]]:
        a, b, c = next(n), next(n), next(n)
        return [("good", make(a), f"corpus-org__widget-{a}"), ("bad", bad(b) if callable(bad) else bad, None),
                ("good", make(c), f"corpus-org__widget-{c}")]
    jsonl_formats = {"openhands": good_openhands, "predictions": good_prediction}
    for fmt, make in jsonl_formats.items():
        for name, raw in line_level().items():
            w.jsonl(f"attempts-{fmt}", f"line_{name}", three(make, raw), format=fmt)
    oh_fields = {
        "instance_id": {**STRING_BAD, "dotdot": "../x", "missing": DELETE},
        "test_result.git_patch": {"int": 5, "list": [1], "object": {}},
        "history": {"int": 5, "string": "abc", "object": {"a": 1}, "deep": json.loads("[" * 900 + "]" * 900)},
        "metrics": {"list": [1], "string": "x"},
        "metrics.accumulated_cost": {"string": "1.0", "huge": 1e308, "list": [1]},
        "metrics.accumulated_token_usage": {"list": [1, 2], "string": "10", "int": 10},
        "metrics.accumulated_token_usage.prompt_tokens": {"huge_float": 1e30, "int64_overflow": BIG, "list": [1]},
        "metadata": {"list": [1], "string": "x"},
        "metadata.llm_config": {"list": [1], "string": "x"},
        "history.1.tool_call_metadata": {"list": [1], "string": "x"},
        "history.1.args": {"list": [1], "string": "x"},
        "history.1.tool_call_metadata.model_response.choices.0.message.tool_calls.0.function.arguments":
            {"number": 5, "list": [1], "deep_string": "[" * 1500},
        "test_result": {"list": [1], "string": "x"},
    }
    # tool-call arguments and similar content oddities are kept (rendered raw), not rejected
    kept = {"history.1.tool_call_metadata.model_response.choices.0.message.tool_calls.0.function.arguments",
            "metrics.accumulated_cost"}
    for path, values in oh_fields.items():
        for label, value in values.items():
            lines = three(good_openhands, lambda i, p=path, v=value: put(good_openhands(i), p, v))
            if path in kept:
                iid = lines[1][1]["instance_id"]
                lines[1] = ("good", lines[1][1], iid)
            w.jsonl("attempts-openhands", f"field_{path.replace('.', '_')[:60]}__{label}", lines, format="openhands")
    pred_fields = {"instance_id": {**STRING_BAD, "dotdot": "../x", "missing": DELETE},
                   "model_patch": {"int": 5, "list": [1], "object": {}},
                   "model_name_or_path": {"list": [1], "object": {}}}
    for path, values in pred_fields.items():
        for label, value in values.items():
            w.jsonl("attempts-predictions", f"field_{path}__{label}",
                    three(good_prediction, lambda i, p=path, v=value: put(good_prediction(i), p, v)), format="predictions")
    # predictions as a keyed object (SWE-agent's preds.json) and as a JSON list, each with one bad value
    for label, bad in {"string": "x", "number": 5, "list": [1], "bad_id": {"instance_id": "../x", "model_patch": ""},
                       "no_id": {"model_patch": ""}}.items():
        a, b, c = next(n), next(n), next(n)
        keyed = {f"corpus-org__widget-{a}": good_prediction(a), f"corpus-org__widget-{b}": bad,
                 f"corpus-org__widget-{c}": good_prediction(c)}
        w.raw("attempts-predictions", f"keyed_{label}", f"attempts-predictions/keyed_{label}.json",
              json.dumps(keyed).encode(), format="predictions",
              entries=[{"where": f"[corpus-org__widget-{a}]", "expect": "keep", "id": f"corpus-org__widget-{a}"},
                       {"where": f"[corpus-org__widget-{b}]", "expect": "reject", "id": None},
                       {"where": f"[corpus-org__widget-{c}]", "expect": "keep", "id": f"corpus-org__widget-{c}"}])
        a, b, c = next(n), next(n), next(n)
        w.raw("attempts-predictions", f"list_{label}", f"attempts-predictions/list_{label}.json",
              json.dumps([good_prediction(a), bad, good_prediction(c)]).encode(), format="predictions",
              entries=[{"where": "[0]", "expect": "keep", "id": f"corpus-org__widget-{a}"},
                       {"where": "[1]", "expect": "reject", "id": None},
                       {"where": "[2]", "expect": "keep", "id": f"corpus-org__widget-{c}"}])
    a, b = next(n), next(n)
    w.jsonl("attempts-predictions", "file_utf8_bom", [("good", good_prediction(a), f"corpus-org__widget-{a}"),
                                                      ("good", good_prediction(b), f"corpus-org__widget-{b}")],
            bom=True, format="predictions")
    a, b = next(n), next(n)
    w.jsonl("attempts-openhands", "file_utf8_bom", [("good", good_openhands(a), f"corpus-org__widget-{a}"),
                                                    ("good", good_openhands(b), f"corpus-org__widget-{b}")],
            bom=True, format="openhands")
    # one file per attempt: a folder with two good files and one bad file
    per_file = {"swe-agent": (good_sweagent, ".traj"), "mini-swe-agent": (good_mini, ".traj.json")}
    file_bad: dict[str, Callable[[dict[str, Any]], bytes]] = {
        "truncated": lambda d: json.dumps(d).encode()[:-30],
        "invalid_utf8": lambda d: json.dumps(d).encode().replace(b"fix", b"f\xffx", 1),
        "utf8_bom_only_bad_tail": lambda d: b"\xef\xbb\xbf" + json.dumps(d).encode()[:-2],
        "json_array": lambda d: b"[1, 2]",
        "deep": lambda d: ('{"info": {}, "x": ' + DEEP + "}").encode(),
        "no_info": lambda d: json.dumps({k: v for k, v in d.items() if k != "info"}).encode(),
        "info_list": lambda d: json.dumps({**d, "info": [1]}).encode(),
        "messages_string": lambda d: json.dumps({**d, "messages": "hi", "history": "hi", "trajectory": "x"}).encode(),
        "cost_huge": lambda d: json.dumps(put(d, "info.model_stats", {"instance_cost": 1e30, "tokens_sent": 1e30,
                                                                       "tokens_received": BIG})).encode(),
        "model_stats_list": lambda d: json.dumps(put(d, "info.model_stats", [1])).encode(),
        "empty": lambda d: b"",
        "nul": lambda d: b"\x00" * 16,
    }
    for fmt, (make, suffix) in per_file.items():
        for label, damage in file_bad.items():
            if fmt == "mini-swe-agent" and label == "cost_huge":
                continue  # mini-swe-agent records no token counts; a large cost is still a number
            a, b, c = next(n), next(n), next(n)
            files = {f"corpus-org__widget-{a}{suffix}": ("good", json.dumps(make(a)).encode(), f"corpus-org__widget-{a}"),
                     f"corpus-org__widget-{b}{suffix}": ("bad", damage(make(b)), None),
                     f"corpus-org__widget-{c}{suffix}": ("good", json.dumps(make(c)).encode(), f"corpus-org__widget-{c}")}
            w.files(f"attempts-{fmt}", f"file_{label}", files, format=fmt)
        a, b = next(n), next(n)
        w.files(f"attempts-{fmt}", "file_bom_good", {
            f"corpus-org__widget-{a}{suffix}": ("good", b"\xef\xbb\xbf" + json.dumps(make(a)).encode(), f"corpus-org__widget-{a}"),
            f"corpus-org__widget-{b}{suffix}": ("good", json.dumps(make(b)).encode(), f"corpus-org__widget-{b}")}, format=fmt)
        a = next(n)
        w.files(f"attempts-{fmt}", "file_bad_name", {
            f"corpus-org__widget-{a}{suffix}": ("good", json.dumps(make(a)).encode(), f"corpus-org__widget-{a}"),
            f"..{suffix}": ("bad", json.dumps({k: v for k, v in make(1).items() if k != "instance_id"}).encode(), None)},
            format=fmt)


def evaluate(w: Writer) -> None:
    """``openswe evaluate``'s predictions reader: every predictions case of ``curate import`` again (JSONL,
    JSON list, keyed preds.json), then duplicates and a good file in each accepted shape."""
    for case in [c for c in w.cases if c["reader"] == "attempts-predictions"]:
        w.cases.append({**case, "case": case["case"].replace("attempts-predictions/", "evaluate/"), "reader": "evaluate"})
    n = iter(range(400_000, 500_000))
    a, b = next(n), next(n)
    other = {**good_prediction(a), "model_name_or_path": "other-model"}  # same instance, another model: kept
    w.jsonl("evaluate", "duplicate_jsonl", [("good", good_prediction(a), f"corpus-org__widget-{a}"),
                                            ("good", good_prediction(b), f"corpus-org__widget-{b}"),
                                            ("bad", good_prediction(a), None), ("good", other, f"corpus-org__widget-{a}"),
                                            ("bad", {**good_prediction(b), "model_patch": "another"}, None)])
    a, b = next(n), next(n)
    w.raw("evaluate", "duplicate_list", "evaluate/duplicate_list.json",
          json.dumps([good_prediction(a), good_prediction(b), good_prediction(b)]).encode(),
          entries=[{"where": "[0]", "expect": "keep", "id": f"corpus-org__widget-{a}"},
                   {"where": "[1]", "expect": "keep", "id": f"corpus-org__widget-{b}"},
                   {"where": "[2]", "expect": "reject", "id": None}])
    a, b = next(n), next(n)
    shapes = {"good_list": [good_prediction(a), good_prediction(b)],
              "good_keyed": {f"corpus-org__widget-{a}": good_prediction(a), f"corpus-org__widget-{b}": good_prediction(b)}}
    for label, doc in shapes.items():
        where = ("[0]", "[1]") if label == "good_list" else (f"[corpus-org__widget-{a}]", f"[corpus-org__widget-{b}]")
        w.raw("evaluate", label, f"evaluate/{label}.json", json.dumps(doc).encode(),
              entries=[{"where": where[0], "expect": "keep", "id": f"corpus-org__widget-{a}"},
                       {"where": where[1], "expect": "keep", "id": f"corpus-org__widget-{b}"}])
    a = next(n)
    w.raw("evaluate", "good_single_object", "evaluate/good_single_object.json", json.dumps(good_prediction(a)).encode(),
          entries=[{"where": "good_single_object.json", "expect": "keep", "id": f"corpus-org__widget-{a}"}])
    w.jsonl("evaluate", "good_crlf", [("good", good_prediction(i), f"corpus-org__widget-{i}") for i in (next(n), next(n))],
            eol=b"\r\n")


def policies(w: Writer) -> None:
    """Single-file readers: a bad policy is refused as a whole, with the file and the key named."""
    base = "name: corpus\nversion: 1\nbands:\n  - {name: easy, min_rate: 0.5, max_rate: 1.0}\n"
    bad = {
        "not_yaml": "name: [unclosed\n", "yaml_list": "- 1\n- 2\n", "scalar": "42\n", "empty": "",
        "invalid_utf8": None, "bom": "\ufeff" + base + "unknown_key: 1\n",
        "band_rate_text": base.replace("0.5", "half"), "band_rate_huge": base.replace("0.5", "1e400"),
        "unknown_key": base + "surprise: 1\n", "bands_string": "name: x\nbands: lots\n",
        "name_list": base.replace("name: corpus", "name: [1]"), "deep": "a: " + "[" * 1200 + "]" * 1200 + "\n",
        "anchors_bomb": "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n",
        "python_tag": "!!python/object/apply:os.system ['touch /tmp/pwned']\n",
        "int_overflow": base + f"cap_per_instance: {BIG}\n", "rules_traversal": base + "rules: ../../../etc/passwd\n",
        "nul": base + "\x00\n",
    }
    for label, text in bad.items():
        data = b"name: \xff\xfe\n" if text is None else text.encode()
        w.raw("policy", label, f"policy/{label}.yaml", data, expect="error")


def recipes(w: Writer) -> None:
    """Recipe templates (Jinja) and SQL reports: a bad one is refused with the file named."""
    bad = {"unclosed_block": "{% if x %}never closed\n", "unknown_filter": "{{ x | nosuchfilter }}\n",
           "undefined_variable": "{{ no_such_variable }}\n", "invalid_utf8": None, "nul": "a\x00b {{ x }}\n",
           "deep_nesting": "{% if x %}" * 300 + "{% endif %}" * 300, "attribute_of_undefined": "{{ x.y.z }}\n",
           "sandbox_escape": "{{ x.__class__.__mro__[1].__subclasses__() }}\n"}
    for label, text in bad.items():
        data = b"\xff\xfe{{ x }}\n" if text is None else text.encode()
        w.raw("recipe", label, f"recipe/{label}.j2", data, expect="error")


def workspace(w: Writer) -> None:
    """Damaged workspace files: the commands that read the stage must name the file and say what to do."""
    bad = {"truncated_part": ("tasks/parts/part-0.parquet", "truncate"),
           "foreign_parquet": ("tasks/parts/part-foreign.parquet", "foreign"),
           "text_as_parquet": ("tasks/parts/part-text.parquet", b"hello\n"),
           "empty_part": ("tasks/parts/part-empty.parquet", b""),
           "item_not_json": ("tasks/items/ab/x.json", b"{not json"),
           "item_wrong_shape": ("tasks/items/ab/y.json", b'{"record": "Task", "data": [1]}'),
           "item_invalid_utf8": ("tasks/items/ab/z.json", b'{"record": "Task", "data": {"instance_id": "\xff"}}'),
           "item_big_int": ("tasks/items/ab/w.json", ('{"record": "Task", "data": {"instance_id": "w", "pull_number": %d}}' % BIG).encode()),
           "reject_part_truncated": ("tasks/rejects/parts/part-0.parquet", "truncate"),
           "prs_part_foreign": ("prs/parts/part-foreign.parquet", "foreign")}
    for label, (rel, content) in bad.items():
        w.raw("workspace", label, f"workspace/{label}.bin",
              content if isinstance(content, bytes) else content.encode(), target=rel)


def main() -> int:
    if OUT.exists():
        shutil.rmtree(OUT)
    w = Writer()
    dumps(w)
    tasks(w)
    attempts(w)
    evaluate(w)
    policies(w)
    recipes(w)
    workspace(w)
    (OUT / "manifest.json").write_text(json.dumps(w.cases, indent=1, sort_keys=True) + "\n")
    print(f"{len(w.cases)} cases in {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
