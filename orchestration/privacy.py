"""Masking of personal identifiers before anything reaches a log, an error message, a gate example or the UI."""
from __future__ import annotations

import csv
import re
from functools import lru_cache

# 12+ digits, also when typed with spaces, dots or dashes inside (`1802 2145 0789 0001`, `1802.21...`)
_LONG_DIGITS = re.compile(r"(?<!\d)\d(?:[ .'-]?\d){11,}(?!\d)")


def mask_nik(value: object) -> str | None:
    """'1802214507890001' -> '1802**********01'. Keeps the first 4 and last 2 characters of anything 8
    or more characters long (including '1.80221E+15' style text), masks shorter values whole."""
    if value is None:
        return None
    s = re.sub(r"\s", "", str(value))
    if not s:
        return s
    if len(s) < 8:
        return "*" * len(s)
    return s[:4] + "*" * (len(s) - 6) + s[-2:]


def mask_text(text: str) -> str:
    """Masks every run of 12+ digits (NIK, No KK, card numbers) inside free text."""
    return _LONG_DIGITS.sub(lambda m: mask_nik(re.sub(r"\D", "", m.group(0))) or "", text)


# ------------------------------------------------------------------------------ names of files and folders
# A path under raw/ is data like any other: agencies name a file after a person ("daftar_siti_aminah.xlsx")
# or with a NIK, and a stray folder can be named anything. Every path that leaves the restricted zone (a
# message, a log line, Dagster metadata, `sikkep status`, the publication table) is shown through
# show_path; the restricted tables (raw.*, xref_source_record, quarantine) keep the path as delivered.
#
# The rule, per part of `<source>/<period>/<file>`:
#   source folder   kept when a contract names it, else masked like a file stem (below)
#   period folder   kept when it is YYYY-MM, else masked like a file stem
#   file name       the extension is kept; the stem is read as words (runs of letters) and numbers (runs
#                   of digits), punctuation kept as it is:
#                   - a word is kept when it belongs to the extract vocabulary: source folders, program
#                     codes, the words of the contracts' titles, agencies and program names, EXTRACT_WORDS
#                     and month names;
#                   - consecutive words that spell a kecamatan or village of the served kabupaten (the
#                     dim_wilayah seed; `padang_ratu`, `Kec_Gunung_Sugih`) are kept: agencies send one file per
#                     kecamatan. A person named exactly like a place of the kabupaten is shown, as the
#                     public audit accepts such a name in nama_wilayah;
#                   - any other word (a person's name) shows its first letter and one * per other letter
#                     (Siti -> S***);
#                   - a number of up to 8 digits (year, month, date, kabupaten code, part) is kept; a
#                     longer one (NIK, No KK, card numbers, also Excel-mangled) is masked like a NIK
#                     (mask_nik: 1802**********01).
# Sheet names are kept (digit runs masked by mask_text): they name kecamatan, parts and tabs.
# No hash is shown: a short unsalted hash of a name is reversed by trying every common name.
_WORD_OR_NUMBER = re.compile(r"[^\W\d_]+|\d+")
_PERIOD_FOLDER = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")
MAX_SHOWN_DIGITS = 8
EXTRACT_WORDS = frozenset("""
    data daftar list lampiran rekap rekapitulasi penerima peserta kpm kk art ruta keluarga individu anggota
    mustahik debitur nasabah bnba by name address export ekspor impor siks ng bansos bantuan lain lainnya
    part bagian bag hal halaman sheet file tabel kirim ulang revisi rev final fix baru lama update
    perbaikan koreksi copy salinan versi ver v ok valid verval padan
    tahap bulan tahun semester triwulan periode
    kab kabupaten kota kec kecamatan desa kampung kel kelurahan tiyuh pekon prov provinsi
    lampung tengah barat timur utara selatan lamteng
    agregat dukcapil penduduk jumlah
    jan feb mar apr mei may jun jul agu agt aug sep sept okt oct nov des dec
    januari februari maret april juni juli agustus september oktober november desember
    january february march june july august october december
""".split())


def _extract_vocabulary(sources: frozenset[str]) -> frozenset[str]:
    from .ingest.contracts import default_contracts  # lazy: contracts import settings, not the reverse

    words = set(EXTRACT_WORDS) | {s.lower() for s in sources}
    for c in default_contracts().values():
        for text in (c.source, c.program, c.title, c.agency, getattr(c, "program_name", None)):
            words.update(w.lower() for w in re.findall(r"[^\W\d_]+", str(text or "")))
    return frozenset(words)


_vocabulary_cache: dict[frozenset[str], frozenset[str]] = {}


