"""Fixture projects for the closed build loop: each reproduces a general mechanism real repositories need,
fails with the heuristic recipe, and must end valid through the loop — with the rule that rescued it
recorded (``RESCUED_BY``; ``None`` where the heuristic build itself now handles the mechanism)."""

from __future__ import annotations

PYTEST_INI = "[pytest]\npythonpath = .\n"

PROJECTS: dict[str, dict[str, dict[str, str]]] = {
    # a test uses a pytest plugin's fixture that no manifest lists
    "mocker": {
        "base": {"pytest.ini": PYTEST_INI, "pkg/__init__.py": "import os\n\n\ndef home():\n    return os.environ.get('HOME', '')\n"},
        "gold": {"pkg/__init__.py": "import os\n\n\ndef home():\n    return os.environ.get('HOME', '/')\n"},
        "tests": {"tests/test_home.py": ("import os\n\nfrom pkg import home\n\n\ndef test_home_defaults_to_root(mocker):\n"
                                         "    mocker.patch.dict(os.environ, {}, clear=True)\n    assert home() == '/'\n")},
    },
    # code that needs an older Python, with no metadata saying so
    "oldpython": {
        "base": {"pytest.ini": PYTEST_INI,
                 "pkg/__init__.py": ("import collections\n\nMapping = collections.Mapping\n\n\n"
                                     "def keys(x):\n    return list(x)\n")},
        "gold": {"pkg/__init__.py": ("import collections\n\nMapping = collections.Mapping\n\n\n"
                                     "def keys(x):\n    return sorted(x)\n")},
        "tests": {"tests/test_keys.py": "from pkg import keys\n\n\ndef test_keys_are_sorted():\n    assert keys({'b': 1, 'a': 2}) == ['a', 'b']\n"},
    },
    # the tests import a module from a PEP 735 dependency group that is not named like a test group
    "depgroup": {
        "base": {"pytest.ini": PYTEST_INI, "pyproject.toml": '[dependency-groups]\nchecks = ["tomli-w"]\n',
                 "pkg/__init__.py": "def dump(d):\n    return ''.join(f'{k} = {v}' for k, v in d.items())\n"},
        "gold": {"pkg/__init__.py": "import tomli_w\n\n\ndef dump(d):\n    return tomli_w.dumps(d)\n"},
        "tests": {"tests/test_dump.py": ("import tomli_w\n\nfrom pkg import dump\n\n\ndef test_dump_is_toml():\n"
                                         "    assert dump({'a': 1}) == tomli_w.dumps({'a': 1})\n")},
    },
    # a build backend whose toolchain the image lacks: run from source (src layout, PYTHONPATH)
    "nobackend": {
        "base": {"pyproject.toml": ('[build-system]\nrequires = []\nbuild-backend = "rustish"\nbackend-path = ["_backend"]\n\n'
                                    '[project]\nname = "pkg"\nversion = "0.1"\n'),
                 "_backend/rustish.py": ("def _fail(*args, **kwargs):\n    raise RuntimeError(\"error: can't find Rust compiler\")\n\n\n"
                                         "get_requires_for_build_wheel = get_requires_for_build_editable = _fail\n"
                                         "build_wheel = build_editable = prepare_metadata_for_build_wheel = _fail\n"),
                 "src/pkg/__init__.py": "def clamp(x, lo, hi):\n    return max(lo, x)\n"},
        "gold": {"src/pkg/__init__.py": "def clamp(x, lo, hi):\n    return min(hi, max(lo, x))\n"},
        "tests": {"tests/test_clamp.py": "from pkg import clamp\n\n\ndef test_clamp_high():\n    assert clamp(9, 0, 5) == 5\n"},
    },
    # a setup.py that imports its dependency at build time, with build requirements that do not list it:
    # an isolated build cannot import it, a build without isolation (dependencies installed first) can. It
    # compiles an extension, so the image's quick install (no isolation, for pure-Python projects) is not
    # tried first: the rule is what rescues it
    "legacysetup": {
        "base": {"pyproject.toml": '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n',
                 "setup.py": ("import tomli_w\nfrom setuptools import Extension, setup\n\n"
                              "setup(name='pkg', version='0.1', packages=['pkg'], install_requires=['tomli-w'],\n"
                              "      ext_modules=[Extension('pkg._speed', ['pkg/_speed.c'])])\n"),
                 "pkg/_speed.c": ('#include <Python.h>\n\nstatic struct PyModuleDef mod = {PyModuleDef_HEAD_INIT, "_speed", NULL, -1, NULL};\n'
                                  'PyMODINIT_FUNC PyInit__speed(void) { return PyModule_Create(&mod); }\n'),
                 "pkg/__init__.py": "from pkg import _speed  # noqa: F401\n\n\ndef words(s):\n    return s.split(' ')\n"},
        "gold": {"pkg/__init__.py": "from pkg import _speed  # noqa: F401\n\n\ndef words(s):\n    return s.split()\n"},
        "tests": {"tests/test_words.py": "from pkg import words\n\n\ndef test_double_spaces():\n    assert words('a  b') == ['a', 'b']\n"},
    },
    # the fix's test needs a newer Python than the default one and skips itself below it (no metadata says
    # so): on the default Python nothing fails before the fix, on the Python its skip names it does
    "newpython": {
        "base": {"pytest.ini": PYTEST_INI,
                 "pkg/__init__.py": "class Point:\n    def __init__(self, x, y):\n        self.x, self.y = x, y\n"},
        "gold": {"pkg/__init__.py": ("class Point:\n    def __init__(self, x, y):\n        self.x, self.y = x, y\n\n"
                                     "    def __replace__(self, **changes):\n"
                                     "        return Point(changes.get('x', self.x), changes.get('y', self.y))\n")},
        "tests": {"tests/test_point.py": ("import copy\nimport sys\n\nimport pytest\n\nfrom pkg import Point\n\n\n"
                                          "def test_fields():\n    assert (Point(1, 2).x, Point(1, 2).y) == (1, 2)\n\n\n"
                                          "@pytest.mark.skipif(sys.version_info < (3, 13), reason='requires Python 3.13+')\n"
                                          "def test_copy_replace():\n    p = copy.replace(Point(1, 2), y=5)\n"
                                          "    assert (p.x, p.y) == (1, 5)\n")},
    },
    # the repository pins an old packaging; our helpers want a newer one: never co-resolved
    "pinned": {
        "base": {"setup.py": "from setuptools import setup\n\nsetup(name='pkg', version='0.1', packages=['pkg'])\n",
                 "requirements-dev.txt": "packaging==21.3\n",
                 "pkg/__init__.py": "from packaging.version import Version\n\n\ndef newer(a, b):\n    return a > b\n"},
        "gold": {"pkg/__init__.py": "from packaging.version import Version\n\n\ndef newer(a, b):\n    return Version(a) > Version(b)\n"},
        "tests": {"tests/test_newer.py": "from pkg import newer\n\n\ndef test_versions_compare_numerically():\n    assert newer('1.10', '1.9')\n"},
    },
    # the bug is in C: the eval script must rebuild the extension after the patch
    "ccode": {
        # a PEP 639 license string: the isolated install's fresh setuptools reads it, the base image's older one
        # refuses it, so the eval script's rebuild must build with the tools the install used
        "base": {"pyproject.toml": ('[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n\n'
                                    '[project]\nname = "cpkg"\nversion = "0.1"\nlicense = "MIT"\n'),
                 "setup.py": ("from setuptools import Extension, setup\n\nsetup(packages=['cpkg'],\n"
                              "      ext_modules=[Extension('cpkg._impl', ['cpkg/_impl.c'])])\n"),
                 "cpkg/__init__.py": "from cpkg._impl import add\n",
                 "cpkg/_impl.c": ('#include <Python.h>\n\nstatic PyObject *add(PyObject *self, PyObject *args) {\n'
                                  '    long a, b;\n    if (!PyArg_ParseTuple(args, "ll", &a, &b)) return NULL;\n'
                                  '    return PyLong_FromLong(a - b);\n}\n\n'
                                  'static PyMethodDef methods[] = {{"add", add, METH_VARARGS, ""}, {NULL, NULL, 0, NULL}};\n'
                                  'static struct PyModuleDef mod = {PyModuleDef_HEAD_INIT, "_impl", NULL, -1, methods};\n'
                                  'PyMODINIT_FUNC PyInit__impl(void) { return PyModule_Create(&mod); }\n')},
        "gold": {"cpkg/_impl.c": ('#include <Python.h>\n\nstatic PyObject *add(PyObject *self, PyObject *args) {\n'
                                  '    long a, b;\n    if (!PyArg_ParseTuple(args, "ll", &a, &b)) return NULL;\n'
                                  '    return PyLong_FromLong(a + b);\n}\n\n'
                                  'static PyMethodDef methods[] = {{"add", add, METH_VARARGS, ""}, {NULL, NULL, 0, NULL}};\n'
                                  'static struct PyModuleDef mod = {PyModuleDef_HEAD_INIT, "_impl", NULL, -1, methods};\n'
                                  'PyMODINIT_FUNC PyInit__impl(void) { return PyModule_Create(&mod); }\n')},
        "tests": {"tests/test_add.py": "from cpkg import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"},
    },
}

