"""`make ui`: the Dagster webserver and daemon (schedule and sensor live) on localhost.

    python -m orchestration.serve              # foreground; Ctrl-C stops it
    python -m orchestration.serve --background # writes $DAGSTER_HOME/ui.pid and returns
    python -m orchestration.serve --stop       # stops the background one by its process id
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .dbt_runtime import ensure_manifest
from .instance import ensure_dagster_home


def _command(host: str, port: int) -> list[str]:
    dagster = Path(sys.executable).parent / "dagster"
    return [str(dagster if dagster.exists() else "dagster"), "dev", "-m", "orchestration.definitions",
            "-h", host, "-p", str(port)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.serve")
    parser.add_argument("--host", default=os.environ.get("SIKKEP_UI_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SIKKEP_UI_PORT", "3000")))
    parser.add_argument("--background", action="store_true")
    parser.add_argument("--stop", action="store_true")
    args = parser.parse_args(argv)
    home = ensure_dagster_home()
    pid_file = home / "ui.pid"
    if args.stop:
        if not pid_file.exists():
            print("No UI running (no pid file).")
            return 0
        pid = int(pid_file.read_text())
        try:
            os.killpg(pid, signal.SIGTERM)  # dagster dev and its webserver/daemon children
            for _ in range(50):
                os.kill(pid, 0)
                time.sleep(0.2)
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        pid_file.unlink(missing_ok=True)
        print(f"Stopped the UI (process group {pid}).")
        return 0
    ensure_manifest()
    # dagster dev started from a script may ignore SIGINT/SIGTERM: restore default handlers, own session
    proc = subprocess.Popen(_command(args.host, args.port), start_new_session=True,
                            preexec_fn=lambda: (signal.signal(signal.SIGINT, signal.SIG_DFL),
                                                signal.signal(signal.SIGTERM, signal.SIG_DFL)))
    pid_file.write_text(str(proc.pid))
    print(f"Dagster UI on http://{args.host}:{args.port} (process {proc.pid}; DAGSTER_HOME={home}).")
    print(f"Stop it with: kill -TERM -{proc.pid}   or   python -m orchestration.serve --stop")
    if args.background:
        return 0
    try:
        return proc.wait()
    except KeyboardInterrupt:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        return 0
    finally:
        if not args.background:
            pid_file.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
