"""Moderation in the Django admin: the queue (keyboard, bulk, undo), the review card, commenters, reports, the log."""

import re
import uuid
from datetime import datetime
from urllib.parse import urlencode, urlsplit

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.contrib.postgres.aggregates import ArrayAgg
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import truncatechars
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from articles.admin import ArticleAdmin
from articles.models import Article
from comments import learning
from comments.admin_filters import NearDuplicatesMixin  # also registers the filters' admin pages
from comments.backtest import backtest
from comments.decisions import DECISIONS, REMOVE, UNDO_WINDOW, Decision
from comments.forms import CommenterActionForm, PersonalDataForm
from comments.models import (
    STATUS_DISPLAY_ORDER,
    Comment,
    CommenterKind,
    CommenterRule,
    CommentReport,
    ModerationEvent,
    ModerationSettings,
)
from comments.moderation import REASON_LABELS
from comments.personal_data import personal_data_erase, personal_data_export
from comments.selectors import commenter_history, commenter_profile, recent_batches
from comments.services import (
    UndoUnavailable,
    batch_undo,
    comment_decide,
    comment_edit,
    comment_set_status,
    commenter_clear_standing,
    commenter_note_add,
    commenter_remove_all,
    commenter_set_standing,
    comments_deleted_together,
)
from comments.surge import surge_switch

URL_IN_TEXT = re.compile(r"(?:https?://|\bwww\.)[^\s<>\"']+", re.IGNORECASE)
REPORTED = "reported"  # the Reported queue, beside the statuses
UNDO_STACK = "comments.undo"  # the moderator's recent decisions, newest last, in their session
UNDO_KEPT = 20


def decision_action(decision: Decision):
    """A bulk admin action applying one decision to every selected comment."""

    @admin.action(description=decision.description, permissions=["moderate"])
    def action(modeladmin, request, queryset):
        return modeladmin.decide(request, queryset, decision)

    action.__name__ = decision.name
    return action


def wants_json(request) -> bool:
    """The queue's script asks for JSON; plain forms get a redirect."""
    return request.headers.get("Accept", "").startswith("application/json")


def safe_next(request, fallback: str) -> str:
    """Where the moderator came from (the queue page with its filters), never off-site."""
    for next_url in (
        request.POST.get("next", ""),
        request.GET.get("next", ""),
        request.headers.get("Referer", ""),
    ):
        if next_url and url_has_allowed_host_and_scheme(
            next_url, {request.get_host()}, require_https=request.is_secure()
        ):
            return next_url
    return fallback


def remember_decision(request, batch: uuid.UUID, text: str) -> None:
    stack = [entry for entry in request.session.get(UNDO_STACK, []) if entry["batch"] != str(batch)]
    stack.append({"batch": str(batch), "text": text, "at": timezone.now().isoformat()})
    request.session[UNDO_STACK] = stack[-UNDO_KEPT:]


def last_undoable(request) -> dict | None:
    """The moderator's latest decision that can still be undone, from their session."""
    for entry in reversed(request.session.get(UNDO_STACK, [])):
        until = datetime.fromisoformat(entry["at"]) + UNDO_WINDOW
        if until > timezone.now():
            return {**entry, "until": until}
    return None


def forget_decision(request, batch: str) -> None:
    request.session[UNDO_STACK] = [e for e in request.session.get(UNDO_STACK, []) if e["batch"] != batch]


class StatusFilter(admin.SimpleListFilter):
    """Opens on the pending queue; 'Reported' lists comments with open reports; 'All' shows every status."""

    title = "status"
    parameter_name = "status"
    default = Comment.Status.PENDING

    def lookups(self, request, model_admin):
        return [*Comment.Status.choices, (REPORTED, "Reported"), ("all", "All")]

    def value(self):
        """The chosen status; anything not offered (a mistyped or hostile URL) means the default queue."""
        value = super().value()
        return value if value in dict(self.lookup_choices) else self.default

    def queryset(self, request, queryset):
        value = self.value()
        if value == REPORTED:
            return queryset.reported()
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
        if chosen and chosen.isdecimal() and chosen not in dict(choices):
            title = Article.objects.filter(pk=chosen).values_list("title", flat=True).first()
            choices.append((chosen, title or f"Article {chosen}"))
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(article_id=value) if value and value.isdecimal() else queryset


