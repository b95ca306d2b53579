"""Helpers for tests that run the site in other processes against this test run's database."""

from urllib.parse import quote

from django.db import connection


def database_url_for_this_test_run() -> str:
    db = connection.settings_dict
    credentials = f"{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}"
    if db["HOST"].startswith("/"):
        return f"postgresql://{credentials}@/{db['NAME']}?host={db['HOST']}"
    return f"postgresql://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
