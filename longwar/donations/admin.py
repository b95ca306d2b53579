"""Admin for the site settings and the donation clicks list (with CSV export)."""

import csv
import itertools

from django.contrib import admin
from django.http import StreamingHttpResponse
from django.utils import timezone

from longwar.donations.models import DonationClick, SiteSettings

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    fieldsets = [
        ("Donation appeal", {"fields": ["donation_appeal_enabled", "donation_appeal", "donation_link_text"]})
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class Echo:
    """A write-only file for csv.writer that hands each row back, so the export can stream."""

    def write(self, value: str) -> str:
        return value


def csv_cell(value) -> str:
    """Text a spreadsheet shows as text: cells starting like a formula get a leading quote."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


@admin.register(DonationClick)
class DonationClickAdmin(admin.ModelAdmin):
    list_display = ["clicked_at", "article", "referrer_host"]
    list_filter = [("article", admin.RelatedOnlyFieldListFilter), "clicked_at"]
    list_select_related = ["article"]
    date_hierarchy = "clicked_at"
    search_fields = ["referrer_host", "article__title"]
    actions = ["export_csv"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Export selected donation clicks as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        rows = queryset.select_related("article").order_by("clicked_at", "id").iterator(chunk_size=2000)
        writer = csv.writer(Echo())
        header = ["clicked_at", "article_id", "article_title", "referrer_host"]
        lines = (
            writer.writerow(
                [
                    timezone.localtime(click.clicked_at).isoformat(),
                    click.article_id or "",
                    csv_cell(click.article.title if click.article else ""),
                    csv_cell(click.referrer_host),
                ]
            )
            for click in rows
        )
        response = StreamingHttpResponse(
            itertools.chain([writer.writerow(header)], lines), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="donation-clicks.csv"'
        return response
