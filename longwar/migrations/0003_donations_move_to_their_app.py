"""The donation models now belong to longwar.donations (see its 0001); the project package keeps none."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("longwar", "0002_site_settings_row"),
        ("donations", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="DonationClick"),
                migrations.DeleteModel(name="SiteSettings"),
            ]
        )
    ]
