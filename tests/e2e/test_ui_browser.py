"""The Dagster UI in a real browser: Debian's Chromium driven by Playwright against `dagster dev` started
by the test (webserver + daemon). Sees the asset graph and its checks; launches a materialization."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                reason="Debian's chromium is not installed (apt-get install chromium; .ci/run does)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    base = tmp_path_factory.mktemp("ui")
    home = base / "dagster"
    home.mkdir()
    shutil.copy(Path(__file__).resolve().parents[2] / "dagster.yaml", home / "dagster.yaml")
    (base / "raw").mkdir()
    env = {**os.environ, "DAGSTER_HOME": str(home), "SIKKEP_RAW_DIR": str(base / "raw"),
           "SIKKEP_WAREHOUSE_DIR": str(base / "warehouse")}
    port = _free_port()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "dagster"), "dev", "-m", "orchestration.definitions",
                             "-h", "127.0.0.1", "-p", str(port)], env=env, start_new_session=True,
                            stdout=open(base / "dagster-dev.log", "w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/server_info", timeout=2)
                break
            except OSError:
                time.sleep(1)
        else:
            pytest.fail("dagster dev did not come up: " + (base / "dagster-dev.log").read_text()[-2000:])
        yield url, home, base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _dismiss_newsletter(page):
    try:
        page.get_by_role("button", name="Skip").first.click(timeout=5000)
    except Exception:  # noqa: BLE001 - the dialog shows only on a first visit
        pass


def test_asset_graph_checks_and_a_materialization_from_the_browser(ui):
    from playwright.sync_api import sync_playwright

    url, home, base = ui
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(f"{url}/asset-groups", wait_until="networkidle")
        _dismiss_newsletter(page)
        page.wait_for_timeout(1500)
        graph = page.inner_text("body")
        for group in ["ingest", "staging", "linkage", "marts", "indicators", "publish"]:
            assert group in graph, group
        page.screenshot(path=str(ARTIFACTS / "ui-asset-graph.png"))

        for key in ["raw/dtks", "staging/stg_dtks", "intermediate/int_person_records", "linkage/record_person",
                    "marts/fct_household", "indicators/ind_poverty_by_area", "published/publication"]:
            page.goto(f"{url}/assets/{key}", wait_until="networkidle")
            page.wait_for_timeout(1000)
            page.screenshot(path=str(ARTIFACTS / "ui-asset.png"))
            body = page.inner_text("body")
            # a defined asset's page offers to materialize it; an unknown key's page does not
            assert key.split("/")[-1] in body and "Materialize" in body, key

        page.goto(f"{url}/assets/intermediate/int_person_records?view=checks", wait_until="networkidle")
        page.wait_for_timeout(1500)
        assert "gx_stg_dtks" in page.inner_text("body")

        page.goto(f"{url}/assets/raw/kur", wait_until="networkidle")
        page.locator("button", has_text="Materialize").first.click(timeout=30000)
        page.wait_for_timeout(2000)
        page.screenshot(path=str(ARTIFACTS / "ui-materialize.png"))
        browser.close()

    os.environ["DAGSTER_HOME"] = str(home)
    import dagster as dg

    deadline = time.time() + 180
    status = None
    with dg.DagsterInstance.get() as instance:
        while time.time() < deadline:
            runs = instance.get_run_records()
            kur_runs = [r for r in runs if r.dagster_run.asset_selection
                        and dg.AssetKey(["raw", "kur"]) in r.dagster_run.asset_selection]
            if kur_runs:
                status = kur_runs[0].dagster_run.status
                if status in (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE):
                    break
            time.sleep(2)
    assert status == dg.DagsterRunStatus.SUCCESS, status
    assert (base / "warehouse" / "build" / "sikkep.duckdb").exists()
