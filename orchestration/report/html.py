"""The report as one self-contained HTML page in Indonesian: inline CSS, charts as inline SVG, no script,
no link to anything outside the file (it opens offline and prints to PDF as it shows)."""
from __future__ import annotations

import html
import json

from . import charts

CSS = """
@page { size: A4; margin: 14mm 12mm; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1d2733; margin: 0 auto;
       max-width: 60rem; padding: 1.5rem; font-size: 10.5pt; line-height: 1.45; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; color: #123d66; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; color: #123d66; border-bottom: 2px solid #d5dde6;
     padding-bottom: .2rem; break-after: avoid; }
p.sub { color: #52606d; margin: 0 0 1rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: 9pt; }
th, td { border-bottom: 1px solid #e1e6eb; padding: .25rem .4rem; text-align: left; vertical-align: top; }
th { background: #eef3f8; }
td { overflow-wrap: anywhere; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr { break-inside: avoid; }
.ok { color: #1e7a46; font-weight: bold; }
.bad { color: #b03a2e; font-weight: bold; }
.cards { display: flex; flex-wrap: wrap; gap: .6rem; margin: 1rem 0; }
.card { border: 1px solid #d5dde6; border-radius: 6px; padding: .5rem .8rem; min-width: 9rem; }
.card b { display: block; font-size: 1.3rem; color: #123d66; }
.chart svg { width: 100%; height: auto; }
.note { color: #52606d; font-size: 9pt; }
section { break-inside: auto; }
"""

SECTIONS = [
    ("ringkasan", "Ringkasan publikasi"),
    ("berkas", "Berkas yang diterima dan ditolak"),
    ("gerbang", "Gerbang mutu: nilai teramati dan toleransi"),
    ("mutu", "Mutu data per sumber"),
    ("kemiskinan", "Kemiskinan per kecamatan"),
    ("program", "Cakupan dan galat sasaran per program"),
    ("prioritas", "Kesenjangan prioritas per kecamatan"),
    ("graduasi", "Graduasi dari kemiskinan ekstrem"),
    ("perubahan", "Perubahan sejak publikasi sebelumnya"),
]


def angka(value) -> str:
    """A count the Indonesian way (1.234); '-' for none."""
    if value is None:
        return "-"
    return f"{int(value):,}".replace(",", ".")


def persen(value, digits: int = 2) -> str:
    """A percentage the Indonesian way (12,34 %); '-' for none (zero denominator)."""
    if value is None:
        return "-"
    return f"{float(value):,.{digits}f}".replace(",", "_").replace(".", ",").replace("_", ".") + " %"


def selisih(now, before) -> str:
    if now is None or before is None:
        return "-"
    d = int(now) - int(before)
    return ("+" if d > 0 else "") + angka(d)


def waktu(value) -> str:
    """A timestamp to the second (the publication stores microseconds)."""
    return str(value or "-")[:19]


