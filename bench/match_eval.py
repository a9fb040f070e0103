"""Client matching: quality on a labelled evaluation set, and lookup speed, at agency scale.

    .venv/bin/python bench/match_eval.py [--clients 100000] [--database sqlite|postgres|both]

For each database (a throwaway SQLite file, or PostgreSQL `casework_bench_match`) it migrates,
runs `generate_synthetic` (no notes: matching reads only clients), then

1. adds **families** to the agency as hard negatives: for some clients a twin (same surname,
   date of birth, phone and address; another first name), a sibling and a parent (same
   surname, phone and address; a parent is sometimes the same first name, "Sr.");
2. builds the **evaluation set**: queries for registered people with realistic corruptions
   (typos, nicknames, first and last name swapped, day and month swapped, a year or a digit
   of the date wrong, missing date or phone, a new phone, a new ZIP code, half of a double
   surname, an added second surname), each labelled with the client it must find; and queries
   for people who are *not* registered (the unregistered twin or sibling of a client, and
   new people drawn like the synthetic ones), which must find nobody;
3. runs every query through the engine (`find_matches`, the agency-wide lookup the panel,
   the API and the review queue share) and reports precision, recall and F1 at the default
   "possible" threshold (and at "certain"), and recall of the true record in the top 3;
4. times the lookup (p50/p95) beside the bare indexed lookup of one exact key
   (`date_of_birth = %s`), measured in the same run, and the user-scoped lookup of the API.

`--dump FILE` writes each query's candidates with their agreement levels (for tuning the
weights in casework/clients/matching.py without regenerating the data).
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
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

from run import _child_env, _pg_admin, database_version, percentile, timed  # noqa: E402

PG_MATCH_DB = "casework_bench_match"


# --- corruptions ------------------------------------------------------------------------------

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def typo(rng: random.Random, word: str) -> str:
    """One keyboard slip: two letters swapped, one dropped, doubled or replaced."""
    if len(word) < 3:
        return word
    position = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["swap", "drop", "double", "replace"])
    if kind == "swap":
        return word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    if kind == "drop":
        return word[:position] + word[position + 1 :]
    if kind == "double":
        return word[:position] + word[position] + word[position:]
    return word[:position] + rng.choice(LETTERS) + word[position + 1 :]


def nickname(rng: random.Random, first: str) -> str | None:
    from casework.core import text

    options = sorted(text.given_name_variants(first) - {text.name_key(first)})
    return rng.choice(options).capitalize() if options else None


def date_slip(rng: random.Random, date: datetime.date) -> datetime.date:
    """A mistyped date of birth: day and month swapped, a year off by one, a digit wrong."""
    for _ in range(10):
        kind = rng.choice(["transpose", "year", "digit"])
        try:
            if kind == "transpose" and date.day <= 12 and date.day != date.month:
                return date.replace(month=date.day, day=date.month)
            if kind == "year":
                return date.replace(year=date.year + rng.choice([-1, 1]))
            if kind == "digit":
                day = date.day
                units = (day % 10 + rng.randint(1, 9)) % 10
                candidate = (day // 10) * 10 + units
                if 1 <= candidate <= 28:
                    return date.replace(day=candidate)
        except ValueError:
            continue
    return date


def random_phone(rng: random.Random) -> str:
    return f"({rng.randint(201, 989)}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"


def person_of(client: Any, identifiers: dict[int, list[str]]) -> dict[str, Any]:
    """The facts about a registered client a worker could be told at intake."""
    return {
        "first_name": client.legal_first_name,
        "last_name": client.legal_last_name,
        "date_of_birth": client.date_of_birth,
        "sex": client.sex,
        "phone": client.phone,
        "postal_code": client.postal_code,
        "ssn_last4": client.ssn_last4,
        "identifiers": identifiers.get(client.pk, []),
    }


def corrupt(rng: random.Random, person: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """What an intake worker types for this person: one to three realistic corruptions."""
    query = dict(person)
    # Not everything is asked every time.
    query["ssn_last4"] = person["ssn_last4"] if rng.random() < 0.3 else ""
    query["identifiers"] = person["identifiers"][:1] if rng.random() < 0.15 else []
    if rng.random() < 0.5:
        query["sex"] = ""
    applied: list[str] = []
    corruptions = [
        "first_typo",
        "last_typo",
        "nickname",
        "swap_names",
        "date_slip",
        "no_date",
        "no_phone",
        "new_phone",
        "moved",
        "surname_part",
        "surname_added",
    ]
    weights = [14, 14, 12, 5, 12, 6, 10, 10, 8, 3, 3]
    chosen: list[str] = []
    wanted = rng.choice([1, 1, 2, 2, 3])
    while len(chosen) < wanted:  # distinct corruptions: one typo per name, one slip per date
        name = rng.choices(corruptions, weights=weights)[0]
        if name not in chosen:
            chosen.append(name)
    for name in chosen:
        if name == "first_typo":
            query["first_name"] = typo(rng, query["first_name"])
        elif name == "last_typo":
            query["last_name"] = typo(rng, query["last_name"])
        elif name == "nickname":
            short = nickname(rng, person["first_name"])
            if short is None:
                continue
            query["first_name"] = short
        elif name == "swap_names":
            query["first_name"], query["last_name"] = query["last_name"], query["first_name"]
        elif name == "date_slip" and query["date_of_birth"]:
            query["date_of_birth"] = date_slip(rng, query["date_of_birth"])
        elif name == "no_date":
            query["date_of_birth"] = None
        elif name == "no_phone":
            query["phone"] = ""
        elif name == "new_phone":
            query["phone"] = random_phone(rng)
        elif name == "moved":
            query["postal_code"] = f"{rng.randint(10000, 99999)}"
        elif name == "surname_part" and "-" in person["last_name"]:
            query["last_name"] = rng.choice(person["last_name"].split("-"))
        elif name == "surname_added" and "-" not in person["last_name"]:
            query["last_name"] = f"{query['last_name']}-{rng.choice(['Garcia', 'Lopez', 'Smith', 'Okafor'])}"
        else:
            continue
        applied.append(name)
    return query, applied


# --- the child: fill one database, evaluate, time -------------------------------------------------


def build_families(rng: random.Random, clients: list[Any], count: int) -> list[tuple[Any, Any, str]]:
    """Twins, siblings and parents of `count` clients, sharing surname, phone and address."""
    from casework.clients.models import Client
    from casework.core.synthetic import FIRST_NAMES_FEMALE, FIRST_NAMES_MALE

    relatives: list[tuple[Any, Any, str]] = []
    for client in rng.sample(clients, count):
        taken = {client.legal_first_name}
        for kind in rng.sample(["twin", "sibling", "parent"], rng.randint(1, 2)):
            female = rng.random() < 0.5
            names = FIRST_NAMES_FEMALE if female else FIRST_NAMES_MALE
            first = rng.choice([name for name in names if name not in taken])
            taken.add(first)
            born = client.date_of_birth
            if kind == "sibling":
                born = born.replace(year=born.year + rng.choice([-6, -4, -3, -2, 2, 3, 5]), day=min(born.day, 28))
            elif kind == "parent":
                born = born.replace(year=born.year - rng.randint(20, 40), day=min(born.day, 28))
                if rng.random() < 0.3 and client.sex == "male":
                    first, female = client.legal_first_name, False  # John Smith Sr.
            relative = Client(
                agency_id=client.agency_id,
                legal_first_name=first,
                legal_last_name=client.legal_last_name,
                date_of_birth=born,
                sex="female" if female else "male",
                phone=client.phone,
                address_line1=client.address_line1,
                city=client.city,
                state=client.state,
                postal_code=client.postal_code,
                created_by_id=client.created_by_id,
            )
            relative.refresh_search_keys()
            relatives.append((client, relative, kind))
    Client.objects.bulk_create([relative for _client, relative, _kind in relatives], batch_size=2000)
    return relatives


def unregistered_person(rng: random.Random, like: Any | None) -> dict[str, Any]:
    """Someone not in the database: a relative of a client (sharing surname, phone, maybe date
    of birth), or a new person drawn like the synthetic clients."""
    from casework.core.synthetic import CITIES, FIRST_NAMES_FEMALE, FIRST_NAMES_MALE, LAST_NAMES

    female = rng.random() < 0.5
    names = FIRST_NAMES_FEMALE if female else FIRST_NAMES_MALE
    if like is not None:
        first = rng.choice([name for name in names if name != like.legal_first_name])
        twin = rng.random() < 0.5
        born = like.date_of_birth if twin else like.date_of_birth.replace(year=like.date_of_birth.year + 3, day=1)
        return {
            "first_name": first,
            "last_name": like.legal_last_name,
            "date_of_birth": born,
            "sex": "female" if female else "male",
            "phone": like.phone,
            "postal_code": like.postal_code,
            "ssn_last4": "",
            "identifiers": [],
        }
    return {
        "first_name": rng.choice(names),
        "last_name": rng.choice(LAST_NAMES),
        "date_of_birth": datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randint(0, 76 * 365)),
        "sex": "female" if female else "male",
        "phone": random_phone(rng),
        "postal_code": rng.choice(CITIES)[2],
        "ssn_last4": "",
        "identifiers": [],
    }


def child(args: argparse.Namespace) -> None:
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection

    from casework.accounts.models import Agency, Program, Role, User
    from casework.clients import matching
    from casework.clients.models import Client, ClientIdentifier
    from casework.core.synthetic import AGENCY_NAME

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("generate_synthetic", clients=args.clients, notes_per_case=0, yes_i_know=True, batch_size=5000)
    rng = random.Random(args.seed)
    agency = Agency.objects.get(name=AGENCY_NAME)
    all_ids = list(Client.objects.filter(agency=agency).order_by("pk").values_list("pk", flat=True))
    sample_ids = rng.sample(all_ids, min(len(all_ids), args.queries))
    loaded = Client.objects.in_bulk(sample_ids)
    by_position = [loaded[client_id] for client_id in sample_ids]
    families = build_families(rng, by_position[: args.queries], args.queries // 4)
    if not args.no_name_counts:
        # What the duplicate scan (or `manage.py refresh_name_counts`) keeps for lookups.
        call_command("refresh_name_counts", stdout=io.StringIO())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    generate_seconds = time.monotonic() - started

    positives = by_position[: args.queries]
    identifiers: dict[int, list[str]] = {}
    for client_id, value in ClientIdentifier.objects.filter(client_id__in=[c.pk for c in positives]).values_list(
        "client_id", "value"
    ):
        identifiers.setdefault(client_id, []).append(value)
    # The evaluation set: (query, expected client id or None, what was done to it).
    evaluation: list[tuple[dict[str, Any], int | None, str]] = []
    for client in positives:
        query, applied = corrupt(rng, person_of(client, identifiers))
        evaluation.append((query, client.pk, "+".join(applied) or "clean"))
    for _client, relative, kind in families[: args.queries // 4]:
        query, applied = corrupt(rng, person_of(relative, {}))
        evaluation.append((query, relative.pk, f"{kind} ({'+'.join(applied) or 'clean'})"))
    for index in range(args.queries // 2):
        like = positives[index] if index % 2 == 0 else None
        person = unregistered_person(rng, like)
        query, applied = corrupt(rng, person)
        evaluation.append((query, None, "unregistered relative" if like else "unregistered person"))

    thresholds = matching.thresholds_for(agency.pk)
    measure_started = time.monotonic()

    def lookup(query: dict[str, Any]) -> list[matching.MatchCandidate]:
        return matching.find_matches(
            agency_id=agency.pk, query=matching.MatchQuery(**{**query, "identifiers": tuple(query["identifiers"])})
        )

    counts = {"tp": 0, "fp": 0, "fn": 0, "tp_certain": 0, "fp_certain": 0, "fn_certain": 0, "top3": 0, "top1": 0}
    positives_total = sum(1 for _query, expected, _kind in evaluation if expected is not None)
    misses: list[dict[str, Any]] = []
    dump: list[dict[str, Any]] = []
    for query, expected, kind in evaluation:
        found = lookup(query)
        ranked = [candidate.client.pk for candidate in found]
        if expected is not None and expected in ranked[:3]:
            counts["top3"] += 1
        if expected is not None and ranked[:1] == [expected]:
            counts["top1"] += 1
        for suffix, threshold in (("", thresholds.possible), ("_certain", thresholds.certain)):
            predicted = {candidate.client.pk for candidate in found if candidate.probability >= threshold}
            counts["tp" + suffix] += int(expected in predicted)
            counts["fp" + suffix] += len(predicted - {expected})
            counts["fn" + suffix] += int(expected is not None and expected not in predicted)
        wrong = (expected is not None and expected not in ranked[:1]) or (
            found and found[0].client.pk != expected and found[0].probability >= thresholds.possible
        )
        if wrong and len(misses) < 40:
            misses.append(
                {
                    "kind": kind,
                    "query": {key: str(value) for key, value in query.items() if value},
                    "expected": expected,
                    "top": [(c.client.pk, round(c.probability, 4), c.reasons) for c in found[:2]],
                }
            )
        if args.dump:
            query_object = matching.MatchQuery(**{**query, "identifiers": tuple(query["identifiers"])})
            ids = matching.candidate_ids(agency_id=agency.pk, query=query_object)
            keys: dict[int, set[str]] = {}
            for client_id, value_key in ClientIdentifier.objects.filter(client_id__in=ids).values_list(
                "client_id", "value_key"
            ):
                keys.setdefault(client_id, set()).add(value_key)
            rows = []
            for candidate in Client.objects.filter(pk__in=ids):
                comparison = matching.compare(query_object, candidate, keys.get(candidate.pk))
                rows.append({"id": candidate.pk, "levels": comparison.levels, "swapped": comparison.swapped_names})
            dump.append({"expected": expected, "kind": kind, "candidates": rows})

    def ratio(tp: int, fp: int, fn: int) -> dict[str, float]:
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": precision, "recall": recall, "f1": f1}

    quality = {
        "queries": len(evaluation),
        "positives": positives_total,
        "negatives": len(evaluation) - positives_total,
        "families_added": len(families),
        "possible": ratio(counts["tp"], counts["fp"], counts["fn"]),
        "certain": ratio(counts["tp_certain"], counts["fp_certain"], counts["fn_certain"]),
        "top1_recall": counts["top1"] / positives_total,
        "top3_recall": counts["top3"] / positives_total,
        "thresholds": {"possible": thresholds.possible, "certain": thresholds.certain},
        "counts": counts,
    }
    print(json.dumps(quality, indent=2), flush=True)

    # Speed: the same queries again, timed one by one, and the bare indexed lookup of one key.
    timing_queries = [query for query, _expected, _kind in evaluation[: args.timed_queries]]
    cursor_sql = "SELECT id, legal_first_name, legal_last_name, date_of_birth FROM clients_client "
    cursor_sql += "WHERE date_of_birth = %s LIMIT 10"
    dates = [query["date_of_birth"] or datetime.date(1980, 2, 3) for query in timing_queries]
    position = {"n": 0}

    def next_lookup() -> None:
        position["n"] += 1
        lookup(timing_queries[position["n"] % len(timing_queries)])

    def next_bare() -> None:
        position["n"] += 1
        with connection.cursor() as cursor:
            cursor.execute(cursor_sql, [dates[position["n"] % len(dates)]])
            cursor.fetchall()

    director = Program.objects.filter(agency=agency).select_related("director").first().director  # type: ignore[union-attr]
    worker = User.objects.filter(agency=agency, role=Role.CASE_MANAGER).order_by("pk").first()

    def scoped(user: Any) -> Any:
        def run() -> None:
            position["n"] += 1
            query = timing_queries[position["n"] % len(timing_queries)]
            matching.matches_for_user(
                user=user, query=matching.MatchQuery(**{**query, "identifiers": tuple(query["identifiers"])})
            )

        return run

    budget, runs = args.seconds_per_operation, args.runs
    baseline = timed(next_bare, runs=runs, budget=budget)
    operations = [
        {"name": "find_matches (agency-wide engine)", **timed(next_lookup, runs=runs, budget=budget)},
        {"name": "matches_for_user as case manager (API/panel)", **timed(scoped(worker), runs=runs, budget=budget)},
        {"name": "matches_for_user as program director", **timed(scoped(director), runs=runs, budget=budget)},
    ]
    for row in operations:
        row["baseline"] = baseline
        print(
            f"  {row['name']}: p50 {row['p50']:.2f} ms, p95 {row['p95']:.2f} ms "
            f"(bare p50 {baseline['p50']:.3f}, p95 {baseline['p95']:.3f})",
            flush=True,
        )
    candidate_counts = [
        len(
            matching.candidate_ids(
                agency_id=agency.pk,
                query=matching.MatchQuery(**{**query, "identifiers": tuple(query["identifiers"])}),
            )
        )
        for query in timing_queries[:200]
    ]
    versions = database_version()
    result = {
        "database": args.database,
        "versions": versions,
        "clients": Client.objects.count(),
        "generate_seconds": generate_seconds,
        "measure_seconds": time.monotonic() - measure_started,
        "quality": quality,
        "operations": operations,
        "candidates": {
            "p50": percentile([float(n) for n in candidate_counts], 0.5),
            "p95": percentile([float(n) for n in candidate_counts], 0.95),
            "max": max(candidate_counts),
        },
        "misses": misses,
    }
    args.result.write_text(json.dumps(result, default=str))
    if args.dump:
        args.dump.write_text(json.dumps(dump, default=str))


# --- the parent -------------------------------------------------------------------------------


def run_database(database: str, args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="casework-match-"))
    result_path = workdir / "result.json"
    if database == "postgres":
        _pg_admin([f"DROP DATABASE IF EXISTS {PG_MATCH_DB} WITH (FORCE)", f"CREATE DATABASE {PG_MATCH_DB}"])
    env = _child_env(database, workdir)
    if database == "postgres":
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_MATCH_DB}"
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--database",
        database,
        "--clients",
        str(args.clients),
        "--queries",
        str(args.queries),
        "--timed-queries",
        str(args.timed_queries),
        "--seed",
        str(args.seed),
        "--runs",
        str(args.runs),
        "--seconds-per-operation",
        str(args.seconds_per_operation),
        "--result",
        str(result_path),
    ]
    if args.dump:
        command += ["--dump", str(args.dump.resolve().with_suffix(f".{database}.json"))]
    if args.no_name_counts:
        command += ["--no-name-counts"]
    try:
        print(f"\n=== {database}: {args.clients:,} clients ===", flush=True)
        subprocess.run(command, env=env, check=True, timeout=args.timeout)  # noqa: S603
        return json.loads(result_path.read_text())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if database == "postgres":
            _pg_admin([f"DROP DATABASE IF EXISTS {PG_MATCH_DB} WITH (FORCE)"])


def print_report(results: list[dict[str, Any]]) -> None:
    print("\n| database | clients | queries (+/−) | P | R | F1 | P certain | R certain | top-1 recall | top-3 recall |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for result in results:
        quality = result["quality"]
        possible, certain = quality["possible"], quality["certain"]
        print(
            f"| {result['database']} | {result['clients']:,} | {quality['queries']:,} "
            f"({quality['positives']:,}/{quality['negatives']:,}) | {possible['precision']:.4f} | "
            f"{possible['recall']:.4f} | {possible['f1']:.4f} | {certain['precision']:.4f} | "
            f"{certain['recall']:.4f} | {quality['top1_recall']:.4f} | {quality['top3_recall']:.4f} |"
        )
    print(
        "\n| database | operation | p50 ms | p95 ms | bare SQL p50 ms | bare SQL p95 ms "
        "| ratio p50 | ratio p95 | runs |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for result in results:
        for row in result["operations"]:
            base = row["baseline"]
            print(
                f"| {result['database']} | {row['name']} | {row['p50']:.2f} | {row['p95']:.2f} | "
                f"{base['p50']:.3f} | {base['p95']:.3f} | {row['p50'] / base['p50']:.0f}× | "
                f"{row['p95'] / base['p95']:.0f}× | {row['runs']} |"
            )
    for result in results:
        print(
            f"\n{result['database']}: {result['versions']}; {result['clients']:,} clients generated in "
            f"{result['generate_seconds']:.0f} s; measured in {result['measure_seconds']:.0f} s; candidates per "
            f"lookup p50 {result['candidates']['p50']:.0f}, p95 {result['candidates']['p95']:.0f}, "
            f"max {result['candidates']['max']}."
        )
        for miss in result["misses"][:15]:
            print("  miss:", json.dumps(miss, default=str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--queries", type=int, default=2000, help="Registered people looked up (plus relatives).")
    parser.add_argument("--timed-queries", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--seconds-per-operation", type=float, default=8.0)
    parser.add_argument("--timeout", type=int, default=1800)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--dump", type=Path, help="Write every query's candidates and levels (for tuning).")
    parser.add_argument(
        "--no-name-counts",
        action="store_true",
        help="Do not refresh the name counts (lookups count the names on the indexes, as before the table).",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    results = [run_database(database, args) for database in databases]
    print_report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
