"""The synthetic generator: deterministic, complete, quirky, and its answer key addresses rows exactly."""

from __future__ import annotations

import csv
import hashlib
import io
import json
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
    assert _check_key_addresses(out, key, similar=True) > 1000


def _check_key_addresses(out: Path, key: Path, similar: bool) -> int:
    """Every key row addresses its file row: name and NIK are the true ones unless a tag says otherwise."""
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
            elif similar:  # a variant still shares a (nearly) equal word with the true name
                words = [w.strip(".,").upper() for w in p["name"].split()]
                typed = [w.strip(".,").upper() for w in name.split()]
                assert any(SequenceMatcher(None, a, b).ratio() >= 0.7 for a in words for b in typed) \
                    or name.upper().startswith("M"), (name, p["name"])
            if ki is not None and not any(t.startswith("nik_") for t in tags):
                assert _digits(cell(row.source_row, ki)) == p["nik"], (f, row.source_row)
            if "nik_excel_zeroed" in tags and not tags & {"nik_head_copied", "nik_neighbour", "nik_typo_other_person"}:
                assert _digits(cell(row.source_row, ki))[:15] == p["nik"][:15]
            checked += 1
    return checked


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


# ---------------------------------------------------------------- generator profiles
HN, HSEED = 2500, 5  # holdout habits are rare per row: a population big enough to show each of them


@pytest.fixture(scope="module")
def holdout(tmp_path_factory):
    out = tmp_path_factory.mktemp("holdout") / "raw"
    summary = generate(HN, HSEED, 2, out, profile="holdout")
    key = Path(summary["key_dir"])
    rows = pd.read_parquet(key / "rows.parquet")
    persons = pd.read_parquet(key / "persons.parquet")
    return out, key, summary, rows, persons


def _tags(rows: pd.DataFrame) -> set[str]:
    return set(filter(None, ",".join(rows["defects"]).split(",")))


def _csv_cells(out: Path, rel: str, headers: set[str]) -> tuple[list[list[str]], int]:
    recs = _read_csv(out / rel)[0]
    col = next(i for i, h in enumerate(recs[0]) if _norm(h) in headers)
    return recs, col


def test_profiles_load_and_validate():
    from orchestration.synth.profile import SOURCE_KEYS, SOURCES, ProfileError, known_profiles, load, parse

    assert {"default", "holdout"} <= set(known_profiles())
    d, h = load("default"), load("holdout")
    assert d.tuning == "allowed" and h.tuning == "forbidden"
    assert "never tune" in h.description.lower()
    assert d.resolve(1) is d  # no rate factors: the rates are the file's
    for prof in (d, h):  # every key in a file is one its source's builder reads
        for s in SOURCES:
            assert set(SOURCE_KEYS[s]) >= {k for k, v in vars(prof.src(s)).items() if v not in (0.0, {}, (1, 1), (0.0, 0.0), None)}
    with pytest.raises(ProfileError, match="known profiles are default, holdout"):
        load("nope")
    with pytest.raises(ValueError, match="default, holdout"):
        generate(5, 1, 1, Path("/nonexistent/raw"), profile="nope")
    import yaml

    from orchestration.synth.profile import PROFILE_DIR

    base = yaml.safe_load((PROFILE_DIR / "default.yml").read_text())

    def bad(mutate, match):
        data = yaml.safe_load(yaml.safe_dump(base))
        mutate(data)
        with pytest.raises(ProfileError, match=match):
            parse(data)

    bad(lambda x: x.update(surprise=1), "unknown key")
    bad(lambda x: x["sources"]["dtks"].update(nik_headcopy=0.1), "unknown key.*nik_headcopy")
    bad(lambda x: x["sources"]["pkh"].update(birthdate_typo=0.1), "pkh: unknown key.*birthdate_typo")  # no birth column
    bad(lambda x: x["sources"]["dtks"].update(phantoms=0.1), "unknown key.*phantoms")
    bad(lambda x: x["sources"]["dtks"]["nik"].update(smudged=0.1), "nik: unknown key.*smudged")
    bad(lambda x: x["sources"]["dtks"].update(name_variant=1.5), "between 0 and 1")
    bad(lambda x: x["sources"]["blt_dd"]["nik"].update(missing=0.9), "add up")
    bad(lambda x: x["sources"].pop("kur"), "missing source")
    bad(lambda x: x["address"].update(rt_rw_styles=["rt_slash_rw", "fancy"]), "rt_rw_styles")
    bad(lambda x: x.update(name_variant_kinds=["muh", "pig_latin"]), "name_variant_kinds")


def test_holdout_rates_drawn_per_seed():
    from orchestration.synth.profile import load

    h = load("holdout")
    a, b = h.resolve(11), h.resolve(12)
    assert a.factors and a.factors == h.resolve(11).factors
    assert a.factors != b.factors
    assert all(0.6 <= f <= 1.6 for f in a.factors.values())
    k = a.factors["bpnt.spouse_share"]
    assert a.src("bpnt").spouse_share == pytest.approx(min(1.0, 0.5 * k), abs=1e-9)
    for s in ("blt_dd", "baznas"):  # identifier damage kinds stay exclusive
        assert sum(a.src(s).nik.values()) <= 0.95 + 1e-9


