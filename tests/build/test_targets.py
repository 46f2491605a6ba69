"""Targets: the test modules pytest would collect for a test patch — never conftest.py or data files."""

from __future__ import annotations

from openswe_data.toolchains.python.targets import is_test_module, pytest_settings, targeted_test_files


def diff(path: str, added: str, *, new: bool = False) -> str:
    lines = added.splitlines()
    head = f"diff --git a/{path} b/{path}\n"
    head += "new file mode 100644\n--- /dev/null\n" if new else f"--- a/{path}\n"
    return head + f"+++ b/{path}\n@@ -{0 if new else 1},0 +1,{len(lines)} @@\n" + "".join(f"+{x}\n" for x in lines)


def test_conftest_init_and_data_files_are_never_targets_when_test_modules_change(tmp_path):
    patch = (diff("tests/conftest.py", "import pytest") + diff("tests/data/case.json", "{}", new=True)
             + diff("tests/test_core.py", "def test_x(): pass"))
    assert targeted_test_files(patch, tmp_path) == ["tests/test_core.py"]


def test_unittest_style_test_py_modules_are_targets(tmp_path):
    patch = diff("test.py", "def test_x(): pass") + diff("pkg/tests.py", "def test_y(): pass")
    assert targeted_test_files(patch, tmp_path) == ["test.py", "pkg/tests.py"]


def test_the_repositorys_own_python_files_setting_is_honoured(tmp_path):
    (tmp_path / "setup.cfg").write_text("[tool:pytest]\npython_files = check_*.py *_spec.py\ntestpaths = checks\n")
    assert pytest_settings(tmp_path) == {"python_files": ["check_*.py", "*_spec.py"], "testpaths": ["checks"]}
    patch = diff("checks/check_parse.py", "def test_x(): pass") + diff("checks/helpers.py", "X = 1")
    assert targeted_test_files(patch, tmp_path) == ["checks/check_parse.py"]
    assert not is_test_module("checks/test_parse.py", ["check_*.py"])


