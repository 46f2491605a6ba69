"""Setup facts are read from a repository's files without running any of them."""

from __future__ import annotations

from openswe_data.toolchains.python.facts import choose_python, read_facts
from openswe_data.toolchains.python.targets import targeted_test_files

AVAILABLE = ["3.9", "3.11", "3.13"]


def write(root, files):
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root


def test_pep621_dependencies_and_test_extras_are_read(tmp_path):
    write(tmp_path, {"pyproject.toml": '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
                     '[project]\nname = "p"\nrequires-python = ">=3.10"\ndependencies = ["attrs>=22"]\n'
                     '[project.optional-dependencies]\ntest = ["pytest>=7", "hypothesis"]\ndocs = ["sphinx"]\n'})
    f = read_facts(tmp_path)
    assert f.requirements == ["attrs>=22", "pytest>=7", "hypothesis"]
    assert f.build_requires == ["hatchling", "editables"]  # what hatchling's editable build asks for besides
    assert choose_python(f, AVAILABLE) == "3.11"


def test_setup_py_is_parsed_not_run(tmp_path):
    write(tmp_path, {"setup.py": "import os\nos.system('touch /tmp/pwned-by-setup-py')\nREQS = ['six']\n"
                     "from setuptools import setup, Extension\n"
                     "setup(name='x', install_requires=REQS, python_requires='<3.10',\n"
                     "      extras_require={'testing': ['mock']}, ext_modules=[Extension('x._c', ['x/c.c'])])\n"})
    f = read_facts(tmp_path)
    assert f.requirements == ["six", "mock"]  # pytest is the helper step's, never co-resolved with these
    assert f.has_c_extension
    assert "wheel" in f.build_requires
    assert choose_python(f, AVAILABLE) == "3.9"
    import os
    assert not os.path.exists("/tmp/pwned-by-setup-py")


def test_setup_cfg_requirement_files_and_tox_deps_are_merged(tmp_path):
    write(tmp_path, {
        "setup.cfg": "[options]\ninstall_requires =\n    click\npython_requires = >=3.8\n"
                     "[options.extras_require]\ntest =\n    pytest-cov\n",
        "requirements-dev.txt": "-r requirements.txt\npytest==8.0  # pinned\n-e .\n",
        "requirements.txt": "requests\n",
        "tox.ini": "[tox]\nenvlist = py39,py311\n[testenv]\ndeps =\n    freezegun\n    -rrequirements.txt\ncommands = pytest\n",
    })
    f = read_facts(tmp_path)
    assert f.requirements == ["click", "pytest-cov", "requests", "pytest==8.0", "freezegun"]
    assert f.python_versions == ["3.9", "3.11"]
    assert choose_python(f, AVAILABLE) == "3.11"


def test_python_version_pins_and_ci_hints_are_honoured(tmp_path):
    write(tmp_path, {".python-version": "3.13.1\n",
                     ".github/workflows/ci.yml": "jobs:\n  t:\n    steps:\n      - run: sudo apt-get install -y libxml2-dev graphviz\n"})
    f = read_facts(tmp_path)
    assert choose_python(f, AVAILABLE) == "3.13"
    assert f.system_packages == ["libxml2-dev", "graphviz"]


def test_requirement_includes_cannot_escape_the_repository(tmp_path):
    (tmp_path / "outside.txt").write_text("evil\n")
    repo = write(tmp_path / "repo", {"requirements.txt": "-r ../outside.txt\nok\n"})
    assert read_facts(repo).requirements == ["ok"]


def test_targeted_test_files_are_the_test_modules_the_test_patch_touches():
    patch = ("diff --git a/tests/test_a.py b/tests/test_a.py\n--- a/tests/test_a.py\n+++ b/tests/test_a.py\n@@ -1 +1 @@\n-x\n+y\n"
             "diff --git a/tests/conftest.py b/tests/conftest.py\n--- a/tests/conftest.py\n+++ b/tests/conftest.py\n@@ -1 +1 @@\n-x\n+y\n"
             "diff --git a/pkg/io_test.py b/pkg/io_test.py\nnew file mode 100644\n--- /dev/null\n+++ b/pkg/io_test.py\n@@ -0,0 +1 @@\n+z\n")
    assert targeted_test_files(patch) == ["tests/test_a.py", "pkg/io_test.py"]


def test_tox_deps_under_a_non_python_factor_are_left_out_not_passed_to_pip_verbatim(tmp_path):
    # pluggy 1.7 and python-slugify 9.2 ship deps like these; "coverage: coverage" as a requirement line
    # made pip refuse the whole install (install_failed) before any test ran.
    write(tmp_path, {"tox.ini": "[tox]\nenvlist = py{310,311}\n[testenv]\ndeps =\n    pytest>=8\n"
                     "    coverage: coverage\n    pytestmain: git+https://github.com/pytest-dev/pytest.git@main\n"
                     "    unidecode,anyascii-cov: Unidecode>=1.1.1\n    py311: mock\n    py{310,311}: tomli\n"
                     "    git+https://example.org/pkg.git#egg=pkg\n    attrs; python_version<'3.12'\n"})
    f = read_facts(tmp_path)
    assert f.requirements == ["pytest>=8", "mock", "git+https://example.org/pkg.git#egg=pkg",
                              "attrs; python_version<'3.12'"]


