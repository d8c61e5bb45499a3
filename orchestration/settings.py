"""All configuration from the environment, in one place.

`ENVIRONMENT` names every variable the project reads (docs/operations.md "Settings" is this table,
`python -m orchestration.settings` prints it); `get_settings()` reads them into the one `Settings`
(derived paths are its properties) that the other modules receive; `child_env(settings)` is the
environment of a child process (dbt, `sikkep refresh` of a benchmark or an evaluation) and
`export_to_process` the few variables libraries read from this process (dagster-dbt, Dagster's
instance). No other module reads or writes `os.environ` (tests/unit/test_settings_env.py scans
orchestration/).
"""
from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
CONTRACTS_DIR = PACKAGE_DIR / "contracts"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
LINKAGE_MODEL_PATH = PACKAGE_DIR / "linkage" / "model.json"

# Offline and quiet: nothing phones home at run time.
OFFLINE_ENV = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "false",
    "DAGSTER_DISABLE_TELEMETRY": "1",
}
for _k, _v in OFFLINE_ENV.items():
    os.environ.setdefault(_k, _v)

# Every variable the project reads: name -> (default, meaning), in the order of the table in
# docs/operations.md ("Settings"; a test checks that the table is environment_table()).
ENVIRONMENT: dict[str, tuple[str, str]] = {
    "SIKKEP_RAW_DIR": ("`./raw`", "the drop zone, `raw/<source>/<YYYY-MM>/<file>`"),
    "SIKKEP_WAREHOUSE_DIR": ("`./warehouse`", "build, state and published databases, exports (see above)"),
    "SIKKEP_KABUPATEN": ("`18.02`", "the kabupaten served, a 4-digit Kemendagri code"),
    "SIKKEP_CONTRACTS_DIR": ("unset", "more agency contracts (`<source>.yml`), over the project's of the same name"),
    "SIKKEP_LINKAGE_MEMORY": ("`4GB`", "memory cap of Splink's DuckDB (spills to `build/linkage_spill/` beyond it)"),
    "SIKKEP_BUILD_MEMORY": ("`2GB`", "memory cap of the pipeline's connection to the build database"),
    "SIKKEP_DBT_MEMORY": ("`8GB`", "memory cap of dbt's DuckDB (staging peaked at 6.6 GB at 400k households)"),
    "SIKKEP_INGEST_WORKERS": ("2 (1 on one core)", "processes parsing a source's big files side by side"),
    "SIKKEP_LINKAGE_THREADS": ("every core", "threads of Splink's DuckDB"),
    "DAGSTER_HOME": ("`$SIKKEP_WAREHOUSE_DIR/dagster`", "the Dagster instance: run history, logs, schedules"),
    "SIKKEP_LOG_LEVEL": ("`INFO`", "log level of the run `sikkep refresh` starts (its log file in `<warehouse>/logs/`)"),
    "SIKKEP_PUBLISH_POSTGRES": ("unset", "`postgresql://…`: publish also to this PostgreSQL database (docs/bi.md)"),
    "SIKKEP_PROVINCE_DIR": ("`$SIKKEP_WAREHOUSE_DIR/province`", "`sikkep province`: its publication (`published/public.duckdb`) and exports"),
    "CI": ("unset", "set (not empty): no progress lines, and `sikkep refresh` logs as into a pipe"),
    "BENCH_SIZES": ("`25000,100000,400000`", "`make bench`: households of the data sets it runs"),
    "SIKKEP_UI_LISTEN": ("`127.0.0.1:3000`", "where nginx listens (`port` or `address:port`; `0.0.0.0:443` for the network)"),
    "SIKKEP_UI_WEBSERVER_PORT": ("`3001`", "the Dagster webserver, always on 127.0.0.1"),
    "SIKKEP_UI_PASSWORD_FILE": ("`$SIKKEP_UI_DIR/htpasswd`", "the logins, `name:hash` lines"),
    "SIKKEP_UI_DIR": ("`$SIKKEP_WAREHOUSE_DIR/ui`", "the generated `nginx.conf`; nginx's pid, temp files and access log under `nginx/`"),
    "SIKKEP_UI_TLS_CERT": ("unset", "with `SIKKEP_UI_TLS_KEY`: nginx serves HTTPS on `SIKKEP_UI_LISTEN`"),
    "SIKKEP_UI_TLS_KEY": ("unset", "the key of `SIKKEP_UI_TLS_CERT` (both set, or neither)"),
    "SIKKEP_UI_NGINX": ("`nginx` on PATH, else `/usr/sbin/nginx`", "the nginx binary"),
}

