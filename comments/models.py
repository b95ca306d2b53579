from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone


class CommentStatus(models.TextChoices):
    """Where a comment stands; decisions (comments.decisions) move it between these."""

    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    SPAM = "spam", "Spam"
    REMOVED = "removed", "Removed"


# How counts and charts list the statuses: what readers see, then the queue, then what was turned away.
STATUS_DISPLAY_ORDER = (
    CommentStatus.APPROVED,
    CommentStatus.PENDING,
    CommentStatus.SPAM,
    CommentStatus.REMOVED,
)


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def for_article(self, article):
        return self.filter(article=article)

    def visible_to(self, own_ids):
        """Approved comments, plus the reader's own held ones (ids kept in their session)."""
        return self.filter(Q(status=Comment.Status.APPROVED) | Q(pk__in=own_ids or []))

    def with_reason(self, code: str):
        return self.filter(reasons__contains=[{"code": code}])


class Comment(models.Model):
    Status = CommentStatus

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author_name = models.CharField("name", max_length=100)
    author_email = models.EmailField("email", blank=True, help_text="Never shown publicly.")
    author_url = models.URLField("website", blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
        help_text="Set when a logged-in staff member posted it.",
    )
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reasons = models.JSONField(
        default=list, blank=True, help_text='Why it was held or marked spam: [{"code": ..., "text": ...}].'
    )
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    featured = models.BooleanField(
        "editors' pick", default=False, help_text="Chosen by a moderator; shown among the editors' picks."
    )
    edited_at = models.DateTimeField(
        null=True, blank=True, help_text="When its text was last changed after posting; readers see “edited”."
    )

    # The thread a comment belongs to as readers see it, kept by comments.services: a reply hangs in its
    # parent's thread while the parent is approved; a comment whose parent is not (or that has none) starts
    # a thread of its own. For a held comment it is the thread it would join once approved.
    thread_root = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        editable=False,
        db_index=False,  # read through `thread`
        on_delete=models.SET_NULL,
        related_name="+",
    )
    thread = models.GeneratedField(
        expression=Coalesce("thread_root", "id"), output_field=models.BigIntegerField(), db_persist=True
    )
    body_html = models.TextField(
        blank=True, editable=False, help_text="The text as readers see it, rendered when it is saved."
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        permissions = [("moderate_comment", "Can moderate comments")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CommentStatus.values),
                name="comment_status_valid",
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="comment_not_own_parent"),
        ]
        indexes = [
            models.Index(fields=["article", "status", "created_at"], name="comment_thread_idx"),
            models.Index(fields=["status", "-created_at"], name="comment_queue_idx"),
            models.Index(fields=["author_email", "created_at"], name="comment_email_recent_idx"),
            # A page of threads: the top-level comments readers see, in either direction, then their replies.
            models.Index(
                fields=["article", "created_at", "id"],
                condition=Q(status=CommentStatus.APPROVED, thread_root__isnull=True),
                name="comment_thread_roots_idx",
            ),
            models.Index(
                fields=["thread", "created_at"],
                condition=Q(status=CommentStatus.APPROVED),
                name="comment_thread_members_idx",
            ),
            models.Index(
                fields=["article", "created_at"],
                condition=Q(status=CommentStatus.APPROVED, featured=True),
                name="comment_picks_idx",
            ),
            models.Index(fields=["ip_address", "created_at"], name="comment_ip_recent_idx"),
            # Insights read only these columns of every recent comment: index-only, never the wide rows.
            models.Index(
                fields=["created_at"], include=["status", "moderated_at"], name="comment_created_cover_idx"
            ),
            models.Index(fields=["moderated_at"], include=["created_at"], name="comment_moderated_cover_idx"),
        ]

    def __str__(self):
        return f"{self.author_name} on {self.article}"

    def get_absolute_url(self):
        return reverse("comments:permalink", kwargs={"pk": self.pk})

    @property
    def reason_text(self) -> str:
        return "; ".join(reason["text"] for reason in self.reasons)


class EventKind(models.TextChoices):
    STATUS = "status", "Status"
    EDIT = "edit", "Text edited"
    FEATURE = "feature", "Made an editors' pick"
    UNFEATURE = "unfeature", "No longer an editors' pick"
    IMPORT = (
        "import",
        "Imported with its status",
    )  # counts as a moderator's decision for what learns from them


class ModerationEvent(models.Model):
    """The log: one row for every status change of a comment (including its first), edit and pick."""

    Kind = EventKind

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=EventKind.choices, default=EventKind.STATUS)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the site decided on its own.",
    )
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    reason = models.TextField(blank=True)
    previous_body = models.TextField(blank=True, help_text="For edits: the text before the change.")
    batch = models.UUIDField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Shared by the events of one decision on many comments.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["comment", "created_at"], name="modevent_comment_idx")]

    def __str__(self):
        who = self.actor or "site"
        return f"{who}: {self.from_status or 'new'} → {self.to_status}"


