"""Start the real Casework app for the browser tests: a fresh database, demo data, runserver.

The browser tests talk HTTP only. pytest-django's `live_server` is not used because it
flushes the database between tests, and the audit table refuses DELETE/TRUNCATE by design.
Instead each test session gets a database of its own (a temporary SQLite file, or a
`casework_e2e_<pid>` database on the PostgreSQL server of DATABASE_URL), which is dropped
at the end.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"
SERVER_LOG = ARTIFACTS_DIR / "e2e-server.log"
STARTUP_TIMEOUT_SECONDS = 60.0


class ServerError(RuntimeError):
    """The app server could not be prepared or did not start; the message holds its output."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_url_with_database(database_url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(database_url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


@contextmanager
def fresh_database(base_env: dict[str, str]) -> Iterator[dict[str, str]]:
    """Environment variables pointing at a new, empty database; the database is removed afterwards."""
    database_url = base_env.get("DATABASE_URL", "")
    if not database_url:
        with tempfile.TemporaryDirectory(prefix="casework-e2e-") as directory:
            yield {"SQLITE_PATH": str(Path(directory) / "e2e.sqlite3")}
        return

    name = f"casework_e2e_{os.getpid()}"
    admin_conninfo = psycopg.conninfo.make_conninfo(database_url, dbname="postgres")
    with psycopg.connect(admin_conninfo, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield {"DATABASE_URL": _server_url_with_database(database_url, name)}
    finally:
        with psycopg.connect(admin_conninfo, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _prepare_database(env: dict[str, str], log: Path) -> None:
    """Migrate the fresh database and load the demo data (`manage.py migrate` + `load_demo`)."""
    args = ["-m", "casework.e2e.prepare_database"]
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own module
        [sys.executable, *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    with log.open("a", encoding="utf-8") as out:
        out.write(f"$ python {' '.join(args)}  ({time.monotonic() - started:.1f}s, exit {result.returncode})\n")
        out.write(result.stdout + result.stderr)
    if result.returncode != 0:
        raise ServerError(f"Preparing the database failed:\n{result.stdout}\n{result.stderr}")


def _wait_until_up(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"runserver exited with {process.returncode}:\n{log.read_text(encoding='utf-8')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - http://127.0.0.1 only
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise ServerError(f"runserver did not answer {url} within {STARTUP_TIMEOUT_SECONDS:.0f}s")


@contextmanager
def running_app() -> Iterator[str]:
    """Migrate a fresh database, load the demo data, serve the app; yield its base URL."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    SERVER_LOG.write_text("", encoding="utf-8")
    base_env = {
        key: value
        for key, value in os.environ.items()
        # pytest-django and settings_test put these in our environment; the server uses its own.
        if key not in {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "SQLITE_PATH"}
    }
    with fresh_database(base_env) as database_env:
        env = {
            **base_env,
            **database_env,
            "CASEWORK_DEBUG": "1",
            "DJANGO_SETTINGS_MODULE": "casework.config.settings",
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "WARNING",
        }
        _prepare_database(env, SERVER_LOG)

        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        server_env = {**env, "DJANGO_SETTINGS_MODULE": "casework.e2e.server_settings", "LOG_LEVEL": "INFO"}
        with SERVER_LOG.open("ab") as log_file:
            process = subprocess.Popen(  # noqa: S603 - fixed arguments, our own manage.py
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
                cwd=REPO_ROOT,
                env=server_env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_until_up(process, base_url + "/accounts/login/", SERVER_LOG)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