PROJECTS["unittestonly"] = {
    # a unittest suite whose conftest.py uses a hook today's pytest refuses: run it with unittest instead
    "base": {"conftest.py": "def pytest_namespace():\n    return {}\n",
             "pkg/__init__.py": "def middle(xs):\n    return xs[len(xs) // 2 - 1]\n",
             "tests/__init__.py": "",
             "tests/test_middle.py": ("import unittest\n\nfrom pkg import middle\n\n\nclass MiddleTest(unittest.TestCase):\n"
                                      "    def test_one(self):\n        self.assertEqual(middle([7]), 7)\n")},
    "gold": {"pkg/__init__.py": "def middle(xs):\n    return xs[len(xs) // 2]\n"},
    "tests": {"tests/test_middle.py": ("import unittest\n\nfrom pkg import middle\n\n\nclass MiddleTest(unittest.TestCase):\n"
                                       "    def test_one(self):\n        self.assertEqual(middle([7]), 7)\n\n"
                                       "    def test_three(self):\n        self.assertEqual(middle([1, 2, 3]), 2)\n")},
}

PROJECTS["ownrunner"] = {
    # the package refuses to import until the repository's own runner has set the stage (a settings
    # variable, as Django-style projects do): neither pytest nor unittest discovery can collect the tests
    "base": {"app/__init__.py": ("import os\n\nif 'APP_MODE' not in os.environ:\n"
                                 "    raise RuntimeError('APP_MODE is not set: run the tests with runtests.py')\n\n\n"
                                 "def shout(s):\n    return s\n"),
             "runtests.py": ("import os\nimport sys\nimport unittest\n\nos.environ.setdefault('APP_MODE', 'test')\n"
                             "suite = unittest.defaultTestLoader.discover('tests', top_level_dir='.')\n"
                             "result = unittest.TextTestRunner(verbosity=2).run(suite)\n"
                             "sys.exit(not result.wasSuccessful())\n"),
             "tests/__init__.py": "",
             "tests/test_shout.py": ("import unittest\n\nfrom app import shout\n\n\nclass ShoutTest(unittest.TestCase):\n"
                                     "    def test_empty(self):\n        self.assertEqual(shout(''), '')\n")},
    "gold": {"app/__init__.py": ("import os\n\nif 'APP_MODE' not in os.environ:\n"
                                 "    raise RuntimeError('APP_MODE is not set: run the tests with runtests.py')\n\n\n"
                                 "def shout(s):\n    return s.upper()\n")},
    "tests": {"tests/test_shout.py": ("import unittest\n\nfrom app import shout\n\n\nclass ShoutTest(unittest.TestCase):\n"
                                      "    def test_empty(self):\n        self.assertEqual(shout(''), '')\n\n"
                                      "    def test_upper(self):\n        self.assertEqual(shout('a'), 'A')\n")},
}

