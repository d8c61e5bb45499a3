"""`make bench`: generate (cached) data sets, run the full refresh on each, measure stages, peak memory,
the parse floor, a no-change refresh and a one-list-changed refresh; at the smallest size of
the run also the quarterly case (a new period of every list) and the history case
(8 periods, one list changed, against the same with 2 periods); write BENCHMARKS.md with the targets of
issue #13, met or not and why.

    python -m orchestration.bench                      # 25k, 100k, 400k households
    BENCH_SIZES=25000,100000 python -m orchestration.bench
"""
from __future__ import annotations

import dataclasses
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psutil

from .settings import PROJECT_ROOT, Settings, child_env, get_settings, warehouse_child_env
from .stages import STAGES, stage_of

BENCH_DIR = PROJECT_ROOT / "bench"
SIZES = [25_000, 100_000, 400_000]


def parse_floor(raw: Path) -> tuple[float, int]:
    """Read every extract once with the fastest readers here: DuckDB read_csv (all text), calamine."""
    from python_calamine import CalamineWorkbook

    rows = 0
    t0 = time.perf_counter()
    con = duckdb.connect()
    for path in sorted(raw.rglob("*")):
        if path.suffix.lower() == ".csv":
            try:
                rows += con.execute("select count(*) from read_csv(?, all_varchar=true, header=false, "
                                    "strict_mode=false, ignore_errors=true)", [str(path)]).fetchone()[0]
            except duckdb.Error:
                rows += sum(1 for _ in path.open("rb"))
        elif path.suffix.lower() == ".xlsx":
            wb = CalamineWorkbook.from_path(str(path))
            for name in wb.sheet_names:
                rows += len(wb.get_sheet_by_name(name).to_python())
    return time.perf_counter() - t0, rows


def _run(cmd: list[str], env: dict, samples: list | None = None) -> tuple[float, int, str]:
    """Wall time, peak RSS (bytes, the process tree, sampled), output; ``samples`` receives
    (epoch seconds, RSS bytes) every 0.2 s."""
    t0 = time.perf_counter()
    # ru_maxrss of RUSAGE_CHILDREN is the largest child so far, earlier runs included: only a rise is ours
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0
    out_chunks = []
    ps = psutil.Process(proc.pid)
    import threading

    def reader():
        for line in proc.stdout:
            out_chunks.append(line)

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    while proc.poll() is None:
        try:
            total = ps.memory_info().rss + sum(c.memory_info().rss for c in ps.children(recursive=True))
            peak = max(peak, total)
            if samples is not None:
                samples.append((time.time(), total))
        except psutil.Error:
            pass
        time.sleep(0.2)
    t.join(timeout=5)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if after > before:
        peak = max(peak, after * 1024)
    return time.perf_counter() - t0, peak, "".join(out_chunks)


def _step_stats(dagster_home: Path, run_id: str) -> list:
    import dagster as dg

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        return [s for s in instance.get_run_step_stats(run_id) if s.start_time and s.end_time]


def _stage_times(stats: list) -> dict:
    times = dict.fromkeys(STAGES, 0.0)
    for s in stats:
        times[stage_of(s.step_key)] += s.end_time - s.start_time
    return times


def _stage_peaks(stats: list, samples: list) -> dict:
    """Peak RSS (GB) of the process tree while each stage's steps ran: which stage needs the memory."""
    peaks = dict.fromkeys(STAGES, 0.0)
    for s in stats:
        inside = [rss for t, rss in samples if s.start_time <= t <= s.end_time]
        if inside:
            stage = stage_of(s.step_key)
            peaks[stage] = max(peaks[stage], max(inside) / 1e9)
    return peaks


def _split_marts(times: dict) -> dict:
    """dbt_marts builds marts and indicators in one invocation: split by dbt's own node timings."""
    # dagster-dbt gives every invocation its own target folder: take the newest run_results.json
    found = sorted((PROJECT_ROOT / "dbt_project" / "target").rglob("run_results.json"), key=lambda p: p.stat().st_mtime)
    if not found:
        return times
    rr = found[-1]
    results = json.loads(rr.read_text()).get("results", [])
    ind = sum(r.get("execution_time", 0) for r in results if ".indicators." in r.get("unique_id", "")
              or r.get("unique_id", "").startswith("model.sikkep.ind_"))
    total = sum(r.get("execution_time", 0) for r in results) or 1
    step = times["marts"]
    times["indicators"] = step * ind / total
    times["marts"] = step - times["indicators"]
    return times


