"""The `sikkep` commands: generate, refresh, status, report, train-linkage, score, evaluate, province."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from .progress import Progress
from .settings import UnknownKabupaten, get_settings


def _generate(args) -> int:
    from .synth.generate import generate
    from .synth.profile import ProfileError, load

    try:
        prof = load(args.profile)
    except ProfileError as e:
        print(f"sikkep generate: {e}", file=sys.stderr)
        return 2
    out = Path(args.out)
    settings = get_settings()
    summary = generate(households=args.households, seed=args.seed, periods=args.periods, out_dir=out,
                       key_dir=Path(args.key_dir) if args.key_dir else None,
                       kabupaten=args.kabupaten or settings.kabupaten,
                       progress=Progress(False if args.quiet else settings.progress_enabled),
                       profile=prof.name)
    print(f"Generated {args.households} households x {args.periods} periods into {out} (profile {prof.name})")
    if prof.tuning == "forbidden":
        print(f"Profile {prof.name} is held out: evaluate on it, never tune the linkage on it.")
    if isinstance(summary, dict) and summary.get("key_dir"):
        print(f"Answer key: {summary['key_dir']}")
    return 0


def _refresh(args) -> int:
    import signal

    from .refresh import refresh_summary, run_refresh

    # SIGINT and SIGTERM (Ctrl-C, systemd stop, `kill`) stop a refresh, also one started in the background
    # of a script (where SIGINT starts ignored): while it waits, at once (exit 130); inside a step, Dagster
    # fails the step and the previous publication stays
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)

    settings = get_settings()
    # the same decision as the nightly schedule and the drop sensor; the run is recorded by Dagster
    try:
        outcome = run_refresh(force=args.force, settings=settings)
    except UnknownKabupaten as exc:
        print(f"sikkep refresh: {exc}", file=sys.stderr)
        return 1
    if outcome.skipped:
        print(f"{outcome.skipped} Use --force to rebuild anyway.")
        return 0
    print(outcome.reason())
    print(refresh_summary(settings, outcome))
    if outcome.published:
        print(f"Published files: {settings.published_dir / 'public.duckdb'} (aggregates), "
              f"{settings.published_dir / 'restricted.duckdb'} (by-name, restricted)")
        print(f"Exports: {settings.exports_dir}")
    if outcome.log_file:
        print(f"Full log of the run (Dagster and dbt): {outcome.log_file}")
    return outcome.exit_code


def _status(args) -> int:
    from .status import status_report

    report = status_report(get_settings())
    print(json.dumps(report, indent=2, default=str) if args.json else report["text"])
    return 0


def _report(args) -> int:
    from .publish.core import PublishError
    from .report import publish_report

    try:
        result = publish_report(get_settings().published_dir, pdf=not args.no_pdf)
    except PublishError as exc:
        print(str(exc))
        return 1
    print(f"Report: {result['html']}")
    print(f"PDF: {result['pdf']}" if result["pdf"] else result["note"])
    return 0


def _train(args) -> int:
    from .linkage.command import train_linkage

    settings = get_settings()
    return train_linkage(settings, Progress(settings.progress_enabled), out=Path(args.out) if args.out else None,
                         labels=Path(args.labels) if args.labels else None)


def _score(args) -> int:
    from .synth.scorecard import render, score

    settings = get_settings()
    published = Path(args.warehouse).resolve() / "published" if args.warehouse else settings.published_dir
    build_db = published.parent / "build" / "sikkep.duckdb"
    key_dir = Path(args.key) if args.key else settings.raw_dir.parent / f"{settings.raw_dir.name}_answer_key"
    if not (key_dir / "rows.parquet").exists():
        print(f"No answer key at {key_dir}: pass --key (the folder `sikkep generate` wrote beside the extracts).")
        return 1
    if not (published / "public.duckdb").exists():
        print(f"Nothing published in {published}: run `sikkep refresh` first.")
        return 1
    result = score(published, key_dir, build_db)
    text = json.dumps(result, indent=2, default=str) if args.json else render(result)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


def _evaluate(args) -> int:
    from .evaluate import DEFAULT_SEEDS, run_evaluation

    profiles = [p.strip() for p in args.profiles.split(",") if p.strip()]
    seeds = dict(DEFAULT_SEEDS, default=args.seed_default, holdout=args.seed_holdout)
    for item in args.seed or []:
        name, _, value = item.partition("=")
        if not value.strip().isdigit():
            print(f"--seed expects PROFILE=N, got {item!r}")
            return 2
        seeds[name.strip()] = int(value)
    settings = get_settings()
    report = run_evaluation(profiles, args.households, args.periods, seeds, Path(args.out), keep=args.keep,
                            kabupaten=args.kabupaten or settings.kabupaten, settings=settings)
    failed = [name for name, e in report["profiles"].items() if e.get("score") is None]
    if failed:
        print(f"Not scored (generate or refresh failed): {', '.join(failed)}; the reason is above (refresh: its refresh.log).")
    return 1 if failed else 0


def _province(args) -> int:
    from .province import ProvinceError, publish_province
    from .publish import PublishError

    settings = get_settings()
    out = Path(args.out).resolve() if args.out else settings.province_dir
    provinsi = args.provinsi or settings.provinsi
    try:
        summary = publish_province(args.sources, out, provinsi, report=lambda line: print(line))
    except (ProvinceError, PublishError) as exc:
        print(f"sikkep province: {exc}. The last province publication in {out / 'published'} is unchanged.",
              file=sys.stderr)
        return 1
    print(f"Province {summary['provinsi']} {summary['nama']}, period {summary['period']}: published "
          f"{summary['paths']['public']} (run {summary['run_id']}); exports {summary['paths']['exports']}")
    for k in summary["delivered"]:
        print(f"  {k['kode']} {k['nama']}: run {k['run_id']}, period {k['period']}")
    if summary["mixed_periods"]:
        print("Periods differ between kabupaten (listed above); the province period is the newest.")
    if summary["missing"]:
        print(f"Not delivered ({len(summary['missing'])}; not in the province figures): "
              + ", ".join(f"{k} {n}" for k, n in summary["missing"]))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sikkep", description="SIKKEP Satu Data poverty-data warehouse")
    sub = parser.add_subparsers(dest="command", required=True)

    g = sub.add_parser("generate", help="write realistic synthetic extracts (+ answer key beside them)")
    g.add_argument("--households", type=int, default=20000)
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--periods", type=int, default=2)
    g.add_argument("--out", default=str(get_settings().raw_dir))
    g.add_argument("--key-dir", default=None, help="answer key folder (default: <out>_answer_key beside --out)")
    g.add_argument("--kabupaten", default=None, help="Kemendagri code (default SIKKEP_KABUPATEN)")
    g.add_argument("--profile", default="default",
                   help="generator profile (orchestration/synth/profiles/<name>.yml): agencies' habits and defect "
                        "rates; 'default' (tuned on) or 'holdout' (evaluation only, never tune on it)")
    g.add_argument("--quiet", action="store_true")
    g.set_defaults(func=_generate)

    r = sub.add_parser("refresh", help="run the full refresh now (ingest, gates, linkage, marts, indicators, publish)")
    r.add_argument("--force", action="store_true", help="rebuild even when nothing changed since the last publication")
    r.set_defaults(func=_refresh)

    s = sub.add_parser("status", help="what is published, from which extracts, and the last run's gates")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=_status)

    rp = sub.add_parser("report", help="rebuild the report of the current publication (published/laporan/)")
    rp.add_argument("--no-pdf", action="store_true", help="write the HTML only")
    rp.set_defaults(func=_report)

    t = sub.add_parser("train-linkage", help="re-train the Splink model on the staged data and write its JSON")
    t.add_argument("--out", default=None, help="model path (default: the committed orchestration/linkage/model.json)")
    t.add_argument("--labels", default=None, help="answer key rows.parquet: train m-probabilities on known truth")
    t.set_defaults(func=_train)

    k = sub.add_parser("score", help="compare the publication with a generated data set's answer key")
    k.add_argument("--key", default=None, help="answer key folder (default: <raw dir>_answer_key)")
    k.add_argument("--warehouse", default=None, help="warehouse folder to score (default: SIKKEP_WAREHOUSE_DIR)")
    k.add_argument("--json", action="store_true")
    k.add_argument("--out", default=None, help="also write the report (markdown, or JSON with --json) to this file")
    k.set_defaults(func=_score)

    e = sub.add_parser("evaluate", help="generate, refresh and score per generator profile; one table of the scores")
    e.add_argument("--profiles", default="default,holdout", help="comma-separated generator profiles")
    e.add_argument("--households", type=int, default=20000)
    e.add_argument("--periods", type=int, default=2)
    e.add_argument("--seed-default", type=int, default=2, help="seed of the 'default' profile")
    e.add_argument("--seed-holdout", type=int, default=11, help="seed of the 'holdout' profile")
    e.add_argument("--seed", action="append", metavar="PROFILE=N", help="seed of any other profile (repeatable)")
    e.add_argument("--out", default="eval", help="folder of the evaluation: <out>/<profile><N>k/, scores.md, scores.json")
    e.add_argument("--kabupaten", default=None, help="Kemendagri code (default SIKKEP_KABUPATEN)")
    e.add_argument("--keep", action="store_true",
                   help="keep each profile's warehouse from an earlier evaluation (a warm refresh); "
                        "by default it starts empty, as for extracts never seen")
    e.set_defaults(func=_evaluate)
    p = sub.add_parser("province", help="roll kabupaten publications up into a province publication (aggregates only)")
    p.add_argument("--from", dest="sources", nargs="+", required=True, metavar="DIR",
                   help="kabupaten warehouse folders (or their published/ folder or public.duckdb), one per kabupaten")
    p.add_argument("--provinsi", default=None, help="2-digit Kemendagri province code (default: that of SIKKEP_KABUPATEN)")
    p.add_argument("--out", default=None, help="province folder (default SIKKEP_PROVINCE_DIR): published/, exports/")
    p.set_defaults(func=_province)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
