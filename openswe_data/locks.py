"""One kind of lock for every place that needs one: an advisory file lock (``flock``) across processes.

A lock dies with its process, so a killed holder never blocks anyone; two threads of one process that each
take it exclude each other too (each opens its own file description).
"""

from __future__ import annotations

import contextlib
import fcntl
from pathlib import Path
from typing import Iterator


@contextlib.contextmanager
def file_lock(path: Path, *, shared: bool = False) -> Iterator[None]:
    """Hold ``path`` (created with its folder when missing) exclusively, or ``shared`` with other readers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