def refresh(raw: Path, warehouse: Path, dagster_home: Path, settings: Settings) -> dict:
    env = warehouse_child_env(raw, warehouse, dagster_home, settings)
    samples: list = []
    load = [os.getloadavg()[0]]
    wall, peak, out = _run([str(Path(sys.executable).parent / "sikkep"), "refresh"], env, samples)
    load.append(os.getloadavg()[0])
    run_id = next((line.split("(run ")[1].split(")")[0] for line in out.splitlines() if "(run " in line), None)
    stats = _step_stats(dagster_home, run_id) if run_id else []
    return {"wall_s": wall, "peak_rss_gb": peak / 1e9, "published": "Published" in out,
            "stages": _split_marts(_stage_times(stats)) if stats else {},
            "stage_peak_rss_gb": _stage_peaks(stats, samples), "run_id": run_id, "tail": out[-800:],
            # the machine may be shared: the 1-minute load average when the refresh started and ended
            "load_avg": load}


def bench_size(n: int, settings: Settings) -> dict:
    base = BENCH_DIR / f"h{n}"
    raw = base / "raw"
    result: dict = {"households": n}
    if not (base / "generated.ok").exists():
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        env = child_env(dataclasses.replace(settings, ci=True))
        wall, peak, out = _run([str(Path(sys.executable).parent / "sikkep"), "generate", "--households", str(n),
                                "--periods", "2", "--seed", "7", "--out", str(raw)], env)
        (base / "generated.ok").write_text(json.dumps({"wall_s": wall, "peak_rss_gb": peak / 1e9}))
    result["generate"] = json.loads((base / "generated.ok").read_text())
    floor, rows = parse_floor(raw)
    result.update(parse_floor_s=floor, source_rows=rows)
    warehouse = base / "warehouse"
    dagster_home = base / "dagster"
    shutil.rmtree(warehouse, ignore_errors=True)
    shutil.rmtree(dagster_home, ignore_errors=True)
    dagster_home.mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "dagster.yaml", dagster_home / "dagster.yaml")
    result["full"] = refresh(raw, warehouse, dagster_home, settings)
    key_dir = base / "raw_answer_key"
    if result["full"]["published"] and (key_dir / "rows.parquet").exists():
        from .synth.scorecard import score

        card = score(warehouse / "published", key_dir, warehouse / "build" / "sikkep.duckdb")
        result["linkage_quality"] = {k: {m: v[m] for m in ("precision", "recall")} for k, v in card["linkage"].items() if v}
        result["indicators_vs_truth"] = {k: v["diff_pct"] for k, v in card["indicators"].items()
                                         if "." not in k or k.endswith("recipient_households")}
    result["no_change"] = refresh(raw, warehouse, dagster_home, settings)
    # one program list changes: the newest KUR delivery gains a corrected copy of its first data row
    kur = sorted((raw / "kur").glob("*/*.csv"))[-1]
    backup = kur.read_bytes()
    try:
        _change_one_list(raw)
        result["one_list_changed"] = refresh(raw, warehouse, dagster_home, settings)
    finally:
        kur.unlink()
        kur.write_bytes(backup)
    return result


def _change_one_list(drop: Path) -> None:
    """The newest KUR delivery gains a corrected copy of its first data row (a new file: the drop zones of
    the history case hold hard links to the generated files)."""
    kur = sorted((drop / "kur").glob("*/*.csv"))[-1]
    lines = kur.read_bytes().splitlines(keepends=True)
    kur.unlink()
    kur.write_bytes(b"".join(lines) + (lines[1] if len(lines) > 1 else b""))


def _periods(raw: Path) -> list[str]:
    return sorted({p.name for p in raw.glob("*/*") if p.is_dir()})


def _link_periods(raw: Path, drop: Path, periods: list[str]) -> None:
    """Put these periods' files of every list into ``drop`` (hard links: nothing copied)."""
    for src in sorted(raw.glob("*/*/*")):
        if src.is_file() and src.parent.name in periods:
            dst = drop / src.relative_to(raw)
            dst.parent.mkdir(parents=True, exist_ok=True)
            if not dst.exists():
                os.link(src, dst)


def _fresh(base: Path, name: str) -> tuple[Path, Path]:
    warehouse, dagster_home = base / f"warehouse_{name}", base / f"dagster_{name}"
    for d in (warehouse, dagster_home):
        shutil.rmtree(d, ignore_errors=True)
    dagster_home.mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "dagster.yaml", dagster_home / "dagster.yaml")
    return warehouse, dagster_home


