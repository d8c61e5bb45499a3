"""A local PostgreSQL server for the demo (`make postgres`) and the tests: Debian's postgresql binaries,
a data folder of our own, a Unix socket in it, 127.0.0.1 only, trust authentication (a demo, not a
production server: production points SIKKEP_PUBLISH_POSTGRES at the institution's server).

PostgreSQL refuses to run as root; as root (CI, this workplace) the server runs as the `postgres` user
that Debian's package creates.

    python -m orchestration.publish.pg_local start DIR [PORT]   prints the SIKKEP_PUBLISH_POSTGRES URL
    python -m orchestration.publish.pg_local stop DIR
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

DATABASE = "sikkep"


class NoPostgres(RuntimeError):
    """No PostgreSQL server binaries on this machine (apt-get install postgresql)."""


def find_bin(name: str) -> str:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    found = candidates[0] if candidates else shutil.which(name)
    if not found:
        raise NoPostgres(f"{name} not found: install Debian's postgresql (apt-get install postgresql)")
    return found


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


def _own(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


def url(data_dir: Path, port: int, user: str = "postgres") -> str:
    return f"postgresql://{user}@/{DATABASE}?host={data_dir.resolve()}&port={port}"


def start(data_dir: Path, port: int = 5433) -> str:
    """Initialise (once) and start the server in data_dir; create the database; return its URL."""
    data_dir = Path(data_dir).resolve()
    pgdata = data_dir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    _own(data_dir)
    os.chmod(data_dir, 0o755)
    for parent in data_dir.parents:  # the server user must reach its folder (pytest's are 0700)
        if parent == Path("/"):
            break
        mode = parent.stat().st_mode
        if not mode & 0o001:
            os.chmod(parent, mode | 0o001)
    if not (pgdata / "PG_VERSION").exists():
        done = subprocess.run(_as_server_user([find_bin("initdb"), "-D", str(pgdata), "-U", "postgres",
                                               "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"]),
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed: {done.stderr[-1500:]}")
    log = data_dir / "server.log"
    if not log.exists():
        log.touch()
        _own(log)
    status = subprocess.run(_as_server_user([find_bin("pg_ctl"), "-D", str(pgdata), "status"]),
                            capture_output=True, text=True)
    if status.returncode != 0:
        opts = f"-p {port} -k {data_dir} -c listen_addresses=127.0.0.1 -c fsync=on"
        done = subprocess.run(_as_server_user([find_bin("pg_ctl"), "-D", str(pgdata), "-l", str(log),
                                               "-o", opts, "-w", "-t", "60", "start"]),
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not start: {done.stderr[-800:]} {log.read_text()[-1500:]}")
    psql = find_bin("psql")
    for _ in range(30):
        probe = subprocess.run([psql, "-h", str(data_dir), "-p", str(port), "-U", "postgres", "-d", "postgres",
                                "-tAc", f"select 1 from pg_database where datname = '{DATABASE}'"],
                               capture_output=True, text=True)
        if probe.returncode == 0:
            break
        time.sleep(0.5)
    else:
        raise RuntimeError(f"PostgreSQL does not answer: {probe.stderr[-500:]}")
    if probe.stdout.strip() != "1":
        subprocess.run([psql, "-h", str(data_dir), "-p", str(port), "-U", "postgres", "-d", "postgres",
                        "-c", f"create database {DATABASE}"], check=True, capture_output=True)
    return url(data_dir, port)


def stop(data_dir: Path) -> None:
    pgdata = Path(data_dir).resolve() / "data"
    if (pgdata / "postmaster.pid").exists():
        subprocess.run(_as_server_user([find_bin("pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"]),
                       capture_output=True, text=True)


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("start", "stop"):
        print(__doc__)
        return 2
    if argv[0] == "stop":
        stop(Path(argv[1]))
        return 0
    try:
        address = start(Path(argv[1]), int(argv[2]) if len(argv) > 2 else 5433)
    except NoPostgres as exc:
        print(exc, file=sys.stderr)
        return 1
    print(address)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
