"""The donation models move from the project package (app label `longwar`) to their own app.

On a database that already has them, the tables are renamed and their content types relabelled, so
clicks, settings and the permissions granted on them (`view_insights`) stay. On a fresh database the
project's migrations create the tables first and the same steps run.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

TABLES = {"sitesettings": "site settings", "donationclick": "donation click"}


def relabel_content_types(apps, schema_editor, old="longwar", new="donations"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=old, model__in=list(TABLES)).update(app_label=new)


def restore_content_types(apps, schema_editor):
    relabel_content_types(apps, schema_editor, old="donations", new="longwar")


def rename_tables(old: str, new: str) -> list[str]:
    return [f'ALTER TABLE "{old}_{model}" RENAME TO "{new}_{model}"' for model in TABLES] + [
        f'ALTER SEQUENCE IF EXISTS "{old}_donationclick_id_seq" RENAME TO "{new}_donationclick_id_seq"'
    ]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("longwar", "0002_site_settings_row"),
        ("articles", "0003_article_search_vector"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(rename_tables("longwar", "donations"), rename_tables("donations", "longwar")),
                migrations.RunPython(relabel_content_types, restore_content_types),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="SiteSettings",
                    fields=[
                        ("id", models.PositiveSmallIntegerField(default=1, editable=False, primary_key=True, serialize=False)),
                        ("donation_appeal_enabled", models.BooleanField(default=True, help_text="Shown under every article when on.", verbose_name="show the donation appeal")),
                        ("donation_appeal", models.TextField(default="Are you a dedicated reader of FDD's Long War Journal? Has our research benefitted you or your team over the years? Support our independent reporting and analysis today by considering a one-time or monthly donation. Thanks for reading! You can make a tax-deductible donation here.", help_text="Plain text. The last occurrence of the link text below becomes the donation link.")),
                        ("donation_link_text", models.CharField(default="here", help_text='The words of the appeal that link to the donation page, e.g. "here".', max_length=100)),
                    ],
                    options={
                        "verbose_name": "site settings",
                        "verbose_name_plural": "site settings",
                        "constraints": [models.CheckConstraint(condition=models.Q(("id", 1)), name="site_settings_singleton")],
                    },
                ),
                migrations.CreateModel(
                    name="DonationClick",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("clicked_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("referrer_host", models.CharField(blank=True, help_text="Host name of the referring page only; no path or query.", max_length=255)),
                        ("article", models.ForeignKey(blank=True, help_text="The published article the reader came from, if the link named one.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="donation_clicks", to="articles.article")),
                    ],
                    options={
                        "ordering": ["-clicked_at", "-id"],
                        "permissions": [("view_insights", "Can view the insights page (comment and donation charts)")],
                        "indexes": [models.Index(fields=["clicked_at", "article"], name="donation_click_time_idx")],
                    },
                ),
            ],
        ),
    ]
