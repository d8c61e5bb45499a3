"""What Dagster stores of a failed step holds no file or folder name of the drop zone (#17 item 3).

A step of the project fails on an exception it did not phrase (here the OSError of the ingest's own
hashing of an extract that cannot be opened: a link to a socket, which not even root can read). Before:
Dagster stored that exception as raised, and its text named the file, a person's name and her NIK, in the
run storage (event log, UI) and the compute logs. Now every asset and check body of orchestration/defs/
raises a dagster.Failure with the text masked and no chained exception.
Real files, a real Dagster run of the project's own asset on a real instance (DAGSTER_HOME); nothing mocked."""
from __future__ import annotations

import os
import socket
from pathlib import Path

import dagster as dg
import pytest
from dagster._serdes import serialize_value

from orchestration.instance import ensure_dagster_home
from orchestration.resources import WarehouseResource
from orchestration.run_records import run_outcome
from orchestration.settings import get_settings
from orchestration.step_errors import is_masked, masked_failure

NIK = "1802214507890001"
PERSON = f"Siti Aminah {NIK}"
NEEDLES = (NIK, "Aminah", "aminah", "AMINAH")


def leaks(text: str) -> list[str]:
    return [n for n in NEEDLES if n in text]


def step_failures(records) -> list:
    return [r.get_dagster_event() for r in records
            if r.is_dagster_event and r.get_dagster_event().event_type == dg.DagsterEventType.STEP_FAILURE]


def _unreadable_extract(raw: Path) -> Path:
    """raw/pkh/2024-09/Siti Aminah <NIK>.csv: a link (inside the drop zone, so it is read like a file) to a
    socket in a stray folder `Siti Aminah <NIK>/`. Opening it fails with ENXIO, naming the path."""
    folder = raw / PERSON
    folder.mkdir()
    cwd = os.getcwd()
    os.chdir(folder)  # a socket's path is limited to 108 bytes: bind it by its relative name
    try:
        sock = socket.socket(socket.AF_UNIX)
        sock.bind("extract")
    finally:
        os.chdir(cwd)
    (raw / "pkh" / "2024-09").mkdir(parents=True)
    link = raw / "pkh" / "2024-09" / f"{PERSON}.csv"
    link.symlink_to(folder / "extract")
    with pytest.raises(OSError) as exc:
        link.open("rb")
    assert NIK in str(exc.value)  # what Python itself says names the file
    return link


def test_an_unexpected_error_of_a_step_reaches_dagsters_storage_masked(sikkep_env):
    raw, _ = sikkep_env
    _unreadable_extract(raw)
    settings = get_settings()
    ensure_dagster_home(settings)
    from orchestration.defs.ingest.assets import raw_assets

    pkh = next(a for a in raw_assets if dg.AssetKey(["raw", "pkh"]) in a.keys)
    with dg.DagsterInstance.get() as instance:
        result = dg.materialize([pkh], instance=instance, resources={"warehouse": WarehouseResource()},
                                raise_on_error=False)
        assert not result.success  # never swallowed
        records = instance.all_logs(result.run_id)
        failures = step_failures(records)
        assert len(failures) == 1
        error = failures[0].event_specific_data.error
        # the whole event log: every event, error info, cause and context chain, metadata
        bad = [serialize_value(r) for r in records if leaks(serialize_value(r))]
        assert not bad, bad
        assert error.cause is None and error.context is None
        assert error.cls_name == "Failure"
        text = error.message
        assert "OSError" in text  # the type name kept
        assert f"{raw}/pkh/2024-09/S*** A*****" in text and "1802**********01.csv" in text, text
        metadata = failures[0].event_specific_data.user_failure_data.metadata
        assert metadata["error_type"].value == "OSError"
        # what `sikkep refresh`/`status` say of the run: the exception's own type and masked text
        reason = run_outcome(instance, result.run_id).reason()
        assert "raw__pkh: OSError: [Errno 6]" in reason and not leaks(reason), reason

    # every file Dagster wrote: run storage, event log, compute logs (stdout/stderr of the step)
    home = Path(os.environ["DAGSTER_HOME"])
    files = [p for p in home.rglob("*") if p.is_file()]
    compute_logs = [p for p in files if "compute_logs" in p.parts]
    assert any(p.suffix == ".err" and "OSError: [Errno 6]" in p.read_text() for p in compute_logs), compute_logs
    for path in files:
        data = path.read_bytes().decode("utf-8", "replace")
        assert not leaks(data), (path, leaks(data))


def test_the_projects_failures_keep_their_type_and_text_and_lose_their_chain(sikkep_env):
    raw, _ = sikkep_env

    class DbtLikeFailure(dg.Failure):  # dagster-dbt's failures are Failure subclasses
        pass

    try:
        try:
            open(raw / PERSON)
        except OSError as cause:
            raise DbtLikeFailure(description="dbt build failed (exit 1)", metadata={"k": 1}) from cause
    except dg.Failure as exc:
        failure = masked_failure(exc)
    assert type(failure) is DbtLikeFailure and failure.metadata["k"].value == 1
    assert failure.__cause__ is None and failure.__context__ is None and failure.__suppress_context__
    assert failure.description.startswith("dbt build failed (exit 1) (from FileNotFoundError: ")
    assert not leaks(str(failure)) and "S*** A*****" in str(failure), str(failure)

    # a project message already masked stays as it is
    shown = "publication held back, the previous one stays: pkh/2024-09/pkh_s***_1802**********01.csv"
    assert masked_failure(dg.Failure(description=shown)).description == shown