# What dbt's profile and project read (dbt_project/profiles.yml, dbt_project.yml): SIKKEP_BUILD_DB is
# derived (Settings.build_db), never an operator's setting.
DBT_VARIABLES = ("SIKKEP_BUILD_DB", "SIKKEP_DBT_MEMORY", "SIKKEP_KABUPATEN", "SIKKEP_WAREHOUSE_DIR", "SIKKEP_RAW_DIR")


def _read(environ: Mapping[str, str], name: str, default: str | None = None) -> str | None:
    if name not in ENVIRONMENT:
        raise KeyError(f"{name} is read but not in settings.ENVIRONMENT (the table of docs/operations.md)")
    return environ.get(name, default)


@dataclass(frozen=True)
class Settings:
    raw_dir: Path                 # SIKKEP_RAW_DIR
    warehouse_dir: Path           # SIKKEP_WAREHOUSE_DIR
    kabupaten: str                # SIKKEP_KABUPATEN, normalised to 'PP.KK'
    # Memory caps (DuckDB spills to disk beyond them): measured at 400,000 households, linkage with
    # 4 GB for Splink and 2 GB for the build connection peaks at 7.3 GB in all (the 8 GB target).
    linkage_memory: str = "4GB"   # SIKKEP_LINKAGE_MEMORY: Splink's private DuckDB
    build_memory: str = "2GB"     # SIKKEP_BUILD_MEMORY: the pipeline's connection to the build database
    ingest_workers: int = 2       # SIKKEP_INGEST_WORKERS: processes parsing a source's big files side by side
    dbt_memory: str = "8GB"       # SIKKEP_DBT_MEMORY: dbt's DuckDB (staging peaked at 6.6 GB at 400k households)
    contracts_dir: Path | None = None    # SIKKEP_CONTRACTS_DIR: a district's own contracts
    linkage_threads: int | None = None   # SIKKEP_LINKAGE_THREADS: None = DuckDB's default (every core)
    dagster_home_dir: Path | None = None # DAGSTER_HOME (None: the property dagster_home derives it)
    log_level: str | None = None         # SIKKEP_LOG_LEVEL: the refresh run's log level (None: INFO)
    ci: bool = False                     # CI: not a terminal, whatever stderr is
    bench_sizes: tuple[int, ...] | None = None  # BENCH_SIZES: `make bench` (None: its default sizes)
    publish_postgres: str | None = None  # SIKKEP_PUBLISH_POSTGRES: libpq URL of the PostgreSQL publication
    province_dir_path: Path | None = None  # SIKKEP_PROVINCE_DIR (None: the property province_dir derives it)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        warehouse_dir = Path(_read(environ, "SIKKEP_WAREHOUSE_DIR", "./warehouse")).resolve()
        contracts = _read(environ, "SIKKEP_CONTRACTS_DIR")
        threads = _read(environ, "SIKKEP_LINKAGE_THREADS")
        sizes = _read(environ, "BENCH_SIZES")
        return cls(
            raw_dir=Path(_read(environ, "SIKKEP_RAW_DIR", "./raw")).resolve(),
            warehouse_dir=warehouse_dir,
            kabupaten=normalise_kabupaten(_read(environ, "SIKKEP_KABUPATEN", "18.02")),
            linkage_memory=_read(environ, "SIKKEP_LINKAGE_MEMORY", "4GB"),
            build_memory=_read(environ, "SIKKEP_BUILD_MEMORY", "2GB"),
            dbt_memory=_read(environ, "SIKKEP_DBT_MEMORY", "8GB"),
            ingest_workers=max(1, int(_read(environ, "SIKKEP_INGEST_WORKERS", None) or min(2, os.cpu_count() or 1))),
            contracts_dir=Path(contracts) if contracts else None,
            linkage_threads=int(threads) if threads else None,
            dagster_home_dir=Path(home) if (home := _read(environ, "DAGSTER_HOME")) else None,
            log_level=_read(environ, "SIKKEP_LOG_LEVEL") or None,
            ci=bool(_read(environ, "CI")),
            bench_sizes=tuple(int(s) for s in sizes.split(",") if s) if sizes is not None else None,
            publish_postgres=_read(environ, "SIKKEP_PUBLISH_POSTGRES") or None,
            province_dir_path=Path(prov).resolve() if (prov := _read(environ, "SIKKEP_PROVINCE_DIR")) else None,
        )

    @property
    def build_dir(self) -> Path:
        return self.warehouse_dir / "build"

    @property
    def build_db(self) -> Path:
        return self.build_dir / "sikkep.duckdb"

    @property
    def state_db(self) -> Path:
        """Survives every rebuild: stable-ID registry, run history."""
        return self.warehouse_dir / "state" / "state.duckdb"

    @property
    def linkage_spill_dir(self) -> Path:
        return self.build_dir / "linkage_spill"

    @property
    def published_dir(self) -> Path:
        return self.warehouse_dir / "published"

    @property
    def exports_dir(self) -> Path:
        return self.warehouse_dir / "exports"

    @property
    def province_dir(self) -> Path:
        """`sikkep province`: the province roll-up's published/ and exports/ (orchestration/province/)."""
        return self.province_dir_path or self.warehouse_dir / "province"

    @property
    def provinsi(self) -> str:
        """The province of the kabupaten served (the default province of `sikkep province`)."""
        return self.kabupaten[:2]

    @property
    def logs_dir(self) -> Path:
        """The full output (Dagster's and dbt's lines) of each `sikkep refresh`."""
        return self.warehouse_dir / "logs"

    @property
    def dagster_home(self) -> Path:
        """The Dagster instance: DAGSTER_HOME, by default <warehouse>/dagster."""
        return self.dagster_home_dir or self.warehouse_dir / "dagster"

    @property
    def progress_enabled(self) -> bool:
        """Progress lines on a terminal; quiet in CI logs and pipes."""
        return sys.stderr.isatty() and not self.ci

    @property
    def run_log_level(self) -> str:
        """The level of the refresh run's log (the log file of `sikkep refresh`, Dagster's event log):
        INFO, or SIKKEP_LOG_LEVEL. The terminal shows one line per stage whatever the level."""
        return (self.log_level or "INFO").upper()


