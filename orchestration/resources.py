"""The warehouse resource: where the drop zone, the build database and the publication live."""
from __future__ import annotations

import dataclasses
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from .settings import DBT_VARIABLES, Settings, dbt_env, export_to_process, get_settings
from .step_errors import masked_failure


class WarehouseResource(dg.ConfigurableResource):
    """Paths come from SIKKEP_* variables (orchestration/settings.py); blank config means 'from env'."""

    raw_dir: str = ""
    warehouse_dir: str = ""
    kabupaten: str = ""

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """Dagster stores what a resource's initialisation raises (the run's event log, the UI, the
        worker's log) as raised, outside any asset body: masked here like a body's (step_errors.py). A
        setting's path can name a person (a raw dir under a folder named after her: Path.resolve says
        "Symlink loop from '<path>'")."""
        failure = None
        try:
            self._start_run(context)
        except Exception as exc:  # noqa: BLE001 - raised again below, masked
            failure = masked_failure(exc)
        if failure is not None:
            raise failure from None  # outside the handler: no __context__ either

    def _start_run(self, context: dg.InitResourceContext) -> None:
        """A run starts in this process: its tags name the process (host, pid, start time), so that a
        later run can tell when this one crashed (orchestration/crash_recovery.py), and what it started
        from, when whoever launched it did not say (the UI), so that a later refresh can tell whether
        anything changed since (orchestration/up_to_date.py)."""
        from .crash_recovery import tag_current_run
        from .fingerprint import refresh_fingerprint
        from .run_records import tag_fingerprint
        from .settings import check_kabupaten

        check_kabupaten(self.settings)  # a run of any trigger stops at its first step, saying why
        try:
            tag_current_run(context.instance, context.run_id)
            tag_fingerprint(context.instance, context.run_id, lambda: refresh_fingerprint(self.settings))
        except Exception as exc:  # noqa: BLE001 - never fail a run for its bookkeeping
            from .privacy import mask_error  # the fingerprint hashes the drop zone: an OSError names a file

            context.log.warning("could not tag the run with its worker process and fingerprint: "
                                f"{type(exc).__name__}: {mask_error(exc)}")

    @property
    def settings(self) -> Settings:
        # every setting from the environment (memory caps, workers ...), the resource's config over it: a
        # Settings rebuilt from three fields dropped the operator's memory caps
        base = get_settings()
        return dataclasses.replace(
            base,
            raw_dir=Path(self.raw_dir).resolve() if self.raw_dir else base.raw_dir,
            warehouse_dir=Path(self.warehouse_dir).resolve() if self.warehouse_dir else base.warehouse_dir,
            kabupaten=self.kabupaten or base.kabupaten,
        )

    @contextmanager
    def build_connection(self, read_only: bool = False):
        """The build database. DuckDB allows one writer: assets run one at a time (in-process executor
        and the `warehouse_writer` pool)."""
        s = self.settings
        s.build_dir.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(s.build_db), read_only=read_only,
                             config={"autoinstall_known_extensions": False, "autoload_known_extensions": False,
                                     **({} if read_only else {"memory_limit": s.build_memory})})
        try:
            yield con
        finally:
            con.close()

    def dbt_env(self) -> dict[str, str]:
        return dbt_env(self.settings)

    def export_env(self) -> None:
        """dagster-dbt starts dbt with this process's environment: dbt's variables from these settings."""
        export_to_process(self.settings, DBT_VARIABLES)
