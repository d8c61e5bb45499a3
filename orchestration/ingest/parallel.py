"""Parsing a source's files side by side: a kabupaten's DTKS or P3KE arrives as several big files, and
parsing is single-threaded Python, so on a 2-core server two processes halve the ingest of a source.
Writing stays in the caller's one DuckDB connection (one writer)."""
from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from ..settings import get_settings
from .contracts import Contract
from .discovery import ExtractFile
from .errors import ExtractError
from .parse import ParsedFile, parse_file

log = logging.getLogger(__name__)

# below this a worker's start-up (a fresh interpreter importing pyarrow) costs more than it saves
PARALLEL_MIN_BYTES = 32 * 1024 * 1024


def _parse_in_worker(f: ExtractFile, contract: Contract) -> tuple[str, object]:
    # an ExtractError travels back as its fields: exception pickling loses keyword arguments
    try:
        return "ok", parse_file(f, contract)
    except ExtractError as exc:
        return "error", dict(file=exc.file, problem=exc.problem, sheet=exc.sheet, row=exc.row,
                             column=exc.column, hint=exc.hint, code=exc.code, header_row=exc.header_row)


def _error(fields: dict) -> ExtractError:
    fields = dict(fields)
    return ExtractError(fields.pop("file"), fields.pop("problem"), **fields)


def parse_files(files: list[ExtractFile], contract: Contract, workers: int | None = None,
                min_bytes: int = PARALLEL_MIN_BYTES) -> Iterator[tuple[ExtractFile, ParsedFile | ExtractError]]:
    """(file, parsed file or the ExtractError that stopped it), in the order of ``files``; in
    ``workers`` processes (default: settings.ingest_workers) when the files hold ``min_bytes`` or more."""
    workers = get_settings().ingest_workers if workers is None else workers
    workers = min(workers, len(files))
    if workers < 2 or sum(f.size for f in files) < min_bytes:
        for f in files:
            try:
                yield f, parse_file(f, contract)
            except ExtractError as exc:
                yield f, exc
        return
    done = 0
    try:
        # spawn: the refresh runs inside Dagster, whose threads make fork unsafe
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = [pool.submit(_parse_in_worker, f, contract) for f in files]
            for f, fut in zip(files, futures):
                status, value = fut.result()
                done += 1
                yield f, (value if status == "ok" else _error(value))
    except (BrokenProcessPool, OSError) as exc:
        # workers could not start or died (a script without a __main__ guard, no /dev/shm, the OOM
        # killer): parse what is left here, one file after another
        log.warning("ingest %s: parsing in worker processes failed (%s); parsing serially",
                    contract.source, type(exc).__name__)
        yield from parse_files(files[done:], contract, workers=1)
