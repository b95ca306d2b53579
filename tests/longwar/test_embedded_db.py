"""The embedded PostgreSQL server does not outlive the site: stopped by a signal, or by `make stop`.

Each test runs `manage.py` processes attached to a scratch embedded server (EMBEDDED_PGDATA), then ends them
the way a site is stopped.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings

from longwar.embedded_db import EmbeddedDatabaseError, _quiet_import, embedded_database_settings

WAITING = "import time; time.sleep(120)"


@pytest.fixture(scope="module")
def pgdata():
    """Outside pytest's own temporary folder, which each pytest run closes to other users (the server's)."""
    path = Path(tempfile.mkdtemp(prefix="longwar-scratch-")) / "pgdata"
    path.mkdir()
    yield path
    subprocess.run([sys.executable, "-m", "longwar.embedded_db", "stop"], env=environment(path), check=False)
    shutil.rmtree(path.parent)


def environment(pgdata) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    return env | {"EMBEDDED_PGDATA": str(pgdata), "DJANGO_SETTINGS_MODULE": "longwar.settings"}


def manage(pgdata, *args: str) -> subprocess.Popen:
    """A manage.py process on the scratch server, taking Ctrl-C as a terminal would (not ignored)."""
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment(pgdata),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def attached(pgdata) -> list[int]:
    """The processes the library counts as attached (read without its lock: mid-write reads as none)."""
    try:
        return json.loads((pgdata / ".handle_pids.json").read_text())
    except (OSError, ValueError):
        return []


def wait_attached(pgdata, *processes: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while not {process.pid for process in processes} <= set(attached(pgdata)):
        assert time.monotonic() < deadline, [process.stderr.read() for process in processes if process.poll()]
        time.sleep(0.1)


def server_running(pgdata) -> bool:
    info = _quiet_import().PostmasterInfo.read_from_pgdata(pgdata)
    return info is not None and info.is_running()


def wait_stopped(pgdata, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while server_running(pgdata):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_stopping_the_site_with_a_signal_stops_the_server(pgdata):
    site, worker = manage(pgdata, "shell", "-c", WAITING), manage(pgdata, "shell", "-c", WAITING)
    wait_attached(pgdata, site, worker)
    assert server_running(pgdata)
    site.send_signal(signal.SIGTERM)  # `kill`, a service manager stopping the site
    worker.send_signal(signal.SIGINT)  # Ctrl-C
    site.wait(30)
    worker.wait(30)
    assert wait_stopped(pgdata)
    assert attached(pgdata) == []


def test_after_a_kill_9_the_last_process_to_exit_still_stops_the_server(pgdata):
    killed, survivor = manage(pgdata, "shell", "-c", WAITING), manage(pgdata, "shell", "-c", "pass")
    wait_attached(pgdata, killed)
    killed.kill()
    killed.wait(30)
    assert survivor.wait(60) == 0
    assert wait_stopped(pgdata)


def test_make_stop_stops_a_server_left_by_killed_processes(pgdata):
    killed = manage(pgdata, "shell", "-c", WAITING)
    wait_attached(pgdata, killed)
    killed.kill()
    killed.wait(30)
    assert not wait_stopped(pgdata, seconds=1)  # nothing is left to stop it
    stop = subprocess.run(
        [sys.executable, "-m", "longwar.embedded_db", "stop"],
        cwd=settings.BASE_DIR,
        env=environment(pgdata),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Stopped the embedded PostgreSQL server" in stop.stdout
    assert not server_running(pgdata)


def test_embedded_server_failure_is_one_clear_line(tmp_path):
    with pytest.raises(EmbeddedDatabaseError) as failure:
        embedded_database_settings(tmp_path / "missing-parent" / ".pgdata")
    message = str(failure.value)
    assert "\n" not in message
    assert "cannot start the embedded PostgreSQL server" in message
    assert "DATABASE_URL" in message


def test_processes_starting_at_once_on_a_new_server_all_attach():
    """Regression: two processes creating the database at the same moment made one of them fail to start."""
    path = Path(tempfile.mkdtemp(prefix="longwar-scratch-")) / "pgdata"
    path.mkdir()
    try:
        starting = [manage(path, "shell", "-c", "pass") for _ in range(3)]
        assert [process.wait(120) for process in starting] == [0, 0, 0], [p.stderr.read() for p in starting]
    finally:
        subprocess.run(
            [sys.executable, "-m", "longwar.embedded_db", "stop"], env=environment(path), check=False
        )
        shutil.rmtree(path.parent)