def report_summary(reasons: list[str]) -> str:
    """Readers' reasons, most given first: "Spam ×2, Off-topic ×1"."""
    counts = sorted({r: reasons.count(r) for r in reasons}.items(), key=lambda item: (-item[1], item[0]))
    labels = dict(CommentReport.Reason.choices)
    return ", ".join(f"{labels.get(reason, reason)} ×{n}" for reason, n in counts)


class DeletesCommentsTogether:
    """The admin's deletes (one object or a selection, with their comments) rebuild each article's threads
    once, however many comments go."""

    def delete_model(self, request, obj):
        with comments_deleted_together():
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with comments_deleted_together():
            super().delete_queryset(request, queryset)


@admin.register(Comment)
class CommentAdmin(DeletesCommentsTogether, NearDuplicatesMixin, admin.ModelAdmin):
    list_display = ["comment_text", "about", "quick_actions"]
    list_display_links = None
    list_filter = [StatusFilter, ReasonFilter, ArticleFilter, "created_at"]
    search_fields = ["author_name", "author_email", "ip_address", "body"]
    ordering = ["-created_at", "-id"]
    list_per_page = 100
    show_full_result_count = False  # a count of every comment ever is a scan of the whole table
    actions = [decision_action(decision) for decision in DECISIONS.values()]
    change_list_template = "admin/comments/comment/change_list.html"
    change_form_template = "admin/comments/comment/change_form.html"
    fieldsets = [
        (
            "Review",
            {
                "fields": [
                    "review_article",
                    "review_parent",
                    "body",
                    "held_because",
                    "reports",
                    "spam_classifier",
                    "link_domains",
                ]
            },
        ),
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
            {
                "fields": [
                    "status",
                    "featured",
                    "created_at",
                    "moderated_at",
                    "moderated_by",
                    "moderation_log",
                ]
            },
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
        open_reasons = (
            CommentReport.objects.open()
            .filter(comment=OuterRef("pk"))
            .values("comment")
            .annotate(reasons=ArrayAgg("reason", order_by="reason"))
            .values("reasons")
        )
        return (
            super()
            .get_queryset(request)
            .select_related("article", "parent", "moderated_by")
            .annotate(open_report_reasons=Subquery(open_reasons))
        )

    def changelist_view(self, request, extra_context=None):
        # Approved comments are counted on their articles; the rest by index (comment_queue_idx).
        counts = dict(
            Comment.objects.exclude(status=Comment.Status.APPROVED)
            .values_list("status")
            .annotate(n=Count("*"))
            .order_by()
        )
        counts[Comment.Status.APPROVED] = Article.objects.aggregate(n=Sum("comment_count"))["n"] or 0
        tabs = [(value, label, counts.get(value, 0)) for value, label in Comment.Status.choices]
        tabs.insert(1, (REPORTED, "Reported", Comment.objects.reported().count()))
        moderate_url = reverse("admin:comments_comment_moderate", args=[0, "__decision__"])
        extra_context = {
            **(extra_context or {}),
            "status_tabs": tabs,
            "current_status": request.GET.get("status", StatusFilter.default),  # only compared, never output
            "last_decision": last_undoable(request),
            "keys": [(d.key, d.description, d.name) for d in DECISIONS.values() if d.key],
            "moderate_url": moderate_url.replace("/0/", "/__pk__/"),
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        def view(method):
            return self.admin_site.admin_view(method)

        return [
            path(
                "<int:pk>/moderate/<str:decision>/",
                view(require_POST(self.moderate_view)),
                name="comments_comment_moderate",
            ),
            path("undo/", view(require_POST(self.undo_view)), name="comments_comment_undo"),
            path("commenter/", view(self.commenter_view), name="comments_commenter"),
            path("personal-data/", view(self.personal_data_view), name="comments_comment_personal_data"),
            *super().get_urls(),
        ]

    def personal_data_view(self, request):
        """Export (JSON) or erase everything stored about a commenter, found by email; both are logged."""
        if not request.user.has_perm("comments.manage_personal_data"):
            raise PermissionDenied
        form = PersonalDataForm(request.POST or None)
        if form.is_valid():
            email = form.cleaned_data["email"]
            if form.cleaned_data["action"] == PersonalDataForm.EXPORT:
                response = JsonResponse(
                    personal_data_export(email=email, by=request.user), json_dumps_params={"indent": 2}
                )
                response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
                return response
            keep_text = ModerationSettings.load().erasure_keeps_text
            count = personal_data_erase(email=email, by=request.user, keep_text=keep_text)
            self.message_user(
                request,
                ngettext(
                    "Erased the commenter's personal data from %(n)d comment.",
                    "Erased the commenter's personal data from %(n)d comments.",
                    count,
                )
                % {"n": count},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "title": "Personal data of a commenter",
            "opts": self.opts,
            "form": form,
            "keeps_text": ModerationSettings.load().erasure_keeps_text,
        }
        return TemplateResponse(request, "admin/comments/comment/personal_data.html", context)

    def moderate_view(self, request, pk, decision):
        """One-click decision from the queue, the keyboard or the review card; JSON to fetch, else a redirect."""
        if not self.has_moderate_permission(request) or decision not in DECISIONS:
            raise PermissionDenied
        decision = DECISIONS[decision]
        comment = get_object_or_404(Comment, pk=pk)
        batch = uuid.uuid4()
        changed = comment_decide(comment=comment, decision=decision, by=request.user, batch=batch)
        text = f"{decision.done} 1 comment (by {comment.author_name})." if changed else "Nothing to change."
        if changed:
            remember_decision(request, batch, text)
        if wants_json(request):
            return JsonResponse(
                {
                    "changed": changed,
                    "message": text,
                    "status": comment.get_status_display(),
                    "batch": str(batch),
                }
            )
        self.message_user(request, text, messages.SUCCESS if changed else messages.INFO)
        return HttpResponseRedirect(safe_next(request, reverse("admin:comments_comment_changelist")))

    def undo_view(self, request):
        """Undo a decision: the one named in the form, else this moderator's latest still in the window."""
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        batch = request.POST.get("batch", "")
        if not batch:
            last = last_undoable(request)
            batch = last["batch"] if last else ""
        try:
            undone = batch_undo(batch=uuid.UUID(batch), by=request.user)
        except ValueError:
            text, ok, undone = "There is no decision to undo.", False, None
        except UndoUnavailable as refusal:
            text, ok, undone = str(refusal), False, None
        else:
            text = ngettext(
                "Undone: %(n)d comment restored.", "Undone: %(n)d comments restored.", len(undone.restored)
            )
            text %= {"n": len(undone.restored)}
            if undone.skipped:
                text += f" {undone.skipped} changed again since and left as they are."
            ok = True
        if batch:
            forget_decision(request, batch)
        if wants_json(request):
            restored = undone.restored if undone else []
            statuses = dict(Comment.objects.filter(pk__in=restored).values_list("pk", "status"))
            labels = dict(Comment.Status.choices)
            return JsonResponse(
                {"ok": ok, "message": text, "restored": {pk: labels[s] for pk, s in statuses.items()}},
                status=200 if ok else 409,
            )
        self.message_user(request, text, messages.SUCCESS if ok else messages.WARNING)
        return HttpResponseRedirect(safe_next(request, reverse("admin:comments_comment_changelist")))

    def commenter_view(self, request):
        """Everything about one commenter, by email or by IP, and what staff can do about them."""
        kind = CommenterKind.EMAIL if "email" in request.GET else CommenterKind.IP
        value = request.GET.get(kind, "").strip()
        if not value or not self.has_view_permission(request):
            raise PermissionDenied
        form = CommenterActionForm(request.POST or None)
        if request.method == "POST":
            if not self.has_moderate_permission(request):
                raise PermissionDenied
            if form.is_valid():
                self.commenter_act(request, kind, value, form.cleaned_data)
                return HttpResponseRedirect(request.get_full_path())
            self.message_user(
                request, "Nothing was changed. Please correct the errors below.", messages.ERROR
            )
        profile = commenter_profile(kind, value)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Commenter: {value}",
            "kind": kind,
            "value": value,
            "profile": profile,
            "form": form,
            "can_moderate": self.has_moderate_permission(request),
            "remove_count": profile.counts[Comment.Status.PENDING] + profile.counts[Comment.Status.APPROVED],
            "last_decision": last_undoable(request),
        }
        status = 400 if form.errors else 200
        return TemplateResponse(request, "admin/comments/commenter.html", context, status=status)

    def commenter_act(self, request, kind: str, value: str, data: dict) -> None:
        action = data["action"]
        if action == "note":
            if not request.user.has_perm("comments.add_commenternote"):
                raise PermissionDenied
            commenter_note_add(kind=kind, value=value, body=data["body"], by=request.user)
            self.message_user(request, "Note added.")
        elif action == "clear":
            commenter_clear_standing(kind=kind, value=value)
            self.message_user(request, "They are an ordinary commenter again.")
        elif action == "remove_all":
            batch, count = commenter_remove_all(kind=kind, value=value, decision=REMOVE, by=request.user)
            text = ngettext("Removed %(n)d comment.", "Removed %(n)d comments.", count) % {"n": count}
            if count:
                remember_decision(request, batch, text)
            self.message_user(request, text)
        else:
            rule = commenter_set_standing(
                kind=kind, value=value, action=data["standing"], until=data["until"], by=request.user
            )
            until = f" until {timezone.localtime(rule.expires_at):%Y-%m-%d %H:%M}" if rule.expires_at else ""
            self.message_user(request, f"{rule.get_action_display()}{until}.")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        comment = self.get_object(request, object_id)
        open_reports = comment.reports.open().count() if comment else 0
        buttons = [
            decision
            for decision in DECISIONS.values()
            if decision.on_review_card and comment and decision.changes(comment, open_reports)
        ]
        extra_context = {
            **(extra_context or {}),
            "moderation_buttons": buttons,
            "undoable": recent_batches(comment) if comment else [],
            "commenter_links": commenter_links(comment) if comment else [],
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        """Text and status changed on the review card go through the services, so both are logged."""
        new_body, new_status = obj.body, obj.status  # the services read the stored ones under a lock
        comment_edit(comment=obj, body=new_body, by=request.user, reason="Edited on the review page.")
        comment_set_status(comment=obj, to=new_status, by=request.user, reason="Changed on the review page.")

    def decide(self, request, queryset, decision: Decision):
        """A bulk decision as one batch (one undo). A selection across pages is confirmed with its count first."""
        if request.POST.get("select_across") == "1" and "confirm" not in request.POST:
            return TemplateResponse(
                request,
                "admin/comments/comment/confirm_decision.html",
                {
                    **self.admin_site.each_context(request),
                    "opts": self.model._meta,
                    "title": "Are you sure?",
                    "decision": decision,
                    "count": queryset.count(),
                    "checkbox_name": ACTION_CHECKBOX_NAME,
                    "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
                },
            )
        batch = uuid.uuid4()
        count = sum(
            comment_decide(comment=comment, decision=decision, by=request.user, batch=batch)
            for comment in queryset
        )
        text = ngettext("%(done)s %(n)d comment.", "%(done)s %(n)d comments.", count) % {
            "done": decision.done,
            "n": count,
        }
        if count:
            remember_decision(request, batch, text)
        if wants_json(request):
            return JsonResponse({"changed": count, "message": text, "batch": str(batch)})
        self.message_user(request, text)
        return None

    @admin.display(description="comment")
    def comment_text(self, comment):
        why = comment.reason_text
        if comment.open_report_reasons:
            why = f"Reported: {report_summary(comment.open_report_reasons)}" + (f"; {why}" if why else "")
        if comment.spam_score is not None:
            why = (
                f"{why} · spam score {comment.spam_score:.2f}"
                if why
                else f"Spam score {comment.spam_score:.2f}"
            )
        return format_html(
            '<div class="mq-text">{}</div><div class="mq-why">{}</div>',
            truncatechars(comment.body, 320),
            why or "–",
        )

    @admin.display(description="who, where, when")
    def about(self, comment):
        kind, value = commenter_key(comment)
        who = comment.author_name
        if value:
            url = reverse("admin:comments_commenter") + "?" + urlencode({kind: value})
            who = format_html('<a href="{}" title="Commenter page">{}</a>', url, comment.author_name)
        return format_html(
            '<div class="mq-who">{}</div><div class="mq-article">on {}</div>'
            '<div class="mq-when"><time datetime="{}" title="{}">{}</time> · <span class="mq-status">{}</span>{}</div>',
            who,
            truncatechars(comment.article.title, 60),
            comment.created_at.isoformat(timespec="seconds"),
            timezone.localtime(comment.created_at).strftime("%Y-%m-%d %H:%M"),
            naturaltime(comment.created_at),
            comment.get_status_display(),
            " · pick" if comment.featured else "",
        )

    @admin.display(description="decide")
    def quick_actions(self, comment):
        """Buttons that post the changelist form (with its CSRF token) to the one-click URL; no JavaScript."""
        open_reports = len(comment.open_report_reasons or [])
        buttons = [
            (reverse("admin:comments_comment_moderate", args=[comment.pk, d.name]), d.name, d.label)
            for d in DECISIONS.values()
            if d.in_queue_row and d.changes(comment, open_reports)
        ]
        return format_html(
            '<div class="mq-buttons">{}</div><div class="mq-links"><a class="mq-review" href="{}">Review</a>'
            ' · <a href="{}" title="View on site">View</a></div>',
            format_html_join(
                "",
                '<button type="submit" class="button" formaction="{}" data-decision="{}">{}</button>',
                buttons,
            ),
            reverse("admin:comments_comment_change", args=[comment.pk]),
            comment.get_absolute_url(),
        )

    @admin.display(description="held because")
    def held_because(self, comment):
        return comment.reason_text or "–"

    @admin.display(description="readers' reports")
    def reports(self, comment):
        reasons = list(comment.reports.open().values_list("reason", flat=True))
        reviewed = comment.reports.count() - len(reasons)
        text = report_summary(reasons) or "none open"
        return f"{text}" + (f" ({reviewed} reviewed before)" if reviewed else "")

    @admin.display(description="spam classifier")
    def spam_classifier(self, comment):
        """The score and the words that pushed it most, by the model that scored the comment."""
        if comment.spam_score is None:
            return "Not scored (no model yet, or the classifier was off)."
        pushes = learning.explain(comment)
        return format_html(
            "{} <ul>{}</ul>",
            f"Score {comment.spam_score:.2f}. What weighed most (+ towards spam, − towards not spam):",
            format_html_join("", "<li>{} <code>{}</code></li>", ((f"{w:+.2f}", word) for word, w in pushes)),
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
        events = comment.events.order_by("created_at", "id")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} · {} · {}{}</li>",
                (
                    (
                        event.created_at.strftime("%Y-%m-%d %H:%M"),
                        event.actor_name or "site",
                        event_summary(event),
                        f" · {event.reason}" if event.reason else "",
                    )
                    for event in events
                ),
            ),
        )


