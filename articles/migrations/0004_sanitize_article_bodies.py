"""Articles saved before bodies were sanitised on save get the same cleaning now, and a fresh search vector."""

import importlib

from django.db import migrations

from articles.html import sanitize_article_html

SEARCH_VECTOR_SQL = importlib.import_module("articles.migrations.0003_article_search_vector").BACKFILL


def sanitize_bodies(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    changed = []
    for article in Article.objects.only("id", "body").iterator(chunk_size=500):
        clean = sanitize_article_html(article.body)
        if clean != article.body:
            Article.objects.filter(pk=article.pk).update(body=clean)
            changed.append(article.pk)
    if changed:
        schema_editor.execute(SEARCH_VECTOR_SQL + " WHERE article.id = ANY(%s)", [changed])


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_article_search_vector")]

    operations = [migrations.RunPython(sanitize_bodies, migrations.RunPython.noop)]
