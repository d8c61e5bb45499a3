"""Scan the drop zone raw/<source>/<period>/<file> and say what is wrong with what cannot be used.

Folder and file names are data (a stray folder can be named with a NIK, a person's name or `=1+1`): a
problem's message shows the path by the rule of orchestration/privacy.py, and its `source` / `period`
are a contract's folder and a YYYY-MM period or UNKNOWN, never the delivered name, because they reach
the public ind_data_quality."""
from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path

from ..privacy import mask_text, show_name, show_path
from .contracts import Contract

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# .xls/.xlsm/.ods are not in the agencies' formats, but calamine reads them as it reads .xlsx
SUPPORTED = {".csv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods"}
# source / period of a file whose folder is not a contract's or not YYYY-MM (public: ind_data_quality)
UNKNOWN = "(tidak dikenal)"
IGNORED_NAMES = {"README.md", "readme.md", ".gitkeep", ".DS_Store", "Thumbs.db", "desktop.ini", "__MACOSX"}
# Documents and pictures agencies put beside an extract (cover letter, scan of the signed list): not an
# extract, recorded in the manifest as 'ignored' (not an error). Other unknown types are errors.
DOCUMENTS = {".pdf", ".doc", ".docx", ".odt", ".rtf", ".jpg", ".jpeg", ".png", ".gif", ".tif", ".tiff", ".bmp",
             ".heic", ".ppt", ".pptx", ".md", ".db", ".ini", ".lnk", ".tmp", ".bak"}


@dataclass(frozen=True)
class ExtractFile:
    source: str
    period: str
    path: Path
    rel: str          # relative to the raw dir, POSIX
    sha256: str
    size: int

    @property
    def reader(self) -> str:
        return "csv" if self.path.suffix.lower() in (".csv", ".txt") else "xlsx"


@dataclass(frozen=True)
class DropZoneProblem:
    rel: str
    source: str
    period: str | None
    message: str
    status: str = "error"   # 'ignored' for a document beside the extract (not an extract at all)
    path: Path | None = None  # the file, when it may be opened (never a link: it is not followed)

    def __post_init__(self):
        object.__setattr__(self, "message", mask_text(self.message))

    def rows_unread(self) -> int | None:
        """Rows of a rejected file (row_count.py), None when unknown or not an error."""
        from .row_count import count_rows

        return count_rows(self.path) if self.status == "error" and self.path is not None else None


# SHA-256 of files already hashed in this process, by (path, inode, size, mtime_ns): one refresh asks for
# every extract's hash in its fingerprint and again in each raw asset's scan (a kabupaten's drop zone is
# 350 MB, eleven times). A file changed within the last seconds is hashed again every time (its mtime
# may not have moved yet: git's "racy" rule).
_HASHED: dict[tuple, str] = {}
_RACY_NS = 3_000_000_000


def sha256_of(path: Path) -> str:
    st = path.stat()
    key = (str(path), st.st_ino, st.st_size, st.st_mtime_ns)
    if (known := _HASHED.get(key)) is not None:
        return known
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    digest = h.hexdigest()
    if time.time_ns() - st.st_mtime_ns > _RACY_NS:
        if len(_HASHED) > 100_000:
            _HASHED.clear()
        _HASHED[key] = digest
    return digest


def is_ignored(path: Path) -> bool:
    """Readmes, hidden files and Excel lock files (~$x.xlsx) are not extracts."""
    return path.name in IGNORED_NAMES or path.name.startswith((".", "~$"))


def shown_suffix(path: Path) -> str:
    """The extension as a message shows it: a long 'extension' is part of the name (show_name)."""
    return path.suffix if len(path.suffix) <= 6 else show_name(path.suffix)


def link_problem(path: Path, raw_dir: Path) -> str | None:
    """Why a symbolic link in the drop zone is not read (None: a link to a file inside the drop zone, read
    like the file). A link is never followed out of the drop zone: it could expose any file of the machine."""
    if not path.is_symlink():
        return None
    try:
        target = path.resolve(strict=True)
    except (FileNotFoundError, RuntimeError, OSError):
        return "is a symbolic link to nothing (its target is gone): not read"
    if not target.is_relative_to(Path(raw_dir).resolve()):
        return "is a symbolic link leading outside the raw directory: refused, copy the file in instead"
    if target.is_dir():
        return "is a symbolic link to a folder: links to folders are not followed, put the files in the folder"
    return None


def scan(raw_dir: Path, contracts: dict[str, Contract], *,
         hashed: bool = True) -> tuple[list[ExtractFile], list[DropZoneProblem]]:
    """The extract files of the drop zone and what is wrong with the rest. ``hashed=False`` leaves
    ``sha256`` empty: for a caller that only needs to know which files there are."""
    raw_dir = Path(raw_dir)
    files: list[ExtractFile] = []
    problems: list[DropZoneProblem] = []
    if not raw_dir.is_dir():
        return files, [DropZoneProblem(str(raw_dir), "", None, f"the raw directory {raw_dir} does not exist")]
    # links are listed too (a dangling link or a link to a folder is no file): each is read or refused
    for path in sorted(p for p in raw_dir.rglob("*") if p.is_symlink() or p.is_file()):
        if any(is_ignored(part) for part in path.relative_to(raw_dir).parents if part.name) or is_ignored(path):
            continue
        rel = path.relative_to(raw_dir).as_posix()
        parts = rel.split("/")
        source = parts[0] if len(parts) > 1 else ""
        period = parts[1] if len(parts) > 2 else ""
        # what may leave the restricted zone: known names as they are, anything else UNKNOWN / masked
        src_label = source if source in contracts else UNKNOWN
        period_label = period if PERIOD.match(period) else UNKNOWN
        shown = show_path(rel, contracts)
        if (why := link_problem(path, raw_dir)) is not None:
            problems.append(DropZoneProblem(rel, src_label, period_label, f"file {shown} {why}"))
            continue
        if len(parts) < 3:
            problems.append(DropZoneProblem(rel, src_label, UNKNOWN,
                            f"file {shown}: not in a period folder; expected raw/<source>/<YYYY-MM>/<file>", path=path))
            continue
        if source not in contracts:
            problems.append(DropZoneProblem(rel, UNKNOWN, period_label,
                            f"file {shown}: unknown source folder '{show_name(source)}' (known: "
                            f"{', '.join(sorted(contracts))}); add a contract in orchestration/contracts/ or "
                            "move the file; the file is rejected", path=path))
            continue
        if not PERIOD.match(period):
            problems.append(DropZoneProblem(rel, source, UNKNOWN,
                            f"file {shown}: malformed period folder '{show_name(period)}'; expected YYYY-MM such "
                            "as 2024-09; the file is rejected", path=path))
            continue
        if path.suffix.lower() in DOCUMENTS:
            problems.append(DropZoneProblem(rel, source, period,
                            f"file {shown}: unsupported file type '{path.suffix}', not an extract: ignored "
                            "(extracts are .csv or .xlsx)", status="ignored"))
            continue
        if path.suffix.lower() not in SUPPORTED:
            problems.append(DropZoneProblem(rel, source, period,
                            f"file {shown}: unsupported file type '{shown_suffix(path) or '(none)'}'; send .csv or .xlsx", path=path))
            continue
        files.append(ExtractFile(source, period, path, rel, sha256_of(path) if hashed else "", path.stat().st_size))
    return files, problems
