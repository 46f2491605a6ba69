#!/bin/sh
# Our own test-runner helpers, installed in a step of their own AFTER the repository's requirements, so
# they are never co-resolved with its pins (a conflict here is ours, reported as helper_install_failed,
# never as the repository's install_failed). Each one is installed only when missing, in a version that
# the pytest the repository ended up with loads; --no-deps, so nothing the repository pinned moves.
#   pytest          the test runner, when the repository did not bring its own
#   pytest-timeout  a per-test timeout (the eval script passes --timeout when it is importable)
set -eu
pip_install() { pip install --no-cache-dir --disable-pip-version-check "$@"; }
python -c "import pytest" 2>/dev/null || pip_install pytest
if ! python -c "import pytest"; then
  echo ">>>>> openswe: the installed pytest cannot be imported with this Python (see the error above)" >&2
  exit 1
fi
if ! python -c "import pytest_timeout" 2>/dev/null; then
  # The newest release whose plugin this pytest actually loads: an old pytest refuses a newer plugin only
  # when it loads it (a requirement conflict at start-up), so each candidate is tried and checked by
  # asking pytest for its options. None fits: no per-test timeout (the eval script checks for the module).
  for spec in pytest-timeout==2.4.0 pytest-timeout==2.1.0 pytest-timeout==1.4.2 pytest-timeout==1.2.1; do
    if pip_install --no-deps --quiet "$spec" && python -m pytest --help -p no:cacheprovider 2>/dev/null | grep -q -- "--timeout"; then
      break
    fi
    pip uninstall --yes --quiet pytest-timeout >/dev/null 2>&1 || true
  done
  python -c "import pytest_timeout" 2>/dev/null \
    || echo ">>>>> openswe: no pytest-timeout release loads in this pytest; tests run without a per-test timeout" >&2
fi
