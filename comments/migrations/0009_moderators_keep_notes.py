"""The Moderators group reads and adds notes about commenters (everything else they do needs `moderate_comment`)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

NOTE_PERMISSIONS = ["view_commenternote", "add_commenternote"]


def grant(apps, schema_editor):
    comments_config = apps.get_app_config("comments")
    comments_config.models_module = True
    create_permissions(comments_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Moderators")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="comments", codename__in=NOTE_PERMISSIONS)
    )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name="Moderators"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="comments", codename__in=NOTE_PERMISSIONS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0008_reports_forget_sessions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
