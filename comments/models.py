import copy

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce, Lower, Trim
from django.urls import reverse
from django.utils import timezone

from comments import state
from comments.addresses import normalised_ip


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
        """Approved comments, plus the reader's own held ones (ids kept in their browser's cookie)."""
        return self.filter(Q(status=Comment.Status.APPROVED) | Q(pk__in=own_ids or []))

    def with_reason(self, code: str):
        return self.filter(reasons__contains=[{"code": code}])

    def reported(self):
        """Comments with reports no moderator has reviewed yet (the Reported queue)."""
        return self.filter(Exists(CommentReport.objects.open().filter(comment=OuterRef("pk"))))

    def by_commenter(self, kind: str, value: str):
        """A commenter's comments, by email (case-insensitively) or by IP address."""
        if kind == CommenterKind.EMAIL:
            return self.filter(author_email__iexact=value) if value else self.none()
        return self.filter(ip_address=value)


class Comment(models.Model):
    Status = CommentStatus

    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        related_name="comments",
        db_index=False,  # comment_article_author_idx leads with it
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,  # other readers' replies survive; they show as top-level comments
        related_name="replies",
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
    notify_replies = models.BooleanField(
        default=False, help_text="Email the author about approved replies, once their address is confirmed."
    )
    notify_decision = models.BooleanField(
        default=False, help_text="Email the author once, when a moderator publishes it or turns it down."
    )
    spam_score = models.FloatField(
        null=True, blank=True, help_text="The spam classifier's probability that this is spam, when posted."
    )
    spam_model = models.ForeignKey(
        "SpamModel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    legacy_id = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="Its id on the site it was imported from, when it could not keep it here: "
        "old links to #comment-<that id> still land on it.",
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
        permissions = [
            ("moderate_comment", "Can moderate comments"),
            ("manage_personal_data", "Can export and erase a commenter's personal data"),
        ]
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
            # Whether this author already posted this text here: a few rows, however long the thread.
            models.Index(fields=["article", "author_email"], name="comment_article_author_idx"),
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
            # Near-duplicates in the queue (pg_trgm similarity), see comments.selectors.near_duplicate_groups.
            GinIndex(
                fields=["body"],
                opclasses=["gin_trgm_ops"],
                condition=Q(status="pending"),
                name="comment_pending_trgm_idx",
            ),
            # Insights read only these columns of every recent comment: index-only, never the wide rows.
            models.Index(
                fields=["created_at"], include=["status", "moderated_at"], name="comment_created_cover_idx"
            ),
            models.Index(fields=["moderated_at"], include=["created_at"], name="comment_moderated_cover_idx"),
            # The few comments a rule held or marked spam, for the insights' rule precision.
            models.Index(fields=["created_at"], condition=~Q(reasons=[]), name="comment_flagged_idx"),
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
    REVIEWED = "reviewed", "Readers' reports reviewed"
    REOPENED = "reopened", "Readers' reports open again"
    STANDING = "standing", "Commenter trusted or blocked"
    # An imported comment's original status: counts as a moderator's decision for what learns from them.
    IMPORT = "import", "Imported with its status"
    EXPORT = "export", "Personal data exported"
    ERASE = "erase", "Personal data erased"


class ModerationEvent(models.Model):
    """The log: one row for every status change of a comment (including its first), edit and pick.

    It outlives the comment, its article and the moderator's account: each row keeps their names.
    """

    Kind = EventKind

    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
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
    undoes = models.UUIDField(
        null=True, blank=True, db_index=True, help_text="For an undo: the batch whose decision it reverses."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # What the row says once the comment, its article or the moderator's account is deleted.
    actor_name = models.CharField(max_length=150, blank=True, help_text="Empty when the site decided.")
    comment_author = models.CharField(max_length=100, blank=True)
    article_title = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["comment", "created_at"], name="modevent_comment_idx"),
            models.Index(
                fields=["created_at"], name="modevent_created_idx"
            ),  # decisions since the last model
        ]

    def __str__(self):
        change = f"{self.actor_name or 'site'}: {self.from_status or 'new'} → {self.to_status}"
        return change if self.comment_id else f"{change} ({self.subject}, deleted)"

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.actor_name = self.actor_name or (self.actor.get_username() if self.actor else "")
            if self.comment is not None:
                self.comment_author = self.comment_author or self.comment.author_name
                self.article_title = self.article_title or self.comment.article.title
        super().save(*args, **kwargs)

    @property
    def subject(self) -> str:
        return f"{self.comment_author} on “{self.article_title}”"


