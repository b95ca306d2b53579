"""Run Django in a fresh Python process, started the way a deployment starts it: from the environment alone."""

from urllib.parse import quote

from django.db import connection


def this_test_database_url() -> str:
    """DATABASE_URL of the database this test run uses, for a process that must share its rows."""
    db = connection.settings_dict
    credentials = f"{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}"
    if db["HOST"].startswith("/"):
        return f"postgresql://{credentials}@/{db['NAME']}?host={db['HOST']}"
    return f"postgresql://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
