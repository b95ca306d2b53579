"""Moderation in the Django admin: the held-comment queue, one-click decisions, the review card and the log."""

import re
import uuid
from urllib.parse import urlsplit

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import truncatechars
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from articles.admin import ArticleAdmin
from articles.models import Article
from comments.decisions import DECISIONS, Decision
from comments.models import (
    STATUS_DISPLAY_ORDER,
    Comment,
    CommenterRule,
    CommentReport,
    ModerationEvent,
    ModerationSettings,
)
from comments.moderation import REASON_LABELS
from comments.selectors import commenter_history
from comments.services import comment_decide, comment_edit, comment_set_status

URL_IN_TEXT = re.compile(r"(?:https?://|\bwww\.)[^\s<>\"']+", re.IGNORECASE)


def decision_action(decision: Decision):
    """A bulk admin action applying one decision to every selected comment."""

    @admin.action(description=decision.description, permissions=["moderate"])
    def action(modeladmin, request, queryset):
        modeladmin.decide(request, queryset, decision)

    action.__name__ = decision.name
    return action


class StatusFilter(admin.SimpleListFilter):
    """Opens on the pending queue; 'All' shows every status."""

    title = "status"
    parameter_name = "status"
    default = Comment.Status.PENDING

    def lookups(self, request, model_admin):
        return [*Comment.Status.choices, ("all", "All")]

    def value(self):
        """The chosen status; anything not offered (a mistyped or hostile URL) means the default queue."""
        value = super().value()
        return value if value in dict(self.lookup_choices) else self.default

    def queryset(self, request, queryset):
        value = self.value()
        return queryset if value == "all" else queryset.filter(status=value)

    def choices(self, changelist):
        current = self.value()
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


