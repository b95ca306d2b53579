"""Run Django in a fresh Python process, started the way a deployment starts it: from the environment alone."""

import os
import subprocess
import sys
from urllib.parse import quote

from django.conf import settings
from django.db import connection

# Variables a deployment sets; a test's process starts without them unless the test gives them.
DEPLOYMENT_VARIABLES = {"SECRET_KEY", "DEBUG", "DATABASE_URL", "DONATION_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}

UNREACHABLE_DB = "postgresql://postgres:@/longwar?host=/nonexistent"


def start_django(*args: str, **env: str) -> subprocess.Popen:
    """Start `python *args` in the project directory with only the given deployment variables set."""
    environment = {k: v for k, v in os.environ.items() if k not in DEPLOYMENT_VARIABLES}
    environment.update(env, DJANGO_SETTINGS_MODULE="longwar.settings")
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_django(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run `python *args` as `start_django` does and wait for it."""
    with start_django(*args, **env) as process:
        stdout, stderr = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def this_test_database_url() -> str:
    """DATABASE_URL of the database this test run uses, for a process that must share its rows."""
    db = connection.settings_dict
    credentials = f"{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}"
    if db["HOST"].startswith("/"):
        return f"postgresql://{credentials}@/{db['NAME']}?host={db['HOST']}"
    return f"postgresql://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
