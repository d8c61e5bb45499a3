"""All environment-dependent configuration in one place (SIKKEP_* variables and derived paths)."""
from __future__ import annotations

import os
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


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    warehouse_dir: Path
    kabupaten: str
    # Memory caps (DuckDB spills to disk beyond them): measured at 400,000 households, linkage with
    # 4 GB for Splink and 2 GB for the build connection peaks at 7.3 GB in all (the 8 GB target).
    linkage_memory: str = "4GB"   # SIKKEP_LINKAGE_MEMORY: Splink's private DuckDB
    build_memory: str = "2GB"     # SIKKEP_BUILD_MEMORY: the pipeline's connection to the build database
    ingest_workers: int = 2       # SIKKEP_INGEST_WORKERS: processes parsing a source's big files side by side
    dbt_memory: str = "8GB"       # SIKKEP_DBT_MEMORY: dbt's DuckDB (staging peaked at 6.6 GB at 400k households)

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


def normalise_kabupaten(code: str) -> str:
    digits = "".join(ch for ch in code if ch.isdigit())
    if len(digits) != 4:
        raise ValueError(f"SIKKEP_KABUPATEN must be a 4-digit Kemendagri kabupaten code such as 18.02, got {code!r}")
    return f"{digits[:2]}.{digits[2:]}"


def get_settings() -> Settings:
    return Settings(
        raw_dir=Path(os.environ.get("SIKKEP_RAW_DIR", "./raw")).resolve(),
        warehouse_dir=Path(os.environ.get("SIKKEP_WAREHOUSE_DIR", "./warehouse")).resolve(),
        kabupaten=normalise_kabupaten(os.environ.get("SIKKEP_KABUPATEN", "18.02")),
        linkage_memory=os.environ.get("SIKKEP_LINKAGE_MEMORY", "4GB"),
        build_memory=os.environ.get("SIKKEP_BUILD_MEMORY", "2GB"),
        dbt_memory=os.environ.get("SIKKEP_DBT_MEMORY", "8GB"),
        ingest_workers=max(1, int(os.environ.get("SIKKEP_INGEST_WORKERS", min(2, os.cpu_count() or 1)))),
    )


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


def get_ui_settings() -> UiSettings:
    import shutil

    ui_dir = Path(os.environ.get("SIKKEP_UI_DIR") or get_settings().warehouse_dir / "ui").resolve()
    cert, key = os.environ.get("SIKKEP_UI_TLS_CERT"), os.environ.get("SIKKEP_UI_TLS_KEY")
    if bool(cert) != bool(key):
        raise ValueError("SIKKEP_UI_TLS_CERT and SIKKEP_UI_TLS_KEY go together: set both or neither")
    ui = UiSettings(
        listen=os.environ.get("SIKKEP_UI_LISTEN", "127.0.0.1:3000"),
        webserver_port=int(os.environ.get("SIKKEP_UI_WEBSERVER_PORT", "3001")),
        ui_dir=ui_dir,
        password_file=Path(os.environ.get("SIKKEP_UI_PASSWORD_FILE") or ui_dir / "htpasswd").resolve(),
        tls_cert=Path(cert).resolve() if cert else None,
        tls_key=Path(key).resolve() if key else None,
        # /usr/sbin is not on a normal user's PATH on Debian
        nginx=os.environ.get("SIKKEP_UI_NGINX") or shutil.which("nginx") or "/usr/sbin/nginx",
    )
    if not ui.listen.rsplit(":", 1)[-1].isdigit():
        raise ValueError(f"SIKKEP_UI_LISTEN must be `port` or `address:port`, got {ui.listen!r}")
    if ui.listen_port == ui.webserver_port:
        raise ValueError(f"SIKKEP_UI_LISTEN and SIKKEP_UI_WEBSERVER_PORT both use port {ui.webserver_port}")
    return ui