def history_case(n: int, settings: Settings) -> dict:
    """One data set of 8 periods (generated once): the 2 oldest periods refreshed in full, one list
    changed, then the 3rd period of every list delivered (the quarterly case); all 8 periods refreshed in
    full, then the same list changed (the history case)."""
    base = BENCH_DIR / f"h{n}_history"
    raw = base / "raw"
    if not (base / "generated.ok").exists():
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        env = child_env(dataclasses.replace(settings, ci=True))
        wall, peak, _ = _run([str(Path(sys.executable).parent / "sikkep"), "generate", "--households", str(n),
                              "--periods", str(HISTORY_PERIODS), "--seed", "7", "--out", str(raw)], env)
        (base / "generated.ok").write_text(json.dumps({"wall_s": wall, "peak_rss_gb": peak / 1e9}))
    periods = _periods(raw)
    out: dict = {"households": n, "periods": periods}
    for name, held in (("p2", periods[:2]), ("p8", periods)):
        drop = base / f"drop_{name}"
        shutil.rmtree(drop, ignore_errors=True)
        _link_periods(raw, drop, held)
        warehouse, dagster_home = _fresh(base, name)
        out[f"full_{name}"] = refresh(drop, warehouse, dagster_home, settings)
        _change_one_list(drop)
        out[f"changed_{name}"] = refresh(drop, warehouse, dagster_home, settings)
        if name == "p2":
            _link_periods(raw, drop, periods[2:3])
            out["quarterly"] = refresh(drop, warehouse, dagster_home, settings)
        out[f"source_rows_{name}"] = parse_floor(drop)[1]
    return out


def _fmt_row(r: dict) -> str:
    f = r["full"]
    st = f["stages"]
    total = f["wall_s"]
    floor = r["parse_floor_s"]
    return (f"| {r['households']:,} | {r['source_rows']:,} | " + " | ".join(f"{st.get(s, 0):.1f}" for s in STAGES)
            + f" | **{total:.1f}** | {f['peak_rss_gb']:.2f} | {r['source_rows'] / total:,.0f} | {floor:.1f} | "
              f"{total / floor:.1f}× | {r['generate']['wall_s']:.0f} s / {r['generate']['peak_rss_gb']:.1f} GB |")


def _load_line(results: list[dict]) -> str:
    """How loaded the machine was (2 cores: a load above 2 means every stage waited for a core)."""
    runs = [r[k] for r in results for k in ("full", "no_change", "one_list_changed") if r.get(k)]
    runs += [v for r in results for v in (r.get("history") or {}).values() if isinstance(v, dict) and "wall_s" in v]
    loads = [x for run in runs for x in run.get("load_avg") or []]
    if not loads:
        return "Load average not recorded for these runs."
    return (f"1-minute load average at the start and end of the refreshes of this file: {min(loads):.1f} to "
            f"{max(loads):.1f} (mean {sum(loads) / len(loads):.1f}) on {os.cpu_count()} cores; above the core count "
            "the machine was shared and stages waited for a core: compare stages within one run.")


def _top(run: dict, stages: list[str] = STAGES, k: int = 2) -> str:
    st = run.get("stages") or {}
    top = sorted(((st.get(x, 0), x) for x in stages), reverse=True)[:k]
    return ", ".join(f"{x} {v:.0f} s" for v, x in top if v)