def test_holdout_deterministic_and_differs(holdout, gen, tmp_path):
    out, key, summary, rows, _ = holdout
    assert json.loads((key / "summary.json").read_text())["profile"] == "holdout"
    assert json.loads((key / "profile.json").read_text())["factors"]
    out2 = tmp_path / "raw"
    s2 = generate(HN, HSEED, 2, out2, profile="holdout")
    assert _tree_digest(out) == _tree_digest(out2)
    assert _tree_digest(key) == _tree_digest(Path(s2["key_dir"]))
    # the default profile never writes the holdout habits
    new = {"name_period_variant", "nik_typo_other_person", "address_variant", "address_blank", "birthdate_missing"}
    assert new <= _tags(rows)
    assert not new & _tags(pd.read_parquet(gen[1] / "rows.parquet"))
    assert json.loads((gen[1] / "summary.json").read_text())["profile"] == "default"
    # every tag is documented in the key's README
    readme = (key / "README.md").read_text()
    undocumented = {t for t in _tags(rows) if f"`{t.replace('nokk_', 'nik_', 1)}`" not in readme}  # nokk_: prefix of nik_
    assert not undocumented


def test_holdout_names_respelled_between_periods(holdout):
    out, _, _, rows, persons = holdout
    true = persons.drop_duplicates("person_key").set_index("person_key")["name"].str.upper()
    typed: dict[str, dict[int, str]] = {}
    for rel in sorted(rows.loc[rows["source"] == "dtks", "source_file"].unique()):
        if "kirim_ulang" in rel:
            continue
        recs, col = _csv_cells(out, rel, {"NAMA"})
        k = rows[rows["source_file"] == rel]
        per = typed.setdefault(k["period"].iloc[0], {})
        for r in k.itertuples():
            per[r.person_key] = recs[r.source_row - 1][col].upper()
    p1, p2 = sorted(typed)
    both = set(typed[p1]) & set(typed[p2])
    changed = [pk for pk in both if typed[p1][pk] != typed[p2][pk] and true[pk] in (typed[p1][pk], typed[p2][pk])]
    assert len(changed) > 20, len(changed)
    # a period's spelling is the person's in every list of that period
    pv = rows[rows["defects"].str.contains("name_period_variant")]
    assert len(pv) > 100
    kinds = {"space": 0, "vowel_or_typo": 0, "initials": 0, "drop_last": 0}
    for pk in changed:
        a, b = typed[p1][pk], typed[p2][pk]
        v, t = (a, b) if b == true[pk] else (b, a)
        if v.replace(" ", "") == t.replace(" ", ""):
            kinds["space"] += 1  # Nur Hayati / Nurhayati
        elif re.search(r"(^| )[A-Z]\. ", v) and len(v.split()) == len(t.split()):
            kinds["initials"] += 1  # M. Yusuf
        elif t.startswith(v + " "):
            kinds["drop_last"] += 1
        elif len(v.split()) == len(t.split()) and abs(len(v) - len(t)) <= 1:
            kinds["vowel_or_typo"] += 1  # Sumirah / Sumireh, one letter in, out or replaced
    assert all(kinds.values()), kinds


def test_holdout_wrong_person_niks(holdout):
    out, _, _, rows, persons = holdout
    owner = persons.drop_duplicates("person_key").set_index("nik")["person_key"]
    # runs: consecutive rows of one file carrying the same copied NIK
    runs = 0
    for rel, k in rows[(rows["source"] == "dtks") & ~rows["source_file"].str.contains("kirim_ulang")].groupby("source_file"):
        recs, col = _csv_cells(out, rel, {"NIK"})
        k = k.sort_values("source_row")
        nb = k["defects"].str.contains("nik_neighbour").to_numpy()
        sr = k["source_row"].to_numpy()
        for i in range(1, len(k)):
            if nb[i] and nb[i - 1] and sr[i] == sr[i - 1] + 1 and "duplicate_row" not in k["defects"].iloc[i]:
                a, b = _digits(recs[sr[i] - 1][col]), _digits(recs[sr[i - 1] - 1][col])
                runs += a[:15] == b[:15] and len(a) >= 15
    assert runs >= 3, runs
    assert (rows["defects"].str.contains("nik_head_copied") & (rows["source"] == "pbi_jk")).any()
    # another real person's NIK, written without further damage: it is that person's
    other = rows[rows["defects"].str.contains("nik_typo_other_person")]
    assert len(other) >= 10
    checked = 0
    for r in other[(other["source"].isin(["dtks", "pbi_jk", "kur", "baznas"]))].itertuples():
        tags = set(r.defects.split(","))
        if any(t.startswith("nik_") and t != "nik_typo_other_person" for t in tags) or "kirim_ulang" in r.source_file:
            continue
        recs, col = _csv_cells(out, r.source_file, NIK_HEADERS)
        nik = _digits(recs[r.source_row - 1][col])
        assert nik in owner.index and owner[nik] != r.person_key, (r.source_file, r.source_row)
        checked += 1
    assert checked >= 3


