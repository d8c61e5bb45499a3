"""One publisher at a time, and the mark of the files that exist only while one publishes.

Everything a publish writes is first a hidden file or folder whose name holds TEMP_MARK; it is renamed
into place or removed before the publish lets go of the lock. So a TEMP_MARK name seen while nobody holds
the lock was left by a publish that was killed (publish/leftovers.py).
"""
from __future__ import annotations

import contextlib
import fcntl
from pathlib import Path

LOCK_FILE = ".publish.lock"
TEMP_MARK = ".tmp-"


@contextlib.contextmanager
def publish_lock(published_dir: Path):
    """Exclusive advisory lock: one publisher at a time (the OS drops it when the holder dies)."""
    published_dir.mkdir(parents=True, exist_ok=True)
    fh = open(published_dir / LOCK_FILE, "a+")
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        fh.close()


def publish_in_progress(published_dir: Path) -> bool:
    """True while a live process publishes (it holds the lock); never waits."""
    path = Path(published_dir) / LOCK_FILE
    if not path.exists():
        return False
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    return False
