from django.db import migrations


def create_site_settings(apps, schema_editor):
    """Create the single settings row with the field defaults (the seed's appeal wording)."""
    SiteSettings = apps.get_model("longwar", "SiteSettings")
    SiteSettings.objects.get_or_create(id=1)


class Migration(migrations.Migration):

    dependencies = [
        ("longwar", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_site_settings, migrations.RunPython.noop),
    ]