def test_holdout_programs_blank_ids_spouses_addresses(holdout):
    _, _, _, rows, persons = holdout
    tags = rows.groupby("source")["defects"].apply(lambda s: ",".join(s))
    assert "birthdate_missing" in tags["pbi_jk"] and "birthdate_missing" in tags["kur"]
    blt = rows[rows["source"] == "blt_dd"]
    assert blt["defects"].str.contains("nik_missing").mean() > 0.25
    heads = set(persons.loc[persons["is_head"], "person_key"])
    bpnt = rows[(rows["source"] == "bpnt") & rows["household_key"].notna()]
    assert (~bpnt["person_key"].isin(heads)).mean() > 0.15  # the spouse named instead of the head
    assert "address_variant" in tags["dtks"] and "address_blank" in tags["bpnt"]


def test_expect_quarantine_follows_the_rule(holdout, gen):
    """design.md: quarantine = neither usable name nor valid NIK; or a place that cannot be resolved on
    a row whose person is found in no other usable row (any source, any period)."""
    for rows in (holdout[3], pd.read_parquet(gen[1] / "rows.parquet")):
        garbage = rows["defects"].str.contains("place_unresolvable")
        unusable = rows["defects"].str.contains("unusable")
        usable = ~rows["expect_quarantine"] & ~garbage
        found = rows["person_key"].isin(rows.loc[usable, "person_key"])
        expect = unusable & ~garbage | garbage & ~found
        assert (rows["expect_quarantine"] == expect).all()
        assert (rows["expect_quarantine"] == unusable).all()  # every quarantined row says why
    rows = holdout[3]
    garbage = rows["defects"].str.contains("place_unresolvable")
    real = garbage & rows["household_key"].notna()
    assert (real & ~rows["expect_quarantine"]).sum() >= 10  # real persons found elsewhere: linked, not quarantined
    assert (real & rows["expect_quarantine"]).any()  # found nowhere else: quarantined
    assert (garbage & rows["household_key"].isna() & rows["expect_quarantine"]).any()  # phantoms
    assert set(rows.loc[real, "source"]) >= {"dtks", "pkh", "bpnt", "pbi_jk"}


def test_holdout_key_addresses_rows(holdout):
    out, key = holdout[0], holdout[1]
    assert _check_key_addresses(out, key, similar=False) > 5000


def test_garbage_place_sheet(tmp_path):
    """BLT-DD takes the kecamatan from the sheet name: rows with garbage places go on a sheet named after
    no kecamatan, and the key addresses them there."""
    from dataclasses import replace

    from orchestration.synth.profile import load

    h = load("holdout")
    prof = replace(h, rate_factor=None, sources=dict(h.sources, blt_dd=replace(h.src("blt_dd"), place_garbage=1.0)))
    s = generate(1000, 3, 1, tmp_path / "raw", profile=prof)
    rows = pd.read_parquet(Path(s["key_dir"]) / "rows.parquet")
    lain = rows[rows["source_sheet"] == "LAIN-LAIN"]
    assert len(lain) > 5 and lain["defects"].str.contains("place_unresolvable").all()
    assert json.loads((Path(s["key_dir"]) / "summary.json").read_text())["profile"] == "holdout"
    assert _check_key_addresses(tmp_path / "raw", Path(s["key_dir"]), similar=False) > 1000


def test_holdout_garbage_places_do_not_resolve(holdout):
    out, _, _, rows, _ = holdout
    from orchestration.synth.places import load_area

    area = load_area("18.02")
    kec = {_norm(k) for k in area.kec_names}
    codes = {c.replace(".", "") for c in area.desa_codes}
    seen = 0
    for rel, k in rows[rows["defects"].str.contains("place_unresolvable") & rows["source"].isin(["dtks", "pbi_jk"])
                       ].groupby("source_file"):
        recs, col = _csv_cells(out, rel, {"KODEWILAYAH", "KDDESAKEMENDAGRI", "KECAMATAN"})
        for r in k.itertuples():
            v = recs[r.source_row - 1][col]
            assert _norm(v) not in kec and v.replace(".", "") not in codes, (rel, r.source_row, v)
            seen += 1
    assert seen >= 5


def test_generate_cli_profile(tmp_path, capsys):
    from orchestration.cli import main

    assert main(["generate", "--profile", "nope", "--out", str(tmp_path / "raw")]) == 2
    assert "known profiles are default, holdout" in capsys.readouterr().err
    assert main(["generate", "--profile", "holdout", "--households", "20", "--periods", "1", "--seed", "4",
                 "--out", str(tmp_path / "raw"), "--quiet"]) == 0
    assert "never tune" in capsys.readouterr().out
    assert json.loads((tmp_path / "raw_answer_key" / "summary.json").read_text())["profile"] == "holdout"