def selisih_poin(now, before) -> str:
    """The change of a percentage, in percentage points."""
    if now is None or before is None:
        return "-"
    d = float(now) - float(before)
    return ("+" if d > 0 else "") + persen(d).replace(" %", " poin")


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def _table(headers: list[tuple[str, bool]], rows: list[list], empty: str) -> str:
    if not rows:
        return f'<p class="note">{_e(empty)}</p>'
    head = "".join(f'<th{" class=n" if num else ""}>{_e(h)}</th>' for h, num in headers)
    body = "".join("<tr>" + "".join(
        f'<td{" class=n" if num else ""}>{cell}</td>' for cell, (_, num) in zip(row, headers)) + "</tr>"
        for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def program_label(code: str) -> str:
    return _e(str(code).upper().replace("_", "-"))


def _status(status: str) -> str:
    good = status in ("passed", "used", "published")
    word = {"passed": "lolos", "failed": "gagal", "error": "ditolak utuh", "loaded": "sebagian baris ditolak"}
    return f'<span class="{"ok" if good else "bad"}">{_e(word.get(status, status))}</span>'


def observed_text(observed) -> str:
    if isinstance(observed, dict) and "unexpected_count" in observed:
        return (f"{angka(observed['unexpected_count'])} dari {angka(observed.get('element_count'))} baris "
                f"menyimpang ({persen(100 * float(observed.get('unexpected_share') or 0), 3)})")
    return _e(json.dumps(observed, ensure_ascii=False) if isinstance(observed, (dict, list)) else observed)


def tolerance_text(tolerance) -> str:
    if tolerance == "exact" or tolerance is None:
        return "tidak boleh ada yang menyimpang"
    if isinstance(tolerance, dict):
        parts = []
        if "max_unexpected_share" in tolerance:
            parts.append(f"menyimpang paling banyak {persen(100 * float(tolerance['max_unexpected_share']), 3)}")
        low, high = tolerance.get("min_value"), tolerance.get("max_value")
        if low is not None and high is not None:
            parts.append(f"nilai antara {_e(low)} dan {_e(high)}")
        elif low is not None:
            parts.append(f"nilai paling sedikit {_e(low)}")
        elif high is not None:
            parts.append(f"nilai paling banyak {_e(high)}")
        if "value_set" in tolerance:
            parts.append("nilai salah satu dari: " + _e(", ".join(map(str, tolerance["value_set"]))))
        return "; ".join(parts) or _e(json.dumps(tolerance))
    return _e(tolerance)


# --------------------------------------------------------------------------------------------- sections

def _summary(d: dict) -> str:
    pub, kab = d["publication"], d["kabupaten"]
    gates = pub["gates"]
    passed = sum(1 for g in gates if g["status"] == "passed")
    cards = [
        ("Periode data", _e(pub.get("period") or "-")),
        ("Keluarga", angka(kab.get("households"))),
        ("Keluarga desil 1", angka(kab.get("households_desil_1"))),
        ("Kemiskinan ekstrem", persen(kab.get("extreme_poverty_pct"))),
        ("Berkas dipakai", angka(len(pub["files"]))),
        ("Berkas ditolak", angka(len(pub["rejected"]))),
        ("Gerbang lolos", f"{angka(passed)} dari {angka(len(gates))}"),
    ]
    card_html = "".join(f'<div class="card">{label}<b>{value}</b></div>' for label, value in cards)
    return (f'<div class="cards">{card_html}</div>'
            f'<p>Publikasi <code>{_e(pub["run_id"])}</code>, diterbitkan {_e(waktu(pub["published_at"]))} UTC '
            f'(proses mulai {_e(waktu(pub["started_at"]))} UTC). Wilayah: {_e(kab.get("nama_wilayah") or "-")} '
            f'({_e(kab.get("kode_wilayah") or "-")}). Desil 1 adalah proksi kemiskinan ekstrem; kemiskinan '
            'ekstrem = anggota keluarga desil 1 dibagi penduduk Dukcapil x 100.</p>')


def _files(d: dict) -> str:
    pub = d["publication"]
    used = _table([("Sumber", False), ("Periode", False), ("Berkas", False)],
                  [[_e(f["source"]), _e(f["period"]), f"<code>{_e(f['path'])}</code>"] for f in pub["files"]],
                  "Tidak ada berkas yang dipakai.")
    rejected = _table([("Berkas", False), ("Status", False), ("Baris ditolak", True), ("Alasan (pesan penerimaan berkas)", False)],
                      [[f"<code>{_e(f['path'])}</code>", _status(f["status"]), angka(f["rows"]), _e(f["reason"])]
                       for f in pub["rejected"]],
                      "Tidak ada berkas atau baris yang ditolak pada penerimaan terakhir.")
    return (f"<h3>Diterima dan dipakai ({angka(len(pub['files']))} berkas)</h3>{used}"
            f"<h3>Ditolak ({angka(len(pub['rejected']))} berkas)</h3>{rejected}"
            '<p class="note">Nama berkas ditampilkan menurut aturan privasi: bagian yang bisa memuat nama '
            'orang atau NIK disamarkan.</p>')


def _gates(d: dict) -> str:
    gates = d["publication"]["gates"]
    rows = []
    for g in gates:
        for c in g["checks"]:
            rows.append([_e(g["name"].split(":")[-1]), _e(f"{c.get('expectation', '')}({c.get('column') or ''})"),
                         observed_text(c.get("observed")), tolerance_text(c.get("tolerance")),
                         _status(c.get("status") or ("passed" if c.get("success") else "failed"))])
    checks = _table([("Gerbang", False), ("Pemeriksaan", False), ("Nilai teramati", False),
                     ("Toleransi", False), ("Hasil", False)], rows,
                    "Publikasi ini tidak mencatat rincian pemeriksaan gerbang.")
    by_asset: dict[str, list[dict]] = {}
    for g in gates:
        if not g["checks"]:
            by_asset.setdefault(g["name"].split(":")[0], []).append(g)
    others = _table([("Tabel", False), ("Uji", True), ("Lolos", True), ("Yang tidak lolos", False)],
                    [[_e(asset), angka(len(items)), angka(sum(1 for g in items if g["status"] == "passed")),
                      "; ".join(_e(g["name"].split(":", 1)[-1]) + (f" ({_e(g['detail'])})" if g["detail"] else "")
                                for g in items if g["status"] != "passed") or "-"]
                     for asset, items in sorted(by_asset.items())],
                    "Tidak ada gerbang lain.")
    passed = sum(1 for g in gates if g["status"] == "passed")
    return (f"<p>{angka(passed)} dari {angka(len(gates))} gerbang lolos. Toleransi berasal dari suite Great "
            "Expectations (expectations/*.json).</p>"
            f"<h3>Suite Great Expectations</h3>{checks}<h3>Uji dbt dan pemeriksaan penghitungan baris</h3>{others}")


def _quality(d: dict) -> str:
    q = d["quality"]
    rows = [[_e(r["source"]), _e(r["period"]), angka(r["rows_received"]), angka(r["rows_loaded"]),
             angka(r["rows_quarantined"]), persen(r["nik_valid_pct"]), persen(r["linked_pct"])] for r in q]
    table = _table([("Sumber", False), ("Periode", False), ("Baris diterima", True), ("Dimuat", True),
                    ("Dikarantina", True), ("NIK valid", True), ("Tertaut", True)], rows, "Tidak ada data mutu.")
    chart = ""
    if q:
        labels = [f"{r['source']} {r['period']}" for r in q]
        chart = charts.stacked_bars(labels, [("Dimuat", [r["rows_loaded"] for r in q], charts.BLUE),
                                             ("Dikarantina", [r["rows_quarantined"] for r in q], charts.RED)],
                                    "Baris per sumber dan periode", "baris")
    return f'<div class="chart">{chart}</div>{table}'


def _poverty(d: dict) -> str:
    p = d["poverty"]
    rows = [[_e(r["kode_wilayah"]), _e(r["nama_wilayah"]), angka(r["penduduk"]), angka(r["households"]),
             angka(r["households_desil_1"]), angka(r["households_desil_1_4"]), angka(r["persons_desil_1"]),
             persen(r["extreme_poverty_pct"])] for r in p]
    table = _table([("Kode", False), ("Kecamatan", False), ("Penduduk", True), ("Keluarga", True),
                    ("Keluarga desil 1", True), ("Keluarga desil 1-4", True), ("Jiwa desil 1", True),
                    ("Kemiskinan ekstrem", True)], rows, "Tidak ada kecamatan.")
    chart = charts.horizontal_bars([r["nama_wilayah"] or r["kode_wilayah"] for r in p],
                                   [("Kemiskinan ekstrem (%)", [r["extreme_poverty_pct"] for r in p], charts.RED)],
                                   "Kemiskinan ekstrem per kecamatan (%)", "persen penduduk") if p else ""
    return f'<div class="chart">{chart}</div>{table}'


def _coverage(d: dict) -> str:
    c = d["coverage"]
    rows = [[program_label(r["program"]), angka(r["recipient_households"]), angka(r["recipient_households_desil_1"]),
             angka(r["recipient_households_unregistered"]), persen(r["coverage_desil_1_pct"]),
             persen(r["exclusion_error_desil_1_pct"]), persen(r["inclusion_error_desil_1_4_pct"])] for r in c]
    table = _table([("Program", False), ("Keluarga penerima", True), ("Penerima desil 1", True),
                    ("Penerima tidak terdaftar", True), ("Cakupan desil 1", True),
                    ("Galat eksklusi desil 1", True), ("Galat inklusi desil 1-4", True)], rows,
                   "Tidak ada data program.")
    chart = charts.horizontal_bars(
        [str(r["program"]).upper() for r in c],
        [("Cakupan desil 1", [r["coverage_desil_1_pct"] for r in c], charts.GREEN),
         ("Galat eksklusi desil 1", [r["exclusion_error_desil_1_pct"] for r in c], charts.ORANGE),
         ("Galat inklusi desil 1-4", [r["inclusion_error_desil_1_4_pct"] for r in c], charts.RED)],
        "Cakupan dan galat per program, tingkat kabupaten (%)", "persen") if c else ""
    own = ""
    if c and "coverage_eligible_pct" in c[0]:
        own = "<h3>Menurut kriteria kelayakan program itu sendiri</h3>" + _table(
            [("Program", False), ("Kriteria", False), ("Keluarga layak", True), ("Penerima layak", True),
             ("Cakupan", True), ("Galat eksklusi", True), ("Galat inklusi", True)],
            [[program_label(r["program"]), _e(r["eligibility_rule"] or "-"), angka(r["households_eligible"]),
              angka(r["recipient_households_eligible"]), persen(r["coverage_eligible_pct"]),
              persen(r["exclusion_error_eligible_pct"]), persen(r["inclusion_error_eligible_pct"])] for r in c],
            "")
    return (f'<div class="chart">{chart}</div><h3>Sasaran desil 1 (kemiskinan ekstrem)</h3>{table}{own}'
            '<p class="note">Cakupan = keluarga sasaran yang menerima / keluarga sasaran. Galat eksklusi = 100 - '
            'cakupan. Galat inklusi = penerima yang tidak layak (desil 1-4, atau kriteria program itu) atau tidak '
            'terdaftar di registri / seluruh penerima.</p>')


def _gap(d: dict) -> str:
    g = d["gap"]
    rows = [[_e(r["kode_wilayah"]), _e(r["nama_wilayah"]), angka(r["households_desil_1"]),
             angka(r["households_desil_1_no_program"]), angka(r["households_sikkep_priority"])] for r in g]
    table = _table([("Kode", False), ("Kecamatan", False), ("Keluarga desil 1", True),
                    ("Desil 1 tanpa bantuan", True), ("Prioritas SIKKEP", True)], rows, "Tidak ada kecamatan.")
    chart = charts.horizontal_bars(
        [r["nama_wilayah"] or r["kode_wilayah"] for r in g],
        [("Desil 1 tanpa bantuan", [r["households_desil_1_no_program"] for r in g], charts.ORANGE),
         ("Prioritas SIKKEP", [r["households_sikkep_priority"] for r in g], charts.RED)],
        "Keluarga yang belum dijangkau per kecamatan", "keluarga") if g else ""
    return (f'<div class="chart">{chart}</div>{table}<p class="note">Prioritas SIKKEP: keluarga di P3KE yang '
            'cocok dengan DTKS dan tidak menerima bantuan sosial apa pun (KUR bukan bantuan sosial).</p>')


def _graduation(d: dict) -> str:
    g = d["graduation"]
    rows = [[_e(r["period_from"]), _e(r["period_to"]), angka(r["households_desil_1_from"]), angka(r["graduated"]),
             angka(r["remained"]), angka(r["exited_other"]), angka(r["entered"])] for r in g]
    return (_table([("Dari periode", False), ("Ke periode", False), ("Desil 1 di awal", True), ("Graduasi", True),
                    ("Tetap desil 1", True), ("Keluar lain", True), ("Masuk desil 1", True)], rows,
                   "Belum ada dua periode registri untuk dibandingkan.")
            + '<p class="note">Graduasi = keluarga desil 1 yang pada periode berikutnya tercatat di desil lebih '
              'tinggi. Keluar karena meninggal, pindah atau data tidak valid bukan graduasi (kolom "Keluar lain").</p>')


def _change(d: dict) -> str:
    ch, period = d["change"], d["publication"].get("period")
    if not ch["previous"]:
        return (f'<p>Belum ada publikasi periode sebelum {_e(period or "-")} dalam riwayat (ind_*_history): '
                'perubahan akan tampil mulai publikasi periode berikutnya.</p>')
    by_period = {r["period"]: r for r in ch["kabupaten"]}
    now, before = by_period.get(period, {}), by_period.get(ch["previous"], {})
    items = [("Keluarga", "households"), ("Keluarga desil 1", "households_desil_1"),
             ("Jiwa desil 1", "persons_desil_1"), ("Desil 1 tanpa bantuan", "households_desil_1_no_program"),
             ("Prioritas SIKKEP", "households_sikkep_priority")]
    rows = [[label, angka(before.get(k)), angka(now.get(k)), selisih(now.get(k), before.get(k))] for label, k in items]
    rows.append(["Kemiskinan ekstrem", persen(before.get("extreme_poverty_pct")), persen(now.get("extreme_poverty_pct")),
                 selisih_poin(now.get("extreme_poverty_pct"), before.get("extreme_poverty_pct"))])
    table = _table([("Kabupaten", False), (f"Periode {ch['previous']}", True), (f"Periode {period}", True),
                    ("Perubahan", True)], rows, "")
    kec = _table([("Kode", False), ("Kecamatan", False), (f"Desil 1 {ch['previous']}", True),
                  (f"Desil 1 {period}", True), ("Perubahan", True)],
                 [[_e(r["kode_wilayah"]), _e(r["nama_wilayah"]), angka(r["before_desil_1"]), angka(r["now_desil_1"]),
                   selisih(r["now_desil_1"], r["before_desil_1"])] for r in ch["kecamatan"]], "")
    trend_rows = ch["kabupaten"]
    chart = charts.trend([r["period"] for r in trend_rows],
                         [("Keluarga desil 1", [r["households_desil_1"] for r in trend_rows], charts.RED),
                          ("Prioritas SIKKEP", [r["households_sikkep_priority"] for r in trend_rows], charts.BLUE)],
                         "Tren per periode publikasi (kabupaten)", "keluarga")
    return (f'<p>Dibandingkan dengan publikasi periode {_e(ch["previous"])} (riwayat ind_*_history).</p>'
            f'<div class="chart">{chart}</div>{table}<h3>Per kecamatan</h3>{kec}')


RENDER = {"ringkasan": _summary, "berkas": _files, "gerbang": _gates, "mutu": _quality, "kemiskinan": _poverty,
          "program": _coverage, "prioritas": _gap, "graduasi": _graduation, "perubahan": _change}


def render(data: dict) -> str:
    pub, kab = data["publication"], data["kabupaten"]
    area = kab.get("nama_wilayah") or kab.get("kode_wilayah") or ""
    toc = "".join(f'<li><a href="#{key}">{_e(title)}</a></li>' for key, title in SECTIONS)
    body = "".join(f'<section id="{key}"><h2>{_e(title)}</h2>{RENDER[key](data)}</section>' for key, title in SECTIONS)
    return ("<!DOCTYPE html>\n<html lang=\"id\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"sikkep-run\" content=\"{_e(pub['run_id'])}\">"
            f"<title>Laporan publikasi SIKKEP {_e(area)} periode {_e(pub.get('period') or '-')}</title>"
            f"<style>{CSS}</style></head><body>"
            f"<h1>Laporan Publikasi SIKKEP Satu Data</h1><p class=\"sub\">{_e(area)} &middot; periode data "
            f"{_e(pub.get('period') or '-')} &middot; diterbitkan {_e(waktu(pub['published_at']))} UTC</p>"
            f"<nav><ol>{toc}</ol></nav>{body}"
            "<p class=\"note\">Dibuat otomatis dari publikasi publik (public.duckdb: data agregat saja, tanpa "
            "nama, NIK, No KK, tanggal lahir atau alamat).</p></body></html>\n")
