"""An unknown kabupaten code is said at once (#17 item 4): SIKKEP_KABUPATEN well formed but no kabupaten of
the Kemendagri list used to run the whole refresh and quarantine every row (no place resolves). Now
`sikkep refresh` says so before anything runs (exit 1, no run), and a run of any other trigger (schedule,
sensor, UI) stops at its first step with the same reason in `sikkep status`. Real Dagster; nothing mocked."""
from __future__ import annotations

import contextlib
import io

import dagster as dg
import pytest

from orchestration.cli import main
from orchestration.instance import ensure_dagster_home
from orchestration.resources import WarehouseResource
from orchestration.run_records import run_outcome
from orchestration.settings import UnknownKabupaten, check_kabupaten, get_settings


def test_a_known_kabupaten_passes(sikkep_env):
    check_kabupaten(get_settings())  # 18.02, Lampung Tengah


def test_sikkep_refresh_says_so_before_any_run(sikkep_env, monkeypatch):
    monkeypatch.setenv("SIKKEP_KABUPATEN", "18.99")
    with pytest.raises(UnknownKabupaten, match="18.02 Kabupaten Lampung Tengah"):
        check_kabupaten(get_settings())
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["refresh"]) == 1
    assert "SIKKEP_KABUPATEN=18.99 is no kabupaten" in err.getvalue()
    settings = get_settings()
    ensure_dagster_home(settings)
    with dg.DagsterInstance.get() as instance:
        assert list(instance.get_runs()) == []  # nothing started


def test_a_run_of_any_trigger_stops_at_its_first_step_saying_why(sikkep_env, monkeypatch):
    monkeypatch.setenv("SIKKEP_KABUPATEN", "18.99")
    ensure_dagster_home(get_settings())

    @dg.asset
    def first_step(warehouse: WarehouseResource) -> None:
        raise AssertionError("must not run")

    with dg.DagsterInstance.get() as instance:
        result = dg.materialize([first_step], instance=instance, resources={"warehouse": WarehouseResource()},
                                raise_on_error=False)
        assert not result.success
        assert "SIKKEP_KABUPATEN=18.99 is no kabupaten" in run_outcome(instance, result.run_id).reason()
