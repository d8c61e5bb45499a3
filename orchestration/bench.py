"""`make bench`: generate (cached) data sets, run the full refresh on each, measure stages, peak memory,
the parse floor, a no-change refresh and a one-list-changed refresh; write BENCHMARKS.md.

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

BENCH_DIR = PROJECT_ROOT / "bench"
SIZES = [25_000, 100_000, 400_000]
STAGES = ["ingest", "staging", "gates", "linkage", "marts", "indicators", "publish"]


def _stage_of(step_key: str) -> str:
    if step_key.startswith("raw__"):
        return "ingest"
    if step_key == "dbt_staging":
        return "staging"
    if step_key == "linkage":
        return "linkage"
    if step_key == "dbt_marts":
        return "marts"
    if step_key.startswith("published__"):
        return "publish"
    return "gates"


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
        times[_stage_of(s.step_key)] += s.end_time - s.start_time
    return times


def _stage_peaks(stats: list, samples: list) -> dict:
    """Peak RSS (GB) of the process tree while each stage's steps ran: which stage needs the memory."""
    peaks = dict.fromkeys(STAGES, 0.0)
    for s in stats:
        inside = [rss for t, rss in samples if s.start_time <= t <= s.end_time]
        if inside:
            stage = _stage_of(s.step_key)
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
    wall, peak, out = _run([str(Path(sys.executable).parent / "sikkep"), "refresh"], env, samples)
    run_id = next((line.split("(run ")[1].split(")")[0] for line in out.splitlines() if "(run " in line), None)
    stats = _step_stats(dagster_home, run_id) if run_id else []
    return {"wall_s": wall, "peak_rss_gb": peak / 1e9, "published": "Published" in out,
            "stages": _split_marts(_stage_times(stats)) if stats else {},
            "stage_peak_rss_gb": _stage_peaks(stats, samples), "run_id": run_id, "tail": out[-800:]}


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
        lines = backup.splitlines(keepends=True)
        kur.write_bytes(b"".join(lines) + (lines[1] if len(lines) > 1 else b""))
        result["one_list_changed"] = refresh(raw, warehouse, dagster_home, settings)
    finally:
        kur.write_bytes(backup)
    return result


def _fmt_row(r: dict) -> str:
    f = r["full"]
    st = f["stages"]
    total = f["wall_s"]
    floor = r["parse_floor_s"]
    return (f"| {r['households']:,} | {r['source_rows']:,} | " + " | ".join(f"{st.get(s, 0):.1f}" for s in STAGES)
            + f" | **{total:.1f}** | {f['peak_rss_gb']:.2f} | {r['source_rows'] / total:,.0f} | {floor:.1f} | "
              f"{total / floor:.1f}× | {r['generate']['wall_s']:.0f} s / {r['generate']['peak_rss_gb']:.1f} GB |")


def write_markdown(results: list[dict], path: Path) -> None:
    cpu = platform.processor() or platform.machine()
    mem = psutil.virtual_memory().total / 2**30
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `make bench` on {platform.node()}: {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}. Two periods per data set; times in seconds.",
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
    target = next((r for r in results if r["households"] == 400_000), None)
    if target:
        lines += ["", "## Targets at 400,000 households (issue #7)", "", "| target | measured | met |", "|---|---|---|"]
        f, nc, ch = target["full"], target["no_change"], target["one_list_changed"]
        floor = target["parse_floor_s"]
        checks = [
            ("full refresh ≤ 300 s", f"{f['wall_s']:.0f} s", f["wall_s"] <= 300),
            ("full refresh ≤ 3 × parse floor", f"{f['wall_s'] / floor:.1f} × ({floor:.1f} s)", f["wall_s"] <= 3 * floor),
            ("peak RSS ≤ 8 GB", f"{max(f['peak_rss_gb'], ch['peak_rss_gb']):.1f} GB (full or changed-list run)",
             max(f["peak_rss_gb"], ch["peak_rss_gb"]) <= 8),
            ("no-change refresh ≤ 30 s", f"{nc['wall_s']:.1f} s", nc["wall_s"] <= 30),
            ("one changed program list ≤ 20 % of a full refresh", f"{ch['wall_s'] / f['wall_s']:.0%}",
             ch["wall_s"] <= 0.2 * f["wall_s"]),
        ]
        lines += [f"| {name} | {value} | {'yes' if ok else '**no**'} |" for name, value, ok in checks]
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