def test_quoted_non_ascii_paths_are_read_as_text():
    from openswe_data.toolchains.python.targets import touched_paths

    patch = ('diff --git "a/tests/test_\\303\\251t\\303\\251.py" "b/tests/test_\\303\\251t\\303\\251.py"\n'
             'new file mode 100644\n--- /dev/null\n+++ "b/tests/test_\\303\\251t\\303\\251.py"\n@@ -0,0 +1 @@\n+x = 1\n')
    assert targeted_test_files(patch) == ["tests/test_été.py"]
    assert touched_paths(patch) == ["tests/test_été.py"]


def test_a_snapshot_ignores_the_repositorys_export_attributes(make_repo, tmp_path):
    import subprocess

    from openswe_data.build.repo_cache import RepoCache

    repo = make_repo("attrs", {".gitattributes": "/tests export-ignore\nversion.txt export-subst\n",
                               "version.txt": "$Format:%H$\n", "tests/test_a.py": "def test_a():\n    pass\n"})
    sha = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    RepoCache(tmp_path / "cache").snapshot(str(repo), sha, tmp_path / "snap")
    assert (tmp_path / "snap" / "tests" / "test_a.py").is_file()
    assert (tmp_path / "snap" / "version.txt").read_text() == "$Format:%H$\n"


def test_a_snapshot_is_one_packed_commit_with_the_same_bytes_every_time(make_repo, tmp_path):
    import subprocess

    from openswe_data.build.repo_cache import RepoCache

    repo = make_repo("packed", {f"pkg/m{i}.py": f"X = {i}\n" * 50 for i in range(30)})
    sha = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    cache = RepoCache(tmp_path / "cache")
    first, second = tmp_path / "a", tmp_path / "b"
    assert cache.snapshot(str(repo), sha, first) == cache.snapshot(str(repo), sha, second)

    def files(root):
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    git_files = files(first / ".git")
    assert git_files == files(second / ".git")  # the same bytes, so the same image layer
    objects = [name for name in git_files if name.startswith("objects/")]
    assert objects and all(name.startswith(("objects/pack/", "objects/info/")) for name in objects)  # none loose
    assert not any(name.startswith("hooks/") for name in git_files)
    log = subprocess.run(["git", "-C", str(first), "log", "--format=%H", "--all"], capture_output=True, text=True, check=True)
    assert log.stdout.split() == [cache.snapshot(str(repo), sha, tmp_path / "c")]  # one commit
    subprocess.run(["git", "-C", str(first), "reset", "--quiet"], check=True)  # as the image build recreates the index
    status = subprocess.run(["git", "-C", str(first), "status", "--porcelain"], capture_output=True, text=True, check=True)
    assert status.stdout == ""  # the tree is the commit


def test_without_tarfile_filters_the_snapshot_still_refuses_members_outside_it(tmp_path, monkeypatch):
    import io
    import tarfile

    import pytest

    from openswe_data.build.repo_cache import _extract
    from openswe_data.errors import BuildError

    monkeypatch.delattr(tarfile, "data_filter", raising=False)  # as on Python < 3.11.4
    for name, kind in (("ok/file.txt", tarfile.REGTYPE), ("../escape.txt", tarfile.REGTYPE), ("link", tarfile.SYMTYPE)):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            info = tarfile.TarInfo(name)
            info.type = kind
            if kind == tarfile.SYMTYPE:
                info.linkname = "/etc/passwd"
            tar.addfile(info, io.BytesIO(b"") if kind == tarfile.REGTYPE else None)
        buf.seek(0)
        dest = tmp_path / name.replace("/", "_").replace(".", "_")
        dest.mkdir()
        with tarfile.open(fileobj=buf) as tar:
            if name.startswith("ok"):
                _extract(tar, dest)
                assert (dest / "ok" / "file.txt").is_file()
            else:
                with pytest.raises(BuildError, match="outside the snapshot"):
                    _extract(tar, dest)


