"""A Dagster pool slot is claimed by one step at a time, also when two processes claim it at once.

Dagster (1.13) claims a slot of a pool in two statements: it selects a free slot row
("SELECT ... FOR UPDATE SKIP LOCKED": SQLite has no row locks and ignores it) and then writes its run
and step into that row by id, whatever the row holds by then. Dagster can assign two waiting steps to a
pool of one slot (a step that asks while another run is freeing the slot is assigned at once, and the
freeing run assigns the next waiting step as well), so two processes can both select the same free row:
the later update overwrites the earlier claim, both steps run (two writers on the build database), and
when the overwriting run ends or is stopped it frees the row, so the other live run holds no slot any
more (tests/unit/test_slot_claim.py drives exactly this interleaving).

`install()` makes the update conditional on the row still being free, in the same statement (SQLite
evaluates it under its write lock, PostgreSQL under the row lock): a claim that lost the race gets
BLOCKED and its step keeps waiting, as every blocked step does. Installed where SIKKEP's code is
loaded: definitions.py (the code server, run workers, `sikkep refresh`) and crash_recovery.py.
"""
from __future__ import annotations

_installed = False


def _claim_concurrency_slot(self, concurrency_key: str, run_id: str, step_key: str):
    import sqlalchemy as db
    from dagster._utils.concurrency import ConcurrencySlotStatus
    from dagster._core.storage.event_log.schema import ConcurrencySlotsTable as slots

    free = db.and_(slots.c.concurrency_key == concurrency_key,
                   slots.c.step_key == None,  # noqa: E711 - SQL IS NULL
                   slots.c.deleted == False)  # noqa: E712
    with self.index_connection() as conn:
        # fetchall: no statement of this connection keeps an old read snapshot open into the update
        rows = conn.execute(db.select(slots.c.id).where(free).with_for_update(skip_locked=True)
                            .limit(1)).fetchall()
        if not rows:
            return ConcurrencySlotStatus.BLOCKED
        claimed = conn.execute(slots.update().values(run_id=run_id, step_key=step_key)
                               .where(db.and_(slots.c.id == rows[0][0], free))).rowcount
    return ConcurrencySlotStatus.CLAIMED if claimed else ConcurrencySlotStatus.BLOCKED


def install() -> None:
    """Replaces Dagster's slot claim of its SQL event log storages (SQLite, PostgreSQL) by the
    conditional one (idempotent)."""
    global _installed
    if _installed:
        return
    from dagster._core.storage.event_log.sql_event_log import SqlEventLogStorage

    SqlEventLogStorage._claim_concurrency_slot = _claim_concurrency_slot
    _installed = True