class CommenterAction(models.TextChoices):
    TRUST = "trust", "Trust"
    BLOCK = "block", "Block"


class CommenterKind(models.TextChoices):
    EMAIL = "email", "Email"
    IP = "ip", "IP address"


class CommenterRule(models.Model):
    """A commenter staff trust (approved without review) or block (marked spam), by email or IP."""

    Action = CommenterAction
    Kind = CommenterKind

    action = models.CharField(max_length=5, choices=Action.choices)
    kind = models.CharField(max_length=5, choices=Kind.choices)
    value = models.CharField(max_length=254, help_text="Email addresses are compared case-insensitively.")
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "trusted or blocked commenter"
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="commenter_rule_unique"),
            models.CheckConstraint(
                condition=Q(action__in=CommenterAction.values), name="commenter_rule_action_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=CommenterKind.values), name="commenter_rule_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.value}"

    def save(self, *args, **kwargs):
        if self.kind == self.Kind.EMAIL:
            self.value = self.value.strip().lower()
        super().save(*args, **kwargs)


class CommentReport(models.Model):
    """A reader's report of a comment; one per comment per browser session and per IP address."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    session_key = models.CharField(max_length=40)
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "session_key"], name="comment_report_once_per_session")
        ]

    def __str__(self):
        return f"Report of comment {self.comment_id}"


class ModerationSettings(models.Model):
    """The site's comment policy, edited by staff in the admin. There is one row (pk=1)."""

    class Policy(models.TextChoices):
        HOLD_ALL = "hold_all", "Hold every comment for review"
        APPROVE_KNOWN = "approve_known", "Approve commenters who already have an approved comment"

    policy = models.CharField(max_length=20, choices=Policy.choices, default=Policy.HOLD_ALL)
    max_links = models.PositiveSmallIntegerField(
        default=2, help_text="Hold comments with more links than this."
    )
    moderation_words = models.TextField(
        blank=True, help_text="One word or phrase a line. A match in any field holds the comment."
    )
    disallowed_words = models.TextField(
        blank=True,
        help_text="One word or phrase a line. A match in name, email, URL, text, IP or browser marks it spam.",
    )
    flood_max_comments = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(1)],
        help_text="Comments one IP address or email may post within the flood window.",
    )
    flood_window_seconds = models.PositiveIntegerField(default=300, validators=[MinValueValidator(1)])
    min_seconds_to_post = models.PositiveSmallIntegerField(
        default=3, help_text="Hold comments sent back faster than a person can type."
    )
    max_form_age_seconds = models.PositiveIntegerField(
        default=2 * 60 * 60, help_text="Hold comments sent from a form older than this."
    )
    report_threshold = models.PositiveSmallIntegerField(
        default=3, help_text="Reports from readers that send an approved comment back to review."
    )
    thread_depth = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="Deepest level of nested replies (1 to 10).",
    )
    close_after_days = models.PositiveSmallIntegerField(
        default=0, help_text="Close comments this many days after publication (0: never)."
    )
    comments_per_page = models.PositiveSmallIntegerField(
        default=100, validators=[MinValueValidator(1)], help_text="Top-level comments per page."
    )
    notify_moderators = models.BooleanField(
        default=True, help_text="Email moderators when a comment is held."
    )

    class Meta:
        verbose_name = "moderation settings"
        verbose_name_plural = "moderation settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="moderation_settings_singleton"),
            models.CheckConstraint(
                condition=Q(thread_depth__gte=1, thread_depth__lte=10), name="moderation_settings_depth_range"
            ),
            models.CheckConstraint(
                condition=Q(comments_per_page__gte=1), name="moderation_settings_page_min"
            ),
            models.CheckConstraint(
                condition=Q(flood_max_comments__gte=1, flood_window_seconds__gte=1),
                name="moderation_settings_flood_min",
            ),
        ]

    def __str__(self):
        return "Moderation settings"

    @classmethod
    def load(cls) -> "ModerationSettings":
        """The saved settings in one query; the defaults if the row is missing. Never writes."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    @classmethod
    def for_request(cls, request) -> "ModerationSettings":
        """The settings, read once per request however many parts of the page ask."""
        if not hasattr(request, "_moderation_settings"):
            request._moderation_settings = cls.load()
        return request._moderation_settings

    @staticmethod
    def _lines(text: str) -> list[str]:
        return [line.strip().lower() for line in text.splitlines() if line.strip()]

    @property
    def moderation_word_list(self) -> list[str]:
        return self._lines(self.moderation_words)

    @property
    def disallowed_word_list(self) -> list[str]:
        return self._lines(self.disallowed_words)
