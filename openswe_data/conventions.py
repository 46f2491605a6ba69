"""Container conventions shared by build (which writes them into eval scripts) and validate (which reads
them back): SWE-bench v5's test-output markers and paths, plus ours. One place, so they never drift."""

from __future__ import annotations

TESTBED = "/testbed"
"""Where the repository sits in every environment image (SWE-bench's convention)."""

START_TEST_OUTPUT = ">>>>> Start Test Output"
END_TEST_OUTPUT = ">>>>> End Test Output"
"""SWE-bench's markers around the test command's output; its log parsers read only what is between them."""

APPLY_PATCH_FAIL = ">>>>> Patch Apply Failed"
"""Printed by our runner when the candidate patch does not apply (SWE-bench prints the same)."""

TEST_EXIT_PREFIX = "OPENSWE_TEST_EXIT_CODE="
"""The eval script prints the test command's own exit status after this prefix."""

JUNIT_PATH = "/tmp/openswe-junit.xml"
"""Where pytest writes its JUnit XML inside the container; the runner copies it out with the archive API
(it is never printed into the log, where a trace line could land inside it)."""

INSTALL_BUILD_MARK = ">>>>> openswe: install build requirements"
INSTALL_DEPS_MARK = ">>>>> openswe: install dependencies"
INSTALL_HELPERS_MARK = ">>>>> openswe: install test-runner helpers"
INSTALL_PROJECT_MARK = ">>>>> openswe: install project"
QUICK_INSTALL_NOTE = ">>>>> openswe: the image's build tools do not install the project: an isolated install follows"
GENERATE_SOURCES_MARK = ">>>>> openswe: generate sources"
"""Echoed by the Dockerfile's install steps, so a failed build says which step failed."""

EVAL_SCRIPT_PATH = "/eval.sh"
"""Where the eval script lives in the image (and where SWE-bench's harness writes it)."""

RUNNER_DIR = "/openswe"
"""Where our runner puts the candidate patch and its own small driver script in a container."""

EXIT_PATCH_FAILED = 97
"""Our runner's exit status when the candidate patch does not apply."""

MAPS_FILE = "rules/maps.yaml"
"""The lookup tables of ``builders/`` (rules translate names through them; setup facts read some)."""
