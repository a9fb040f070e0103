"""Casework benchmark: directory match and search over a 200,000-service directory, against bare SQL.

    .venv/bin/python bench/directory.py [--services 200000] [--database sqlite|postgres|both]
    .venv/bin/python bench/directory.py --keep DIR --generate-only   # generate once ...
    flock /work/bench.lock .venv/bin/python bench/directory.py --keep DIR   # ... measure many times
    .venv/bin/python bench/directory.py --keep DIR --drop             # remove the kept data

Same shape as bench/run.py (whose helpers it uses): a throwaway database per engine (a
temporary SQLite file; PostgreSQL `casework_bench_directory` on 127.0.0.1:5432, dropped and
created), `migrate` + `generate_directory` + `ANALYZE` in a child process with production
settings, then p50/p95 of each operation beside the bare indexed SQL it needs, measured in the
same run. With --keep DIR the data (DIR/directory-N.sqlite3 and the PostgreSQL database, with
the keys it was written with in DIR/keys.json) is generated on the first run and reused after
(migrated, not regenerated), so a measurement takes minutes instead of half an hour.

The client profile is fixed (no client record is needed to match): Riverside, Illinois (ZIP
60546, Cook County, in the dense Chicago area), age 40, Spanish, Medicaid, income 120% of the
poverty guideline. Target (issue 6): match p95 ≤ 50 ms at 200,000 services.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import run as bench_run  # noqa: E402  (bench/run.py: the shared helpers)

PG_DB = "casework_bench_directory"


def _kept_paths(keep: Path, services: int) -> tuple[Path, Path]:
    """The kept SQLite file and the marker saying the PostgreSQL database holds `services` services."""
    return keep / f"directory-{services}.sqlite3", keep / f"postgres-{services}.generated"


def _kept_env(database: str, keep: Path, services: int) -> dict[str, str]:
    """The child's environment for kept data: the same keys on every run (the data was written with them)."""
    keys_path = keep / "keys.json"
    env = bench_run._child_env(database, keep)
    if keys_path.exists():
        env.update(json.loads(keys_path.read_text()))
    else:
        keys_path.write_text(
            json.dumps({name: env[name] for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS")}), encoding="utf-8"
        )
    if database == "sqlite":
        env["SQLITE_PATH"] = str(_kept_paths(keep, services)[0])
    return env


def _pg_database_exists() -> bool:
    import psycopg

    with psycopg.connect(bench_run.PG_ADMIN_URL, autocommit=True) as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DB]).fetchone() is not None


