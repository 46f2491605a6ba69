"""Every trajectory prompt in builders/prompts/trajectories/ renders strictly with its documented variables."""

from __future__ import annotations

import pytest

from openswe_data import recipes
from openswe_data.errors import RecipeError

COMMON = {"repo": "acme/widgets", "testbed": "/testbed"}
ISSUE = {"number": 3, "title": "t", "body": "b", "comments": [{"user": "ann", "body": "c"}]}
VARIABLES = {
    "system": {},
    "task": {"description": "d", "issues": [ISSUE], "hints": "h", "title": "T", "body": "B", "summary": "S",
             "commit_messages": ["m"]},
    "final": {"description": "", "issues": [], "hints": "", "title": "T", "body": "B", "summary": "",
              "commit_messages": ["first", "second"]},
    "replay_task": {"instance_id": "acme__widgets-7", "problem_statement": "p", "test_command": "pytest"},
    "summary": {"title": "T", "body": "B", "issues": [ISSUE], "paths": ["a.py"]},
}


@pytest.mark.parametrize("name", sorted(VARIABLES))
def test_each_trajectory_prompt_renders_with_its_documented_variables(name):
    text = recipes.render("builders", f"prompts/trajectories/{name}.md.j2", {**COMMON, **VARIABLES[name]})
    assert text.strip()


def test_every_file_in_the_folder_has_variables_here_and_a_missing_one_fails_loudly():
    folder = recipes.find("builders", "prompts/trajectories/system.md.j2").parent
    assert {p.name.removesuffix(".md.j2") for p in folder.glob("*.md.j2")} == set(VARIABLES)
    with pytest.raises(RecipeError):
        recipes.render("builders", "prompts/trajectories/replay_task.md.j2", COMMON)
    assert recipes.render("builders", "prompts/trajectories/final.md.j2", {**COMMON, **VARIABLES["final"]}).strip() == "first\n\nsecond"
