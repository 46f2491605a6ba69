"""Diagnosis rules are recipe files: every rule loads, and diagnoses its own example into its expected fix."""

from __future__ import annotations

import pytest

from openswe_data.build.recipe import Fix, Recipe
from openswe_data.errors import RecipeError
from openswe_data.records import RepoRecipe, Task
from openswe_data.repair import seed_for
from openswe_data.repair.rules import Rule, diagnose, load_rules

RULES = load_rules()


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_every_rule_diagnoses_its_own_example_into_its_expected_fix(rule: Rule):
    context = {k: set(v) for k, v in rule.example_context.items()}
    for example in (rule.example, *rule.more_examples):
        got = diagnose(rule.stage, (rule.reasons or ["any"])[0], example, context, rules=(rule,))
        assert got, f"{rule.name} does not fire on {example!r}"
        assert got[0].fix == Fix.model_validate(rule.expect), example
        assert got[0].rule == rule.name and got[0].diagnosis == rule.diagnosis


def test_rules_read_only_their_stage_and_reasons():
    header = "fatal error: ffi.h: No such file or directory"
    assert diagnose("build", "install_failed", header)
    assert not diagnose("validate", "import_error", header)
    assert not diagnose("build", "leak", header)


def test_a_module_the_project_provides_is_not_installed_from_the_index():
    text = "E   ModuleNotFoundError: No module named 'mypkg'"
    fixes = [p.fix.describe() for p in diagnose("validate", "import_error", text, {"project_modules": {"mypkg"}})]
    assert fixes == ["install_mode=source"]
    fixes = [p.fix.describe() for p in diagnose("validate", "import_error", text, {"project_modules": {"other"}})]
    assert fixes == ["add_requirement=mypkg"]


def test_an_unknown_name_in_a_lookup_table_makes_the_rule_silent():
    assert not diagnose("build", "install_failed", "fatal error: made_up_header_xyz.h: No such file or directory")


def test_a_malformed_rule_file_is_refused_with_its_name(tmp_path):
    (tmp_path / "builders" / "rules").mkdir(parents=True)
    (tmp_path / "builders" / "rules" / "bad.yaml").write_text(
        "rules:\n  - name: x\n    stage: build\n    pattern: 'a'\n    diagnosis: d\n"
        "    fix: {install_mode: sideways}\n    example: a\n    expect: {install_mode: source}\n")
    with pytest.raises(RecipeError, match="bad.yaml: rule 1"):
        load_rules.__wrapped__(str(tmp_path))


def test_a_fix_changes_exactly_one_thing():
    with pytest.raises(ValueError):
        Fix(add_requirement="a", drop_requirement="b")
    with pytest.raises(ValueError):
        Fix()


def test_fixes_compose_into_recipes_whose_keys_tell_what_was_tried():
    r = Recipe().with_fix(Fix(drop_requirement="Bad_Pkg"))
    assert r.apply_to_requirements(["bad-pkg==1", "ok"]) == ["ok"]
    r2 = r.with_fix(Fix(pin_requirement="pytest<7"))
    assert r2.apply_to_requirements(["pytest>=6", "ok"]) == ["ok", "pytest<7"]
    assert r2.fixes == ("drop_requirement=Bad_Pkg", "pin_requirement=pytest<7")
    assert r.key() != r2.key() and Recipe().key() == Recipe(fixes=("x",)).key()
    older = Recipe().with_fix(Fix(python="older"), failed_python="3.11", pythons=("3.9", "3.11", "3.13"))
    assert older.python == "3.9"
    assert Recipe().with_fix(Fix(python="newer"), failed_python="3.13", pythons=("3.9", "3.13")).python is None


