"""The moderation settings row with its defaults, and the Moderators staff group."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATOR_PERMISSIONS = {
    "comment": ["view", "change", "moderate"],
    "moderationevent": ["view"],
    "moderationsettings": ["view", "change"],
    "commenterrule": ["view", "add", "change", "delete"],
    "commentreport": ["view"],
}


def create_defaults(apps, schema_editor):
    apps.get_model("comments", "ModerationSettings").objects.get_or_create(pk=1)

    # Permissions are normally created after all migrations; the group needs them now.
    comments_config = apps.get_app_config("comments")
    comments_config.models_module = True
    create_permissions(comments_config, apps=apps, verbosity=0)

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Moderators")
    codenames = [
        f"{action}_comment" if action == "moderate" else f"{action}_{model}"
        for model, actions in MODERATOR_PERMISSIONS.items()
        for action in actions
    ]
    group.permissions.set(Permission.objects.filter(content_type__app_label="comments", codename__in=codenames))


def remove_defaults(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Moderators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
