"""What Dagster stores of a step's failure is masked (#17 item 3).

An exception the project did not phrase itself (an OSError, DuckDB's IO error, a reader's parser error)
can name a path of the drop zone, whose file and folder names can hold a person's name or a NIK. Dagster
keeps an exception as raised: its message and its chain (``__cause__``, ``__context__``) go to the run
storage (event log), the UI, the run worker's and the daemon's logs. ``masked_failures`` wraps the body
of every asset, multi-asset and asset check under orchestration/defs/: an exception escaping the body is
raised again as a ``dagster.Failure`` whose description is the exception's type name and its text (and
those of its causes) shown by privacy.mask_error, with no chained exception left to store. The failure is
never swallowed: the step fails as before. A ``Failure`` of the project or of dagster-dbt (a dbt command
that fails) keeps its type, its metadata and its (masked) text, its chain dropped likewise.
"""
from __future__ import annotations

import functools
import inspect
import traceback

import dagster as dg

from .privacy import mask_error

MARK = "_sikkep_masked_failures"
# Dagster's own control flow passes through untouched: a termination (DagsterExecutionInterruptedError is a
# BaseException), a retry the body asks for. KeyboardInterrupt, SystemExit and GeneratorExit likewise.
_PASS = (dg.RetryRequested,)
MAX_CHAIN = 5


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and what it was raised from or during, as Python prints them (at most MAX_CHAIN)."""
    out, seen = [], set()
    while exc is not None and id(exc) not in seen and len(out) < MAX_CHAIN:
        seen.add(id(exc))
        out.append(exc)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return out


def _masked_traceback(exc: BaseException) -> str:
    """Where it was raised, masked too: a frame's source line or a library's path can name a file."""
    lines = []
    for e in reversed(_chain(exc)):
        lines.extend(traceback.format_tb(e.__traceback__)[-8:])
        lines.append(f"{type(e).__name__}\n")
    return mask_error("".join(lines))[-6000:]


def masked_failure(exc: BaseException) -> dg.Failure:
    """The exception as Dagster may store it: a Failure with masked text and no chained exception."""
    chain = _chain(exc)
    if isinstance(exc, dg.Failure):
        # the project's own failures (already masked at their source) and dagster-dbt's: type and metadata kept
        text = mask_error(exc.description or "")
        causes = [f"{type(e).__name__}: {mask_error(e)}" for e in chain[1:]]
        exc.description = text + "".join(f" (from {c})" for c in causes)
        exc.args = (exc.description,)
        exc.__cause__ = exc.__context__ = None
        exc.__suppress_context__ = True
        return exc
    first, *rest = chain
    description = f"{type(first).__name__}: {mask_error(first)}" + "".join(
        f" (from {type(e).__name__}: {mask_error(e)})" for e in rest)
    return dg.Failure(description=description, metadata={
        "error_type": type(first).__name__,
        "error_chain": " <- ".join(type(e).__name__ for e in chain),
        "traceback": dg.MetadataValue.text(_masked_traceback(first)),
    })


def masked_failures(fn):
    """Decorator for the body of an asset, multi-asset or asset check (put it under Dagster's decorator).
    Keeps the body's signature (Dagster reads its context and resource parameters) and its kind (a
    generator stays a generator)."""
    if getattr(fn, MARK, False):
        return fn

    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            failure = None
            try:
                return (yield from fn(*args, **kwargs))
            except _PASS:
                raise
            except Exception as exc:  # noqa: BLE001 - raised again below, masked
                failure = masked_failure(exc)
            raise failure from None  # outside the handler: no __context__ either
    else:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            failure = None
            try:
                return fn(*args, **kwargs)
            except _PASS:
                raise
            except Exception as exc:  # noqa: BLE001 - raised again below, masked
                failure = masked_failure(exc)
            raise failure from None  # outside the handler: no __context__ either

    setattr(wrapper, MARK, True)
    return wrapper


def is_masked(definition) -> bool:
    """Whether an AssetsDefinition's or AssetChecksDefinition's body is wrapped (for the tests)."""
    node = definition.node_def
    compute = getattr(node, "compute_fn", None)
    fn = getattr(compute, "decorated_fn", None) or getattr(compute, "fn", None) or compute
    return bool(getattr(fn, MARK, False))
