"""The base-image suite: recipes load and are documented, the right Python is chosen, images are built once
and reused, each provides what environments rely on, and build-time network settings reach pip."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from openswe_data.build import base_images
from openswe_data.build.base_builders import import_changes, mmdebstrap_command, render_registry_dockerfile
from openswe_data.build.base_recipes import load_common, load_recipe, load_recipes, recipe_hash
from openswe_data.build.network import CA_CONTEXT_NAME, build_network_args, network_dockerfile_lines
from openswe_data.errors import ConfigError, RecipeError
from openswe_data.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "builders" / "base"
SUITE = ["3.9", "3.11", "3.13"]


def _recipes_copy(tmp_path: Path) -> Path:
    """A recipe root holding a copy of builders/base/ (to edit without touching the checkout)."""
    shutil.copytree(BASE, tmp_path / "builders" / "base")
    return tmp_path


# --- recipes ---------------------------------------------------------------------------------------
def test_every_recipe_in_builders_base_loads_and_is_listed_in_its_readme():
    readme = (BASE / "README.md").read_text()
    for path in sorted(BASE.iterdir()):
        if path.name != "README.md":
            assert path.name in readme, f"builders/base/README.md does not list {path.name}"
    loaded = load_recipes()
    assert list(loaded) == SUITE
    for version, recipe in loaded.items():
        assert recipe.path == BASE / f"python{version}.yaml"
        assert {"git", "patch", "gcc", "make", "python3-dev", "python3-venv"} <= set(recipe.packages)
    assert base_images.available_pythons() == SUITE


@pytest.mark.parametrize(
    "text, complaint",
    [
        ("python: [unclosed", "not valid YAML"),
        ("python: 3.10\ndebian: {suite: bookworm, packages: [python3]}\nregistry: {image: python:3.10-slim}", "quoted version"),
        ('python: "3.11"\ndebian: {suite: bookworm, packages: [python3], pakages: [x]}\nregistry: {image: p}', "unknown key"),
        ('python: "3.11"\ndebian: {suite: bookworm, packages: []}\nregistry: {image: p}', "must not be empty"),
        ('python: "3.11"\ndebian: {suite: bookworm, packages: [python3], variant: tiny}\nregistry: {image: p}', "variant"),
        ('python: "3.11"\ndebian: {packages: [python3]}\nregistry: {image: p}', "debian.suite"),
        ('python: "3.11"\ndebian: {suite: bookworm, packages: [python3]}', "`registry` must be a mapping"),
        ('python: "3.12"\ndebian: {suite: bookworm, packages: [python3]}\nregistry: {image: p}', "named for 3.11"),
    ],
)
def test_a_malformed_recipe_is_refused_with_an_error_naming_the_file(tmp_path, text, complaint):
    root = _recipes_copy(tmp_path)
    bad = root / "builders" / "base" / "python3.11.yaml"
    bad.write_text(text)
    with pytest.raises(RecipeError, match=complaint) as exc:
        load_recipes(explicit=root)
    assert str(bad) in str(exc.value)
    with pytest.raises(RecipeError):
        base_images.ensure_base_images(["3.11"], recipes=root)


def test_the_cli_names_the_malformed_recipe_without_a_traceback(tmp_path):
    from typer.testing import CliRunner

    from openswe_data.cli import make_app

    root = _recipes_copy(tmp_path)
    bad = root / "builders" / "base" / "python3.13.yaml"
    bad.write_text(bad.read_text().replace("suite: trixie", "suite: [trixie]"))
    for command in (["images", "list"], ["images", "base", "--python", "3.13"]):
        result = CliRunner().invoke(make_app(), [*command, "--recipes", str(root)])
        assert result.exit_code == 1, result.output
        assert f"error [bad_recipe]: base-image recipe {bad}: `debian.suite`" in result.output
        assert "Traceback" not in result.output


def test_the_best_python_is_the_same_minor_else_the_nearest_preferring_newer():
    suite = ["3.9", "3.11", "3.13"]
    assert base_images.choose_python("3.11", suite) == "3.11"
    assert base_images.choose_python("3.11.9", suite) == "3.11"
    assert base_images.choose_python("3.10", suite) == "3.11"
    assert base_images.choose_python("3.12", suite) == "3.13"
    assert base_images.choose_python("3.7", suite) == "3.9"
    assert base_images.choose_python("3.14", suite) == "3.13"
    assert base_images.choose_python("3", suite) == "3.13"
    settings = dataclasses.replace(Settings(), base_image_prefix="registry.local/ours/base")
    assert base_images.base_image_for("3.10", settings=settings) == "registry.local/ours/base:py3.11"


def test_a_python_the_suite_cannot_serve_is_an_error_listing_what_exists():
    with pytest.raises(ConfigError, match=r"no base image for Python 2\.7; the suite has 3\.9, 3\.11, 3\.13"):
        base_images.base_image_for("2.7")
    with pytest.raises(ConfigError, match="cannot read Python version"):
        base_images.base_image_for("latest")
    with pytest.raises(ConfigError, match="no base-image recipe for Python 3.12"):
        base_images.ensure_base_images(["3.12"])


def test_the_recipe_hash_follows_the_recipe_the_mirror_and_the_hook_and_nothing_else(tmp_path):
    root = _recipes_copy(tmp_path)
    recipe = load_recipes(explicit=root)["3.11"]
    first = recipe_hash(recipe, "debian", mirror="http://deb.debian.org/debian", explicit=root)
    assert recipe_hash(recipe, "debian", mirror="http://deb.debian.org/debian/", explicit=root) == first
    assert recipe_hash(recipe, "debian", mirror="http://mirror.example/debian", explicit=root) != first
    assert recipe_hash(recipe, "registry", mirror="http://deb.debian.org/debian", explicit=root) != first
    assert recipe_hash(recipe, "registry", mirror="http://mirror.example/debian", explicit=root) == recipe_hash(
        recipe, "registry", mirror="http://deb.debian.org/debian", explicit=root
    )
    hook = root / "builders" / "base" / "debian-customize.sh"
    hook.write_text(hook.read_text() + "\n# edited\n")
    assert recipe_hash(recipe, "debian", mirror="http://deb.debian.org/debian", explicit=root) != first
    recipe.path.write_text(recipe.path.read_text().replace("gcc,", "gcc, g++,"))
    changed = load_recipes(explicit=root)["3.11"]
    assert "g++" in changed.packages
    assert recipe_hash(changed, "debian", mirror="http://deb.debian.org/debian", explicit=root) != first


def test_the_debian_build_uses_the_configured_mirror_and_keeps_docs_out():
    recipe = load_recipes()["3.13"]
    cmd = mmdebstrap_command(recipe, Path("/tmp/out.tar"), mirror="http://mirror.example/debian")
    assert cmd[0] == "mmdebstrap" and "--variant=minbase" in cmd and "--mode=unshare" in cmd
    assert cmd[-3:] == ["trixie", "/tmp/out.tar", "http://mirror.example/debian"]
    assert "--dpkgopt=path-exclude=/usr/share/doc/*" in cmd
    assert cmd.index("--dpkgopt=path-include=/usr/share/doc/*/copyright") > cmd.index("--dpkgopt=path-exclude=/usr/share/doc/*")
    assert not any("deb.debian.org" in part for part in cmd)


def test_an_imported_image_gets_the_venv_path_the_workdir_and_the_labels():
    recipe = load_recipes()["3.9"]
    changes = import_changes(recipe, {"openswe.kind": "base", "openswe.recipe_hash": "abc"})
    assert "ENV PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" in changes
    assert "ENV LANG=C.UTF-8" in changes and "WORKDIR /testbed" in changes
    assert 'LABEL openswe.recipe_hash="abc"' in changes


def test_the_registry_dockerfile_starts_from_the_slim_image_and_installs_pinned_pytest():
    recipe = load_recipes()["3.11"]
    text = render_registry_dockerfile(recipe, "ARG PIP_INDEX_URL")
    assert "\nFROM python:3.11-slim\nARG PIP_INDEX_URL\n" in text
    assert "pytest==8.3.5" in text and "python3 -m venv /opt/venv" in text
    assert "--system-site-packages" not in text  # the distribution's packages never satisfy a repository's pins
    assert "ENV PATH=/opt/venv/bin:" in text and "WORKDIR /testbed" in text


# --- build-time network settings -------------------------------------------------------------------
def _settings(**kw) -> Settings:
    base = dict(ca_bundle=None, index_url=None, http_proxy=None, https_proxy=None)
    return dataclasses.replace(Settings(), **{**base, **kw})


def test_network_args_copy_the_ca_bundle_and_pass_index_and_proxies_as_build_args(tmp_path):
    ca = tmp_path / "corp.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    args, files = build_network_args(_settings(
        ca_bundle=str(ca), index_url="https://pypi.example/simple", https_proxy="http://proxy:3128",
    ))
    assert files == {CA_CONTEXT_NAME: ca.read_bytes()}
    assert args["PIP_CERT"] == args["REQUESTS_CA_BUNDLE"] == args["SSL_CERT_FILE"] == "/usr/local/share/openswe/ca.pem"
    assert args["PIP_INDEX_URL"] == "https://pypi.example/simple"
    assert args["HTTPS_PROXY"] == args["https_proxy"] == "http://proxy:3128"
    lines = network_dockerfile_lines(files)
    assert f"COPY {CA_CONTEXT_NAME} /usr/local/share/openswe/ca.pem" in lines
    assert "ARG PIP_CERT" in lines and "ARG PIP_INDEX_URL" in lines
    assert "PROXY" not in lines  # predefined args: declaring them would put them in the history
    assert build_network_args(_settings()) == ({}, {})
    assert "COPY" not in network_dockerfile_lines({})


def test_an_index_url_with_a_password_or_an_unreadable_ca_bundle_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="docker history"):
        build_network_args(_settings(index_url="https://me:secret@pypi.example/simple"))
    # proxy arguments are visible to every RUN (setup.py included): no credentials in them either
    with pytest.raises(ConfigError, match="carries a password") as exc:
        build_network_args(_settings(https_proxy="http://user:pw@proxy:3128"))
    assert "pw@" not in str(exc.value)
    with pytest.raises(ConfigError, match="cannot be read"):
        build_network_args(_settings(ca_bundle=str(tmp_path / "missing.pem")))
    (tmp_path / "empty.pem").write_text("not a certificate")
    with pytest.raises(ConfigError, match="no PEM certificate"):
        build_network_args(_settings(ca_bundle=str(tmp_path / "empty.pem")))


def test_the_common_part_declares_the_venv_path_and_workdir():
    common = load_common()
    assert common["env"]["PATH"].startswith("/opt/venv/bin:")
    assert common["workdir"] == "/testbed"
    assert load_recipe(BASE / "python3.11.yaml", common=common).common is common


# --- real images (docker) --------------------------------------------------------------------------
@pytest.fixture(scope="session")
def suite() -> dict[str, str]:
    """The whole base-image suite, built once per session (cheap when the images are current)."""
    return base_images.ensure_base_images()


def _run(client, tag: str, command: str, **kw) -> str:
    out = client.containers.run(tag, ["bash", "-c", command], remove=True, network_disabled=True, **kw)
    return out.decode()


@pytest.mark.docker
@pytest.mark.slow
@pytest.mark.parametrize("version", SUITE)
def test_each_base_image_has_its_python_pytest_git_and_a_compiler(suite, docker_client, version):
    tag = suite[version]
    assert tag == f"openswe/base:py{version}"
    assert _run(docker_client, tag, "python --version").strip().startswith(f"Python {version}.")
    assert _run(docker_client, tag, "command -v python pip").split() == ["/opt/venv/bin/python", "/opt/venv/bin/pip"]
    assert _run(docker_client, tag, "python -c 'import pytest; print(pytest.__file__)'").startswith("/usr/lib/python3/")
    assert _run(docker_client, tag, "git --version").startswith("git version")
    assert "gcc" in _run(docker_client, tag, "gcc --version")
    assert _run(docker_client, tag, "pwd").strip() == "/testbed"
    # A C extension builds against the headers; pip installs (also editable, PEP 660, and offline with the
    # venv's own setuptools) into the venv despite PEP 668; pytest runs a test.
    build = (
        "cd /tmp && printf '#include <Python.h>\\nstatic struct PyModuleDef m={PyModuleDef_HEAD_INIT,\"cext\"};"
        "PyMODINIT_FUNC PyInit_cext(void){return PyModule_Create(&m);}' > cext.c && "
        "gcc -shared -fPIC $(python3-config --includes) cext.c -o cext$(python3-config --extension-suffix) && "
        "python -c 'import cext; print(cext.__name__)' && "
        "mkdir -p /tmp/p/pkg && printf '[project]\\nname=\"tiny\"\\nversion=\"1\"\\n' > /tmp/p/pyproject.toml && "
        "touch /tmp/p/pkg/__init__.py && pip install -q --no-build-isolation --no-index /tmp/p 2>&1 | tail -3; "
        "pip show tiny | head -1; "
        "cp -r /tmp/p /tmp/e && sed -i s/tiny/tiny-editable/ /tmp/e/pyproject.toml && "
        "pip install -q --no-build-isolation --no-index -e /tmp/e 2>&1 | tail -3; pip show tiny-editable | head -1; "
        "mkdir -p /tmp/t && printf 'def test_ok():\\n    assert 1\\n' > /tmp/t/test_x.py && python -m pytest -q /tmp/t | tail -1"
    )
    out = _run(docker_client, tag, build)
    assert "cext" in out and "Name: tiny\n" in out and "Name: tiny-editable" in out and "1 passed" in out, out
    labels = docker_client.images.get(tag).labels
    assert labels["openswe.kind"] == "base" and labels["openswe.python"] == version
    assert len(labels["openswe.recipe_hash"]) == 32


@pytest.mark.docker
@pytest.mark.slow
def test_a_second_ensure_reuses_every_image_without_building(suite, docker_client):
    ids = {v: docker_client.images.get(tag).id for v, tag in suite.items()}
    again = base_images.build_suite()
    assert {i.python: i.image_id for i in again} == ids
    assert not any(i.built for i in again)
    assert base_images.ensure_base_images() == suite
    assert all(base_images.stale_reason(r) is None for r in load_recipes().values())


@pytest.mark.docker
@pytest.mark.slow
def test_an_edited_recipe_makes_its_image_stale_and_others_stay_current(suite, tmp_path):
    root = _recipes_copy(tmp_path)
    edited = root / "builders" / "base" / "python3.13.yaml"
    edited.write_text(edited.read_text() + "\n# a maintainer's edit\n")
    recipes = load_recipes(explicit=root)
    assert base_images.stale_reason(recipes["3.13"], recipes=root) == "recipe_changed"
    assert base_images.stale_reason(recipes["3.11"], recipes=root) is None
    other_prefix = dataclasses.replace(Settings(), base_image_prefix="openswe-test/never-built")
    assert base_images.stale_reason(recipes["3.11"], settings=other_prefix) == "missing"


@pytest.mark.docker
@pytest.mark.slow
def test_pip_reaches_the_index_through_the_configured_ca_bundle_during_a_build(suite, docker_client):
    from openswe_data.build.base_builders import build_dockerfile

    settings = Settings()
    if not settings.ca_bundle:
        pytest.skip("no CA bundle configured on this machine (OPENSWE_CA_BUNDLE)")
    args, files = build_network_args(settings)
    dockerfile = (
        f"FROM {suite['3.11']}\n{network_dockerfile_lines(files)}\n"
        "RUN pip download --no-deps --dest /tmp/wheels six && ls /tmp/wheels | grep -q '^six-'\n"
    )
    tag = "openswe-test/network-probe:latest"
    try:
        image_id = build_dockerfile(dockerfile, files, tag=tag, buildargs=args)
        env = docker_client.images.get(image_id).attrs["Config"]["Env"]
        assert not any(e.startswith(("PIP_CERT=", "SSL_CERT_FILE=", "PIP_INDEX_URL=")) for e in env), env
        assert _run(docker_client, tag, "test -s /usr/local/share/openswe/ca.pem && echo present").strip() == "present"
    finally:
        docker_client.images.remove(tag, force=True)


@pytest.mark.docker
@pytest.mark.slow
def test_the_registry_source_builds_on_an_upstream_python_image(suite, docker_client, tmp_path):
    """No registry answers here, so a local stand-in for python:3.11-slim plays the upstream image:
    Debian's Python on PATH, no venv. The registry path must add the venv, pytest and the tools."""
    from openswe_data.build.base_builders import build_dockerfile

    upstream, prefix = "openswe-test/python:3.11-slim", "openswe-test/base-registry"
    build_dockerfile(
        f"FROM {suite['3.11']}\nRUN rm -rf /opt/venv\n"
        "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin VIRTUAL_ENV=\n",
        {}, tag=upstream,
    )
    root = _recipes_copy(tmp_path)
    recipe = root / "builders" / "base" / "python3.11.yaml"
    recipe.write_text(recipe.read_text().replace("image: python:3.11-slim", f"image: {upstream}"))
    settings = dataclasses.replace(Settings(), base_image_prefix=prefix, base_source="registry")
    try:
        [image] = base_images.build_suite(["3.11"], settings=settings, recipes=root)
        assert image.built and image.source == "registry" and image.tag == f"{prefix}:py3.11"
        out = _run(docker_client, image.tag, "command -v python; python -c 'import pytest; print(pytest.__version__)'")
        assert out.split() == ["/opt/venv/bin/python", "8.3.5"]
        assert docker_client.images.get(image.tag).labels["openswe.source"] == "registry"
        assert not base_images.build_suite(["3.11"], settings=settings, recipes=root)[0].built
    finally:
        for tag in (f"{prefix}:py3.11", upstream):
            docker_client.images.remove(tag, force=True)


@pytest.mark.docker
def test_an_upstream_image_that_cannot_be_pulled_is_reported_not_guessed(tmp_path):
    root = _recipes_copy(tmp_path)
    recipe = root / "builders" / "base" / "python3.11.yaml"
    recipe.write_text(recipe.read_text().replace("image: python:3.11-slim", "image: openswe-test/absent:nowhere"))
    settings = dataclasses.replace(Settings(), base_image_prefix="openswe-test/never-built", base_source="registry")
    with pytest.raises(Exception, match="neither present locally nor pullable") as exc:
        base_images.ensure_base_images(["3.11"], settings=settings, recipes=root)
    assert "OPENSWE_BASE_SOURCE=debian" in str(exc.value)