def normalise_kabupaten(code: str) -> str:
    digits = "".join(ch for ch in code if ch.isdigit())
    if len(digits) != 4:
        raise ValueError(f"SIKKEP_KABUPATEN must be a 4-digit Kemendagri kabupaten code such as 18.02, got {code!r}")
    return f"{digits[:2]}.{digits[2:]}"


class UnknownKabupaten(ValueError):
    """SIKKEP_KABUPATEN is well formed but names no kabupaten or kota of the code list."""


def check_kabupaten(settings: Settings) -> None:
    """Raises UnknownKabupaten when the served kabupaten is not a kabupaten or kota of the Kemendagri code
    list (the dim_wilayah seed): every place would stay unresolved and every row be quarantined, found
    only by a gate minutes later."""
    import csv

    with open(DBT_PROJECT_DIR / "seeds" / "dim_wilayah.csv", encoding="utf-8", newline="") as fh:
        names = {r["kode_wilayah"]: r["nama_wilayah"] for r in csv.DictReader(fh) if r["level"] == "kabupaten"}
    if settings.kabupaten not in names:
        province = [f"{c} {n}" for c, n in sorted(names.items()) if c.split(".")[0] == settings.kabupaten[:2]]
        raise UnknownKabupaten(
            f"SIKKEP_KABUPATEN={settings.kabupaten} is no kabupaten or kota of the Kemendagri code list "
            f"(dbt_project/seeds/dim_wilayah.csv); nothing was run. "
            + (f"Those of province {settings.kabupaten[:2]}: {', '.join(province)}." if province else
               "Set the 4-digit code of the kabupaten served, e.g. 18.02 (Lampung Tengah)."))


