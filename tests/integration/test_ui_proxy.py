"""The UI behind nginx (issue #17 item 6): the real Dagster webserver and daemon and the real nginx, started
by `python -m orchestration.serve` (what `make ui` runs) with the shipped config (deploy/ui/). Every request
needs a login; a mutation sent as a GET (or a form POST) is refused and starts nothing; a logged-in POST and
the UI's websocket get through; the webserver answers on 127.0.0.1 only."""
from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
needs_nginx = pytest.mark.skipif(not os.access(NGINX, os.X_OK),
                                 reason="nginx is not installed (apt-get install nginx-light; .ci/run does)")
USER, PASSWORD = "operator", "kata sandi 123"
LAUNCH = ("mutation { launchRun(executionParams: {selector: {repositoryLocationName: \"orchestration.definitions\", "
          "repositoryName: \"__repository__\", jobName: \"__ASSET_JOB\", assetSelection: [{path: [\"raw\", \"kur\"]}]}}) "
          "{ __typename ... on LaunchRunSuccess { run { runId status } } ... on PythonError { message } } }")
RUNS = "{ runsOrError { ... on Runs { results { runId status } } } }"


def _terminate(run_id: str) -> str:
    return f"mutation {{ terminateRun(runId: \"{run_id}\") {{ __typename }} }}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        return s.getsockname()[1]


def _request(url: str, method: str = "GET", body: bytes | None = None, headers: dict | None = None,
             login: tuple[str, str] | None = (USER, PASSWORD), timeout: float = 30):
    """(status, body text) of one request; no redirects followed, errors returned, not raised."""
    headers = dict(headers or {})
    if login:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{login[0]}:{login[1]}".encode()).decode()
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(errors="replace")


def _graphql_post(url: str, query: str, **kwargs):
    return _request(f"{url}/graphql", "POST", json.dumps({"query": query}).encode(),
                    {"Content-Type": "application/json"}, **kwargs)


def _graphql_get(url: str, query: str, **kwargs):
    return _request(f"{url}/graphql?" + urllib.parse.urlencode({"query": query}), **kwargs)


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    if not os.access(NGINX, os.X_OK):
        pytest.skip("nginx is not installed (apt-get install nginx-light; .ci/run does)")
    base = tmp_path_factory.mktemp("ui_proxy")
    home = base / "dagster"
    home.mkdir()
    # the shipped instance settings, but the run queue never starts a run: a launched run stays QUEUED
    yaml = (ROOT / "dagster.yaml").read_text()
    assert "max_concurrent_runs: 1" in yaml
    (home / "dagster.yaml").write_text(yaml.replace("max_concurrent_runs: 1", "max_concurrent_runs: 0"))
    (base / "raw").mkdir()
    proxy_port, web_port = _free_port(), _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "SIKKEP_RAW_DIR": str(base / "raw"),
           "SIKKEP_WAREHOUSE_DIR": str(base / "warehouse"), "SIKKEP_UI_LISTEN": f"0.0.0.0:{proxy_port}",
           "SIKKEP_UI_WEBSERVER_PORT": str(web_port), "SIKKEP_UI_NGINX": NGINX}
    serve = [sys.executable, "-m", "orchestration.serve"]
    added = subprocess.run([*serve, "--add-user", USER], input=PASSWORD + "\n", env=env, cwd=ROOT,
                           capture_output=True, text=True)
    assert added.returncode == 0, added.stderr
    log = base / "serve.log"
    proc = subprocess.Popen(serve, env=env, cwd=ROOT, start_new_session=True, stdout=open(log, "w"),
                            stderr=subprocess.STDOUT)
    proxy, direct = f"http://127.0.0.1:{proxy_port}", f"http://127.0.0.1:{web_port}"
    try:
        deadline = time.time() + 180
        while time.time() < deadline:  # up when the code location has loaded behind the proxy
            assert proc.poll() is None, "serve stopped: " + log.read_text()[-3000:]
            try:
                status, text = _graphql_post(proxy, "{ workspaceOrError { ... on Workspace { locationEntries "
                                                    "{ locationOrLoadError { __typename } } } } }", timeout=5)
                if status == 200 and "RepositoryLocation" in text:
                    break
            except OSError:
                pass
            time.sleep(1)
        else:
            pytest.fail("the UI did not come up: " + log.read_text()[-3000:])
        yield {"proxy": proxy, "direct": direct, "proxy_port": proxy_port, "web_port": web_port,
               "home": home, "log": log, "env": env}
    finally:
        proc.send_signal(signal.SIGTERM)  # serve stops the webserver and nginx it started
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        subprocess.run([*serve, "--stop"], env=env, cwd=ROOT, capture_output=True)