def test_pyproject_pytest_settings_come_first_when_there_is_no_pytest_ini(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\npython_files = ["t_*.py"]\n')
    (tmp_path / "setup.cfg").write_text("[tool:pytest]\npython_files = other_*.py\n")
    assert pytest_settings(tmp_path)["python_files"] == ["t_*.py"]


def test_a_patch_touching_only_conftest_and_data_targets_the_modules_that_use_them(tmp_path):
    (tmp_path / "tests" / "unit").mkdir(parents=True)
    (tmp_path / "tests" / "test_reads.py").write_text("DATA = 'cases.json'\ndef test_r(): pass\n")
    (tmp_path / "tests" / "test_other.py").write_text("def test_o(): pass\n")
    (tmp_path / "tests" / "unit" / "test_u.py").write_text("def test_u(): pass\n")
    (tmp_path / "elsewhere_test.py").write_text("def test_e(): pass\n")
    data_only = diff("tests/data/cases.json", "[1]")
    assert targeted_test_files(data_only, tmp_path) == ["tests/test_reads.py"]
    conftest_only = diff("tests/unit/conftest.py", "import pytest")
    assert targeted_test_files(conftest_only, tmp_path) == ["tests/unit/test_u.py"]


def test_a_changed_helper_module_targets_the_test_modules_importing_it(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text("from tests.helpers import make\n")
    (tmp_path / "tests" / "test_b.py").write_text("import os\n")
    assert targeted_test_files(diff("tests/helpers.py", "def make(): pass"), tmp_path) == ["tests/test_a.py"]


def test_a_patch_with_nothing_any_test_uses_targets_nothing(tmp_path):
    assert targeted_test_files(diff("docs/notes.txt", "hello"), tmp_path) == []


def test_changed_test_names_are_the_functions_and_classes_the_patch_adds_or_edits():
    from openswe_data.toolchains.python.targets import changed_test_names

    patch = ("diff --git a/tests/test_a.py b/tests/test_a.py\n--- a/tests/test_a.py\n+++ b/tests/test_a.py\n"
             "@@ -1,6 +1,8 @@ class TestOld:\n def test_kept():\n     assert True\n \n def test_edited():\n"
             "-    assert 1\n+    assert 2\n \n+def test_added():\n+    pass\n")
    assert changed_test_names(patch) == {"TestOld", "test_edited", "test_added"}


def test_a_test_patch_of_only_comments_names_no_test_and_one_outside_any_definition_is_unknown():
    from openswe_data.toolchains.python.targets import changed_test_names

    head = "diff --git a/tests/test_a.py b/tests/test_a.py\n--- a/tests/test_a.py\n+++ b/tests/test_a.py\n"
    comment = head + "@@ -1,3 +1,3 @@ def test_kept():\n     x = 1\n-    # old note\n+    # new note\n     assert x\n"
    assert changed_test_names(comment) == set()  # no test is the patch's
    module_level = head + "@@ -1,2 +1,2 @@\n-CASES = [1]\n+CASES = [1, 2]\n \n"
    assert changed_test_names(module_level) is None  # any test may read CASES
    data = ("diff --git a/tests/data/x.json b/tests/data/x.json\n--- a/tests/data/x.json\n+++ b/tests/data/x.json\n"
            "@@ -1 +1 @@\n-# 1\n+# 2\n")
    assert changed_test_names(data) is None  # "#" starts a comment only in Python
    assert changed_test_names(comment + module_level.replace("test_a.py", "test_b.py")) is None
    assert changed_test_names(module_level + comment.replace("test_a.py", "test_c.py")
                              .replace("# new note", "assert 2")) == {"test_kept"}


def test_a_data_file_of_a_data_driven_suite_targets_the_modules_that_list_its_folder(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_data.py").write_text("FOLDER = os.path.join(ROOT, 'testing', 'data')\n")
    (tmp_path / "tests" / "test_other.py").write_text("def test_o(): pass\n")
    patch = diff("testing/data/E72.py", "if type(res) == type(42):\n    pass")
    assert targeted_test_files(patch, tmp_path) == ["tests/test_data.py"]


def test_a_data_folder_only_a_conftest_lists_targets_the_modules_using_what_it_builds_from_it(tmp_path):
    """Found on parso: the root conftest's pytest_generate_tests parametrizes ``normalizer_issue_case`` from
    test/normalizer_issue_files, and only test_normalizer_issues_files.py asks for it."""
    (tmp_path / "test").mkdir()
    (tmp_path / "conftest.py").write_text(
        "import os\n\n\ndef pytest_generate_tests(metafunc):\n"
        "    if 'normalizer_issue_case' in metafunc.fixturenames:\n"
        "        base_dir = os.path.join(os.path.dirname(__file__), 'test', 'normalizer_issue_files')\n"
        "        metafunc.parametrize('normalizer_issue_case', os.listdir(base_dir))\n"
        "    elif 'each_version' in metafunc.fixturenames:\n"
        "        metafunc.parametrize('each_version', ['3.8'])\n\n\n"
        "@pytest.fixture\ndef fixture_dir():\n    return os.path.join('test', 'fixtures')\n")
    (tmp_path / "test" / "test_normalizer_issues_files.py").write_text("def test_n(normalizer_issue_case): pass\n")
    (tmp_path / "test" / "test_versions.py").write_text("def test_v(each_version): pass\n")
    (tmp_path / "test" / "test_fix.py").write_text("def test_f(fixture_dir): pass\n")
    patch = diff("test/normalizer_issue_files/allowed_syntax.py", "def x(a):\n    def y():\n        nonlocal a")
    assert targeted_test_files(patch, tmp_path) == ["test/test_normalizer_issues_files.py"]
    assert targeted_test_files(diff("test/fixtures/a.txt", "x"), tmp_path) == ["test/test_fix.py"]
    assert targeted_test_files(diff("test/unlisted/a.txt", "x"), tmp_path) == []


def test_a_nose_style_module_that_defines_tests_is_a_target_but_a_helper_named_alike_is_not(tmp_path):
    patch = (diff("tqdm/tests/tests_tqdm.py", "def test_format():\n    assert True")
             + diff("tests/testing_utils.py", "def make():\n    return 1"))
    assert targeted_test_files(patch, tmp_path) == ["tqdm/tests/tests_tqdm.py"]
