"""Reports keep the reader's network instead of their session key and address (now computed, then dropped)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('comments', '0007_reports_by_network'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='commentreport',
            name='comment_report_once_per_session',
        ),
        migrations.RemoveField(
            model_name='commentreport',
            name='ip_address',
        ),
        migrations.RemoveField(
            model_name='commentreport',
            name='session_key',
        ),
        migrations.AddConstraint(
            model_name='commentreport',
            constraint=models.UniqueConstraint(fields=('comment', 'network'), name='comment_report_once_per_network'),
        ),
    ]
