"""An index for free-text search of services (`search_text LIKE '%word%'`), one per engine.

PostgreSQL: a trigram GIN index (pg_trgm), which the planner uses for the same LIKE the search
already runs; skipped, with a notice, where the extension cannot be created (the search then
scans, as before). SQLite: an FTS5 table with the trigram tokenizer over `search_text`, kept in
step by triggers on every insert, update and delete of a service (bulk imports included), which
the search asks first for the services whose text holds each word (3 characters or more).
"""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError, migrations, transaction

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE directory_service_fts USING fts5("
    "search_text, content='directory_service', content_rowid='rowid', tokenize='trigram')",
    "CREATE TRIGGER directory_service_fts_insert AFTER INSERT ON directory_service BEGIN "
    "INSERT INTO directory_service_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END",
    "CREATE TRIGGER directory_service_fts_delete AFTER DELETE ON directory_service BEGIN "
    "INSERT INTO directory_service_fts(directory_service_fts, rowid, search_text) "
    "VALUES ('delete', old.rowid, old.search_text); END",
    "CREATE TRIGGER directory_service_fts_update AFTER UPDATE OF search_text ON directory_service BEGIN "
    "INSERT INTO directory_service_fts(directory_service_fts, rowid, search_text) "
    "VALUES ('delete', old.rowid, old.search_text); "
    "INSERT INTO directory_service_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END",
    "INSERT INTO directory_service_fts(directory_service_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS directory_service_fts_update",
    "DROP TRIGGER IF EXISTS directory_service_fts_delete",
    "DROP TRIGGER IF EXISTS directory_service_fts_insert",
    "DROP TABLE IF EXISTS directory_service_fts",
]
PG_INDEX = "directory_service_search_trgm"


def forward(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for statement in SQLITE_FORWARD:
                cursor.execute(statement)
        elif connection.vendor == "postgresql":
            try:
                with transaction.atomic(using=connection.alias):
                    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            except DatabaseError:
                print(
                    "\n  pg_trgm is not available to this database user: free-text search of the directory "
                    "will scan (ask a superuser to run CREATE EXTENSION pg_trgm, then migrate again)."
                )
                return
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON directory_service USING gin (search_text gin_trgm_ops)"
            )


def backward(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for statement in SQLITE_BACKWARD:
                cursor.execute(statement)
        elif connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("directory", "0006_location_covering_index")]

    operations = [migrations.RunPython(forward, backward)]
