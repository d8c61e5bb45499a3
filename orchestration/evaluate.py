"""`sikkep evaluate`: the whole loop, as the project is judged, for several generator profiles.

    sikkep evaluate --profiles default,holdout --households 20000 --periods 2 \\
                    --seed-default 2 --seed-holdout 11 --out /work/eval

For each profile, in its own folder `<out>/<profile><N>k/`:
1. generate the extracts into `raw/` and the answer key into `raw_answer_key/` (reused when the folder
   already holds a data set of the same profile, seed, households and periods);
2. run `sikkep refresh --force` as a subprocess with SIKKEP_RAW_DIR / SIKKEP_WAREHOUSE_DIR set and
   DAGSTER_HOME inside that warehouse, its output in `refresh.log`; the warehouse starts empty, as it
   would for extracts never seen before (`--keep` keeps the one of an earlier evaluation: a warm run);
3. score the publication against the answer key (orchestration/synth/scorecard.py), written beside it
   as `score.md` / `score.json`.
Then `<out>/scores.md` (one table: a row per measure, a column per profile, the targets beside them) and
`<out>/scores.json`.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from .settings import PROJECT_ROOT, Settings, warehouse_child_env

DEFAULT_SEEDS = {"default": 2, "holdout": 11}
FALLBACK_SEED = 7


def size_label(households: int) -> str:
    return f"{households / 1000:g}k"


def profile_dir(out: Path, profile: str, households: int) -> Path:
    return Path(out) / f"{profile}{size_label(households)}"


def _summary_matches(summary: dict, profile: str, seed: int, households: int, periods: int) -> bool:
    got_periods = summary.get("periods")
    n_periods = len(got_periods) if isinstance(got_periods, list) else got_periods
    return (summary.get("households") == households and summary.get("seed") == seed and n_periods == periods
            and (summary.get("profile") or "default") == profile)


def existing_data_matches(raw: Path, key: Path, profile: str, seed: int, households: int, periods: int) -> bool:
    """The folder already holds this data set: a summary.json (raw folder or answer key) with the same
    profile, seed, households and periods, and the key's rows beside it."""
    if not (key / "rows.parquet").exists() or not raw.is_dir() or not any(raw.iterdir()):
        return False
    for candidate in (raw / "summary.json", key / "summary.json"):
        if candidate.exists():
            try:
                return _summary_matches(json.loads(candidate.read_text()), profile, seed, households, periods)
            except (ValueError, OSError):
                return False
    return False


def _generate(profile: str, seed: int, households: int, periods: int, raw: Path, key: Path, kabupaten: str) -> None:
    from .synth.generate import generate

    generate(households=households, seed=seed, periods=periods, out_dir=raw, key_dir=key, kabupaten=kabupaten,
             profile=profile)


