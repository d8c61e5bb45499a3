"""The synthetic generator: deterministic, complete, quirky, and its answer key addresses rows exactly."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from difflib import SequenceMatcher
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from orchestration.synth.generate import ALL_SOURCES, PERSON_SOURCES, generate, period_list

N, SEED, PERIODS = 300, 11, 3
NAME_HEADERS = {"NAMA", "NAMAPESERTA", "NAMAPENGURUS", "NAMAKPM", "NAMAKEPALAKELUARGA", "NAMAMUSTAHIK", "NAMADEBITUR"}
NIK_HEADERS = {"NIK", "NIKPENGURUS", "NIKDEBITUR"}


def _norm(h) -> str:
    return re.sub(r"[^A-Z0-9]", "", str(h or "").upper())


@pytest.fixture(scope="module")
def gen(tmp_path_factory):
    base = tmp_path_factory.mktemp("synth")
    out = base / "raw"
    lines: list[str] = []
    summary = generate(N, SEED, PERIODS, out, progress=lines.append)
    return out, Path(summary["key_dir"]), summary, lines


def _tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_deterministic(gen, tmp_path):
    out, key, summary, _ = gen
    out2 = tmp_path / "raw"
    s2 = generate(N, SEED, PERIODS, out2)
    assert _tree_digest(out) == _tree_digest(out2)
    assert _tree_digest(key) == _tree_digest(Path(s2["key_dir"]))
    out3 = tmp_path / "other"
    generate(N, SEED + 1, 1, out3)
    assert _tree_digest(out3) != _tree_digest(out)


def test_key_beside_not_inside(gen):
    out, key, _, _ = gen
    assert key == out.parent / "raw_answer_key"
    assert not any(p.suffix == ".parquet" for p in out.rglob("*"))
    for f in ("rows.parquet", "persons.parquet", "households.parquet", "README.md"):
        assert (key / f).is_file()
    with pytest.raises(ValueError):
        generate(10, 1, 1, out, key_dir=out / "key")


def test_every_source_and_period(gen):
    out, _, summary, lines = gen
    periods = period_list(PERIODS)
    assert periods == ["2024-09", "2025-03", "2025-09"]
    for src in ALL_SOURCES:
        for p in periods:
            files = list((out / src / p).glob("*"))
            assert files, f"{src}/{p} empty"
            assert all(f.suffix in (".csv", ".xlsx") for f in files)
    assert any(ln.startswith("dtks 2025-09") for ln in lines)
    rows = pd.read_parquet(gen[1] / "rows.parquet")
    assert set(rows["source"]) == set(PERSON_SOURCES)
    assert set(rows["period"]) == set(periods)
    assert not rows.duplicated(["source_file", "source_sheet", "source_row"]).any()


def _read_csv(path: Path) -> tuple[list[list[str]], str, str]:
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        text, enc = raw[3:].decode("utf-8"), "utf-8-sig"
    else:
        try:
            text, enc = raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, enc = raw.decode("cp1252"), "cp1252"
    first = text.split("\n", 1)[0]
    delim = max([",", ";", "|", "\t"], key=first.count)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delim)), enc, delim


def _digits(v) -> str:
    if isinstance(v, (int, float)):
        return str(int(v))
    return re.sub(r"\D", "", str(v or ""))


def test_key_addresses_rows(gen):
    out, key, _, _ = gen
    rows = pd.read_parquet(key / "rows.parquet")
    persons = pd.read_parquet(key / "persons.parquet").drop_duplicates("person_key").set_index("person_key")
    checked = 0
    books: dict = {}
    for (f, sheet), grp in rows.groupby(["source_file", rows["source_sheet"].fillna("")], sort=True):
        path = out / f
        if path.suffix == ".csv":
            recs, _, _ = _read_csv(path)
            header = [_norm(h) for h in recs[0]]
            assert sheet == ""
            assert len(recs) - 1 == len(grp), f"{f}: {len(recs) - 1} records, key has {len(grp)}"

            def cell(r, c, recs=recs):
                return recs[r - 1][c]
        else:
            if f not in books:
                books[f] = openpyxl.load_workbook(path)
            ws = books[f][sheet]
            first = int(grp["source_row"].min())
            header = [_norm(c.value) for c in ws[first - 1]]
            data_rows = [r for r in range(first, ws.max_row + 1) if any(c.value not in (None, "") for c in ws[r])]
            assert len(data_rows) == len(grp), f"{f}/{sheet}"

            def cell(r, c, ws=ws):
                return ws.cell(r, c + 1).value
        ni = next(i for i, h in enumerate(header) if h in NAME_HEADERS)
        ki = next((i for i, h in enumerate(header) if h in NIK_HEADERS), None)
        for row in grp.itertuples():
            p = persons.loc[row.person_key]
            name = str(cell(row.source_row, ni) or "")
            tags = set(filter(None, row.defects.split(",")))
            if "unusable" in tags and "place_unresolvable" not in tags:
                assert name.strip(" -.?") == "", (f, row.source_row, name)
                continue
            if "name_variant" not in tags:
                assert name.upper() == p["name"].upper(), (f, row.source_row, name, p["name"])
            else:  # a variant still shares a (nearly) equal word with the true name
                words = [w.strip(".,").upper() for w in p["name"].split()]
                typed = [w.strip(".,").upper() for w in name.split()]
                assert any(SequenceMatcher(None, a, b).ratio() >= 0.7 for a in words for b in typed) \
                    or name.upper().startswith("M"), (name, p["name"])
            if ki is not None and not any(t.startswith("nik_") for t in tags):
                assert _digits(cell(row.source_row, ki)) == p["nik"], (f, row.source_row)
            if "nik_excel_zeroed" in tags and not tags & {"nik_head_copied", "nik_neighbour"}:
                assert _digits(cell(row.source_row, ki))[:15] == p["nik"][:15]
            checked += 1
    assert checked > 1000


def test_quirks_present(gen):
    out, key, _, _ = gen
    encs, delims = set(), set()
    for f in out.rglob("*.csv"):
        _, enc, delim = _read_csv(f)
        encs.add(enc)
        delims.add(delim)
        if enc == "cp1252":
            assert any(b > 0x7F for b in f.read_bytes()), f"{f} is cp1252 but pure ASCII"
    assert encs == {"utf-8", "utf-8-sig", "cp1252"}
    assert delims == {",", ";", "|", "\t"}
    p3ke = sorted((out / "p3ke").rglob("*.xlsx"))[0]
    wb = openpyxl.load_workbook(p3ke)
    assert len(wb.sheetnames) > 1
    ws = wb[wb.sheetnames[0]]
    assert str(ws["A1"].value).startswith("DATA P3KE")
    blt = openpyxl.load_workbook(sorted((out / "blt_dd").rglob("*.xlsx"))[0])
    assert set(blt.sheetnames) <= set(pd.read_parquet(key / "rows.parquet").query("source=='blt_dd'")["source_sheet"])
    assert ws.merged_cells.ranges or any(
        openpyxl.load_workbook(f).worksheets[0].merged_cells.ranges for f in (out / "p3ke").rglob("*.xlsx"))
    rows = pd.read_parquet(key / "rows.parquet")
    tags = set(",".join(rows["defects"]).split(","))
    for t in ("nik_scientific", "nik_excel_zeroed", "nik_typo", "nik_head_copied", "nik_apostrophe", "name_variant",
              "place_variant", "duplicate_row", "duplicate_file", "unusable"):
        assert t in tags, t
    assert rows["expect_quarantine"].any()
    dtks = pd.concat(pd.DataFrame(_read_csv(f)[0][1:], columns=[_norm(h) for h in _read_csv(f)[0][0]])
                     for f in (out / "dtks").rglob("*.csv"))
    assert {"1", "2", "3"} <= set(dtks["STAKEBERADAANART"])
    pbi = pd.concat(pd.DataFrame(_read_csv(f)[0][1:], columns=[_norm(h) for h in _read_csv(f)[0][0]])
                    for f in (out / "pbi_jk").rglob("*.csv"))
    assert {"AKTIF", "NONAKTIF"} <= set(pbi["STATUSPESERTA"])
    # XLSX: numeric NIK cells (16th digit lost), Excel date serials, Indonesian month names, trailing rows
    numeric_nik = serial_dates = indo_months = trailing = False
    for f in sorted(out.rglob("*.xlsx")):
        for ws in openpyxl.load_workbook(f).worksheets:
            last = [c.value for c in ws[ws.max_row]]
            trailing |= all(v in (None, "") for v in last)
            for row in ws.iter_rows(values_only=True):
                for v in row:
                    if isinstance(v, int) and v > 10**15:
                        numeric_nik = True
                    elif isinstance(v, (int, float)) and 10000 < v < 47000:
                        serial_dates = True
                    elif isinstance(v, str) and re.fullmatch(r"\d{1,2} (Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember) \d{4}", v):
                        indo_months = True
    assert numeric_nik and serial_dates and indo_months and trailing
    assert rows["household_key"].isna().sum() == (rows["defects"].str.contains("place_unresolvable")).sum()
    # a re-delivered file is byte-identical to its original
    for f in out.rglob("*_kirim_ulang.*"):
        orig = f.with_name(f.name.replace("_kirim_ulang", ""))
        assert orig.read_bytes() == f.read_bytes()


def test_truth_tables(gen):
    _, key, _, _ = gen
    h = pd.read_parquet(key / "households.parquet")
    p = pd.read_parquet(key / "persons.parquet")
    for col in ("pkh", "bpnt", "pbi_jk", "blt_dd", "rtlh", "baznas", "kur", "in_dtks", "in_p3ke", "desil"):
        assert col in h.columns
    last = h[h["period"] == "2025-09"]
    assert 0.25 < last["in_dtks"].mean() < 0.55
    assert last["desil"].between(1, 10).all()
    assert (~p["alive"]).any() and p["moved_out"].any()
    assert p.loc[p["in_population"], "nik"].str.fullmatch(r"\d{16}").all()
    # every family-list row names a member of a household that the key marks as recipient
    rows = pd.read_parquet(key / "rows.parquet")
    hk = h.set_index(["period", "household_key"])
    for prog in ("pkh", "bpnt", "blt_dd", "rtlh", "baznas", "kur"):
        r = rows[(rows["source"] == prog) & rows["household_key"].notna()]
        flags = hk.loc[list(zip(r["period"], r["household_key"].astype(int))), prog]
        assert flags.all(), prog
    # No KK rule: region6 + DDMMYY + serial4
    assert h["no_kk"].str.fullmatch(r"\d{16}").all()


def test_tiny_population_other_kabupaten(tmp_path):
    out = tmp_path / "raw"
    s = generate(3, 5, 2, out, kabupaten="18.04")
    assert s["periods"] == ["2025-03", "2025-09"]
    for src in ALL_SOURCES:  # even an empty list is delivered (header only)
        for p in s["periods"]:
            assert list((out / src / p).glob("*")), (src, p)
    rows = pd.read_parquet(Path(s["key_dir"]) / "rows.parquet")
    assert rows["source_file"].str.startswith(tuple(PERSON_SOURCES)).all()
    with pytest.raises(ValueError):
        generate(3, 5, 1, tmp_path / "x", kabupaten="99.99")


def test_headers_map_to_contract_aliases(gen):
    """Every header variant normalises (case, non-alphanumerics) to an alias of the source's contract."""
    import yaml

    from orchestration.synth.quirks import EXTRA_COLUMNS

    out = gen[0]
    contracts = Path(__file__).resolve().parents[2] / "orchestration" / "contracts"
    extra = {_norm(c) for c in EXTRA_COLUMNS}
    for src in ALL_SOURCES:
        spec = yaml.safe_load((contracts / f"{src}.yml").read_text())
        # YAML 1.1 reads a bare NO as False: take it back as the header it was written as
        aliases = {("NO" if a is False else _norm(a)) for al in spec["columns"].values() for a in al}
        assert not aliases & extra, (src, aliases & extra)
        for f in sorted((out / src).rglob("*.*")):
            if f.suffix == ".csv":
                headers = [_read_csv(f)[0][0]]
            else:
                headers = []
                for ws in openpyxl.load_workbook(f).worksheets:
                    rows = list(ws.iter_rows(max_row=8, values_only=True))
                    hdr = next(r for r in rows if sum(v is not None for v in r) > 2)
                    headers.append(list(hdr))
            for hdr in headers:
                unknown = {_norm(h) for h in hdr} - aliases - extra
                assert not unknown, (f.name, unknown)
                mapped = {_norm(h) for h in hdr} & aliases
                assert len(mapped) >= 5, (f.name, mapped)
