"""What a killed publish leaves behind: found (for `sikkep status` and the refresh decision) and cleaned
(by the next publish, with the publish lock held).

publish() (core.py) writes under hidden temporary names and swaps them into place:
    published/.<public|restricted>.duckdb.tmp-<run>-<pid>   the new databases, before their swap
    <warehouse>/.exports.tmp-<run>-<pid>/                    the new exports, before their swap
    exports/.<public|restricted>.old/                        the previous exports, set aside for the
                                                             moment between the two renames of a swap
A publish killed on the way (kill -9, OOM, power loss) leaves some of these behind; killed between the two
renames of the exports swap it also leaves exports/public (or exports/restricted) missing.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path

from .core import PUBLIC_DB
from .lock import TEMP_MARK, publish_in_progress

EXPORT_FOLDERS = ("public", "restricted")


def _temp_files(published: Path) -> list[Path]:
    if not published.is_dir():
        return []
    return sorted(p for p in published.iterdir() if p.name.startswith(".") and TEMP_MARK in p.name)


def _staged_exports(exports: Path) -> list[Path]:
    return sorted(exports.parent.glob(f".{exports.name}{TEMP_MARK}*")) if exports.parent.is_dir() else []


def _set_aside(exports: Path, folder: str) -> Path:
    return exports / f".{folder}.old"


def _exports_run(exports: Path) -> str | None:
    """The run whose public exports are in place (every table's metadata JSON names it)."""
    for meta in sorted((exports / "public").glob("*.json")):
        with contextlib.suppress(OSError, ValueError):
            return json.loads(meta.read_text(encoding="utf-8")).get("run_id")
    return None


def find_leftovers(published_dir, exports_dir, published_run: str | None = None) -> list[str]:
    """One line per leftover of a killed publish (empty while a live publish holds the lock: its
    temporary files are its own). `published_run`: the run of the published files, to tell exports of
    another run."""
    published, exports = Path(published_dir), Path(exports_dir)
    if publish_in_progress(published):
        return []
    found = [f"temporary file published/{p.name}" for p in _temp_files(published)]
    found += [f"staged exports {p.name}/ of a publish that did not finish" for p in _staged_exports(exports)]
    for folder in EXPORT_FOLDERS:
        if _set_aside(exports, folder).exists():
            found.append(f"exports/.{folder}.old/ (the previous exports, set aside during an exports swap)")
        if (published / PUBLIC_DB).exists() and not (exports / folder).is_dir():
            found.append(f"exports/{folder}/ is missing (a publish was killed while it swapped the exports)")
    run = _exports_run(exports)
    if published_run and run and run != published_run:
        found.append(f"exports/public/ holds the exports of run {run}, the published files are of run {published_run}")
    return found


def clean_leftovers(published_dir, exports_dir) -> list[str]:
    """Removes what a killed publish left and puts back an export folder its swap had set aside (so
    readers have the previous exports until the new ones land). Call with the publish lock held.
    Returns one line per thing done."""
    published, exports = Path(published_dir), Path(exports_dir)
    done = []
    for p in _temp_files(published):
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(p) if p.is_dir() else p.unlink()
            done.append(f"removed temporary file published/{p.name}")
    for folder in EXPORT_FOLDERS:
        aside, final = _set_aside(exports, folder), exports / folder
        if aside.exists() and not final.exists():
            os.replace(aside, final)
            done.append(f"put exports/{folder}/ back from exports/.{folder}.old/ (a publish was killed while it "
                        "swapped the exports)")
        elif aside.exists():
            shutil.rmtree(aside, ignore_errors=True)
            done.append(f"removed exports/.{folder}.old/")
    for p in _staged_exports(exports):
        shutil.rmtree(p, ignore_errors=True)
        done.append(f"removed staged exports {p.name}/ of a publish that did not finish")
    return done