def test_every_asset_and_check_body_of_the_code_location_is_wrapped():
    from orchestration.definitions import defs

    d = defs()
    bodies = list(d.assets or []) + list(d.asset_checks or [])
    assert len(bodies) > 10
    unwrapped = [sorted(k.to_user_string() for k in getattr(b, "keys", []) or []) or b.node_def.name
                 for b in bodies if not is_masked(b)]
    assert not unwrapped, unwrapped


def test_a_failed_dbt_command_fails_its_step_masked_and_keeps_its_type(sikkep_env):
    """dagster-dbt's own failure (the dbt command exits 1: here no raw table was ever loaded) still fails
    the step, with its type name, its text masked and no chained exception."""
    raw, _ = sikkep_env
    _unreadable_extract(raw)
    settings = get_settings()
    ensure_dagster_home(settings)
    from orchestration.defs.transform.dbt_assets import dbt_staging

    with dg.DagsterInstance.get() as instance:
        result = dg.materialize([dbt_staging], instance=instance, resources={"warehouse": WarehouseResource()},
                                raise_on_error=False)
        assert not result.success
        records = instance.all_logs(result.run_id)
        failures = step_failures(records)
        assert len(failures) == 1
        error = failures[0].event_specific_data.error
        assert error.cause is None and error.context is None
        assert error.cls_name == "DagsterDbtCliRuntimeError", error.cls_name
        assert "failed with exit code `1`" in error.message and "Failure in model stg_pkh" in error.message
        bad = [serialize_value(r) for r in records if leaks(serialize_value(r))]
        assert not bad, bad


def test_an_error_of_the_drop_sensor_is_masked(sikkep_env):
    """The sensor and the schedule read the drop zone too: what their evaluation raises (stored as the
    tick's error, logged by the daemon) is masked likewise."""
    raw, _ = sikkep_env
    _unreadable_extract(raw)
    ensure_dagster_home(get_settings())
    from orchestration.defs.automation.jobs import nightly_refresh, raw_drop_sensor

    with dg.DagsterInstance.get() as instance:
        for evaluate, context in ((raw_drop_sensor, dg.build_sensor_context(instance=instance)),
                                  (nightly_refresh, dg.build_schedule_context(instance=instance))):
            with pytest.raises(dg.Failure) as exc:
                evaluate(context)
            assert exc.value.__cause__ is None and exc.value.__context__ is None
            assert "OSError" in str(exc.value) and not leaks(str(exc.value)), str(exc.value)


def test_a_resource_that_fails_to_start_reaches_dagster_masked(sikkep_env, tmp_path):
    """What the warehouse resource raises while it starts (outside every asset body: Dagster stores it as
    the resource's initialisation failure) is masked too. Here the raw dir a run was configured with
    lies under a folder named after a person with her NIK, a symbolic link to itself: Python's own
    error names it."""
    loop = tmp_path / PERSON
    loop.symlink_to(loop)
    with pytest.raises(RuntimeError) as exc:
        (loop / "raw").resolve()
    assert NIK in str(exc.value)  # what Python itself says names the folder
    ensure_dagster_home(get_settings())
    from orchestration.defs.ingest.assets import raw_assets

    pkh = next(a for a in raw_assets if dg.AssetKey(["raw", "pkh"]) in a.keys)
    with dg.DagsterInstance.get() as instance:
        result = dg.materialize([pkh], instance=instance, raise_on_error=False,
                                resources={"warehouse": WarehouseResource(raw_dir=str(loop / "raw"))})
        assert not result.success
        records = instance.all_logs(result.run_id)
        failed = [r.get_dagster_event() for r in records if r.is_dagster_event and
                  r.get_dagster_event().event_type in (dg.DagsterEventType.RESOURCE_INIT_FAILURE,
                                                       dg.DagsterEventType.STEP_FAILURE)]
        assert failed, [r.dagster_event.event_type for r in records if r.is_dagster_event]
        texts = [serialize_value(e) for e in failed]
        assert any("RuntimeError: Symlink loop from" in t and "S*** A*****" in t for t in texts), texts
        bad = [serialize_value(r) for r in records if leaks(serialize_value(r))]
        assert not bad, bad
        reason = run_outcome(instance, result.run_id).reason()
        assert "RuntimeError: Symlink loop from" in reason and not leaks(reason), reason

    for path in Path(os.environ["DAGSTER_HOME"]).rglob("*"):
        if path.is_file():
            assert not leaks(path.read_bytes().decode("utf-8", "replace")), path
