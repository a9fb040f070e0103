"""Client matching at state scale: lookup speed and the agency-wide duplicate scan at 1,000,000 clients.

    .venv/bin/python bench/match_scale.py --database postgres --clients 1000000 [--base-clients 150000]

For each database it fills a register of `--clients` clients, then measures:

1. **Lookup speed** (p50/p95): `find_matches` (the engine the intake panel, the API and the
   review queue share) and `matches_for_user` as a case manager, for lookups built from real
   clients with the evaluation set's corruptions (`match_eval.corrupt`), beside the bare indexed
   lookup of one exact key (`date_of_birth = %s`) measured in the same run; with the recall of
   the looked-up client at rank 1 and in the top 3, and how many candidates a lookup scores.
2. **The duplicate scan** of the whole agency (`duplicates.scan_agency`, what
   `manage.py scan_duplicates` runs), with its progress bar on stderr: seconds, rows read,
   pairs scored, pairs found.

**The data.** `generate_synthetic` writes about 200 clients a second on the shared 2-core machine
(clients with cases, assignments, status history: 80+ minutes for a million). So the register is
built in two parts: `--base-clients` clients from `generate_synthetic` (staff, teams, programs,
cases), then clients only, drawn by the same generator code (`SyntheticGenerator._client`: the
same name, date-of-birth, phone, ZIP and SSN distributions, another seed) up to `--clients`,
registered by the synthetic workers, without cases. Matching reads only the client table, so the
lookup and the scan see a register of the full size.

`--reuse` keeps an existing database (`--sqlite-path FILE`, or PostgreSQL `--pg-name NAME`) and
only tops it up and migrates; `--keep` does not drop it at the end. Without them the database is
throwaway, as in `run.py` and `match_eval.py`.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from match_eval import corrupt, person_of  # noqa: E402
from run import _child_env, _pg_admin, database_version, percentile, timed  # noqa: E402

PG_SCALE_DB = "casework_bench_scale"


def top_up(total: int, seed: int, batch_size: int) -> tuple[int, float]:
    """Add clients (no cases) drawn like the synthetic ones until the register holds `total`."""
    from django.db import transaction

    from casework.accounts.models import Agency, Role, User
    from casework.clients.models import Client
    from casework.core.synthetic import AGENCY_NAME, SyntheticGenerator

    started = time.monotonic()
    agency = Agency.objects.get(name=AGENCY_NAME)
    have = Client.objects.filter(agency=agency).count()
    missing = total - have
    if missing <= 0:
        return 0, 0.0
    # The seed moves with the register's size: topping up a copy of an already topped-up register
    # must not draw the same people again (a second top-up with one seed registered each of them twice).
    generator = SyntheticGenerator(clients=missing, seed=seed + have)
    workers = list(User.objects.filter(agency=agency, role=Role.CASE_MANAGER).order_by("pk"))
    added = 0
    while added < missing:
        count = min(batch_size, missing - added)
        rows = [generator._client(agency, workers[(added + index) % len(workers)]) for index in range(count)]
        with transaction.atomic():
            Client.objects.bulk_create(rows, batch_size=2000)
        added += count
        print(f"  topped up {have + added:,} clients ({time.monotonic() - started:.0f} s)", flush=True)
    return added, time.monotonic() - started


def child(args: argparse.Namespace) -> None:
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection

    from casework.accounts.models import Agency, Role, User
    from casework.clients import matching
    from casework.clients.duplicates import scan_agency
    from casework.clients.models import Client, ClientIdentifier, DuplicatePair
    from casework.core.synthetic import AGENCY_NAME

    result: dict[str, Any] = {"database": args.database}
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    if not args.reuse:
        call_command(
            "generate_synthetic",
            clients=min(args.base_clients, args.clients),
            notes_per_case=0,
            yes_i_know=True,
            batch_size=5000,
        )
    added, top_up_seconds = top_up(args.clients, seed=args.seed + 1000, batch_size=20000)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    agency = Agency.objects.get(name=AGENCY_NAME)
    # The name counts a lookup reads (what the scan or `manage.py refresh_name_counts` keeps).
    counting = time.monotonic()
    call_command("refresh_name_counts", stdout=io.StringIO())
    name_counts_seconds = time.monotonic() - counting
    result.update(
        {
            "name_counts_seconds": name_counts_seconds,
            "versions": database_version(),
            "clients": Client.objects.count(),
            "clients_with_cases": Client.objects.filter(cases__isnull=False).distinct().count(),
            "topped_up": added,
            "fill_seconds": time.monotonic() - started,
            "top_up_seconds": top_up_seconds,
        }
    )
    print(
        f"  {result['clients']:,} clients ({added:,} topped up in {top_up_seconds:.0f} s); "
        f"name counts refreshed in {name_counts_seconds:.1f} s",
        flush=True,
    )

    # --- 1. Lookups -----------------------------------------------------------------------------
    rng = random.Random(args.seed)
    max_id = Client.objects.filter(agency=agency).order_by("-pk").values_list("pk", flat=True).first() or 0
    sample: list[Any] = []
    while len(sample) < args.queries:
        found = Client.objects.filter(agency=agency, pk=rng.randint(1, max_id), merged_into__isnull=True).first()
        if found is not None:
            sample.append(found)
    identifiers: dict[int, list[str]] = {}
    for client_id, value in ClientIdentifier.objects.filter(client_id__in=[c.pk for c in sample]).values_list(
        "client_id", "value"
    ):
        identifiers.setdefault(client_id, []).append(value)
    lookups = []
    for client in sample:
        query, _applied = corrupt(rng, person_of(client, identifiers))
        lookups.append((matching.MatchQuery(**{**query, "identifiers": tuple(query["identifiers"])}), client.pk))
    thresholds = matching.thresholds_for(agency.pk)
    top1 = top3 = 0
    candidates = []
    for query, expected in lookups:
        ranked = [c.client.pk for c in matching.find_matches(agency_id=agency.pk, query=query, thresholds=thresholds)]
        top1 += ranked[:1] == [expected]
        top3 += expected in ranked[:3]
        candidates.append(len(matching.candidate_ids(agency_id=agency.pk, query=query)))
    result["recall"] = {"top1": top1 / len(lookups), "top3": top3 / len(lookups), "lookups": len(lookups)}
    result["candidates"] = {
        "p50": percentile([float(n) for n in candidates], 0.5),
        "p95": percentile([float(n) for n in candidates], 0.95),
        "max": max(candidates),
    }
    position = {"n": 0}
    bare_sql = "SELECT id, legal_first_name, legal_last_name, date_of_birth FROM clients_client "
    bare_sql += "WHERE date_of_birth = %s LIMIT 10"
    dates = [client.date_of_birth or datetime.date(1980, 2, 3) for client in sample]

    def next_bare() -> None:
        position["n"] += 1
        with connection.cursor() as cursor:
            cursor.execute(bare_sql, [dates[position["n"] % len(dates)]])
            cursor.fetchall()

    def next_lookup() -> None:
        position["n"] += 1
        query = lookups[position["n"] % len(lookups)][0]
        matching.find_matches(agency_id=agency.pk, query=query, thresholds=thresholds)

    worker = User.objects.filter(agency=agency, role=Role.CASE_MANAGER).order_by("pk").first()

    def next_scoped() -> None:
        position["n"] += 1
        matching.matches_for_user(user=worker, query=lookups[position["n"] % len(lookups)][0])  # type: ignore[arg-type]

    budget, runs = args.seconds_per_operation, args.runs
    baseline = timed(next_bare, runs=runs, budget=budget)
    result["operations"] = [
        {"name": "find_matches (agency-wide engine)", **timed(next_lookup, runs=runs, budget=budget)},
        {"name": "matches_for_user as case manager (API/panel)", **timed(next_scoped, runs=runs, budget=budget)},
    ]
    for row in result["operations"]:
        row["baseline"] = baseline
        print(
            f"  {row['name']}: p50 {row['p50']:.2f} ms, p95 {row['p95']:.2f} ms "
            f"(bare p50 {baseline['p50']:.3f}, p95 {baseline['p95']:.3f})",
            flush=True,
        )

    # --- 2. The scan ------------------------------------------------------------------------------
    if not args.skip_scan:
        from tqdm import tqdm

        DuplicatePair.objects.filter(agency=agency).delete()  # a first scan, as on a new install

        def progress(total: int) -> Any:
            return tqdm(total=total, unit=" rows", unit_scale=True, desc="scan", file=sys.stderr, mininterval=5)

        scan = scan_agency(agency=agency, batch_size=args.batch_size, progress=progress)
        print(f"\n  scan: {json.dumps(scan.as_dict())}", flush=True)
        result["scan"] = scan.as_dict()
        if not args.skip_rescan:
            result["rescan"] = scan_agency(agency=agency, batch_size=args.batch_size).as_dict()
        result["scan_bands"] = dict(
            DuplicatePair.objects.filter(agency=agency).values_list("band").annotate(n=_count()).order_by()
        )
        if "rescan" in result:
            print(f"  rescan: {json.dumps(result['rescan'])}", flush=True)
    args.result.write_text(json.dumps(result, default=str))


def _count() -> Any:
    from django.db.models import Count

    return Count("id")


def run_database(database: str, args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="casework-scale-"))
    result_path = workdir / "result.json"
    env = _child_env(database, workdir)
    pg_name = args.pg_name or PG_SCALE_DB
    if database == "postgres":
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{pg_name}"
        if not args.reuse:
            _pg_admin([f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)", f"CREATE DATABASE {pg_name}"])
    elif args.sqlite_path:
        env["SQLITE_PATH"] = str(args.sqlite_path.resolve())
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--database",
        database,
        "--clients",
        str(args.clients),
        "--base-clients",
        str(args.base_clients),
        "--queries",
        str(args.queries),
        "--seed",
        str(args.seed),
        "--runs",
        str(args.runs),
        "--seconds-per-operation",
        str(args.seconds_per_operation),
        "--batch-size",
        str(args.batch_size),
        "--result",
        str(result_path),
    ]
    command += ["--reuse"] if args.reuse else []
    command += ["--skip-scan"] if args.skip_scan else []
    command += ["--skip-rescan"] if args.skip_rescan else []
    try:
        print(f"\n=== {database}: {args.clients:,} clients ===", flush=True)
        subprocess.run(command, env=env, check=True, timeout=args.timeout)  # noqa: S603
        return json.loads(result_path.read_text())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if database == "postgres" and not args.keep:
            _pg_admin([f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)"])
        if database == "sqlite" and args.sqlite_path and not args.keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{args.sqlite_path}{suffix}").unlink(missing_ok=True)


def print_report(results: list[dict[str, Any]]) -> None:
    print(
        "\n| database | clients | operation | p50 ms | p95 ms | bare SQL p50 ms | bare SQL p95 ms "
        "| ratio p50 | ratio p95 | runs |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for result in results:
        for row in result["operations"]:
            base = row["baseline"]
            print(
                f"| {result['database']} | {result['clients']:,} | {row['name']} | {row['p50']:.2f} | "
                f"{row['p95']:.2f} | {base['p50']:.3f} | {base['p95']:.3f} | {row['p50'] / base['p50']:.0f}× | "
                f"{row['p95'] / base['p95']:.0f}× | {row['runs']} |"
            )
    for result in results:
        print(
            f"\n{result['database']}: {result['versions']}; {result['clients']:,} clients "
            f"({result['clients_with_cases']:,} with cases, {result['topped_up']:,} topped up in "
            f"{result['top_up_seconds']:.0f} s); recall top-1 {result['recall']['top1']:.4f}, top-3 "
            f"{result['recall']['top3']:.4f} over {result['recall']['lookups']} lookups; candidates per lookup "
            f"p50 {result['candidates']['p50']:.0f}, p95 {result['candidates']['p95']:.0f}, "
            f"max {result['candidates']['max']}."
        )
        if "scan" in result:
            scan, again = result["scan"], result.get("rescan")
            rerun = (
                f"re-run {again['seconds']:.0f} s ({again['created']} new, {again['updated']} updated)"
                if again
                else "no re-run"
            )
            print(
                f"  scan: {scan['seconds']:.0f} s, {scan['rows_read']:,} rows read, {scan['pairs_scored']:,} pairs "
                f"scored, {scan['pairs_found']:,} pairs found {result['scan_bands']}, {scan['skipped_blocks']:,} "
                f"oversized blocks skipped; {rerun}."
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=1_000_000)
    parser.add_argument("--base-clients", type=int, default=150_000, help="Clients from generate_synthetic.")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="postgres")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--seconds-per-operation", type=float, default=8.0)
    parser.add_argument("--batch-size", type=int, default=5000, help="Rows per fetch in the scan.")
    parser.add_argument("--timeout", type=int, default=5400)
    parser.add_argument("--reuse", action="store_true", help="Keep the database's data (top up, migrate).")
    parser.add_argument("--keep", action="store_true", help="Do not drop the database at the end.")
    parser.add_argument("--skip-scan", action="store_true")
    parser.add_argument("--skip-rescan", action="store_true", help="Scan once only (no second, idempotence run).")
    parser.add_argument("--pg-name", help=f"PostgreSQL database name (default {PG_SCALE_DB}).")
    parser.add_argument("--sqlite-path", type=Path, help="SQLite file (default: a temporary one).")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    if args.reuse and args.database == "both":
        parser.error("--reuse names one database: run once per database.")
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    results = [run_database(database, args) for database in databases]
    print_report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
