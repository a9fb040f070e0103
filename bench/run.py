"""Casework benchmark: client search and the caseload page at agency scale, against bare SQL.

    .venv/bin/python bench/run.py [--clients 100000] [--database sqlite|postgres|both]

For each database it creates a throwaway database (a temporary SQLite file; PostgreSQL
`casework_bench` on 127.0.0.1:5432, dropped and created), migrates, runs
`generate_synthetic`, then times each operation (p50/p95 over --runs runs, capped at
--seconds-per-operation) and the bare SQL the operation needs, measured in the same run,
and prints both with their ratio. The databases are removed at the end.

Each database is measured in its own child process (the settings read the database from the
environment when Django starts), with production settings: DEBUG off.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "casework_bench"
SLOW_SEARCH_MS = 50.0


# --- the parent: databases, child processes, the report ---------------------------------


def _pg_admin(statements: list[str]) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)  # type: ignore[arg-type]


def _child_env(database: str, workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DATABASE_URL", "SQLITE_PATH", "CASEWORK_DEBUG"):
        env.pop(name, None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            "PYTHONPATH": os.pathsep.join([str(BENCH_DIR), str(ROOT)]),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "CASEWORK_DEBUG": "0",
        }
    )
    if database == "postgres":
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_BENCH_DB}"
    else:
        env["SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    return env


def run_database(database: str, args: argparse.Namespace) -> dict[str, Any]:
    """Create the database, run the child that fills and measures it, drop the database."""
    workdir = Path(tempfile.mkdtemp(prefix="casework-bench-"))
    result_path = workdir / "result.json"
    if database == "postgres":
        _pg_admin([f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)", f"CREATE DATABASE {PG_BENCH_DB}"])
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--database",
        database,
        "--clients",
        str(args.clients),
        "--notes-per-case",
        str(args.notes_per_case),
        "--runs",
        str(args.runs),
        "--seconds-per-operation",
        str(args.seconds_per_operation),
        "--result",
        str(result_path),
    ]
    try:
        print(f"\n=== {database}: {args.clients:,} clients ===", flush=True)
        subprocess.run(command, env=_child_env(database, workdir), check=True, timeout=args.timeout)  # noqa: S603
        return json.loads(result_path.read_text())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if database == "postgres":
            _pg_admin([f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)"])


def print_report(results: list[dict[str, Any]]) -> None:
    print(
        "\n| database | operation | p50 ms | p95 ms | bare SQL p50 ms | bare SQL p95 ms | ratio p50 | ratio p95 |"
        " runs | SQL queries |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for result in results:
        for row in result["operations"]:
            base = row.get("baseline") or {}
            ratio50 = row["p50"] / base["p50"] if base.get("p50") else None
            ratio95 = row["p95"] / base["p95"] if base.get("p95") else None
            print(
                f"| {result['database']} | {row['name']} | {row['p50']:.2f} | {row['p95']:.2f} | "
                f"{base.get('p50', 0):.3f} | {base.get('p95', 0):.3f} | "
                f"{f'{ratio50:.0f}×' if ratio50 else '–'} | {f'{ratio95:.0f}×' if ratio95 else '–'} | "
                f"{row['runs']} | {row.get('queries', '–')} |"
            )
    for result in results:
        print(
            f"\n{result['database']}: {result['versions']}; generated {result['generated']} in "
            f"{result['generate_seconds']:.0f} s; measured in {result['measure_seconds']:.0f} s."
        )
        for row in result["operations"]:
            if row.get("explain"):
                print(f"\nEXPLAIN for {result['database']} / {row['name']} (p95 {row['p95']:.1f} ms):")
                print(row["sql"][:2000])
                print(row["explain"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--notes-per-case", type=int, default=3)
    parser.add_argument("--runs", type=int, default=200, help="Timed runs per operation (after 5 warm-up runs).")
    parser.add_argument("--seconds-per-operation", type=float, default=8.0, help="Stop an operation's runs early.")
    parser.add_argument("--timeout", type=int, default=1800, help="Give up on one database after this many seconds.")
    parser.add_argument("--json", type=Path, help="Also write the results to this file.")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    started = time.monotonic()
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    results = [run_database(database, args) for database in databases]
    print_report(results)
    print(f"\nTotal: {time.monotonic() - started:.0f} s on {os.cpu_count()} CPU(s), {platform.platform()}.")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


# --- the child: fill one database and measure it ----------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def timed(operation: Callable[[], Any], *, runs: int, budget: float) -> dict[str, Any]:
    """p50/p95 in milliseconds over `runs` runs (fewer if the time budget runs out)."""
    for _ in range(5):
        operation()
    samples: list[float] = []
    # CPU time of this process as well: on a machine shared with other work, wall-clock times
    # carry the wait for a core, CPU times much less (the database server's CPU is not in it).
    cpu_samples: list[float] = []
    deadline = time.monotonic() + budget
    while len(samples) < runs and (len(samples) < 20 or time.monotonic() < deadline):
        start, cpu_start = time.perf_counter(), time.process_time()
        operation()
        samples.append((time.perf_counter() - start) * 1000)
        cpu_samples.append((time.process_time() - cpu_start) * 1000)
    return {
        "p50": percentile(samples, 0.50),
        "p95": percentile(samples, 0.95),
        "mean": statistics.fmean(samples),
        "cpu_p50": percentile(cpu_samples, 0.50),
        "cpu_p95": percentile(cpu_samples, 0.95),
        "runs": len(samples),
    }


def database_version() -> str:
    """The database engine and its version, for the report ("PostgreSQL 15.19")."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def captured_queries(operation: Callable[[], Any]) -> list[dict[str, Any]]:
    """The SQL one run of the operation sends (the log is cleared first: it keeps only 9,000)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as context:
        operation()
    return context.captured_queries


def child(args: argparse.Namespace) -> None:
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client as HttpClient

    from casework.accounts.models import Role, User
    from casework.cases.models import OPEN_STATUSES, Case
    from casework.cases.selectors import caseload_for_user, caseload_rows
    from casework.clients.models import Client
    from casework.clients.selectors import client_search
    from casework.core import text
    from casework.core.synthetic import AGENCY_NAME
    from casework.notes.models import ProgressNote

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command(
        "generate_synthetic",
        clients=args.clients,
        notes_per_case=args.notes_per_case,
        yes_i_know=True,
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        # PostgreSQL's autovacuum would analyse the new tables within a minute; do it now. SQLite
        # is measured as the application leaves it (Django never runs ANALYZE on SQLite).
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    generate_seconds = time.monotonic() - started
    measure_started = time.monotonic()

    worker = (
        User.objects.filter(agency__name=AGENCY_NAME, role=Role.CASE_MANAGER).order_by("pk").select_related("team")
    ).first()
    assert worker is not None and worker.team is not None
    program = Case.objects.filter(primary_worker=worker).select_related("program__director").first().program  # type: ignore[union-attr]
    director = program.director
    assert director is not None
    mine = list(Client.objects.filter(cases__primary_worker=worker).distinct().order_by("pk"))
    counts = {
        row["last_name_key"]: row["n"]
        for row in Client.objects.filter(last_name_key__in={c.last_name_key for c in mine})
        .values("last_name_key")
        .annotate(n=Count("pk"))
    }
    common = max(mine, key=lambda client: counts[client.last_name_key])
    typo_target = next(c for c in mine if len(c.legal_last_name) >= 6 and c.legal_last_name.isalpha())
    last = typo_target.legal_last_name
    typo = last[:3] + last[4] + last[3] + last[5:]
    nickname_target, nickname = next(
        (c, sorted(text.given_name_variants(c.legal_first_name) - {c.first_name_key}, key=len)[0])
        for c in mine
        if not c.preferred_name and len(text.given_name_variants(c.legal_first_name)) > 1
    )
    dob_target = next(c for c in mine if c.date_of_birth)
    phone_target = next(c for c in mine if c.phone)
    searches = [
        (
            "last name",
            common.legal_last_name,
            common,
            "SELECT id, legal_first_name, legal_last_name, date_of_birth "
            "FROM clients_client WHERE last_name_key = %s LIMIT 25",
            [common.last_name_key],
        ),
        (
            "first + last name with a typo",
            f"{typo_target.legal_first_name} {typo}",
            typo_target,
            "SELECT id, legal_first_name, legal_last_name, date_of_birth FROM clients_client "
            "WHERE last_name_key = %s AND first_name_key = %s LIMIT 25",
            [typo_target.last_name_key, typo_target.first_name_key],
        ),
        (
            "nickname + last name",
            f"{nickname} {nickname_target.legal_last_name}",
            nickname_target,
            "SELECT id, legal_first_name, legal_last_name, date_of_birth FROM clients_client "
            "WHERE last_name_key = %s AND first_name_key IN (%s, %s) LIMIT 25",
            [nickname_target.last_name_key, nickname_target.first_name_key, text.name_key(nickname)],
        ),
        (
            "date of birth",
            dob_target.date_of_birth.isoformat(),
            dob_target,  # type: ignore[union-attr]
            "SELECT id, legal_first_name, legal_last_name, date_of_birth FROM clients_client "
            "WHERE date_of_birth = %s LIMIT 25",
            [dob_target.date_of_birth],
        ),
        (
            "phone",
            phone_target.phone,
            phone_target,
            "SELECT id, legal_first_name, legal_last_name, date_of_birth FROM clients_client "
            "WHERE phone_digits = %s LIMIT 25",
            [phone_target.phone_digits],
        ),
    ]

    def bare(sql: str, params: list[Any]) -> Callable[[], Any]:
        def run() -> Any:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        return run

    def explain(sql: str) -> str:
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql)
            return "\n".join(" | ".join(str(part) for part in row) for row in cursor.fetchall())

    operations: list[dict[str, Any]] = []
    budget, runs = args.seconds_per_operation, args.runs
    for user_label, user in (("worker", worker), ("program director", director)):
        for label, query, target, sql, params in searches:
            hits = client_search(user=user, query=query)
            captured = captured_queries(lambda user=user, query=query: client_search(user=user, query=query))
            row = {
                "name": f"search as {user_label}: {label} ({query!r})",
                **timed(lambda user=user, query=query: client_search(user=user, query=query), runs=runs, budget=budget),
                "baseline": timed(bare(sql, params), runs=runs, budget=budget),
                "queries": len(captured),
                "found": target.pk in [hit.client.pk for hit in hits],
                "hits": len(hits),
            }
            if row["p95"] > SLOW_SEARCH_MS:
                row["sql"] = captured[0]["sql"]
                row["explain"] = explain(row["sql"])
            operations.append(row)
            print(
                f"  {row['name']}: p50 {row['p50']:.2f} ms, p95 {row['p95']:.2f} ms "
                f"({row['hits']} hits, target found: {row['found']})",
                flush=True,
            )

    # Only placeholders are formatted into the statement; the values are parameters.
    caseload_sql = (
        "SELECT c.id, c.status, c.opened_at, cl.legal_first_name, cl.legal_last_name, p.name, "
        "p.contact_interval_days, "
        "(SELECT MAX(n.contact_date) FROM notes_progressnote n WHERE n.case_id = c.id AND n.status <> 'voided'), "
        "(SELECT COUNT(*) FROM notes_progressnote n WHERE n.case_id = c.id AND n.status = 'draft') "
        "FROM cases_case c JOIN clients_client cl ON cl.id = c.client_id "
        "JOIN accounts_program p ON p.id = c.program_id "
        "WHERE c.primary_worker_id = %s AND c.status <> 'closed'"
    )
    caseload_baseline = timed(bare(caseload_sql, [worker.pk]), runs=runs, budget=budget)
    open_cases = Case.objects.filter(primary_worker=worker, status__in=OPEN_STATUSES).count()
    http = HttpClient()
    http.force_login(worker, backend="casework.accounts.backends.EmailBackend")
    page_works = False
    try:
        page_works = http.get("/cases/caseload/").status_code == 200
    except Exception as exc:  # the page may not be built yet
        print(f"  caseload page not available ({exc.__class__.__name__}); measuring the selector", flush=True)
    if page_works:
        captured = captured_queries(lambda: http.get("/cases/caseload/"))
        name = f"caseload page GET /cases/caseload/ ({open_cases} open cases)"
        measured = timed(lambda: http.get("/cases/caseload/"), runs=runs, budget=budget)
    else:
        captured = captured_queries(lambda: caseload_rows(cases=caseload_for_user(user=worker)))
        name = f"caseload_rows(caseload_for_user) ({open_cases} open cases)"
        measured = timed(lambda: caseload_rows(cases=caseload_for_user(user=worker)), runs=runs, budget=budget)
    operations.append({"name": name, **measured, "baseline": caseload_baseline, "queries": len(captured)})
    print(f"  {name}: p50 {measured['p50']:.2f} ms, p95 {measured['p95']:.2f} ms", flush=True)
    selector = timed(lambda: caseload_rows(cases=caseload_for_user(user=worker)), runs=runs, budget=budget)
    operations.append({"name": "caseload_rows selector alone", **selector, "baseline": caseload_baseline})

    versions = database_version()
    result = {
        "database": args.database,
        "versions": versions,
        "generated": (
            f"{Client.objects.count():,} clients, {Case.objects.count():,} cases, "
            f"{ProgressNote.objects.count():,} notes"
        ),
        "generate_seconds": generate_seconds,
        "measure_seconds": time.monotonic() - measure_started,
        "operations": operations,
    }
    args.result.write_text(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