def get_settings() -> Settings:
    """The settings of this process's environment (read anew each call: tests and the CLI change it)."""
    return Settings.from_env(os.environ)


# The variables that carry a Settings into a child process (child_env writes them all, or drops them
# when unset, so that the child's settings are exactly the parent's).
SETTINGS_VARIABLES = ("SIKKEP_RAW_DIR", "SIKKEP_WAREHOUSE_DIR", "SIKKEP_KABUPATEN", "SIKKEP_CONTRACTS_DIR",
                      "SIKKEP_LINKAGE_MEMORY", "SIKKEP_BUILD_MEMORY", "SIKKEP_DBT_MEMORY", "SIKKEP_INGEST_WORKERS",
                      "SIKKEP_LINKAGE_THREADS", "DAGSTER_HOME", "SIKKEP_LOG_LEVEL", "CI", "BENCH_SIZES",
                      "SIKKEP_PUBLISH_POSTGRES", "SIKKEP_PROVINCE_DIR")


def settings_env(settings: Settings) -> dict[str, str]:
    """The variables of ``settings`` (Settings.from_env of them gives ``settings`` back), and
    SIKKEP_BUILD_DB for dbt's profile."""
    s = settings
    env = {"SIKKEP_RAW_DIR": str(s.raw_dir), "SIKKEP_WAREHOUSE_DIR": str(s.warehouse_dir),
           "SIKKEP_KABUPATEN": s.kabupaten, "SIKKEP_LINKAGE_MEMORY": s.linkage_memory,
           "SIKKEP_BUILD_MEMORY": s.build_memory, "SIKKEP_DBT_MEMORY": s.dbt_memory,
           "SIKKEP_INGEST_WORKERS": str(s.ingest_workers),
           "DAGSTER_HOME": str(s.dagster_home),
           "SIKKEP_BUILD_DB": str(s.build_db)}
    if s.contracts_dir is not None:
        env["SIKKEP_CONTRACTS_DIR"] = str(s.contracts_dir)
    if s.linkage_threads is not None:
        env["SIKKEP_LINKAGE_THREADS"] = str(s.linkage_threads)
    if s.log_level:
        env["SIKKEP_LOG_LEVEL"] = s.log_level
    if s.ci:
        env["CI"] = "1"
    if s.bench_sizes is not None:
        env["BENCH_SIZES"] = ",".join(map(str, s.bench_sizes))
    if s.publish_postgres:
        env["SIKKEP_PUBLISH_POSTGRES"] = s.publish_postgres
    if s.province_dir_path is not None:
        env["SIKKEP_PROVINCE_DIR"] = str(s.province_dir_path)
    return env


def child_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a child process that works on ``settings``' warehouse: this process's
    environment (PATH, the UI settings ...) with the settings' variables in place of its own, and
    ``extra`` (e.g. the offline variables for dbt) over them. The one place a child's environment is built."""
    inherited = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    return {**inherited, **settings_env(settings), **extra}


def warehouse_child_env(raw_dir: Path, warehouse_dir: Path, dagster_home: Path,
                        settings: Settings | None = None) -> dict[str, str]:
    """A `sikkep` child (benchmark, evaluation) on another drop zone and warehouse, logging as in CI."""
    base = settings if settings is not None else get_settings()
    return child_env(dataclasses.replace(base, raw_dir=Path(raw_dir), warehouse_dir=Path(warehouse_dir),
                                         dagster_home_dir=Path(dagster_home), ci=True,
                                         publish_postgres=None))  # never the real PostgreSQL publication


def dbt_env(settings: Settings) -> dict[str, str]:
    """The variables dbt's profile and project read (DBT_VARIABLES)."""
    env = settings_env(settings)
    return {name: env[name] for name in DBT_VARIABLES}


