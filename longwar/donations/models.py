"""Donation models: the donation appeal's wording and the counted clicks on its link."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

SEED_DONATION_APPEAL = (
    "Are you a dedicated reader of FDD's Long War Journal? Has our research benefitted you or your team "
    "over the years? Support our independent reporting and analysis today by considering a one-time or "
    "monthly donation. Thanks for reading! You can make a tax-deductible donation here."
)
SEED_DONATION_LINK_TEXT = "here"
SITE_SETTINGS_ID = 1


class SiteSettings(models.Model):
    """The one row of settings staff edit in the admin; its id is pinned so there is never a second."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=SITE_SETTINGS_ID, editable=False)
    donation_appeal_enabled = models.BooleanField(
        "show the donation appeal", default=True, help_text="Shown under every article when on."
    )
    donation_appeal = models.TextField(
        default=SEED_DONATION_APPEAL,
        help_text="Plain text. The last occurrence of the link text below becomes the donation link.",
    )
    donation_link_text = models.CharField(
        max_length=100,
        default=SEED_DONATION_LINK_TEXT,
        help_text='The words of the appeal that link to the donation page, e.g. "here".',
    )

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"
        constraints = [
            models.CheckConstraint(condition=Q(id=SITE_SETTINGS_ID), name="site_settings_singleton")
        ]

    def __str__(self):
        return "Site settings"

    def clean(self):
        if self.donation_link_text and self.donation_link_text not in self.donation_appeal:
            raise ValidationError(
                {"donation_link_text": "The link text must appear in the appeal, e.g. its final word."}
            )

    @classmethod
    def load(cls) -> "SiteSettings":
        """The saved settings in one query; the defaults when the row is missing (e.g. a fresh dev DB)."""
        return cls.objects.filter(id=SITE_SETTINGS_ID).first() or cls()

    def donation_appeal_parts(self) -> tuple[str, str, str]:
        """Split the appeal around its link text so templates escape each part and add the link."""
        link_text = self.donation_link_text or SEED_DONATION_LINK_TEXT
        before, found, after = self.donation_appeal.rpartition(link_text)
        if not found:
            return f"{self.donation_appeal} ", link_text, ""
        return before, link_text, after


class DonationClick(models.Model):
    """One counted follow of the donation link: which article, when, from which site; nothing personal."""

    article = models.ForeignKey(
        "articles.Article",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="donation_clicks",
        help_text="The published article the reader came from, if the link named one.",
    )
    clicked_at = models.DateTimeField(default=timezone.now)
    referrer_host = models.CharField(
        max_length=255, blank=True, help_text="Host name of the referring page only; no path or query."
    )

    class Meta:
        ordering = ["-clicked_at", "-id"]
        indexes = [
            models.Index(fields=["clicked_at", "article"], name="donation_click_time_idx"),
        ]
        permissions = [("view_insights", "Can view the insights page (comment and donation charts)")]

    def __str__(self):
        when = timezone.localtime(self.clicked_at).strftime("%Y-%m-%d %H:%M")
        return f"Donation click {when}"