class ReasonFilter(admin.SimpleListFilter):
    title = "reason held"
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return list(REASON_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.with_reason(self.value()) if self.value() in REASON_LABELS else queryset


class ArticleFilter(admin.SimpleListFilter):
    """The articles with the most comments awaiting a decision (listing every article does not scale)."""

    title = "article"
    parameter_name = "article__id__exact"
    shown = 20

    def lookups(self, request, model_admin):
        busiest = (
            Comment.objects.filter(status=Comment.Status.PENDING)
            .values_list("article_id", "article__title")
            .annotate(n=Count("id"))
            .order_by("-n")[: self.shown]
        )
        choices = [(str(pk), title) for pk, title, _ in busiest]
        chosen = self.value()
        if chosen and chosen.isdigit() and chosen not in dict(choices):
            title = Article.objects.filter(pk=chosen).values_list("title", flat=True).first()
            choices.append((chosen, title or f"Article {chosen}"))
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(article_id=value) if value and value.isdigit() else queryset


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = [
        "excerpt",
        "quick_actions",
        "author_name",
        "article_title",
        "status",
        "held_because",
        "created_at",
    ]
    list_filter = [StatusFilter, ReasonFilter, ArticleFilter, "created_at"]
    list_select_related = ["article"]
    search_fields = ["author_name", "author_email", "ip_address", "body"]
    ordering = ["-created_at", "-id"]
    list_per_page = 50
    show_full_result_count = False  # a count of every comment ever is a scan of the whole table
    actions = [decision_action(decision) for decision in DECISIONS.values()]
    change_list_template = "admin/comments/comment/change_list.html"
    change_form_template = "admin/comments/comment/change_form.html"
    fieldsets = [
        ("Review", {"fields": ["review_article", "review_parent", "body", "held_because", "link_domains"]}),
        (
            "Commenter",
            {
                "fields": [
                    "author_name",
                    "author_email",
                    "author_url",
                    "ip_address",
                    "user_agent",
                    "commenter_history",
                ]
            },
        ),
        (
            "Moderation",
            {"fields": ["status", "created_at", "moderated_at", "moderated_by", "moderation_log"]},
        ),
    ]
    # Moderators edit the text and the status; everything else on the review card is shown as is.
    readonly_fields = [
        name for _, options in fieldsets for name in options["fields"] if name not in ("body", "status")
    ]

    def has_add_permission(self, request):
        return False  # comments come from readers

    def get_readonly_fields(self, request, obj=None):
        if self.has_moderate_permission(request):
            return self.readonly_fields
        return [*self.readonly_fields, "status"]

    def has_moderate_permission(self, request):
        return request.user.has_perm("comments.moderate_comment")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article", "parent", "moderated_by")

    def changelist_view(self, request, extra_context=None):
        # Approved comments are counted on their articles; the rest by index (comment_queue_idx).
        counts = dict(
            Comment.objects.exclude(status=Comment.Status.APPROVED)
            .values_list("status")
            .annotate(n=Count("*"))
            .order_by()
        )
        counts[Comment.Status.APPROVED] = Article.objects.aggregate(n=Sum("comment_count"))["n"] or 0
        extra_context = {
            **(extra_context or {}),
            "status_counts": [
                (value, label, counts.get(value, 0)) for value, label in Comment.Status.choices
            ],
            "current_status": request.GET.get("status", StatusFilter.default),  # only compared, never output
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        moderate = self.admin_site.admin_view(require_POST(self.moderate_view))
        return [
            path("<int:pk>/moderate/<str:decision>/", moderate, name="comments_comment_moderate"),
            *super().get_urls(),
        ]

    def moderate_view(self, request, pk, decision):
        """One-click decision from the queue or the review card; goes back to where it came from."""
        if not self.has_moderate_permission(request) or decision not in DECISIONS:
            raise PermissionDenied
        comment = get_object_or_404(Comment, pk=pk)
        comment_decide(comment=comment, decision=DECISIONS[decision], by=request.user)
        self.message_user(
            request, f"{DECISIONS[decision].done}: comment by {comment.author_name}.", messages.SUCCESS
        )
        # Back to the queue page the moderator was on (its filters and page), never off-site.
        for next_url in (request.GET.get("next", ""), request.META.get("HTTP_REFERER", "")):
            if next_url and url_has_allowed_host_and_scheme(
                next_url, {request.get_host()}, require_https=request.is_secure()
            ):
                return HttpResponseRedirect(next_url)
        return HttpResponseRedirect(reverse("admin:comments_comment_changelist"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        buttons = [decision for decision in DECISIONS.values() if decision.on_review_card]
        extra_context = {**(extra_context or {}), "moderation_buttons": buttons}
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        """Text and status changed on the review card go through the services, so both are logged."""
        new_body, new_status = obj.body, obj.status
        obj.body = form.initial.get("body", new_body)  # a field shown read-only is not in the form
        obj.status = form.initial.get("status", new_status)
        comment_edit(comment=obj, body=new_body, by=request.user, reason="Edited on the review page.")
        comment_set_status(comment=obj, to=new_status, by=request.user, reason="Changed on the review page.")

    def decide(self, request, queryset, decision: Decision):
        batch = uuid.uuid4()
        for comment in queryset:
            comment_decide(comment=comment, decision=decision, by=request.user, batch=batch)
        count = len(queryset)
        self.message_user(
            request,
            ngettext("%(done)s %(n)d comment.", "%(done)s %(n)d comments.", count)
            % {"done": decision.done, "n": count},
        )

    @admin.display(description="comment")
    def excerpt(self, comment):
        return truncatechars(comment.body, 120)

    @admin.display(description="article", ordering="article__title")
    def article_title(self, comment):
        return truncatechars(comment.article.title, 40)

    @admin.display(description="held because")
    def held_because(self, comment):
        return comment.reason_text or "–"

    @admin.display(description="")
    def quick_actions(self, comment):
        """Buttons that post the changelist form (with its CSRF token) to the one-click URL; no JavaScript."""
        buttons = [
            (decision.name, decision.label)
            for decision in DECISIONS.values()
            if decision.in_queue_row and comment.status != decision.status
        ]
        base = reverse("admin:comments_comment_moderate", args=[comment.pk, "__decision__"])
        return format_html(
            '{} <a href="{}" title="View on site">View</a>',
            format_html_join(
                " ",
                '<button type="submit" class="button" formaction="{}">{}</button>',
                ((base.replace("__decision__", decision), label) for decision, label in buttons),
            ),
            comment.get_absolute_url(),
        )

    @admin.display(description="article")
    def review_article(self, comment):
        return format_html(
            '<a href="{}">{}</a> (<a href="{}">view comment on site</a>)',
            comment.article.get_absolute_url(),
            comment.article.title,
            comment.get_absolute_url(),
        )

    @admin.display(description="in reply to")
    def review_parent(self, comment):
        if comment.parent is None:
            return "– (top-level comment)"
        return format_html(
            "<strong>{}</strong> wrote:<br><blockquote>{}</blockquote>",
            comment.parent.author_name,
            comment.parent.body,
        )

    @admin.display(description="link domains")
    def link_domains(self, comment):
        domains = sorted(
            {
                (urlsplit(url if "://" in url else f"http://{url}").hostname or "").removeprefix("www.")
                for url in URL_IN_TEXT.findall(f"{comment.body} {comment.author_url}")
            }
            - {""}
        )
        return ", ".join(domains) or "–"

    @admin.display(description="history")
    def commenter_history(self, comment):
        history = commenter_history(comment)
        rows = [
            (
                " / ".join(status.label for status in STATUS_DISPLAY_ORDER),
                " / ".join(str(history.counts[status]) for status in STATUS_DISPLAY_ORDER),
            ),
            ("First seen", history.first_seen.strftime("%Y-%m-%d %H:%M") if history.first_seen else "–"),
            ("Other names with this email", ", ".join(history.other_names) or "–"),
            ("IP addresses used with this email", ", ".join(history.ips) or "–"),
            ("Other emails from this IP", ", ".join(history.other_emails) or "–"),
        ]
        return format_html("<table>{}</table>", format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows))

    @admin.display(description="log")
    def moderation_log(self, comment):
        events = comment.events.select_related("actor").order_by("created_at", "id")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} · {} · {} → {}{}</li>",
                (
                    (
                        event.created_at.strftime("%Y-%m-%d %H:%M"),
                        event.actor or "site",
                        event.from_status or "new",
                        event.to_status,
                        f" · {event.reason}" if event.reason else "",
                    )
                    for event in events
                ),
            ),
        )


