"""The filters' own admin pages: the spam classifier's models with their held-out figures, the surge log,
and the queue's near-duplicate groups (decided as one, so that one undo takes the whole group back).

Imported by comments.admin.
"""

import uuid

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models.functions import Length
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from comments import classifier, learning
from comments.decisions import DECISIONS
from comments.models import Comment, ModerationSettings, SpamModel, SurgeLog
from comments.selectors import near_duplicate_groups
from comments.services import comment_decide

GROUP_DECISIONS = [decision for decision in DECISIONS.values() if decision.in_queue_row]


class NearDuplicatesMixin:
    """For the comments admin: a page of near-duplicate groups in the queue, each decided in one click."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("duplicates/", view(self.duplicates_view), name="comments_comment_duplicates"),
            path(
                "duplicates/decide/",
                view(require_POST(self.decide_group_view)),
                name="comments_comment_decide_group",
            ),
            *super().get_urls(),
        ]

    def duplicates_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        groups = near_duplicate_groups()
        context = {
            **self.admin_site.each_context(request),
            "title": "Near-duplicate groups in the queue",
            "opts": self.model._meta,
            "groups": [
                (group, len({(c.author_email.lower(), c.author_name) for c in group})) for group in groups
            ],
            "decisions": GROUP_DECISIONS if self.has_moderate_permission(request) else [],
        }
        return TemplateResponse(request, "admin/comments/comment/duplicates.html", context)

    def decide_group_view(self, request):
        """One decision for every comment of a group still pending, logged as one batch (undone as one)."""
        decision = DECISIONS.get(request.POST.get("decision", ""))
        if not self.has_moderate_permission(request) or decision not in GROUP_DECISIONS:
            raise PermissionDenied
        ids = [int(pk) for pk in request.POST.getlist("comment") if pk.isdecimal()]
        batch = uuid.uuid4()
        comments = Comment.objects.filter(pk__in=ids, status=Comment.Status.PENDING)
        decided = sum(
            comment_decide(comment=c, decision=decision, by=request.user, batch=batch) for c in comments
        )
        self.message_user(
            request,
            ngettext(
                "%(done)s %(n)d comment of the group.",
                "%(done)s %(n)d comments of the group, as one decision.",
                decided,
            )
            % {"done": decision.done, "n": decided},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:comments_comment_duplicates"))


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