@needs_nginx
def test_every_request_needs_a_login(ui):
    proxy = ui["proxy"]
    status, _ = _request(f"{proxy}/", login=None)
    assert status == 401
    assert _request(f"{proxy}/", login=(USER, "wrong"))[0] == 401
    assert _request(f"{proxy}/", login=("nobody", PASSWORD))[0] == 401
    assert _graphql_post(proxy, "{ version }", login=None)[0] == 401
    assert _request(f"{proxy}/server_info", login=None)[0] == 401
    status, page = _request(f"{proxy}/")
    assert status == 200 and "<html" in page.lower()


@needs_nginx
def test_a_logged_in_post_reaches_graphql(ui):
    import dagster

    status, text = _graphql_post(ui["proxy"], "{ version }")
    assert status == 200, text
    assert json.loads(text)["data"]["version"] == dagster.__version__


@needs_nginx
def test_mutations_sent_as_get_are_refused_and_start_nothing(ui):
    proxy, direct = ui["proxy"], ui["direct"]

    def runs():
        status, text = _graphql_post(proxy, RUNS)
        assert status == 200, text
        return {r["runId"]: r["status"] for r in json.loads(text)["data"]["runsOrError"]["results"]}

    before = runs()  # (other tests of this module may have queued runs)
    # a plain GET (an <img src> on any page the operator opens would send it with the stored login)
    status, text = _graphql_get(proxy, LAUNCH)
    assert status == 405, text
    assert _request(f"{proxy}/graphql?" + urllib.parse.urlencode({"query": LAUNCH}), "HEAD")[0] == 405
    # a form POST: Dagster would read the query string
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert _request(f"{proxy}/graphql?" + urllib.parse.urlencode({"query": LAUNCH}), "POST", b"a=1", form)[0] == 415
    # text/plain needs no CORS preflight; Dagster only looks for "application/json" somewhere in the type
    sneaky = {"Content-Type": "text/plain; x=application/json"}
    assert _request(f"{proxy}/graphql", "POST", json.dumps({"query": LAUNCH}).encode(), sneaky)[0] == 415
    # a GET dressed as a websocket handshake reaches the websocket endpoint only, which refuses it
    ws_like = {"Upgrade": "websocket", "Connection": "Upgrade"}
    status, _ = _request(f"{proxy}/graphql?" + urllib.parse.urlencode({"query": LAUNCH}), headers=ws_like)
    assert status == 400
    # a JSON POST from a page of another site (the browser adds its Origin)
    cross = {"Content-Type": "application/json", "Origin": "http://elsewhere.example"}
    assert _request(f"{proxy}/graphql", "POST", json.dumps({"query": LAUNCH}).encode(), cross)[0] == 403
    assert runs() == before

    # the same GET sent to the webserver itself launches a run: the mutation is real, the proxy stops it
    status, text = _graphql_get(direct, LAUNCH)
    assert status == 200, text
    launched = json.loads(text)["data"]["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    assert runs() == {**before, run_id: "QUEUED"}

    status, text = _graphql_get(proxy, _terminate(run_id))
    assert status == 405, text
    assert runs() == {**before, run_id: "QUEUED"}

    # the UI's own way, a logged-in JSON POST from the same origin, terminates it
    same = {"Content-Type": "application/json", "Origin": ui["proxy"]}
    status, text = _request(f"{proxy}/graphql", "POST", json.dumps({"query": _terminate(run_id)}).encode(), same)
    assert status == 200 and "TerminateRunSuccess" in text, text
    assert runs() == {**before, run_id: "CANCELED"}


@needs_nginx
def test_the_ui_websocket_works_for_logged_in_users_only(ui):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    url = f"ws://127.0.0.1:{ui['proxy_port']}/graphql"
    login = {"Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()}
    with connect(url, additional_headers={**login, "Origin": ui["proxy"]}, subprotocols=["graphql-ws"],
                 open_timeout=30) as ws:
        ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(ws.recv(timeout=30)) == {"type": "connection_ack"}
    for headers, status in (({}, 401), ({**login, "Origin": "http://elsewhere.example"}, 403)):
        with pytest.raises(InvalidStatus) as refused:
            connect(url, additional_headers=headers, subprotocols=["graphql-ws"], open_timeout=30)
        assert refused.value.response.status_code == status


def _other_addresses() -> list[str]:
    """127.0.0.2 (loopback, but not 127.0.0.1) and this machine's IPv4 addresses that are not loopback."""
    found = ["127.0.0.2"]
    for addrs in psutil.net_if_addrs().values():
        found += [a.address for a in addrs if a.family == socket.AF_INET and not a.address.startswith("127.")]
    return found


def _connects(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=5):
            return True
    except OSError:
        return False


@needs_nginx
def test_the_webserver_is_not_reachable_on_the_public_address(ui):
    for host in _other_addresses():
        # nginx (listening on 0.0.0.0 here) answers there, with its login
        assert _request(f"http://{host}:{ui['proxy_port']}/", login=None)[0] == 401, host
        assert not _connects(host, ui["web_port"]), f"the webserver answers on {host}"
    assert _connects("127.0.0.1", ui["web_port"])
    # nothing that `dagster dev` started (webserver, daemon, code server) listens beyond loopback
    dagster_dev = psutil.Process(int((ui["home"] / "ui.pid").read_text().split()[0]))
    listening = [c.laddr for p in [dagster_dev, *dagster_dev.children(recursive=True)]
                 for c in p.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN]
    assert (ui["web_port"] in {a.port for a in listening}), listening
    assert all(a.ip in ("127.0.0.1", "::1") for a in listening), listening


@needs_nginx
@pytest.mark.skipif(not shutil.which("openssl"), reason="no openssl binary to make a test certificate")
def test_the_shipped_config_with_tls_is_accepted_by_nginx(tmp_path, monkeypatch):
    from orchestration import ui_proxy
    from orchestration.settings import get_ui_settings

    cert, key = tmp_path / "ui.crt", tmp_path / "ui.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=sikkep",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    monkeypatch.setenv("SIKKEP_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setenv("SIKKEP_UI_LISTEN", "0.0.0.0:8443")
    monkeypatch.setenv("SIKKEP_UI_TLS_CERT", str(cert))
    monkeypatch.setenv("SIKKEP_UI_TLS_KEY", str(key))
    monkeypatch.setenv("SIKKEP_UI_NGINX", NGINX)
    ui = get_ui_settings()
    ui_proxy.add_user(ui.password_file, USER, PASSWORD)
    assert ui_proxy.problems(ui) == []
    conf = ui_proxy.write_config(ui)
    text = conf.read_text()
    assert "listen 0.0.0.0:8443 ssl;" in text and f"ssl_certificate {cert};" in text
    assert "{{" not in text.replace("{{...}}", "")
    ui_proxy.check_config(ui, conf)  # nginx -t
    assert ui.url == "https://127.0.0.1:8443"


def test_make_ui_says_what_is_missing_instead_of_serving_without_a_login(tmp_path):
    env = {**os.environ, "SIKKEP_WAREHOUSE_DIR": str(tmp_path / "warehouse"), "DAGSTER_HOME": str(tmp_path / "dh"),
           "SIKKEP_UI_NGINX": str(tmp_path / "no-nginx")}
    result = subprocess.run([sys.executable, "-m", "orchestration.serve"], env=env, cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "apt-get install nginx-light" in result.stderr
    assert "--add-user NAME" in result.stderr and "openssl passwd -6" in result.stderr
    assert not (tmp_path / "dh" / "ui.pid").exists()


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@needs_nginx
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (.ci/run installs it)")
def test_the_ui_works_in_a_browser_through_the_proxy(ui):
    """Debian's Chromium with the login: pages, the live-update websocket and a launch from the UI get through."""
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"]
    proxy, refused, sockets = ui["proxy"], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=args)
        page = browser.new_context(http_credentials={"username": USER, "password": PASSWORD},
                                   viewport={"width": 1400, "height": 900}).new_page()
        page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: sockets.append((ws.url, frame))))
        page.on("response", lambda r: refused.append((r.status, r.request.method, r.url)) if r.status >= 400 else None)
        page.goto(f"{proxy}/asset-groups", wait_until="networkidle")
        try:
            page.get_by_role("button", name="Skip").first.click(timeout=5000)
        except Exception:  # noqa: BLE001 - the newsletter dialog shows only on a first visit
            pass
        page.wait_for_timeout(1500)
        body = page.inner_text("body")
        for group in ["ingest", "staging", "linkage", "marts", "indicators", "publish"]:
            assert group in body, group
        page.goto(f"{proxy}/assets/raw/kur", wait_until="networkidle")
        page.locator("button", has_text="Materialize").first.click(timeout=30000)
        page.wait_for_timeout(3000)
        browser.close()
    # the websocket opened through nginx and Dagster acknowledged it
    assert (f"ws://127.0.0.1:{ui['proxy_port']}/graphql", '{"type":"connection_ack"}') in sockets, sockets[:3]
    assert refused == []
    status, text = _graphql_post(proxy, RUNS)
    assert "QUEUED" in text, text  # the launch from the UI went through (the test's queue never starts runs)
