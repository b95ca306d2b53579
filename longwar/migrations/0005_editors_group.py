"""The Editors staff group: they manage articles, authors and tags, and nothing else.

No comments, moderation settings, site settings, users or groups (least privilege, beside the Moderators
group that the comments app creates).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = {
    "articles": ["article", "author"],
    "tags": ["tag", "tagredirect"],
}
ACTIONS = ["view", "add", "change", "delete"]


def create_editors(apps, schema_editor):
    # Permissions are normally created after all migrations; the group needs them now.
    for app_label in EDITOR_PERMISSIONS:
        config = apps.get_app_config(app_label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Editors")
    for app_label, models in EDITOR_PERMISSIONS.items():
        codenames = [f"{action}_{model}" for model in models for action in ACTIONS]
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("longwar", "0004_loaded_seeds"),
        ("articles", "0003_article_search_vector"),
        ("tags", "0002_tag_redirect"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors, remove_editors)]
