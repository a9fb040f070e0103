"""Casework benchmark: directory match and search over a 200,000-service directory, against bare SQL.

    .venv/bin/python bench/directory.py [--services 200000] [--database sqlite|postgres|both]

Same shape as bench/run.py (whose helpers it uses): a throwaway database per engine (a
temporary SQLite file; PostgreSQL `casework_bench_directory` on 127.0.0.1:5432, dropped and
created), `migrate` + `generate_directory` in a child process with production settings, then
p50/p95 of each operation beside the bare indexed SQL it needs, measured in the same run.

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


def run_database(database: str, args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="casework-bench-directory-"))
    result_path = workdir / "result.json"
    if database == "postgres":
        bench_run._pg_admin([f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)", f"CREATE DATABASE {PG_DB}"])
    env = bench_run._child_env(database, workdir)
    if database == "postgres":
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
    try:
        print(f"\n=== {database}: {args.services:,} services ===", flush=True)
        subprocess.run(command, env=env, check=True, timeout=args.timeout)  # noqa: S603
        return json.loads(result_path.read_text())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if database == "postgres":
            bench_run._pg_admin([f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", type=int, default=200_000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seconds-per-operation", type=float, default=8.0)
    parser.add_argument("--timeout", type=int, default=1800)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    started = time.monotonic()
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    results = [run_database(database, args) for database in databases]
    bench_run.print_report(results)
    print(f"\nTotal: {time.monotonic() - started:.0f} s on {os.cpu_count()} CPU(s), {platform.platform()}.")
    if args.json:
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
    call_command("migrate", verbosity=0)
    call_command("generate_directory", services=args.services, yes_i_know=True, no_progress=True)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    generate_seconds = time.monotonic() - started
    measure_started = time.monotonic()
    budget, runs = args.seconds_per_operation, args.runs

    origin = origin_for_zip("60546")
    assert origin is not None
    profile = ClientProfile(
        age=40, origin=origin, language="Spanish", interpreter_needed=False, insurance="medicaid", income_percent=120
    )
    radius = 15.0
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(origin.latitude, origin.longitude, radius)
    agency = Agency.objects.create(name="Benchmark agency", time_zone="America/Chicago")
    worker = User.objects.create(
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
        "generated": f"{Service.objects.count():,} services",
        "generate_seconds": generate_seconds,
        "measure_seconds": time.monotonic() - measure_started,
        "operations": operations,
    }
    args.result.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