class CommenterAction(models.TextChoices):
    TRUST = "trust", "Trusted"
    HOLD = "hold", "Always held for review"
    SUSPEND = "suspend", "Suspended"
    BLOCK = "block", "Blocked"


class CommenterKind(models.TextChoices):
    EMAIL = "email", "Email"
    IP = "ip", "IP address"


class CommenterRuleQuerySet(models.QuerySet):
    def active(self, now=None):
        """Rules in force: without an expiry, or expiring later than now."""
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now or timezone.now()))


class CommenterRule(models.Model):
    """A commenter's standing, by email or IP: trusted, always held, suspended or blocked (optionally until a time).

    One rule per email or address: a new standing replaces the old one.
    """

    Action = CommenterAction
    Kind = CommenterKind

    action = models.CharField(max_length=10, choices=Action.choices)
    kind = models.CharField(max_length=5, choices=Kind.choices)
    value = models.CharField(
        max_length=254,
        help_text="Email addresses are compared case-insensitively, IP addresses however they are written.",
    )
    note = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty: until staff change it. Suspensions always end."
    )
    batch = models.UUIDField(
        null=True,
        blank=True,
        db_index=True,
        help_text="The decision that wrote it, so undoing it removes it.",
    )
    replaced = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        encoder=DjangoJSONEncoder,
        help_text="The standing this one replaced, put back if the decision that wrote it is undone.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CommenterRuleQuerySet.as_manager()

    class Meta:
        verbose_name = "commenter standing"
        verbose_name_plural = "commenter standings"
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="commenter_rule_unique"),
            models.CheckConstraint(
                condition=Q(action__in=CommenterAction.values), name="commenter_rule_action_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=CommenterKind.values), name="commenter_rule_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(action=CommenterAction.SUSPEND) | Q(expires_at__isnull=False),
                name="commenter_rule_suspension_ends",
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.value}"

    def save(self, *args, **kwargs):
        if self.kind == self.Kind.EMAIL:
            self.value = self.value.strip().lower()
        elif self.kind == self.Kind.IP:
            try:
                self.value = normalised_ip(self.value)
            except ValueError:  # not an address (refused by clean() in the admin); kept as typed
                self.value = self.value.strip()
        super().save(*args, **kwargs)

    def clean(self):
        if self.kind == self.Kind.IP:
            try:
                normalised_ip(self.value)
            except ValueError:
                raise ValidationError({"value": "Enter an IPv4 or IPv6 address."}) from None


class CommenterNote(models.Model):
    """A moderator's note about a commenter (by email or IP), read on their commenter page."""

    kind = models.CharField(max_length=5, choices=CommenterKind.choices)
    value = models.CharField(max_length=254)
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "value", "created_at"], name="commenter_note_idx")]

    def __str__(self):
        return f"Note on {self.value}"

    def save(self, *args, **kwargs):
        if self.kind == CommenterKind.EMAIL:
            self.value = self.value.strip().lower()
        super().save(*args, **kwargs)


class ReportReason(models.TextChoices):
    SPAM = "spam", "Spam"
    ABUSE = "abuse", "Abusive or hateful"
    OFF_TOPIC = "off_topic", "Off-topic"
    OTHER = "other", "Something else"


class CommentReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(reviewed_at__isnull=True)


class CommentReport(models.Model):
    """A reader's report of a comment: one per comment per network (IPv4 /24, IPv6 /64).

    Nothing that identifies the reader's browser is kept; the network is enough to count distinct reporters
    and to rate-limit them.
    """

    Reason = ReportReason

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=10, choices=Reason.choices, default=Reason.OTHER)
    network = models.CharField(max_length=43, blank=True, help_text="The reader's /24 (IPv4) or /64 (IPv6).")
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_batch = models.UUIDField(null=True, blank=True, db_index=True)

    objects = CommentReportQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "network"], name="comment_report_once_per_network"),
            models.CheckConstraint(
                condition=Q(reason__in=ReportReason.values), name="comment_report_reason_valid"
            ),
        ]
        indexes = [models.Index(fields=["network", "created_at"], name="comment_report_network_idx")]

    def __str__(self):
        return f"Report of comment {self.comment_id}"


