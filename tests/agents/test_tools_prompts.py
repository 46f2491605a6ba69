"""The explorer's read-only tools over a real git repository, and every agent prompt rendering strictly."""

from __future__ import annotations

import subprocess

import pytest

from openswe_data.agents import prompts
from openswe_data.agents.tools import SnapshotTools
from openswe_data.errors import AgentError, RecipeError


@pytest.fixture
def tools(make_repo):
    repo = make_repo("proj", {
        "README.md": "# proj\n\n```sh\nsudo apt-get install libfoo-dev\npytest -p proj.plugin\n```\nHave fun.\n",
        "tox.ini": "[testenv]\nsetenv = PROJ_MODE = 1\ncommands = pytest\n",
        "src/proj/__init__.py": "X = 1\n",
        ".github/workflows/ci.yml": "jobs:\n  test:\n    steps:\n      - run: pip install -e .\n"},
        {"LATER.md": "from the future\n"})
    base = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD~1"], capture_output=True, text=True).stdout.strip()
    return SnapshotTools(repo / ".git", base)


def test_the_tools_see_the_snapshot_at_its_commit_and_nothing_else(tools):
    assert "src/proj/" in tools.tree(depth=2).splitlines() and "LATER.md" not in tools.tree()
    assert tools.read_file("tox.ini").startswith("[testenv]")
    assert "no file" in tools.read_file("LATER.md") and "no file" in tools.read_file("../../etc/passwd")


def test_search_and_setup_docs_read_the_configuration_and_the_documents(tools):
    assert "tox.ini:L2: setenv = PROJ_MODE = 1" in tools.search("PROJ_MODE")
    docs = tools.setup_docs()
    assert "sudo apt-get install libfoo-dev" in docs and "pip install -e ." in docs and "Have fun" not in docs
    assert "bad pattern" in tools.search("(")


AGENT_VARS = {
    "explorer": {"max_rounds": 1, "repo": "o/r", "instance_id": "o__r-1", "rule_facts": "", "tree": "", "setup_docs": "",
                 "extra": [{"title": "File a", "text": "b"}]},
    "dockerfile-agent": {"fix_kinds": {"a": "b"}, "repo": "", "instance_id": "", "attempt": 1, "stage": "build",
                         "reason": "", "feedback": "f", "recipe": "", "facts": "", "dockerfile": "", "log_excerpt": "",
                         "refused": ""},
    "eval-script-agent": {"fix_kinds": {"a": "b"}, "start_marker": "s", "end_marker": "e", "repo": "", "instance_id": "",
                          "attempt": 1, "stage": "validate", "reason": "", "feedback": "", "recipe": "", "facts": "",
                          "test_command": "", "log_excerpt": "", "refused": "", "eval_script": "",
                          "patch_placeholder": "p"},
    "test-analysis": {"repo": "", "instance_id": "", "attempt": 1, "reason": "", "detail": "", "tests": "",
                      "test_command": "", "log_before": "", "log_after": ""},
    "legitimacy-review": {"repo": "", "instance_id": "", "touched": "", "fail_to_pass": "", "tests": "",
                          "exit_before": 1, "exit_after": 0, "eval_script": ""},
}


@pytest.mark.parametrize("folder", sorted(AGENT_VARS))
def test_every_agent_prompt_renders_with_its_documented_variables_and_names_its_agent(folder):
    variables = {"testbed": "/testbed", "eval_script_path": "/eval.sh", **AGENT_VARS[folder]}
    messages, version = prompts.messages(folder, variables)
    assert messages[0]["content"].startswith("# agent: ") and version.startswith(f"{folder}@")
    variables.pop("repo")
    with pytest.raises(RecipeError, match="repo"):
        prompts.messages(folder, variables)


def test_an_answer_needs_exactly_one_yaml_mapping():
    assert prompts.yaml_answer("ok\n```yaml\nfixes: []\n```\n") == {"fixes": []}
    for bad in ("no block", "```yaml\n- a\n```", "```yaml\na: 1\n```\n```yaml\nb: 2\n```", "```yaml\na: [\n```"):
        with pytest.raises(AgentError):
            prompts.yaml_answer(bad)