PROJECTS["segfault"] = {
    # the bug crashes the interpreter (as a segfault in a C extension does): before the fix the whole run dies
    # and every other test's result with it, unless each test runs in a process of its own
    "base": {"pytest.ini": PYTEST_INI,
             "pkg/__init__.py": ("import os\nimport signal\n\n\ndef first(data):\n"
                                 "    if not data:\n        os.kill(os.getpid(), signal.SIGSEGV)  # what a C extension's bug does\n"
                                 "    return data[:1]\n"),
             "tests/test_first.py": "from pkg import first\n\n\ndef test_first_byte():\n    assert first(b'ab') == b'a'\n"},
    "gold": {"pkg/__init__.py": "def first(data):\n    return data[:1]\n"},
    # five crashing cases: more than pytest-xdist restarts its worker by default (four), so a run that stopped
    # there would leave a case unreported
    "tests": {"tests/test_first.py": ("import pytest\n\nfrom pkg import first\n\n\ndef test_first_byte():\n"
                                      "    assert first(b'ab') == b'a'\n\n\n@pytest.mark.parametrize('case', range(5))\n"
                                      "def test_first_of_nothing_is_empty(case):\n    assert first(b'') == b''\n")},
}

PROJECTS["cython"] = {
    # the extension's C file is generated by Cython from the .pyx (a Makefile's job) and not committed: setup.py
    # compiles a file that does not exist until the loop generates it; the fix is in the .pyx, so the eval
    # script must generate it again before it rebuilds
    "base": {"setup.py": ("from setuptools import Extension, setup\n\nsetup(name='cypkg', version='0.1', packages=['cypkg'],\n"
                          "      ext_modules=[Extension('cypkg._speed', ['cypkg/_speed.c'])])\n"),
             "cypkg/__init__.py": "from cypkg._speed import add\n",
             "cypkg/_speed.pyx": "def add(long a, long b):\n    return a - b\n"},
    "gold": {"cypkg/_speed.pyx": "def add(long a, long b):\n    return a + b\n"},
    "tests": {"tests/test_add.py": "from cypkg import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"},
}

RESCUED_BY: dict[str, str | None] = {
    "cython": "cython-sources-not-generated",
    "segfault": "a-crash-kills-the-whole-run-run-in-a-worker",
    "ownrunner": "the-repository-runs-its-tests-its-own-way",
    "unittestonly": "pytest-cannot-run-the-suite",
    "mocker": "pytest-fixture-from-a-missing-plugin",
    "oldpython": "collections-abc-aliases-removed",
    "newpython": "skipped-below-a-python",
    "depgroup": "test-dependency-missing",
    "nobackend": "rust-backend-cannot-build",
    "legacysetup": "build-needs-installed-modules",
    "pinned": None,  # our helpers are installed in a step of their own: valid in one attempt
    "ccode": None,  # the eval script rebuilds compiled code after the patches: valid in one attempt
}