def refresh_subprocess(raw: Path, warehouse: Path, log: Path, settings: Settings | None = None) -> tuple[int, float, str]:
    """`sikkep refresh --force` on this raw folder and warehouse, in its own process, output to ``log``;
    the other settings are ``settings`` (default the environment's). Returns (exit code, seconds, last
    line of the output)."""
    dagster_home = warehouse / "dagster"
    dagster_home.mkdir(parents=True, exist_ok=True)  # `sikkep` seeds dagster.yaml into it
    env = warehouse_child_env(raw, warehouse, dagster_home, settings)
    t0 = time.perf_counter()
    with open(log, "w", encoding="utf-8") as fh:
        code = subprocess.call([sys.executable, "-m", "orchestration.cli", "refresh", "--force"], cwd=PROJECT_ROOT,
                               env=env, stdout=fh, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - t0
    lines = [ln for ln in log.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
    reason = next((ln for ln in reversed(lines) if ln.startswith(("Published", "Not published"))),
                  lines[-1] if lines else "")
    return code, seconds, reason[:400]


def evaluate_profile(out: Path, profile: str, seed: int, households: int, periods: int, keep: bool = False,
                     kabupaten: str = "18.02", say: Callable[[str], None] = print,
                     settings: Settings | None = None) -> dict:
    from .synth.scorecard import render, score

    folder = profile_dir(out, profile, households)
    raw, key, warehouse = folder / "raw", folder / "raw_answer_key", folder / "warehouse"
    folder.mkdir(parents=True, exist_ok=True)
    entry: dict = {"profile": profile, "dir": str(folder), "seed": seed, "households": households, "periods": periods}

    t0 = time.perf_counter()
    if existing_data_matches(raw, key, profile, seed, households, periods):
        entry["generate"] = {"reused": True, "seconds": 0.0}
    else:
        for stale in (raw, key, warehouse):  # another data set (or a half-written one): start clean
            shutil.rmtree(stale, ignore_errors=True)
        try:
            _generate(profile, seed, households, periods, raw, key, kabupaten)
        except Exception as exc:  # noqa: BLE001 - one profile failing must not stop the others
            entry["generate"] = {"reused": False, "seconds": round(time.perf_counter() - t0, 1), "error": str(exc)}
            entry["score"] = None
            say(f"{folder.name}: generate failed after {entry['generate']['seconds']:.0f} s: {exc}")
            return entry
        entry["generate"] = {"reused": False, "seconds": round(time.perf_counter() - t0, 1)}

    if not keep:
        shutil.rmtree(warehouse, ignore_errors=True)
    log = folder / "refresh.log"
    code, seconds, reason = refresh_subprocess(raw, warehouse, log, settings)
    entry["refresh"] = {"exit_code": code, "seconds": round(seconds, 1), "log": str(log), "reason": reason}

    published = warehouse / "published"
    if code != 0 or not (published / "public.duckdb").exists():
        entry["score"] = None
        say(f"{folder.name}: {_gen_text(entry)}, refresh FAILED (exit {code}) in {seconds:.0f} s: {reason} "
            f"(log: {log})")
        return entry
    result = score(published, key, warehouse / "build" / "sikkep.duckdb")
    entry["score"] = result
    (folder / "score.md").write_text(render(result) + "\n", encoding="utf-8")
    (folder / "score.json").write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    s = result["summary"]
    w = s["worst_indicator"]
    worst = "" if w is None or w["diff"] is None else f", worst {w['name']} {w['diff']:+.2f} {w['unit']}"
    say(f"{folder.name}: {_gen_text(entry)}, refresh {seconds:.0f} s; persons F1 {s['persons_f1']:.4f}, "
        f"households F1 {s['households_f1']:.4f}, quarantine F1 {s['quarantine_f1']:.4f}, indicators within "
        f"target {s['indicators_within_target']}/{s['indicators']}{worst}")
    return entry


def _gen_text(entry: dict) -> str:
    g = entry["generate"]
    return "data reused" if g.get("reused") else f"generated in {g['seconds']:.0f} s"


# ---------------------------------------------------------------------------------------------- the table

def _cell_f(x, digits: int = 4) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def _bold_if(text: str, outside: bool) -> str:
    return f"**{text}**" if outside else text


def table(entries: list[dict]) -> str:
    """One markdown table: a row per measure, a column per profile, the target in the second column."""
    from .synth.scorecard import TARGETS

    names = [Path(e["dir"]).name for e in entries]
    scores = [e.get("score") for e in entries]
    lines = ["| measure | target | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]

    def row(measure: str, target: str, cells: list[str]) -> None:
        lines.append(f"| {measure} | {target} | " + " | ".join(cells) + " |")

    def per_score(fn) -> list[str]:
        return [fn(s) if s else "failed" for s in scores]

    row("data", "", [f"seed {e['seed']}, {e['households']:,} hh, {e['periods']} periods" for e in entries])
    row("generate s", "", [("reused" if e["generate"].get("reused") else f"{e['generate']['seconds']:.0f}")
                           if "generate" in e else "" for e in entries])
    row("refresh s", "", [(f"{e['refresh']['seconds']:.0f}" + ("" if e["refresh"]["exit_code"] == 0 else
                                                                f" (exit {e['refresh']['exit_code']})"))
                          if "refresh" in e else "not run" for e in entries])
    f1 = TARGETS["linkage_f1"]
    for kind in ("persons", "households"):
        for m in ("precision", "recall", "f1"):
            target = f">= {f1}" if m == "f1" else ""
            row(f"{kind} {'F1' if m == 'f1' else m}", target,
                per_score(lambda s, k=kind, m=m: _bold_if(_cell_f(s["linkage"][k][m]),
                                                          m == "f1" and s["linkage"][k][m] < f1)))
    row("persons exact-NIK baseline F1", "", per_score(
        lambda s: _cell_f((s["linkage"].get("persons_exact_nik") or {}).get("f1"))))
    qf1 = TARGETS["quarantine_f1"]
    row("quarantine TP / FP / FN", "", per_score(
        lambda s: "{tp:,} / {fp:,} / {fn:,}".format(**s["accounting"]["quarantine"])))
    for m in ("precision", "recall", "f1"):
        row(f"quarantine {'F1' if m == 'f1' else m}", f">= {qf1}" if m == "f1" else "",
            per_score(lambda s, m=m: _bold_if(_cell_f(s["accounting"]["quarantine"][m]),
                                              m == "f1" and s["accounting"]["quarantine"][m] < qf1)))
    row("indicators within target", "all", per_score(
        lambda s: _bold_if(f"{s['summary']['indicators_within_target']} / {s['summary']['indicators']}",
                           s["summary"]["indicators_within_target"] < s["summary"]["indicators"])))
    row("worst indicator", "", per_score(lambda s: _worst(s["summary"]["worst_indicator"])))

    indicator_names: list[str] = []
    for s in scores:
        for name in (s or {}).get("indicators", {}):
            if name not in indicator_names:
                indicator_names.append(name)
    for name in indicator_names:
        pct = name.endswith("_pct")
        target = (f"±{TARGETS['pct_diff_pts']} pts" if pct else f"±{TARGETS['count_diff_pct']} %")
        row(name, target, per_score(lambda s, n=name: _indicator_cell(s["indicators"].get(n))))
    return "\n".join(lines)


def _worst(w: dict | None) -> str:
    if w is None:
        return "n/a"
    diff = "NULL" if w["diff"] is None else f"{w['diff']:+.2f} {w['unit']}"
    return _bold_if(f"{w['name']} {diff}", not w["within_target"])


def _indicator_cell(v: dict | None) -> str:
    if v is None:
        return "n/a"
    d = v["diff_pts"] if v["kind"] == "pct" else v["diff_pct"]
    unit = "pts" if v["kind"] == "pct" else "%"
    text = (f"{d:+.2f} {unit}" if d is not None else "NULL") + f" ({_num(v['published'])} vs {_num(v['truth'])})"
    return _bold_if(text, not v["within_target"])


def _num(x) -> str:
    if x is None:
        return "NULL"
    return f"{x:.2f}" if isinstance(x, float) else f"{x:,}"


def run_evaluation(profiles: list[str], households: int, periods: int, seeds: dict[str, int], out: Path,
                   keep: bool = False, kabupaten: str = "18.02", say: Callable[[str], None] = print,
                   settings: Settings | None = None) -> dict:
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    entries = []
    for profile in profiles:
        seed = seeds.get(profile, DEFAULT_SEEDS.get(profile, FALLBACK_SEED))
        entries.append(evaluate_profile(out, profile, seed, households, periods, keep=keep, kabupaten=kabupaten,
                                        say=say, settings=settings))
    from .synth.scorecard import TARGETS

    md = table(entries)
    header = (f"# SIKKEP evaluation: {', '.join(profiles)} at {households:,} households, {periods} periods\n\n"
              f"Counts: difference from the truth in %; percentages: difference in points; bold = outside "
              f"target. Per profile: `<profile><N>k/score.md` (linkage diagnostics) and `refresh.log`.\n\n")
    (out / "scores.md").write_text(header + md + "\n", encoding="utf-8")
    report = {"households": households, "periods": periods, "targets": dict(TARGETS),
              "profiles": {Path(e["dir"]).name: e for e in entries}}
    (out / "scores.json").write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    say("")
    say(md)
    say(f"\nWritten: {out / 'scores.md'}, {out / 'scores.json'}")
    return report