def targets_table(results: list[dict]) -> list[str]:
    """Issue #13's targets, at 400,000 households where that size ran (else the largest run, said so);
    the history and quarterly cases at the largest size that has them."""
    if not results:
        return []
    target = next((r for r in results if r["households"] == 400_000), max(results, key=lambda r: r["households"]))
    f, nc, ch = target["full"], target["no_change"], target["one_list_changed"]
    st, floor, wall = f.get("stages") or {}, target["parse_floor_s"], f["wall_s"]
    peak = max(f["peak_rss_gb"], ch["peak_rss_gb"])
    sg = st.get("staging", 0) + st.get("gates", 0)
    mip = st.get("marts", 0) + st.get("indicators", 0) + st.get("publish", 0)
    rows = [
        ("full refresh ≤ 180 s", f"{wall:.0f} s", wall <= 180, f"largest: {_top(f)}"),
        ("peak RSS ≤ 6 GB", f"{peak:.1f} GB (full or changed-list run)", peak <= 6,
         "stage peaks: " + ", ".join(f"{k} {v:.1f}" for k, v in sorted((f.get("stage_peak_rss_gb") or {}).items(),
                                                                      key=lambda kv: -kv[1])[:2])),
        ("ingest ≤ 1.3 × parse floor", f"{st.get('ingest', 0):.1f} s = {st.get('ingest', 0) / floor:.1f} × ({floor:.1f} s)",
         st.get("ingest", 0) <= 1.3 * floor, "Python parsing and repair per row beyond DuckDB's and calamine's reading"),
        ("staging + gates ≤ 35 s", f"{sg:.1f} s", sg <= 35, f"staging {st.get('staging', 0):.0f} s, gates {st.get('gates', 0):.0f} s "
         "(a full refresh stages every file)"),
        ("marts + indicators + publish ≤ 20 s", f"{mip:.1f} s", mip <= 20, _top(f, ["marts", "indicators", "publish"], 3)),
        ("process start-up and definitions ≤ 5 s", f"{nc['wall_s']:.1f} s (a refresh with nothing to do)", nc["wall_s"] <= 5,
         "imports, definitions, the drop zone's fingerprint"),
        ("one program list changed ≤ 15 % of full", f"{ch['wall_s'] / wall:.0%} ({ch['wall_s']:.0f} s)",
         ch["wall_s"] <= 0.15 * wall, f"largest: {_top(ch)} (linkage, households, marts rebuilt in full)"),
    ]
    hist = max((r for r in results if r.get("history")), key=lambda r: r["households"], default=None)
    if hist:
        h = hist["history"]
        hn = f" (at {h.get('households', hist['households']):,} households)"
        if h.get("quarterly") and h.get("full_p2"):
            q, full2 = h["quarterly"]["wall_s"], h["full_p2"]["wall_s"]
            rows.append(("a new period of every list ≤ full" + hn, f"{q:.0f} s vs full {full2:.0f} s ({q / full2:.0%})",
                         q <= full2, f"largest: {_top(h['quarterly'])}"))
        if h.get("changed_p8") and h.get("changed_p2"):
            c8, c2 = h["changed_p8"]["wall_s"], h["changed_p2"]["wall_s"]
            rows.append((f"{HISTORY_PERIODS} periods, one list changed ≤ 1.2 × the same with 2 periods" + hn,
                         f"{c8:.0f} s vs {c2:.0f} s ({c8 / c2:.2f} ×)", c8 <= 1.2 * c2,
                         f"largest at {HISTORY_PERIODS} periods: {_top(h['changed_p8'])}"))
    size = "" if target["households"] == 400_000 else f" (400,000 not run: measured at {target['households']:,})"
    return (["", f"## Targets of issue #13 at 400,000 households{size}", "", "| target | measured | met | why |",
             "|---|---|---|---|"]
            + [f"| {name} | {value} | {'yes' if ok else '**no**'} | {'' if ok else why} |" for name, value, ok, why in rows])