def _vocabulary(sources: frozenset[str]) -> frozenset[str]:
    if sources not in _vocabulary_cache:
        _vocabulary_cache[sources] = _extract_vocabulary(sources)
    return _vocabulary_cache[sources]


@lru_cache(maxsize=4)
def _place_keys(kabupaten: str) -> frozenset[str]:
    """Letters-only upper-case names of the kabupaten, its kecamatan and villages (dim_wilayah seed)."""
    from .settings import DBT_PROJECT_DIR

    keys = set()
    with open(DBT_PROJECT_DIR / "seeds" / "dim_wilayah.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["kode_kabupaten"] == kabupaten or row["kode_wilayah"] == kabupaten:
                name = re.sub(r"^(KABUPATEN|KOTA)\s+", "", row["nama_wilayah"].upper())
                if len(key := re.sub(r"[^A-Z]", "", name)) >= 4:
                    keys.add(key)
    return frozenset(keys)


def _served_places() -> frozenset[str]:
    from .settings import get_settings

    return _place_keys(get_settings().kabupaten)


def _kept_words(words: list[str], vocabulary: frozenset[str], places: frozenset[str]) -> list[bool]:
    """Which words of a run may be shown: split the run into vocabulary words and place names so that as
    few words as possible stay unexplained (those are masked). Runs are a few words: O(n^2) is nothing."""
    n = len(words)
    best: list[tuple[int, list[bool]]] = [(0, [])] + [(n + 1, [])] * n  # (masked words, keep flags) per prefix
    for end in range(1, n + 1):
        for start in range(max(0, end - 6), end):
            cost, flags = best[start]
            seg = words[start:end]
            if len(seg) == 1 and seg[0].lower() in vocabulary or "".join(seg).upper() in places:
                option = (cost, flags + [True] * len(seg))
            elif len(seg) == 1:
                option = (cost + 1, flags + [False])
            else:
                continue
            if option[0] < best[end][0]:
                best[end] = option
    return best[n][1]


def show_name(name: str, vocabulary: frozenset[str] | None = None, places: frozenset[str] | None = None) -> str:
    """One file or folder name as it may be shown (the rule above); the extension is kept."""
    vocabulary = _vocabulary(frozenset()) if vocabulary is None else vocabulary
    places = _served_places() if places is None else places
    ext = _EXTENSION.search(name)
    stem, suffix = (name[:ext.start()], ext.group(0)) if ext and ext.start() > 0 else (name, "")
    tokens = list(_WORD_OR_NUMBER.finditer(stem))
    keep = [t.group(0).isdigit() and len(t.group(0)) <= MAX_SHOWN_DIGITS for t in tokens]
    i = 0
    while i < len(tokens):  # each run of words between numbers is judged as a whole (place names)
        j = i
        while j < len(tokens) and not tokens[j].group(0).isdigit():
            j += 1
        if j > i:
            keep[i:j] = _kept_words([t.group(0) for t in tokens[i:j]], vocabulary, places)
        i = j + 1
    out, pos = [], 0
    for t, kept in zip(tokens, keep):
        token = t.group(0)
        out.append(stem[pos:t.start()])
        if kept:
            out.append(token)
        elif token.isdigit():
            out.append(mask_nik(token) or "")
        else:
            out.append(token[0] + "*" * (len(token) - 1))
        pos = t.end()
    return "".join(out) + stem[pos:] + suffix


def show_path(rel: str | None, sources=None) -> str | None:
    """A path relative to the raw dir (`dtks/2024-09/DTKS_1802_2024-09.csv`) as it may be shown outside
    the restricted zone. ``sources``: the known source folders (default: the contracts')."""
    if rel is None:
        return None
    if sources is None:
        from .ingest.contracts import default_contracts
        sources = default_contracts().keys()
    known = frozenset(sources)
    vocabulary = _vocabulary(known)
    parts = str(rel).replace("\\", "/").split("/")
    shown = []
    for i, part in enumerate(parts):
        if (i == 0 and len(parts) > 1 and part in known) or (i == 1 and len(parts) > 2 and _PERIOD_FOLDER.match(part)):
            shown.append(part)
        else:
            shown.append(show_name(part, vocabulary))
    return "/".join(shown)


def mask_message(text: str, paths=()) -> str:
    """mask_text, with every given raw path (and its file name) first replaced by its shown form: a
    reader's own error text can repeat the file name."""
    text = str(text)
    for rel in paths:
        if not rel:
            continue
        rel = str(rel)
        name = rel.rsplit("/", 1)[-1]
        for raw, shown in ((rel, show_path(rel)), (name, show_name(name))):
            if raw and raw != shown:
                text = text.replace(raw, shown)
    return mask_text(text)


# ------------------------------------------------------------------------------ free text of unknown origin
# An exception the project did not phrase itself (an OSError, DuckDB's IO error, a library's message) can
# hold an absolute path: `[Errno 13] Permission denied: '/srv/sikkep/raw/pkh/2024-09/pkh_siti_1802….xlsx'`.
# mask_error shows such text by the rule above wherever a run's failure is shown (`sikkep refresh`,
# `sikkep status`, the refresh's own stderr lines):
#   - a path inside the drop zone keeps the drop zone's own path (the operator's setting) and shows the
#     rest by show_path; a name of a file or folder of the drop zone is shown so also where it stands
#     alone or holds spaces (a message quoting only `pkh_siti_aminah.xlsx`, a folder `Siti Aminah`);
#   - a path inside the project's own places (warehouse, Dagster home, the checkout, the Python
#     installation) is shown as it is: the project named every part of it;
#   - any other absolute path shows each folder and file name by show_name (a common system folder
#     such as /tmp or /home is kept): it may be where a symbolic link led, or a copy of an extract;
#   - then NIK-like digit runs are masked (mask_text).
_QUOTED_PATH = re.compile(r"""(['"])(/[^'"\n]*)\1""")
_BARE_PATH = re.compile(r"""(?<![\w.~/'":-])/[^\s'"():,;<>\[\]{}]+""")
_SYSTEM_FOLDERS = frozenset("bin boot dev etc home lib lib64 media mnt opt proc root run sbin srv sys tmp usr var "
                            "local share".split())


_names_seen: dict[str, tuple[float, list[tuple[str, str]]]] = {}


def _drop_zone_names(raw_dir) -> list[tuple[str, str]]:
    """(relative path or name as delivered, as shown) for every file and folder of the drop zone, longest
    first; listed again after 10 s (`sikkep status` masks the reasons of ten runs at once)."""
    import os
    import time

    if raw_dir is None or not os.path.isdir(raw_dir):
        return []
    seen = _names_seen.get(str(raw_dir))
    if seen and time.monotonic() - seen[0] < 10:
        return seen[1]
    pairs: dict[str, str] = {}
    for folder, dirs, files in os.walk(raw_dir):
        for name in dirs + files:
            rel = os.path.relpath(os.path.join(folder, name), raw_dir).replace(os.sep, "/")
            for raw, shown in ((rel, show_path(rel)), (name, show_name(name))):
                if raw and shown and raw != shown:
                    pairs[raw] = shown
    names = sorted(pairs.items(), key=lambda p: -len(p[0]))
    _names_seen[str(raw_dir)] = (time.monotonic(), names)
    return names


def _show_absolute(path: str, raw_roots: list[str], kept_roots: list[str]) -> str:
    for root in raw_roots:
        if path == root or path.startswith(root + "/"):
            rel = path[len(root) + 1:]
            return root + ("/" + show_path(rel) if rel else "")
    for root in kept_roots:
        if path == root or path.startswith(root + "/"):
            return path
    return "/".join(p if not p or p in _SYSTEM_FOLDERS else show_name(p) for p in path.split("/"))


def mask_error(text: object, settings=None) -> str:
    """Free text of unknown origin (an exception's message) as it may be shown: paths by the one rule
    (show_path inside the drop zone, show_name outside the project's own places), then mask_text.
    ``settings``: default the environment's."""
    import os
    import sys

    from .settings import PROJECT_ROOT, get_settings

    text = str(text)
    s = settings or get_settings()
    raw_roots = sorted({str(s.raw_dir), os.path.realpath(s.raw_dir)}, key=len, reverse=True)
    kept_roots = sorted({str(p) for p in (s.warehouse_dir, os.path.realpath(s.warehouse_dir), s.dagster_home,
                                          s.contracts_dir, PROJECT_ROOT, sys.prefix, sys.base_prefix,
                                          sys.exec_prefix) if p}, key=len, reverse=True)
    names = _drop_zone_names(s.raw_dir)
    for root in raw_roots:  # whole paths first: a name can hold spaces, which end a bare path below
        for raw, shown in names:
            text = text.replace(f"{root}/{raw}", f"{root}/{shown}")
    text = _QUOTED_PATH.sub(lambda m: m.group(1) + _show_absolute(m.group(2), raw_roots, kept_roots) + m.group(1),
                            text)
    text = _BARE_PATH.sub(lambda m: _show_absolute(m.group(0), raw_roots, kept_roots), text)
    for raw, shown in names:  # a name or relative path standing alone
        text = text.replace(raw, shown)
    return mask_text(text)