def test_memory_offers_the_recipe_of_the_nearest_instance_of_the_same_repository():
    task = Task(instance_id="o__r-5", repo="o/r", base_commit="c", patch="", test_patch="",
                problem_statement="", created_at="2024-06-01T00:00:00Z")
    memory = [
        RepoRecipe(instance_id="o__r-1", repo="o/r", created_at="2020-01-01T00:00:00Z",
                   recipe=Recipe(install_mode="source").model_dump(mode="json")),
        RepoRecipe(instance_id="o__r-4", repo="o/r", created_at="2024-05-01T00:00:00Z",
                   recipe=Recipe(system_packages=("libffi-dev",)).model_dump(mode="json")),
        RepoRecipe(instance_id="x__y-1", repo="x/y", created_at="2024-06-01T00:00:00Z", recipe={}),
    ]
    recipe, source = seed_for(task, memory)
    assert source == "o__r-4" and recipe.system_packages == ("libffi-dev",)
    assert seed_for(Task(instance_id="n__n-1", repo="n/n", base_commit="c", patch="", test_patch="",
                         problem_statement=""), memory) is None


def test_a_requirement_that_fails_to_build_is_dropped_only_when_nothing_imports_it():
    log = "error: Failed to build `greenlet==0.4.15`\n  cause: The build backend returned an error"
    unneeded = diagnose("build", "install_failed", log, {"imported_distributions": {"flask", "pytest"}})
    assert unneeded and unneeded[0].fix == Fix(drop_requirement="greenlet")
    needed = diagnose("build", "install_failed", log, {"imported_distributions": {"Greenlet", "pytest"}})
    assert all(p.rule != "a-requirement-nothing-imports-fails-to-build" for p in needed)
    pip_summary = "ERROR: Failed to build installable wheels for some pyproject.toml based projects (blist)"
    assert all(p.fix != Fix(drop_requirement="installable") for p in diagnose("build", "install_failed", pip_summary, {}))


