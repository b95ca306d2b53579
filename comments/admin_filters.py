"""The filters' own admin pages: the spam classifier's models with their held-out figures, the surge log.

Imported by comments.admin, which registers everything on the default admin site.
"""

from django.contrib import admin
from django.db.models.functions import Length
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html, format_html_join

from comments import classifier, learning
from comments.models import ModerationSettings, SpamModel, SurgeLog


@admin.register(SpamModel)
class SpamModelAdmin(admin.ModelAdmin):
    """Trained models, newest first (the newest is the one in use); read-only, with held-out precision and recall."""

    list_display = ["__str__", "size", "examples", "spam_examples", "sources"]
    fields = ["created_at", "size", "examples", "spam_examples", "sources", "heldout_figures"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data").annotate(bytes=Length("data"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="size", ordering="bytes")
    def size(self, model):
        return filesizeformat(model.bytes)

    @admin.display(description="held-out precision and recall")
    def heldout_figures(self, stored):
        """Each example scored by a model trained without it: what the thresholds were set from."""
        model = learning.load_model(stored.pk)
        config = ModerationSettings.load()
        spam_threshold = model.spam_threshold(config.classifier_target_precision)
        roles = {config.classifier_hold_threshold: "hold"}
        if spam_threshold is not None:
            roles[spam_threshold] = "auto-spam"
        rows = []
        for threshold in sorted({*classifier.REPORT_THRESHOLDS, *roles}):
            metrics = model.metrics_at(threshold)
            rows.append(
                (
                    f"{threshold:.3f}",
                    roles.get(threshold, ""),
                    "–" if metrics.precision is None else f"{metrics.precision:.3f}",
                    f"{metrics.recall:.3f}",
                    metrics.flagged,
                )
            )
        note = f"Auto-spam threshold for {config.classifier_target_precision:.2%} precision: " + (
            f"{spam_threshold:.3f}." if spam_threshold is not None else "none (never marks spam alone)."
        )
        return format_html(
            "<p>{}</p><table><thead><tr><th>score from</th><th></th><th>precision</th><th>recall</th>"
            "<th>comments</th></tr></thead><tbody>{}</tbody></table>",
            note,
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )


@admin.register(SurgeLog)
class SurgeLogAdmin(admin.ModelAdmin):
    """When surge mode was on, why, and who (or what) ended it; read-only."""

    list_display = ["started_at", "reason", "started_by", "ended_at", "end_reason", "ended_by"]
    list_select_related = ["started_by", "ended_by"]
    date_hierarchy = "started_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
