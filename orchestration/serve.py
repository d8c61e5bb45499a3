"""`make ui`: the Dagster webserver and daemon (schedule and sensor live) on 127.0.0.1, and nginx in front of
them with a login (deploy/ui/nginx.conf.template; docs/operations.md, section UI).

    python -m orchestration.serve                 # foreground; Ctrl-C stops both
    python -m orchestration.serve --background    # writes $DAGSTER_HOME/ui.pid and returns
    python -m orchestration.serve --stop          # stops the background one by its process ids
    python -m orchestration.serve --add-user NAME # adds (or changes) a login in the password file
    python -m orchestration.serve --proxy-only    # nginx alone, in the foreground (a systemd unit)
    python -m orchestration.serve --no-proxy      # the webserver alone on 127.0.0.1, no login (one-user machine)

Ports, paths and TLS: the SIKKEP_UI_* settings (orchestration/settings.py, UiSettings).
"""
from __future__ import annotations

import argparse
import getpass
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from . import ui_proxy
from .dbt_runtime import ensure_manifest
from .instance import ensure_dagster_home
from .settings import WEBSERVER_HOST, get_settings, get_ui_settings


def _command(port: int) -> list[str]:
    dagster = Path(sys.executable).parent / "dagster"
    return [str(dagster if dagster.exists() else "dagster"), "dev", "-m", "orchestration.definitions",
            "-h", WEBSERVER_HOST, "-p", str(port)]


def _start(cmd: list[str], **kwargs) -> subprocess.Popen:
    # dagster dev started from a script may ignore SIGINT/SIGTERM: restore default handlers, own session
    return subprocess.Popen(cmd, start_new_session=True,
                            preexec_fn=lambda: (signal.signal(signal.SIGINT, signal.SIG_DFL),
                                                signal.signal(signal.SIGTERM, signal.SIG_DFL)), **kwargs)


def _stop_group(pid: int, proc: subprocess.Popen | None = None) -> None:
    """SIGTERM to the process group, SIGKILL after 10 s."""
    try:
        os.killpg(pid, signal.SIGTERM)
        for _ in range(50):
            if proc is not None and proc.poll() is not None:  # our child: reaped, not a zombie
                return
            os.kill(pid, 0)
            time.sleep(0.2)
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _stop(pid_file: Path) -> int:
    if not pid_file.exists():
        print("No UI running (no pid file).")
        return 0
    pids = [int(word) for word in pid_file.read_text().split()]
    for pid in pids:  # dagster dev with its webserver/daemon children; nginx with its workers
        _stop_group(pid)
    pid_file.unlink(missing_ok=True)
    print(f"Stopped the UI (process groups {', '.join(map(str, pids))}).")
    return 0


def _add_user(name: str) -> int:
    ui = get_ui_settings()
    if sys.stdin.isatty():
        password = getpass.getpass(f"Password for {name}: ")
        if password != getpass.getpass("Again: "):
            print("The two passwords differ; nothing changed.", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\n")
    ui_proxy.add_user(ui.password_file, name, password)
    print(f"Login {name} saved in {ui.password_file}.")
    return 0


def _wait_any(procs: list[subprocess.Popen]) -> int:
    while True:
        for proc in procs:
            code = proc.poll()
            if code is not None:
                return code
        time.sleep(0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.serve")
    parser.add_argument("--background", action="store_true")
    parser.add_argument("--stop", action="store_true")
    parser.add_argument("--add-user", metavar="NAME")
    parser.add_argument("--proxy-only", action="store_true", help="nginx alone in the foreground")
    parser.add_argument("--no-proxy", action="store_true",
                        help="the webserver alone on 127.0.0.1 without a login (a machine only you use)")
    args = parser.parse_args(argv)
    if args.proxy_only and args.no_proxy:
        parser.error("--proxy-only and --no-proxy exclude each other")
    if args.add_user:
        return _add_user(args.add_user)
    settings = get_settings()
    ui = get_ui_settings(settings)
    home = ensure_dagster_home(settings)
    pid_file = home / "ui.pid"
    if args.stop:
        return _stop(pid_file)

    conf = None
    if not args.no_proxy:
        found = ui_proxy.problems(ui)
        if found:
            print("The UI is not started:\n- " + "\n- ".join(found), file=sys.stderr)
            print("(`python -m orchestration.serve --no-proxy` starts the webserver alone on "
                  f"{WEBSERVER_HOST}:{ui.webserver_port}, without a login.)", file=sys.stderr)
            return 2
        conf = ui_proxy.write_config(ui)
        try:
            ui_proxy.check_config(ui, conf)
        except RuntimeError as err:
            print(f"The UI is not started: {err}", file=sys.stderr)
            return 2
    if args.proxy_only:
        os.execv(ui.nginx, ui_proxy.command(ui, conf))

    ensure_manifest(settings=settings)
    procs = [_start(_command(ui.webserver_port))]
    if conf is not None:
        procs.append(_start(ui_proxy.command(ui, conf)))
        time.sleep(1)
        if procs[-1].poll() is not None:  # e.g. the port is taken: nginx said why on stderr
            _stop_group(procs[0].pid, procs[0])
            print(f"nginx did not start (config {conf}); the webserver is stopped again.", file=sys.stderr)
            return 1
    pid_file.write_text(" ".join(str(p.pid) for p in procs))
    if conf is not None:
        print(f"Dagster UI on {ui.url} (login: {ui.password_file}); the webserver itself on "
              f"{WEBSERVER_HOST}:{ui.webserver_port} only. DAGSTER_HOME={home}.")
    else:
        print(f"Dagster UI on http://{WEBSERVER_HOST}:{ui.webserver_port} WITHOUT a login (--no-proxy). "
              f"DAGSTER_HOME={home}.")
    print(f"Stop it with: python -m orchestration.serve --stop   (process groups "
          f"{' '.join(str(p.pid) for p in procs)})")
    if args.background:
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a service manager's stop: stop both too
    try:
        return _wait_any(procs)
    except KeyboardInterrupt:
        return 0
    finally:
        for proc in procs:
            _stop_group(proc.pid, proc)
        pid_file.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
