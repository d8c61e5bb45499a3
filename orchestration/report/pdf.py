"""The PDF beside the report: Chromium's own print of the HTML page (headless, offline). Chromium is the
browser the test suite already uses (Debian's package; .ci/run installs it). No renderer on the machine,
or one that fails, leaves only the HTML: a publication never fails for its PDF."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FALLBACK = Path("/usr/bin/chromium")
TIMEOUT_S = 120


def find_chromium() -> str | None:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return str(FALLBACK) if FALLBACK.exists() else None


def print_pdf(html_path: Path, pdf_path: Path) -> tuple[Path | None, str]:
    """(the PDF, '') when printed; (None, why not) otherwise."""
    browser = find_chromium()
    if browser is None:
        return None, "PDF tidak dibuat: Chromium tidak ditemukan (apt-get install chromium); laporan HTML tetap ada"
    with tempfile.TemporaryDirectory(prefix="sikkep-chromium-") as profile:
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={pdf_path}",
               html_path.resolve().as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_S, cwd=profile)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return None, f"PDF tidak dibuat: Chromium gagal ({type(exc).__name__}); laporan HTML tetap ada"
    if proc.returncode != 0 or not pdf_path.exists() or pdf_path.read_bytes()[:5] != b"%PDF-":
        return None, f"PDF tidak dibuat: Chromium keluar dengan kode {proc.returncode}; laporan HTML tetap ada"
    return pdf_path, ""
