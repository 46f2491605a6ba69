#!/bin/sh
# Our own test-runner helpers, installed in a step of their own AFTER the repository's requirements, so
# they are never co-resolved with its pins (a conflict here is ours, reported as helper_install_failed,
# never as the repository's install_failed). Each one is installed only when missing, in a version that
# fits the pytest the repository ended up with; --no-deps, so nothing the repository pinned moves.
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
  major=$(python -c "import pytest; print(pytest.__version__.split('.')[0])")
  if [ "$major" -ge 7 ]; then spec="pytest-timeout==2.4.0"
  elif [ "$major" -ge 5 ]; then spec="pytest-timeout==2.1.0"
  else spec="pytest-timeout==1.4.2"; fi
  pip_install --no-deps "$spec"
fi
