"""The database cache's table (CACHES without REDIS_URL): pages and versions shared by every process."""

from django.core.management.commands.createcachetable import Command
from django.db import migrations

CACHE_TABLE = "longwar_cache"


def create_cache_table(apps, schema_editor):
    command = Command()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("longwar", "0005_editors_group")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
