"""Casework benchmark: the Today page and the supervisor overview at agency scale, against bare SQL.

    .venv/bin/python bench/today.py [--clients 100000] [--database sqlite|postgres|both]

Same shape as bench/run.py (whose helpers it uses): a throwaway database per engine (a
temporary SQLite file; PostgreSQL `casework_bench_today` on 127.0.0.1:5432, dropped and
created), `migrate` + `generate_synthetic` in a child process with production settings, then
p50/p95 of each operation beside the bare SQL it needs, measured in the same run.

Generating 100,000 clients takes minutes; to profile or measure again on the same data, keep
it: `--keep DIR` generates once into DIR (the SQLite file and the keys the data was encrypted
with; PostgreSQL keeps its database) and later runs with the same `--keep DIR` reuse it
(the due work is dated from the day it was added: regenerate on another day). `--drop`
removes a kept database.

On top of the synthetic data the child gives the first synthetic worker's team due work, so the
lists are not empty: a PHQ-9 rule (intake + every 90 days) on the worker's programs, 20 open
tasks for each worker of the team (a third of them late) and an open risk flag on 3 clients of
each. About a third of each caseload is already overdue for contact (generate_synthetic).
"""

from __future__ import annotations

import argparse
import datetime
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

PG_DB = "casework_bench_today"