def event_summary(event: ModerationEvent) -> str:
    if event.kind == ModerationEvent.Kind.STATUS:
        return f"{event.from_status or 'new'} → {event.to_status}"
    return event.get_kind_display()


def commenter_key(comment: Comment) -> tuple[str, str]:
    """How the commenter page finds whoever wrote a comment: their email, else their IP address."""
    if comment.author_email:
        return CommenterKind.EMAIL, comment.author_email.lower()
    return CommenterKind.IP, comment.ip_address or ""


def commenter_links(comment: Comment) -> list[tuple[str, str]]:
    """Links to the commenter pages of a comment's email and IP address."""
    base = reverse("admin:comments_commenter")
    values = [(CommenterKind.EMAIL, comment.author_email.lower()), (CommenterKind.IP, comment.ip_address)]
    return [
        (f"{base}?{urlencode({kind: value})}", f"{kind.label}: {value}") for kind, value in values if value
    ]


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


class ArticleWithCommentsAdmin(DeletesCommentsTogether, ArticleAdmin):
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


PERSONAL_DATA_FIELDS = ["personal_data_days", "erasure_keeps_text"]


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(admin.ModelAdmin):
    fieldsets = [
        ("Approval", {"fields": ["policy", "notify_moderators", "digest_minutes"]}),
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
            "Readers' reports",
            {"fields": ["hide_reported", "report_threshold", "reports_per_network_per_hour"]},
        ),
        (
            "Threads",
            {"fields": ["thread_depth", "comments_per_page", "close_after_days", "edit_window_minutes"]},
        ),
        (
            "Surge mode",
            {
                "fields": [
                    "surge_factor",
                    "surge_min_held",
                    "staffed_from",
                    "staffed_until",
                    "surge_flood_max_comments",
                ]
            },
        ),
        (
            "Spam classifier",
            {
                "fields": [
                    "classifier_enabled",
                    "classifier_target_precision",
                    "classifier_hold_threshold",
                    "classifier_retrain_every",
                ]
            },
        ),
        ("Personal data", {"fields": PERSONAL_DATA_FIELDS}),
    ]

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        """How long addresses are kept and what erasure removes: for those who handle personal data."""
        if request.user.has_perm("comments.manage_personal_data"):
            return []
        return PERSONAL_DATA_FIELDS

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        switch = self.admin_site.admin_view(require_POST(self.surge_view))
        return [
            path("surge/<str:state>/", switch, name="comments_moderationsettings_surge"),
            *super().get_urls(),
        ]

    def surge_view(self, request, state):
        """Switch surge mode on or off by hand, then go back to the settings."""
        if state not in ("on", "off") or not self.has_change_permission(request):
            raise PermissionDenied
        surge_switch(on=state == "on", by=request.user)
        self.message_user(request, f"Surge mode switched {state}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:comments_moderationsettings_change", args=[1]))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and "_preview" in request.POST:
            return self.preview_view(request, object_id)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def preview_view(self, request, object_id):
        """The form as the moderator filled it in, unsaved, with what it would have done to the last 30 days."""
        saved = self.get_object(request, object_id)
        if saved is None or not self.has_change_permission(request, saved):
            raise PermissionDenied
        proposed = self.get_object(request, object_id)  # the form writes into this copy, never saved
        form = self.get_form(request, proposed, change=True)(request.POST, instance=proposed)
        result = backtest(form.save(commit=False), saved=saved) if form.is_valid() else None
        admin_form = helpers.AdminForm(
            form, list(self.get_fieldsets(request, saved)), {}, self.get_readonly_fields(request, saved), self
        )
        context = {
            **self.admin_site.each_context(request),
            "title": "Change moderation settings",
            "adminform": admin_form,
            "object_id": object_id,
            "original": saved,
            "is_popup": False,
            "to_field": None,
            "media": self.media + admin_form.media,
            "inline_admin_formsets": [],
            "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request),
            "backtest": result,
        }
        return self.render_change_form(request, context, change=True, obj=saved)

    def changelist_view(self, request, extra_context=None):
        """There is one row: go straight to it (for those who may see it)."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        settings_row = ModerationSettings.load()
        return HttpResponseRedirect(
            reverse("admin:comments_moderationsettings_change", args=[settings_row.pk])
        )


@admin.register(CommenterRule)
class CommenterRuleAdmin(admin.ModelAdmin):
    list_display = ["value", "kind", "action", "expires_at", "note", "created_by", "created_at"]
    list_filter = ["action", "kind"]
    search_fields = ["value", "note"]
    list_select_related = ["created_by"]
    readonly_fields = ["created_by", "created_at", "batch"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ModerationEvent)
class ModerationEventAdmin(admin.ModelAdmin):
    """The record of who did what; read-only."""

    list_display = ["created_at", "comment_link", "who", "kind", "from_status", "to_status", "reason"]
    list_filter = ["kind", "to_status", ("actor", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["reason", "actor_name", "comment_author", "article_title", "comment__body"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="comment")
    def comment_link(self, event):
        if event.comment_id is None:
            return f"{event.subject} (deleted)"
        url = reverse("admin:comments_comment_change", args=[event.comment_id])
        return format_html('<a href="{}">{}</a>', url, event.subject)

    @admin.display(description="by", ordering="actor_name")
    def who(self, event):
        return event.actor_name or "site"


@admin.register(CommentReport)
class CommentReportAdmin(admin.ModelAdmin):
    """Readers' reports: the reason and the network they came from, nothing that identifies a browser."""

    list_display = ["comment", "reason", "network", "created_at", "reviewed_at", "reviewed_by"]
    list_filter = ["reason", ("reviewed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["comment__article", "reviewed_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