class ModeratorMail(models.Model):
    """When moderators were last emailed and when the next digest is due (one row, pk=1)."""

    last_sent_at = models.DateTimeField(null=True, blank=True)
    digest_due_at = models.DateTimeField(null=True, blank=True)
    alert_queued_at = models.DateTimeField(
        null=True, blank=True, help_text="When the alert task waiting to start was queued."
    )

    class Meta:
        verbose_name = "moderator mail state"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="moderator_mail_singleton")]

    def __str__(self):
        return "Moderator mail"


class ModerationSettings(state.CachedRow):
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
        default=3,
        validators=[MinValueValidator(2)],
        help_text="Distinct networks (IPv4 /24, IPv6 /64) whose reports hide a comment before review, "
        "when hiding is allowed below.",
    )
    hide_reported = models.BooleanField(
        default=False,
        help_text="Send a reported comment back to review (hidden) once enough distinct networks report it. "
        "Off: reported comments stay published until a moderator decides.",
    )
    reports_per_network_per_hour = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1)],
        help_text="Reports one network (IPv4 /24, IPv6 /64) may send in an hour.",
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
        default=True, help_text="Email moderators when comments wait for review."
    )
    digest_minutes = models.PositiveSmallIntegerField(
        default=15,
        validators=[MinValueValidator(1)],
        help_text="At most one email to moderators in this many minutes: the first waiting comment after a "
        "quiet spell is sent at once, the rest as one digest.",
    )
    edit_window_minutes = models.PositiveSmallIntegerField(
        default=15,
        help_text="Minutes after posting during which authors may edit their comment, from the same browser "
        "(0: never). Edits go through the moderation rules again.",
    )
    classifier_enabled = models.BooleanField(
        "use the spam classifier",
        default=True,
        help_text="Score every comment with the newest trained model (nothing happens until one is trained).",
    )
    classifier_target_precision = models.FloatField(
        "auto-spam precision",
        default=0.99,
        validators=[MinValueValidator(0.5), MaxValueValidator(0.9999)],
        help_text="The classifier marks spam on its own from the lowest score at which it was at least this "
        "precise on held-out decisions (0.99: at most 1 in 100 wrongly).",
    )
    classifier_hold_threshold = models.FloatField(
        "hold from score",
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Hold comments the classifier scores at least this high (0 to 1).",
    )
    surge_factor = models.FloatField(
        "surge at",
        default=3.0,
        validators=[MinValueValidator(0.0)],
        help_text="Switch to surge mode when comments are held this many times faster than usual for the hour "
        "of day (0: never by rate).",
    )
    surge_min_held = models.PositiveSmallIntegerField(
        "surge needs at least",
        default=10,
        help_text="Held comments within the last hour before the rate can start surge mode.",
    )
    staffed_from = models.TimeField(
        null=True, blank=True, help_text="Moderators on duty from (newsroom time). Empty: always staffed."
    )
    staffed_until = models.TimeField(
        null=True,
        blank=True,
        help_text="... until. Outside these hours the site is in surge mode. May wrap past midnight.",
    )
    surge_flood_max_comments = models.PositiveSmallIntegerField(
        "flood limit in a surge",
        default=2,
        validators=[MinValueValidator(1)],
        help_text="Comments one IP address or email may post within the flood window during a surge.",
    )
    classifier_retrain_every = models.PositiveIntegerField(
        "retrain after",
        default=50,
        help_text="Train a fresh model in the background after this many new approve or spam decisions (0: never).",
    )
    personal_data_days = models.PositiveSmallIntegerField(
        "keep IP addresses and browsers for (days)",
        default=90,
        validators=[MinValueValidator(1)],
        help_text="Commenters' IP addresses and browser names are erased this many days after posting "
        "(by `manage.py erase_old_personal_data`, run daily).",
    )
    erasure_keeps_text = models.BooleanField(
        "keep the text of erased commenters",
        default=True,
        help_text="When a commenter's data is erased on request, their comments stay, anonymised. "
        "Off: the text is removed as well.",
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
            models.CheckConstraint(
                condition=Q(surge_flood_max_comments__gte=1), name="moderation_settings_surge_flood_min"
            ),
            models.CheckConstraint(
                condition=Q(classifier_hold_threshold__gte=0, classifier_hold_threshold__lte=1),
                name="moderation_settings_hold_score_range",
            ),
            models.CheckConstraint(
                condition=Q(personal_data_days__gte=1), name="moderation_settings_personal_data_min"
            ),
        ]

    def __str__(self):
        return "Moderation settings"

    @classmethod
    def load(cls) -> "ModerationSettings":
        """The saved settings (kept in the shared cache, comments.state), the defaults if the row is missing.
        Never writes. A copy: changing it changes nobody else's."""
        return copy.copy(state.remembered(state.MODERATION_SETTINGS, cls._read))

    @classmethod
    def _read(cls) -> "ModerationSettings":
        return cls.objects.using(DEFAULT_DB_ALIAS).filter(pk=1).first() or cls(pk=1)

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


