"""nginx in front of the Dagster webserver (issue #17 item 6): a login for every request, and only POST (or the
UI's websocket) reaches /graphql. The config is deploy/ui/nginx.conf.template filled from UiSettings."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import warnings
from pathlib import Path

from .settings import PROJECT_ROOT, WEBSERVER_HOST, UiSettings

TEMPLATE = PROJECT_ROOT / "deploy" / "ui" / "nginx.conf.template"

INSTALL_HINT = ("nginx is not installed: as root `apt-get install nginx-light` (Debian), or set SIKKEP_UI_NGINX "
                "to an nginx binary. Without it the UI would be reachable without a login.")


def password_hint(ui: UiSettings) -> str:
    return (f"No login yet: create the password file {ui.password_file} with\n"
            f"  .venv/bin/python -m orchestration.serve --add-user NAME\n"
            f"(asks for the password), or by hand:\n"
            f"  printf '%s:%s\\n' NAME \"$(openssl passwd -6)\" >> {ui.password_file}")


def problems(ui: UiSettings) -> list[str]:
    """What stops the proxy from starting, each with what to do; empty when it can start."""
    found = []
    if not (os.path.isfile(ui.nginx) and os.access(ui.nginx, os.X_OK)):
        found.append(INSTALL_HINT)
    if not ui.password_file.is_file() or not any(":" in line for line in ui.password_file.read_text().splitlines()):
        found.append(password_hint(ui))
    for path in (ui.tls_cert, ui.tls_key):
        if path is not None and not path.is_file():
            found.append(f"TLS file not found: {path}")
    return found


def render(ui: UiSettings) -> str:
    runtime = ui.ui_dir / "nginx"
    tls = ""
    if ui.tls_cert and ui.tls_key:
        tls = (f"        ssl_certificate {ui.tls_cert};\n        ssl_certificate_key {ui.tls_key};\n"
               "        ssl_protocols TLSv1.2 TLSv1.3;\n")
    values = {
        # nginx started by root would run its workers as `nobody`, who cannot read a private password file
        "user": "user root;" if os.geteuid() == 0 else "",
        "runtime_dir": str(runtime),
        "password_file": str(ui.password_file),
        "listen": ui.listen,
        "ssl": " ssl" if tls else "",
        "tls": tls,
        "upstream": f"{WEBSERVER_HOST}:{ui.webserver_port}",
    }
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], TEMPLATE.read_text())


def write_config(ui: UiSettings) -> Path:
    """$SIKKEP_UI_DIR/nginx.conf from the template, and the folders nginx writes to."""
    (ui.ui_dir / "nginx").mkdir(parents=True, exist_ok=True)
    conf = ui.ui_dir / "nginx.conf"
    conf.write_text(render(ui))
    return conf


def command(ui: UiSettings, conf: Path, *extra: str) -> list[str]:
    return [ui.nginx, "-p", str(ui.ui_dir / "nginx"), "-e", "stderr", "-c", str(conf), *extra,
            "-g", "daemon off;"]


def check_config(ui: UiSettings, conf: Path) -> None:
    result = subprocess.run(command(ui, conf, "-t", "-q"), capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"nginx refuses {conf}:\n{result.stderr.strip()}")


def _hash(password: str) -> str:
    if shutil.which("openssl"):
        return subprocess.run(["openssl", "passwd", "-6", "-stdin"], input=password + "\n", capture_output=True,
                              text=True, check=True).stdout.strip()
    with warnings.catch_warnings():  # no openssl binary: the same SHA-512 crypt from Python 3.11's crypt module
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt
    return crypt.crypt(password, crypt.mksalt(crypt.METHOD_SHA512))


def add_user(password_file: Path, name: str, password: str) -> None:
    """Add or replace `name` in the password file, hashed with SHA-512 crypt (`openssl passwd -6`)."""
    if not re.fullmatch(r"[A-Za-z0-9._@-]+", name):
        raise ValueError(f"a login name is letters, digits and . _ @ - only, got {name!r}")
    if not password:
        raise ValueError("empty password")
    lines = password_file.read_text().splitlines() if password_file.exists() else []
    lines = [line for line in lines if line.split(":", 1)[0] != name] + [f"{name}:{_hash(password)}"]
    password_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("\n".join(lines) + "\n")