class CommentInline(admin.TabularInline):
    """An article's comments on its admin page, newest first; decisions happen on each comment's page."""

    model = Comment
    fk_name = "article"
    fields = ["author_name", "excerpt", "status", "created_at"]
    readonly_fields = fields
    ordering = ["-created_at"]
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article")

    @admin.display(description="comment")
    def excerpt(self, comment):
        return truncatechars(comment.body, 100)


class ArticleWithCommentsAdmin(ArticleAdmin):
    """The articles app's admin, plus each article's comment counts and its comments inline."""

    list_display = [*ArticleAdmin.list_display, "approved_comments", "pending_comments"]
    inlines = [*ArticleAdmin.inlines, CommentInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                approved_count=Count("comments", filter=Q(comments__status=Comment.Status.APPROVED)),
                pending_count=Count("comments", filter=Q(comments__status=Comment.Status.PENDING)),
            )
        )

    @admin.display(description="approved", ordering="approved_count")
    def approved_comments(self, article):
        return article.approved_count

    @admin.display(description="pending", ordering="pending_count")
    def pending_comments(self, article):
        return article.pending_count


admin.site.unregister(Article)
admin.site.register(Article, ArticleWithCommentsAdmin)


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(admin.ModelAdmin):
    fieldsets = [
        ("Approval", {"fields": ["policy", "notify_moderators"]}),
        ("Spam and hold lists", {"fields": ["disallowed_words", "moderation_words", "max_links"]}),
        (
            "Flood and timing",
            {
                "fields": [
                    "flood_max_comments",
                    "flood_window_seconds",
                    "min_seconds_to_post",
                    "max_form_age_seconds",
                ]
            },
        ),
        (
            "Threads",
            {"fields": ["report_threshold", "thread_depth", "comments_per_page", "close_after_days"]},
        ),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        """There is one row: go straight to it."""
        settings_row = ModerationSettings.load()
        return HttpResponseRedirect(
            reverse("admin:comments_moderationsettings_change", args=[settings_row.pk])
        )


@admin.register(CommenterRule)
class CommenterRuleAdmin(admin.ModelAdmin):
    list_display = ["value", "kind", "action", "note", "created_by", "created_at"]
    list_filter = ["action", "kind"]
    search_fields = ["value", "note"]
    list_select_related = ["created_by"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ModerationEvent)
class ModerationEventAdmin(admin.ModelAdmin):
    """The record of who did what; read-only."""

    list_display = ["created_at", "comment_link", "actor", "from_status", "to_status", "reason"]
    list_filter = ["to_status", ("actor", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["reason", "comment__author_name", "comment__body"]
    list_select_related = ["comment__article", "actor"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="comment")
    def comment_link(self, event):
        url = reverse("admin:comments_comment_change", args=[event.comment_id])
        return format_html('<a href="{}">{}</a>', url, event.comment)


@admin.register(CommentReport)
class CommentReportAdmin(admin.ModelAdmin):
    list_display = ["comment", "created_at"]
    list_select_related = ["comment__article"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
