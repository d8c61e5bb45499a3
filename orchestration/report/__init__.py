"""The report of a publication (#15 item 3), in Indonesian, for the poverty team and the Forum Satu Data.

    build_report(public_db, out_dir) -> {"html", "pdf", "note"}   index.html (self-contained) + laporan.pdf
    publish_report(published_dir)                                 rebuild from the published files (`sikkep report`)

Built from the public publication only (public.duckdb: aggregates, already audited), so it carries no
personal data. publish() builds it from the audited temp file before the swap and moves it into
published/laporan/ after the databases' swap: a held-back run never leaves a report of itself.
data.py reads the figures, charts.py draws them (matplotlib, inline SVG), html.py writes the page,
pdf.py prints it (Chromium headless; no renderer -> HTML only, said in the note).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

REPORT_DIR = "laporan"
HTML_NAME = "index.html"
PDF_NAME = "laporan.pdf"


def build_report(public_db: Path, out_dir: Path, *, pdf: bool = True) -> dict:
    from .data import read_report_data
    from .html import render

    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / HTML_NAME
    html_path.write_text(render(read_report_data(Path(public_db))), encoding="utf-8")
    result = {"html": html_path, "pdf": None, "note": "PDF tidak diminta"}
    if pdf:
        from .pdf import print_pdf

        result["pdf"], result["note"] = print_pdf(html_path, out_dir / PDF_NAME)
    return result


def swap_report(staged: Path, published: Path) -> Path:
    """Move a staged report folder into published/laporan (old one set aside, new one in, old removed)."""
    from ..publish.lock import TEMP_MARK

    final = published / REPORT_DIR
    aside = published / f".{REPORT_DIR}{TEMP_MARK}old"  # a TEMP_MARK name: the next publish cleans it
    shutil.rmtree(aside, ignore_errors=True)
    if final.exists():
        os.replace(final, aside)
    os.replace(staged, final)
    shutil.rmtree(aside, ignore_errors=True)
    return final


def publish_report(published_dir: Path, *, pdf: bool = True) -> dict:
    """`sikkep report`: the report of what is published now, rebuilt and swapped in under the publish lock."""
    from ..publish.core import PUBLIC_DB, PublishError
    from ..publish.lock import TEMP_MARK, publish_lock

    published = Path(published_dir).resolve()
    public = published / PUBLIC_DB
    if not public.exists():
        raise PublishError(f"nothing published in {published}: run `sikkep refresh` first")
    with publish_lock(published):
        staged = published / f".{REPORT_DIR}{TEMP_MARK}report-{os.getpid()}"
        shutil.rmtree(staged, ignore_errors=True)
        try:
            result = build_report(public, staged, pdf=pdf)
            final = swap_report(staged, published)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
    return {**result, "html": final / HTML_NAME, "pdf": final / PDF_NAME if result["pdf"] else None}
