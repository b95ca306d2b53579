"""Moderators see the spam classifier's models and the surge mode log (they already change the settings)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["view_spammodel", "view_surgelog"]


def grant(apps, schema_editor):
    comments_config = apps.get_app_config("comments")
    comments_config.models_module = True
    create_permissions(comments_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Moderators").first()
    if group:
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="comments", codename__in=CODENAMES)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Moderators").first()
    if group:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="comments", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [("comments", "0012_surge_mode")]

    operations = [migrations.RunPython(grant, revoke)]