def drop_kept(keep: Path, services: int) -> None:
    """Remove the kept data: the SQLite file and the PostgreSQL database."""
    sqlite_path, marker = _kept_paths(keep, services)
    for path in (sqlite_path, Path(f"{sqlite_path}-wal"), Path(f"{sqlite_path}-shm"), marker):
        path.unlink(missing_ok=True)
    bench_run._pg_admin([f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"])
    print(f"Dropped the kept directory data in {keep} and the database {PG_DB}.")


def run_database(database: str, args: argparse.Namespace) -> dict[str, Any] | None:
    """Fill (or reuse, with --keep) the database, then measure it in a child process."""
    workdir = Path(tempfile.mkdtemp(prefix="casework-bench-directory-"))
    result_path = workdir / "result.json"
    keep: Path | None = args.keep
    generate = True
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        sqlite_path, marker = _kept_paths(keep, args.services)
        if database == "sqlite":
            generate = not sqlite_path.exists()
        else:
            generate = not (marker.exists() and _pg_database_exists())
            if generate:
                marker.unlink(missing_ok=True)
        env = _kept_env(database, keep, args.services)
    else:
        env = bench_run._child_env(database, workdir)
    if database == "postgres":
        if generate:
            bench_run._pg_admin([f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)", f"CREATE DATABASE {PG_DB}"])
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--database",
        database,
        "--services",
        str(args.services),
        "--runs",
        str(args.runs),
        "--seconds-per-operation",
        str(args.seconds_per_operation),
        "--result",
        str(result_path),
    ]
    if generate:
        command.append("--generate")
    if args.generate_only:
        command.append("--generate-only")
    try:
        reused = "" if generate else " (kept data)"
        print(f"\n=== {database}: {args.services:,} services{reused} ===", flush=True)
        subprocess.run(command, env=env, check=True, timeout=args.timeout)  # noqa: S603
        if keep is not None and database == "postgres" and generate:
            _kept_paths(keep, args.services)[1].write_text("generated\n", encoding="utf-8")
        if args.generate_only:
            return None
        return json.loads(result_path.read_text())
    except BaseException:
        if keep is not None and generate:  # half-generated data must not be reused
            drop_kept(keep, args.services)
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if database == "postgres" and keep is None:
            bench_run._pg_admin([f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", type=int, default=200_000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seconds-per-operation", type=float, default=8.0)
    parser.add_argument("--timeout", type=int, default=3600)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help=f"keep the generated data (SQLite file in DIR, PostgreSQL database {PG_DB}) and reuse it next time",
    )
    parser.add_argument("--generate-only", action="store_true", help="with --keep: generate the data, measure nothing")
    parser.add_argument("--drop", action="store_true", help="with --keep: remove the kept data and stop")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    if (args.generate_only or args.drop) and args.keep is None:
        parser.error("--generate-only and --drop need --keep DIR")
    if args.drop:
        drop_kept(args.keep, args.services)
        return
    started = time.monotonic()
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    results = [result for database in databases if (result := run_database(database, args)) is not None]
    if results:
        bench_run.print_report(results)
    print(f"\nTotal: {time.monotonic() - started:.0f} s on {os.cpu_count()} CPU(s), {platform.platform()}.")
    if args.json and results:
        args.json.write_text(json.dumps(results, indent=2))


def child(args: argparse.Namespace) -> None:
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client as HttpClient

    from casework.accounts.models import Agency, Role, User
    from casework.directory import geo
    from casework.directory.models import Service
    from casework.directory.selectors import ClientProfile, SearchCriteria, match_for_client, origin_for_zip, search

    started = time.monotonic()
    call_command("migrate", verbosity=0)  # kept data: the migrations added since it was generated
    generate_seconds = 0.0  # kept data: generated by an earlier run
    if args.generate:
        call_command("generate_directory", services=args.services, yes_i_know=True, no_progress=True)
        # Planner statistics, as a database in service has them (PostgreSQL's autovacuum; SQLite
        # after `ANALYZE`), so neither engine plans the joins of a match blind.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        generate_seconds = time.monotonic() - started
        print(f"  generated {args.services:,} services in {generate_seconds:.0f} s", flush=True)
    else:
        # Kept data: statistics for what the migrations just added (new indexes).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    if args.generate_only:
        return
    measure_started = time.monotonic()
    budget, runs = args.seconds_per_operation, args.runs

    origin = origin_for_zip("60546")
    assert origin is not None
    profile = ClientProfile(
        age=40, origin=origin, language="Spanish", interpreter_needed=False, insurance="medicaid", income_percent=120
    )
    radius = 15.0
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(origin.latitude, origin.longitude, radius)
    agency, _created = Agency.objects.get_or_create(name="Benchmark agency", time_zone="America/Chicago")
    worker = User.objects.filter(email="bench@example.org").first() or User.objects.create(
        email="bench@example.org", full_name="Bench Worker", role=Role.CASE_MANAGER, agency=agency
    )
    http = HttpClient()
    http.force_login(worker, backend="casework.accounts.backends.EmailBackend")

    def bare(sql: str, params: list[Any]) -> Any:
        def run() -> Any:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        return run

    # The bare indexed SQL a match needs at least: the locations in the bounding box (one range
    # scan of the latitude/longitude index) and the services at them.
    bbox_sql = (
        "SELECT l.id, l.latitude, l.longitude FROM directory_location l "
        "WHERE l.latitude BETWEEN %s AND %s AND l.longitude BETWEEN %s AND %s"
    )
    sal_sql = "SELECT service_id, location_id FROM directory_serviceatlocation WHERE location_id IN ({})"

    def bare_match() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(bbox_sql, [min_lat, max_lat, min_lon, max_lon])
            ids = [row[0] for row in cursor.fetchall()]
            if ids:
                cursor.execute(sal_sql.format(", ".join(["%s"] * len(ids))), ids)
                return cursor.fetchall()
            return []

    baseline = bench_run.timed(bare_match, runs=runs, budget=budget)
    text_sql = "SELECT id, name FROM directory_service WHERE status = 'active' AND search_text LIKE %s LIMIT 50"
    text_baseline = bench_run.timed(bare(text_sql, ["%pantry%"]), runs=runs, budget=budget)

    food = match_for_client(profile=profile, domains=["food"], radius_miles=radius)
    both = match_for_client(profile=profile, domains=["food", "housing"], radius_miles=radius)
    in_box = len(bare_match())
    assert food and both, "the synthetic directory has services near Riverside"
    assert http.get("/api/v1/services", {"category": "food-pantry", "zip": "60546"}).status_code == 200

    operations: list[dict[str, Any]] = []
    measured = [
        (
            f"match: food, 15 mi ({len(food)} results)",
            lambda: match_for_client(profile=profile, domains=["food"], radius_miles=radius),
            baseline,
        ),
        (
            f"match: food + housing, 15 mi ({len(both)} results; {in_box} services in the box)",
            lambda: match_for_client(profile=profile, domains=["food", "housing"], radius_miles=radius),
            baseline,
        ),
        (
            "search: food pantry within 10 mi of 60546",
            lambda: search(SearchCriteria(category="food-pantry", origin=origin, radius_miles=10)),
            baseline,
        ),
        (
            "search: free text 'pantry' (no place)",
            lambda: search(SearchCriteria(text="pantry")),
            text_baseline,
        ),
        (
            "API GET /api/v1/services?category=food-pantry&zip=60546",
            lambda: http.get("/api/v1/services", {"category": "food-pantry", "zip": "60546"}),
            baseline,
        ),
    ]
    for name, operation, base in measured:
        captured = bench_run.captured_queries(operation)
        row = {"name": name, **bench_run.timed(operation, runs=runs, budget=budget), "baseline": base}
        row["queries"] = len(captured)
        operations.append(row)
        print(f"  {name}: p50 {row['p50']:.2f} ms, p95 {row['p95']:.2f} ms, {row['queries']} queries", flush=True)

    result = {
        "database": args.database,
        "versions": bench_run.database_version(),
        "generated": f"{Service.objects.count():,} services" + ("" if args.generate else " (kept from an earlier run)"),
        "generate_seconds": generate_seconds,
        "measure_seconds": time.monotonic() - measure_started,
        "operations": operations,
    }
    args.result.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
