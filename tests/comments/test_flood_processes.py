"""The flood limit is kept in PostgreSQL, so it holds across processes (gunicorn workers, machines)."""

import os
import subprocess
import sys
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from comments.models import Comment, ModerationSettings
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)

POSTER = """
import sys, time
import django
django.setup()
from django.test import Client
from comments.forms import make_form_token

article_id, label = int(sys.argv[1]), sys.argv[2]
client = Client()
for n in range(3):
    response = client.post(
        f"/comments/post/{article_id}/",
        {"name": "Flooder", "email": f"{label}{n}@example.org", "body": f"{label} comment {n}",
         "token": make_form_token(article_id, now=time.time() - 10)},
        REMOTE_ADDR="198.51.100.99",
    )
    print(response.status_code)
"""


def database_url_for_this_test_run() -> str:
    db = connection.settings_dict
    if db["HOST"].startswith("/"):
        return (
            f"postgresql://{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}@/{db['NAME']}?host={db['HOST']}"
        )
    return f"postgresql://{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def test_two_processes_posting_at_once_share_one_flood_limit():
    article = ArticleFactory()
    config = ModerationSettings.load()
    config.flood_max_comments = 3
    config.save()
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_this_test_run(),
        "ALLOWED_HOSTS": "testserver",
        "DJANGO_SETTINGS_MODULE": "longwar.settings",
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", POSTER, str(article.pk), label],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for label in ("a", "b")
    ]
    outputs = [worker.communicate(timeout=60) for worker in workers]
    statuses = [int(line) for stdout, _ in outputs for line in stdout.split()]
    assert all(worker.returncode == 0 for worker in workers), [stderr for _, stderr in outputs]
    assert sorted(statuses) == [302, 302, 302, 429, 429, 429]
    assert Comment.objects.filter(ip_address="198.51.100.99").count() == 3