def write_markdown(results: list[dict], path: Path) -> None:
    cpu = platform.processor() or platform.machine()
    mem = psutil.virtual_memory().total / 2**30
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `make bench` on {platform.node()}: {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}. Two periods per data set; times in seconds.",
        "",
        _load_line(results),
        "",
        "## Full refresh",
        "",
        "| households | source rows | " + " | ".join(STAGES) + " | total | peak RSS GB | rows/s | parse floor | refresh / floor | generate (wall / RSS) |",
        "|" + "---|" * (len(STAGES) + 8),
    ]
    lines += [_fmt_row(r) for r in results]
    with_peaks = [r for r in results if r["full"].get("stage_peak_rss_gb")]
    if with_peaks:
        peak_stages = [st for st in STAGES if st != "indicators"]  # indicators run inside the marts dbt step
        lines += ["", "Peak RSS (GB) of the process tree while each stage ran (full refresh):", "",
                  "| households | " + " | ".join(peak_stages) + " |", "|---|" + "---|" * len(peak_stages)]
        for r in with_peaks:
            pk = r["full"]["stage_peak_rss_gb"]
            lines.append(f"| {r['households']:,} | " + " | ".join(f"{pk.get(st, 0):.1f}" for st in peak_stages) + " |")
    lines += ["", "Stage times are Dagster step durations (indicators split from the marts dbt step by dbt's node timings); "
              "the total also holds process start-up and definition loading. Parse floor: every extract read once "
              "with DuckDB `read_csv` (all text) and python-calamine.", "",
              "## Incremental refreshes", "",
              "| households | full | no change (same files) | one program list changed | changed / full |",
              "|---|---|---|---|---|"]
    for r in results:
        full, nc, ch = r["full"]["wall_s"], r["no_change"]["wall_s"], r["one_list_changed"]["wall_s"]
        lines.append(f"| {r['households']:,} | {full:.1f} | {nc:.1f} | {ch:.1f} | {ch / full:.0%} |")
    history = [r for r in results if r.get("history")]
    if history:
        lines += ["", f"## Work that follows change: the quarterly case and {HISTORY_PERIODS} periods of history", "",
                  f"One data set of {HISTORY_PERIODS} periods per size (`sikkep generate --periods {HISTORY_PERIODS} --seed 7`): "
                  "a warehouse of its 2 oldest periods (full refresh, then the newest KUR file gains a row, then the 3rd "
                  f"period of every list arrives: the quarterly case), and a warehouse of all {HISTORY_PERIODS} periods "
                  "(full refresh, then the same KUR change). Step durations per stage, same run:", "",
                  "| households | case | source rows | " + " | ".join(STAGES) + " | total |",
                  "|---|---|---|" + "---|" * (len(STAGES) + 1)]
        for r in history:
            h = r["history"]
            size = h.get("households", r["households"])
            for key, label, rows in [("full_p2", "2 periods, full", "source_rows_p2"),
                                     ("changed_p2", "2 periods, one list changed", "source_rows_p2"),
                                     ("quarterly", "a new period of every list (2 -> 3)", None),
                                     ("full_p8", f"{HISTORY_PERIODS} periods, full", "source_rows_p8"),
                                     ("changed_p8", f"{HISTORY_PERIODS} periods, one list changed", "source_rows_p8")]:
                run = h.get(key)
                if not run:
                    continue
                st = run.get("stages") or {}
                n_rows = f"{h[rows]:,}" if rows and rows in h else ""
                lines.append(f"| {size:,} | {label} | {n_rows} | " + " | ".join(f"{st.get(x, 0):.1f}" for x in STAGES)
                             + f" | **{run['wall_s']:.1f}** |")
    lines += targets_table(results)
    scored = [r for r in results if r.get("linkage_quality")]
    if scored:
        lines += ["", "## Linkage quality against the answer key (pairwise, current publication)", "",
                  "| households | persons P | persons R | households P | households R | exact-NIK join P | exact-NIK join R |",
                  "|---|---|---|---|---|---|---|"]
        for r in scored:
            q = r["linkage_quality"]
            cell = lambda k, m: f"{q[k][m]:.4f}" if k in q else "n/a"  # noqa: E731
            lines.append(f"| {r['households']:,} | {cell('persons', 'precision')} | {cell('persons', 'recall')} | "
                         f"{cell('households', 'precision')} | {cell('households', 'recall')} | "
                         f"{cell('persons_exact_nik', 'precision')} | {cell('persons_exact_nik', 'recall')} |")
    notes = PROJECT_ROOT / "docs" / "benchmark-notes.md"  # the written analysis, kept across runs
    if notes.exists():
        lines += ["", notes.read_text().strip()]
    path.write_text("\n".join(lines) + "\n")


def main() -> int:
    settings = get_settings()
    sizes = list(SIZES if settings.bench_sizes is None else settings.bench_sizes)
    # rows of sizes not run this time are kept from the last results (a 400k run alone keeps the 25k row)
    previous = BENCH_DIR / "results.json"
    results = json.loads(previous.read_text()) if previous.exists() else []
    for n in sizes:
        print(f"bench: {n} households", flush=True)
        r = bench_size(n, settings)
        results = sorted([x for x in results if x["households"] != n] + [r], key=lambda x: x["households"])
        (BENCH_DIR / "results.json").write_text(json.dumps(results, indent=1, default=str))
        write_markdown(results, PROJECT_ROOT / "BENCHMARKS.md")
        print(f"bench: {n} households full refresh {r['full']['wall_s']:.1f} s, published={r['full']['published']}",
              flush=True)
    if sizes:  # after every size's refreshes: the longest case last
        n = min(sizes)
        print(f"bench: {n} households, quarterly and {HISTORY_PERIODS}-period history cases", flush=True)
        h = history_case(n, settings)
        for r in results:
            if r["households"] == n:
                r["history"] = h
        (BENCH_DIR / "results.json").write_text(json.dumps(results, indent=1, default=str))
        write_markdown(results, PROJECT_ROOT / "BENCHMARKS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