class SubscriptionStatus(models.TextChoices):
    UNCONFIRMED = "unconfirmed", "Not confirmed"
    CONFIRMED = "confirmed", "Confirmed"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
    BOUNCED = "bounced", "Bounced"


class EmailSubscription(models.Model):
    """A reader's email address and what it agreed to; one row per normalised address.

    Reply notifications go only to confirmed addresses; nothing at all goes to an address that
    unsubscribed or bounced until it confirms afresh.
    """

    Status = SubscriptionStatus

    email = models.EmailField(max_length=254, help_text="Normalised: trimmed and in lower case.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UNCONFIRMED)
    link_version = models.PositiveIntegerField(
        default=0, help_text="Raised when the address unsubscribes or bounces: older confirmation links die."
    )
    note = models.CharField(max_length=300, blank=True, help_text="Why it bounced, for staff.")
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["email"], name="email_subscription_unique"),
            models.CheckConstraint(
                condition=Q(status__in=SubscriptionStatus.values), name="email_subscription_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(email=Lower(Trim("email"))), name="email_subscription_normalised"
            ),
        ]

    def __str__(self):
        return f"{self.email} ({self.get_status_display()})"


class ReplyNotice(models.Model):
    """An approved reply whose parent's author asked to hear about it; one email carries a burst of them."""

    reply = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="reply_notice")
    subscription = models.ForeignKey(
        EmailSubscription, on_delete=models.CASCADE, related_name="reply_notices"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["subscription", "sent_at"], name="reply_notice_unsent_idx")]

    def __str__(self):
        return f"Reply {self.reply_id} for {self.subscription}"


class ReaderEmailKind(models.TextChoices):
    CONFIRM = "confirm", "Confirmation request"
    REPLIES = "replies", "Replies"
    PUBLISHED = "published", "Comment published"
    NOT_PUBLISHED = "not_published", "Comment not published"


class ReaderEmail(models.Model):
    """One email sent to a reader; the rate limits per address and per IP count these."""

    Kind = ReaderEmailKind

    subscription = models.ForeignKey(EmailSubscription, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    ip_address = models.GenericIPAddressField(
        "IP address", null=True, blank=True, help_text="Of the reader whose comment asked for it."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ReaderEmailKind.values), name="reader_email_kind_valid"
            )
        ]
        indexes = [
            models.Index(fields=["subscription", "kind", "created_at"], name="reader_email_address_idx"),
            models.Index(fields=["ip_address", "created_at"], name="reader_email_ip_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.subscription.email}"


class SpamModel(state.CachedRow):
    """A trained spam classifier (comments.classifier), stored so every app server uses the newest one."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    data = models.BinaryField(help_text="NumPy arrays (numpy.savez, no pickle).")
    examples = models.PositiveIntegerField()
    spam_examples = models.PositiveIntegerField()
    sources = models.TextField(blank=True, help_text="What it learned from.")

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = ["created_at", "id"]

    def __str__(self):
        return f"Spam model of {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


class SpamLabel(models.TextChoices):
    SPAM = "spam", "Spam"
    HAM = "ham", "Not spam"


class SpamExample(models.Model):
    """A labelled text from a file given to `spam_classifier train --csv`, kept for every later retraining."""

    Label = SpamLabel

    text = models.TextField()
    label = models.CharField(max_length=4, choices=Label.choices)
    source = models.CharField(max_length=200, help_text="The file it came from.")
    page = models.CharField(
        max_length=500, blank=True, help_text="The page it was left on (links to it are not outside links)."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(label__in=SpamLabel.values), name="spam_example_label_valid")
        ]

    def __str__(self):
        return f"{self.label}: {self.text[:40]}"


class SurgeLog(state.CachedRow):
    """One period of surge mode: when and why it started and ended (by hand or by itself)."""

    started_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=300)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the site switched it on.",
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = "surge mode period"

    def __str__(self):
        return f"Surge from {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"

    @property
    def manual(self) -> bool:
        return self.started_by_id is not None