def test_a_setup_cfg_holding_only_tool_settings_is_not_an_installable_project(tmp_path):
    from openswe_data.build.context import installable

    (tmp_path / "setup.cfg").write_text("[tool:pytest]\npython_files = check_*.py\n")
    assert not installable(tmp_path)  # pip refuses a tree with neither setup.py nor pyproject.toml
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 100\n")
    assert not installable(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\nversion = '1'\n")
    assert installable(tmp_path)
    (tmp_path / "pyproject.toml").unlink()
    (tmp_path / "setup.py").write_text("from setuptools import setup\nsetup()\n")
    assert installable(tmp_path)


def test_pinned_to_a_pull_requests_date_the_python_is_the_newest_of_that_day_the_project_allows():
    from openswe_data.toolchains.python.facts import SetupFacts, python_of_date

    suite = ["3.9", "3.11", "3.13"]
    assert python_of_date(SetupFacts(), suite, "2019-05-19T19:03:45Z") == "3.9"  # none out yet: the oldest
    assert python_of_date(SetupFacts(), suite, "2023-05-19") == "3.11"
    assert python_of_date(SetupFacts(python_constraint=">=3.12"), suite, "2023-05-19") == "3.13"
    assert python_of_date(SetupFacts(), suite, "not a date") is None


def test_ci_apt_lines_give_package_names_never_the_files_a_command_goes_on_with(tmp_path):
    wf = tmp_path / ".github" / "workflows"
    wf.mkdir(parents=True)
    (wf / "ci.yml").write_text("steps:\n  - run: sudo apt-get install -y software-properties-common env.py libyaml-dev\n")
    assert read_facts(tmp_path).system_packages == ["software-properties-common", "libyaml-dev"]


def test_dependencies_pinned_to_a_date_never_predate_the_ecosystem_of_the_chosen_python():
    from openswe_data.toolchains.python.facts import resolution_date

    # a 2019 PR built on 3.9 (nothing older in the suite): the date moves to when 3.9 had wheels and tools
    assert resolution_date("2019-05-19T19:03:45Z", "3.9") == "2021-01-03T00:00:00Z"
    # a PR from after that keeps its own date
    assert resolution_date("2023-02-01T10:00:00Z", "3.9") == "2023-02-01T10:00:00Z"
    assert resolution_date("not a date", "3.9") == "not a date"
    assert resolution_date("2019-05-19T19:03:45Z", "9.9") == "2019-05-19T19:03:45Z"


def test_a_frozen_developer_environment_gives_way_to_the_test_environment_tox_names(tmp_path):
    # a `pip freeze` of the maintainer's desk (sortedcontainers 2016: 55 pins, Cython 0.19, rbtree for
    # Python 2, matplotlib 1.5, tox, virtualenv): no Python of today installs it, and the tests need only nose
    freeze = "Banyan==0.1.5\nCython==0.19.2\nmatplotlib==1.5.1\nnose==1.3.3\nrbtree==0.9.0\ntox==2.3.1\nvirtualenv==15.0.1\n"
    write(tmp_path, {"requirements.txt": freeze, "tox.ini": "[tox]\nenvlist=py27,py35\n[testenv]\ndeps=nose\ncommands=nosetests\n"})
    f = read_facts(tmp_path)
    assert f.requirements == ["nose"] and "skipped requirements.txt" in f.sources
    # tox's own deps bring the file back when they include it
    (tmp_path / "tox.ini").write_text("[tox]\nenvlist=py35\n[testenv]\ndeps=-rrequirements.txt\n")
    assert "rbtree==0.9.0" in read_facts(tmp_path).requirements
    # without a test environment named by tox, the file is all there is: kept
    (tmp_path / "tox.ini").unlink()
    assert "rbtree==0.9.0" in read_facts(tmp_path).requirements
    # a pinned file that does not make test environments is the tests' own (kept beside tox's deps)
    write(tmp_path, {"requirements.txt": "hypothesis==3.1.0\nnose==1.2.1\n",
                     "tox.ini": "[tox]\nenvlist=py35\n[testenv]\ndeps=mock\n"})
    assert read_facts(tmp_path).requirements == ["hypothesis==3.1.0", "nose==1.2.1", "mock"]


def test_development_tools_only_a_developers_list_names_are_left_out_of_the_image(tmp_path):
    write(tmp_path, {
        "pyproject.toml": '[project]\nname = "p"\ndependencies = ["tox-ish-runtime", "nox"]\n'
                          '[dependency-groups]\ntests = ["pytest", "sphinx-testing-tool-named-by-tests"]\n'
                          'dev = ["ruff", "tox", "tox-uv", "sphinx", "sphinx-rtd-theme", "pre-commit", "trio", "twine"]\n',
        "requirements-dev.txt": "flake8-bugbear==24.1\nmkdocs\n",
        "docs/conf.py": "import sphinx_rtd_theme\n",  # docs are not what the tests import
        "tests/test_p.py": "import twine\n",  # ...but a test module is
    })
    f = read_facts(tmp_path)
    # linters, environment, docs and release tools named only by dev lists go; what tests may import stays
    assert f.left_out == ["flake8-bugbear", "mkdocs", "pre-commit", "ruff", "sphinx", "sphinx-rtd-theme", "tox", "tox-uv"]
    assert f.requirements == ["tox-ish-runtime", "nox", "pytest", "sphinx-testing-tool-named-by-tests", "trio", "twine"]
    assert "left_out" in f.sources


def test_a_tool_the_tests_own_lists_or_the_runtime_name_is_never_left_out(tmp_path):
    write(tmp_path, {
        "setup.py": "from setuptools import setup\nsetup(install_requires=['tox'], "
                    "extras_require={'testing': ['sphinx'], 'dev': ['ruff', 'sphinx', 'tox']})\n",
        "requirements/tests.txt": "ruff==0.4\n",  # a test requirements file: the tests' own list
    })
    f = read_facts(tmp_path)
    assert f.left_out == []
    assert {"tox", "sphinx", "ruff==0.4"} <= set(f.requirements)