def export_to_process(settings: Settings, names: Iterable[str]) -> None:
    """Sets ``names`` of settings_env(settings) in this process's environment, for libraries that read it
    here or hand it to their children themselves: dagster-dbt (DBT_VARIABLES: it starts dbt with this
    process's environment and reads the profile in-process) and Dagster (DAGSTER_HOME: DagsterInstance.get()
    and `dagster dev`)."""
    env = settings_env(settings)
    os.environ.update({name: env[name] for name in names})


WEBSERVER_HOST = "127.0.0.1"  # the Dagster webserver is never bound elsewhere: nginx is the way in


@dataclass(frozen=True)
class UiSettings:
    """`make ui` (orchestration/serve.py): the Dagster webserver on 127.0.0.1 only, and nginx in front of
    it with a login (config from deploy/ui/nginx.conf.template, docs/operations.md section UI)."""
    listen: str              # SIKKEP_UI_LISTEN: where nginx listens, `port` or `address:port`
    webserver_port: int      # SIKKEP_UI_WEBSERVER_PORT: the Dagster webserver on 127.0.0.1
    ui_dir: Path             # SIKKEP_UI_DIR: the generated nginx.conf, its pid, temp files, access log
    password_file: Path      # SIKKEP_UI_PASSWORD_FILE: `name:hash` lines (`openssl passwd -6`)
    tls_cert: Path | None    # SIKKEP_UI_TLS_CERT + SIKKEP_UI_TLS_KEY: HTTPS on `listen` when both are set
    tls_key: Path | None
    nginx: str               # SIKKEP_UI_NGINX: the nginx binary

    @property
    def listen_port(self) -> int:
        return int(self.listen.rsplit(":", 1)[-1])

    @property
    def url(self) -> str:
        host = self.listen.rsplit(":", 1)[0] if ":" in self.listen else "127.0.0.1"
        host = "127.0.0.1" if host in ("0.0.0.0", "*", "[::]") else host
        return f"{'https' if self.tls_cert else 'http'}://{host}:{self.listen_port}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str], settings: Settings) -> UiSettings:
        import shutil

        ui_dir = Path(_read(environ, "SIKKEP_UI_DIR") or settings.warehouse_dir / "ui").resolve()
        cert, key = _read(environ, "SIKKEP_UI_TLS_CERT"), _read(environ, "SIKKEP_UI_TLS_KEY")
        if bool(cert) != bool(key):
            raise ValueError("SIKKEP_UI_TLS_CERT and SIKKEP_UI_TLS_KEY go together: set both or neither")
        ui = cls(
            listen=_read(environ, "SIKKEP_UI_LISTEN", "127.0.0.1:3000"),
            webserver_port=int(_read(environ, "SIKKEP_UI_WEBSERVER_PORT", "3001")),
            ui_dir=ui_dir,
            password_file=Path(_read(environ, "SIKKEP_UI_PASSWORD_FILE") or ui_dir / "htpasswd").resolve(),
            tls_cert=Path(cert).resolve() if cert else None,
            tls_key=Path(key).resolve() if key else None,
            # /usr/sbin is not on a normal user's PATH on Debian
            nginx=_read(environ, "SIKKEP_UI_NGINX") or shutil.which("nginx") or "/usr/sbin/nginx",
        )
        if not ui.listen.rsplit(":", 1)[-1].isdigit():
            raise ValueError(f"SIKKEP_UI_LISTEN must be `port` or `address:port`, got {ui.listen!r}")
        if ui.listen_port == ui.webserver_port:
            raise ValueError(f"SIKKEP_UI_LISTEN and SIKKEP_UI_WEBSERVER_PORT both use port {ui.webserver_port}")
        return ui


def get_ui_settings(settings: Settings | None = None) -> UiSettings:
    return UiSettings.from_env(os.environ, settings or get_settings())


def environment_table() -> str:
    """The table of docs/operations.md "Settings" (a test keeps them equal)."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    lines += [f"| `{name}` | {default} | {meaning} |" for name, (default, meaning) in ENVIRONMENT.items()]
    return "\n".join(lines)


if __name__ == "__main__":
    print(environment_table())