def test_what_the_repository_imports_is_read_from_its_code_not_its_docs(tmp_path):
    from openswe_data.repair.rules import distributions_of
    from openswe_data.toolchains.python.imports import imported_modules

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("import os, yaml\nfrom greenlet import greenlet\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "conf.py").write_text("import sphinx_rtd_theme\n")
    names = imported_modules(tmp_path)
    assert {"os", "yaml", "greenlet"} <= names and "sphinx_rtd_theme" not in names
    assert "pyyaml" in {d.lower() for d in distributions_of(names)}


def test_a_skip_reason_in_a_repositorys_own_words_installs_only_a_name_the_repository_imports():
    from openswe_data.repair.rules import diagnose

    context = {"project_modules": {"mypkg"}, "imported_distributions": {"requests", "trio"}}
    fixes = lambda text: [p.fix.add_requirement for p in diagnose("validate", "no_fail_to_pass", text, context)]  # noqa: E731
    assert fixes("SKIPPED [1] tests/test_a.py:3: trio is not available") == ["trio"]
    assert fixes("SKIPPED [1] tests/test_net.py:8: network is not available") == []
    assert fixes("SKIPPED [2] tests/test_b.py:9: requires mypkg") == []


def test_a_missing_standard_library_module_is_never_a_requirement_but_a_python_that_still_has_it():
    suite = ("3.9", "3.11", "3.13")
    fixes = lambda text: [p.fix for p in diagnose("validate", "gold_patch_fails", text, {"project_modules": {"six"}})]  # noqa: E731
    # removed in 3.9, the suite's oldest: no requirement named after it, and no Python of the suite has it
    dummy = fixes("    __import__(name)\nE   ModuleNotFoundError: No module named '_dummy_thread'")
    assert all(f.add_requirement is None for f in dummy)
    assert [f.python for f in dummy] == ["<3.9"]
    assert Recipe().with_fix(dummy[0], failed_python="3.11", pythons=suite).python is None
    # removed in 3.12: the newest suite Python below it; none when the one that failed is already below it
    imp = fixes("E   ModuleNotFoundError: No module named 'imp'")
    assert [f.python for f in imp] == ["<3.12"]
    assert Recipe().with_fix(imp[0], failed_python="3.13", pythons=suite).python == "3.11"
    assert Recipe().with_fix(imp[0], failed_python="3.11", pythons=suite).python is None
    # present in today's standard library but missing from the image (a Debian split): not from the index
    assert fixes("E   ModuleNotFoundError: No module named '_tkinter'") == []
    # a skip reason naming a (Python 2) standard-library module installs nothing either
    skipped = diagnose("validate", "no_fail_to_pass", "SKIPPED [1] test_six.py:136: requires gdbm",
                       {"imported_distributions": {"gdbm", "six"}})
    assert skipped == []
    # a marker or fixture that shares a module's name still names its plugin
    marker = diagnose("validate", "runner_error", "'asyncio' not found in `markers` configuration option")
    assert [p.fix.add_requirement for p in marker] == ["pytest-asyncio"]


def test_an_old_pytest_config_section_gets_the_pytest_of_its_day_then_a_python_it_runs_on():
    refused = "Failed: [pytest] section in setup.cfg files is no longer supported, change to [tool:pytest] instead."
    assert [p.fix for p in diagnose("validate", "no_tests_collected", refused)][:1] == [Fix(pin_requirement="pytest<4")]
    rewrite = 'rewrite.py:412: in _rewrite_test\nE   TypeError: required field "lineno" missing from alias'
    assert [p.fix for p in diagnose("validate", "collection_error", rewrite)][:1] == [Fix(python="older")]


def test_tests_that_skip_themselves_on_the_images_python_ask_for_one_they_run_on():
    suite = ("3.9", "3.11", "3.13")

    def python(text: str, failed: str = "3.11") -> list[str | None]:
        return [Recipe().with_fix(p.fix, failed_python=failed, pythons=suite).python
                for p in diagnose("validate", "no_fail_to_pass", text, {})]

    # a reason in the repository's words, or pytest's own condition text: the oldest suite Python they run on
    assert python("SKIPPED [4] tests/test_functional.py:786: requires Python 3.13+") == ["3.13"]
    assert python("SKIPPED [1] tests/test_a.py:3: condition: sys.version_info < (3, 12)") == ["3.13"]
    assert python("SKIPPED [1] tests/test_a.py:3: needs python >= 3.10") == [None]  # 3.11 is already new enough
    assert python("SKIPPED [1] tests/test_a.py:3: requires Python 3.14+") == [None]  # the suite has none
    # skipped because the Python is too new: the newest suite Python below the bound
    assert python("SKIPPED [1] tests/test_a.py:3: condition: sys.version_info >= (3, 12)", "3.13") == ["3.11"]
    assert python("SKIPPED [1] tests/test_a.py:3: requires Python < 3.10") == ["3.9"]
    # an "or older" bound is no lower bound; Python 2's conditions and other reasons ask for nothing
    assert python("SKIPPED [1] tests/test_a.py:3: requires Python 3.12 or older") == []
    assert python("SKIPPED [1] test_six.py:685: condition: sys.version_info[:2] >= (2, 6)") == []
    assert python("SKIPPED [1] tests/test_a.py:3: requires network access") == []
    # only a verdict that found nothing to grade reads skips: a passing or broken run does not
    assert diagnose("validate", "gold_patch_fails", "SKIPPED [1] t.py:3: requires Python 3.13+", {}) == []


def test_tests_skipped_for_a_missing_program_ask_for_its_debian_package_only_when_the_reason_is_the_program():
    packages = lambda text: [p.fix.add_system_package for p in diagnose("validate", "no_fail_to_pass", text, {})]  # noqa: E731
    assert packages("SKIPPED [3] tests/test_vcs.py:41: hg not installed") == ["mercurial"]
    assert packages("SKIPPED [2] tests/test_vcs.py:9: svn executable not found on PATH") == ["subversion"]
    assert packages("SKIPPED [1] tests/test_vcs.py:9: condition: shutil.which('git') is None") == ["git"]
    # a word of a longer sentence, a program maps.yaml does not know, or another verdict: nothing
    assert packages("SKIPPED [1] tests/test_data.py:4: data file not found") == []
    assert packages("SKIPPED [1] tests/test_net.py:4: requires network") == []
    assert packages("SKIPPED [1] tests/test_x.py:4: requires frobnicator") == []
    assert diagnose("validate", "gold_patch_fails", "SKIPPED [3] tests/test_vcs.py:41: hg not installed", {}) == []