def _kept_env(database: str, keep: Path) -> tuple[dict[str, str], bool]:
    """The child's environment for a kept database, and whether the data is already there.

    The secrets are kept beside the data: the synthetic identifiers were encrypted with them.
    """
    keep.mkdir(parents=True, exist_ok=True)
    state_path = keep / f"{database}.json"
    if state_path.exists():
        state = json.loads(state_path.read_text())
        env = bench_run._child_env(database, keep)
        env.update(state["secrets"])
        return env, True
    env = bench_run._child_env(database, keep)
    if database == "postgres":
        bench_run._pg_admin([f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)", f"CREATE DATABASE {PG_DB}"])
    else:
        (keep / "bench.sqlite3").unlink(missing_ok=True)
    return env, False


def _child_command(database: str, args: argparse.Namespace, result_path: Path, *, reuse: bool) -> list[str]:
    return [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--database",
        database,
        "--clients",
        str(args.clients),
        "--runs",
        str(args.runs),
        "--seconds-per-operation",
        str(args.seconds_per_operation),
        "--result",
        str(result_path),
        *(["--reuse"] if reuse else []),
        *(["--generate-only"] if args.generate_only else []),
    ]


def run_kept_database(database: str, args: argparse.Namespace) -> dict[str, Any]:
    """Measure a database kept in --keep DIR, generating it first if it is not there yet."""
    keep: Path = args.keep
    env, reuse = _kept_env(database, keep)
    if database == "postgres":
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    result_path = keep / f"{database}-result.json"
    print(f"\n=== {database}: {'kept data in ' + str(keep) if reuse else f'{args.clients:,} clients, kept'} ===")
    subprocess.run(  # noqa: S603
        _child_command(database, args, result_path, reuse=reuse), env=env, check=True, timeout=args.timeout
    )
    if not reuse:
        secrets = {name: env[name] for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS")}
        (keep / f"{database}.json").write_text(json.dumps({"secrets": secrets, "clients": args.clients}))
    return json.loads(result_path.read_text())


def drop_kept(database: str, keep: Path) -> None:
    if database == "postgres":
        bench_run._pg_admin([f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"])
    else:
        (keep / "bench.sqlite3").unlink(missing_ok=True)
    (keep / f"{database}.json").unlink(missing_ok=True)


def run_database(database: str, args: argparse.Namespace) -> dict[str, Any]:
    if args.keep:
        return run_kept_database(database, args)
    workdir = Path(tempfile.mkdtemp(prefix="casework-bench-today-"))
    result_path = workdir / "result.json"
    if database == "postgres":
        bench_run._pg_admin([f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)", f"CREATE DATABASE {PG_DB}"])
    env = bench_run._child_env(database, workdir)
    if database == "postgres":
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    command = _child_command(database, args, result_path, reuse=False)
    try:
        print(f"\n=== {database}: {args.clients:,} clients ===", flush=True)
        subprocess.run(command, env=env, check=True, timeout=args.timeout)  # noqa: S603
        return json.loads(result_path.read_text())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if database == "postgres":
            bench_run._pg_admin([f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seconds-per-operation", type=float, default=8.0)
    parser.add_argument("--timeout", type=int, default=1800)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", type=Path, help="Generate once into this directory and reuse it on later runs.")
    parser.add_argument("--drop", action="store_true", help="Remove the databases kept with --keep, then stop.")
    parser.add_argument(
        "--generate-only",
        action="store_true",
        help="With --keep: generate the data (if not there yet) and stop without measuring, so the timed "
        "run can be taken later (e.g. under a lock while the machine is otherwise quiet).",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--reuse", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    started = time.monotonic()
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    if args.drop:
        if not args.keep:
            parser.error("--drop needs --keep DIR")
        for database in databases:
            drop_kept(database, args.keep)
        return
    if args.generate_only:
        if not args.keep:
            parser.error("--generate-only needs --keep DIR")
        for database in databases:
            run_kept_database(database, args)
        print(f"\nGenerated (or found) in {args.keep}: {time.monotonic() - started:.0f} s.")
        return
    results = [run_database(database, args) for database in databases]
    bench_run.print_report(results)
    print_cpu_report(results)
    print(f"\nTotal: {time.monotonic() - started:.0f} s on {os.cpu_count()} CPU(s), {platform.platform()}.")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def print_cpu_report(results: list[dict[str, Any]]) -> None:
    """CPU time of the measuring process beside the wall-clock figures (see bench/README.md)."""
    print("\n| database | operation | CPU p50 ms | CPU p95 ms | bare SQL CPU p50 ms | load average (1 min) |")
    print("|---|---|---:|---:|---:|---:|")
    for result in results:
        for row in result["operations"]:
            base = row.get("baseline") or {}
            print(
                f"| {result['database']} | {row['name']} | {row.get('cpu_p50', 0):.2f} | {row.get('cpu_p95', 0):.2f} | "
                f"{base.get('cpu_p50', 0):.3f} | {row.get('load', '–')} |"
            )


def _add_due_work(team: Any, workers: list[Any], today: datetime.date) -> None:
    """Rules, tasks and risk flags for the team (bulk inserts: this is set-up, not what is measured)."""
    from casework.assessments.models import Instrument
    from casework.cases.models import OPEN_STATUSES, Case
    from casework.safety.models import RiskFlag, RiskKind
    from casework.tasks.models import ReassessmentRule, Task, TaskPriority

    phq9 = Instrument.objects.get(code="phq9")
    program_ids = set(Case.objects.filter(primary_worker__in=workers).values_list("program_id", flat=True))
    for program_id in program_ids:
        ReassessmentRule.objects.get_or_create(
            program_id=program_id, instrument=phq9, defaults={"due_at_intake": True, "interval_days": 90}
        )
    tasks, flags = [], []
    for worker in workers:
        cases = list(Case.objects.filter(primary_worker=worker, status__in=OPEN_STATUSES).order_by("pk")[:20])
        for index, case in enumerate(cases):
            tasks.append(
                Task(
                    agency_id=worker.agency_id,
                    client_id=case.client_id,
                    case=case,
                    title=f"Follow up {index}",
                    assignee=worker,
                    created_by=worker,
                    due_date=today + datetime.timedelta(days=index - 7),
                    priority=TaskPriority.HIGH if index % 5 == 0 else TaskPriority.NORMAL,
                )
            )
            if index < 3:
                flags.append(
                    RiskFlag(
                        client_id=case.client_id,
                        case=case,
                        kind=RiskKind.STAFF_CONCERN,
                        summary="Worried about safety at home",
                        raised_by=worker,
                    )
                )
    Task.objects.bulk_create(tasks)
    RiskFlag.objects.bulk_create(flags)


def child(args: argparse.Namespace) -> None:
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client as HttpClient
    from django.utils import timezone

    from casework.accounts.models import Role, User
    from casework.cases.models import OPEN_STATUSES, Case
    from casework.clients.models import Client
    from casework.core.synthetic import AGENCY_NAME
    from casework.notes.models import ProgressNote
    from casework.today.overview import teams_overview
    from casework.today.selectors import today_for_user

    started = time.monotonic()
    call_command("migrate", verbosity=0)  # also on kept data: the code may have new migrations
    if not args.reuse:
        call_command("generate_synthetic", clients=args.clients, yes_i_know=True, batch_size=5000)
    worker = (
        User.objects.filter(agency__name=AGENCY_NAME, role=Role.CASE_MANAGER).order_by("pk").select_related("team")
    ).first()
    assert worker is not None and worker.team is not None
    team = worker.team
    supervisor = team.supervisor
    assert supervisor is not None
    members = list(User.objects.filter(team=team, is_active=True))
    today = timezone.localdate()
    if not args.reuse:
        _add_due_work(team, [m for m in members if m.role == Role.CASE_MANAGER], today)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
    generate_seconds = time.monotonic() - started
    if args.generate_only:
        args.result.write_text(json.dumps({"database": args.database, "generate_seconds": generate_seconds}))
        return
    measure_started = time.monotonic()
    budget, runs = args.seconds_per_operation, args.runs

    def bare(sql: str, params: list[Any]) -> Any:
        def run() -> Any:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        return run

    # What the Today list needs from the database, as bare SQL: the worker's open cases with last
    # contact (the contact rule), their open tasks, their clients' open flags, their old drafts.
    today_sql = [
        (
            "SELECT c.id, c.acuity, c.opened_at, cl.legal_first_name, cl.legal_last_name, p.contact_interval_days, "
            "(SELECT MAX(n.contact_date) FROM notes_progressnote n WHERE n.case_id = c.id AND n.status <> 'voided') "
            "FROM cases_case c JOIN clients_client cl ON cl.id = c.client_id "
            "JOIN accounts_program p ON p.id = c.program_id WHERE c.primary_worker_id = %s AND c.status <> 'closed'",
            [worker.pk],
        ),
        (
            "SELECT t.id, t.title, t.due_date, cl.legal_first_name FROM tasks_task t "
            "JOIN clients_client cl ON cl.id = t.client_id WHERE t.assignee_id = %s AND t.status = 'open'",
            [worker.pk],
        ),
        (
            "SELECT f.id, f.summary FROM safety_riskflag f JOIN cases_case c ON c.id = f.case_id "
            "WHERE f.resolved_at IS NULL AND c.primary_worker_id = %s",
            [worker.pk],
        ),
        (
            "SELECT n.id FROM notes_progressnote n WHERE n.author_id = %s AND n.status = 'draft' AND n.created_at < %s",
            [worker.pk, timezone.now()],
        ),
    ]
    overview_sql = [
        (
            "SELECT c.primary_worker_id, COUNT(*), SUM(c.acuity) FROM cases_case c JOIN accounts_user u "
            "ON u.id = c.primary_worker_id WHERE u.team_id = %s AND c.status <> 'closed' "
            "GROUP BY c.primary_worker_id",
            [team.pk],
        ),
        (
            "SELECT c.id, c.primary_worker_id, (SELECT MAX(n.contact_date) FROM notes_progressnote n "
            "WHERE n.case_id = c.id AND n.status <> 'voided') FROM cases_case c JOIN accounts_user u "
            "ON u.id = c.primary_worker_id WHERE u.team_id = %s AND c.status <> 'closed'",
            [team.pk],
        ),
    ]

    def all_of(statements: list[tuple[str, list[Any]]]) -> Any:
        runners = [bare(sql, params) for sql, params in statements]
        return lambda: [runner() for runner in runners]

    today_baseline = bench_run.timed(all_of(today_sql), runs=runs, budget=budget)
    overview_baseline = bench_run.timed(all_of(overview_sql), runs=runs, budget=budget)
    open_cases = Case.objects.filter(primary_worker=worker, status__in=OPEN_STATUSES).count()
    found = today_for_user(user=worker)
    as_worker, as_supervisor = HttpClient(), HttpClient()
    as_worker.force_login(worker, backend="casework.accounts.backends.EmailBackend")
    as_supervisor.force_login(supervisor, backend="casework.accounts.backends.EmailBackend")
    assert as_worker.get("/today/").status_code == 200
    assert as_supervisor.get("/today/team/").status_code == 200

    operations: list[dict[str, Any]] = []
    measured_ops = [
        (
            f"Today page GET /today/ ({open_cases} open cases, {len(found.items)} items)",
            lambda: as_worker.get("/today/"),
            today_baseline,
        ),
        ("today_for_user selector alone", lambda: today_for_user(user=worker), today_baseline),
        (
            f"team overview GET /today/team/ ({len(members)} members)",
            lambda: as_supervisor.get("/today/team/"),
            overview_baseline,
        ),
        ("teams_overview selector alone", lambda: teams_overview(teams=[team], today=today), overview_baseline),
    ]
    for name, operation, baseline in measured_ops:
        captured = bench_run.captured_queries(operation)
        row = {"name": name, **bench_run.timed(operation, runs=runs, budget=budget), "baseline": baseline}
        row["queries"] = len(captured)
        row["load"] = f"{os.getloadavg()[0]:.1f}"
        operations.append(row)
        print(
            f"  {name}: p50 {row['p50']:.2f} ms, p95 {row['p95']:.2f} ms (CPU p50 {row['cpu_p50']:.2f} ms), "
            f"{row['queries']} queries, load {row['load']}",
            flush=True,
        )

    versions = bench_run.database_version()
    result = {
        "database": args.database,
        "versions": versions,
        "generated": (
            f"{Client.objects.count():,} clients, {Case.objects.count():,} cases, "
            f"{ProgressNote.objects.count():,} notes" + (" (kept from an earlier run)" if args.reuse else "")
        ),
        "generate_seconds": generate_seconds,
        "measure_seconds": time.monotonic() - measure_started,
        "operations": operations,
    }
    args.result.write_text(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
