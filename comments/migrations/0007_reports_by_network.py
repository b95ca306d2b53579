"""Give every stored report its reader's network, keeping one report per comment and network (the earliest)."""

import ipaddress

from django.db import migrations


def network_of(address):
    if not address:
        return ""
    ip = ipaddress.ip_address(address)
    return str(ipaddress.ip_network(f"{ip}/{24 if ip.version == 4 else 64}", strict=False))


def reports_by_network(apps, schema_editor):
    CommentReport = apps.get_model("comments", "CommentReport")
    seen = set()
    for report in CommentReport.objects.order_by("created_at", "id").iterator():
        network = network_of(report.ip_address)
        if (report.comment_id, network) in seen:
            report.delete()
            continue
        seen.add((report.comment_id, network))
        report.network = network
        report.session_key = str(report.pk)  # the real key is not kept, not even until the column goes
        report.save(update_fields=["network", "session_key"])


class Migration(migrations.Migration):

    dependencies = [
        ('comments', '0006_moderation_desk'),
    ]

    operations = [migrations.RunPython(reports_by_network, migrations.RunPython.noop)]
