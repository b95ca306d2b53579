import re
import time
from datetime import timedelta

from django import forms
from django.core import signing
from django.core.validators import URLValidator
from django.utils import timezone

from comments.models import CommenterAction, ReportReason
from comments.moderation import Submission
from comments.reader import staff_display_name

TOKEN_SALT = "longwar.comments.form"


def make_form_token(article_id: int, now: float | None = None) -> str:
    """A signed note of which article's form this is and when it was shown (like contrib.comments' security hash)."""
    return signing.dumps(
        {"a": article_id, "t": int(now if now is not None else time.time())}, salt=TOKEN_SALT
    )


def form_token_age(token: str, article_id: int, now: float | None = None) -> float | None:
    """Seconds since the form was shown, or None when the token is forged, garbled or for another article."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != article_id or not isinstance(data.get("t"), int):
        return None
    return (now if now is not None else time.time()) - data["t"]


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def without_control_characters(text: str) -> str:
    """Drop invisible control characters (XML feeds and PostgreSQL refuse some); keep tabs and newlines."""
    return CONTROL_CHARACTERS.sub("", text)


def reader_text(text: str) -> str:
    """A reader's text as stored: line ends as \\n, invisible control characters dropped, no outer whitespace.

    This is all that changes between what a reader types and what is stored and shown (escaped).
    """
    return without_control_characters(text.replace("\r\n", "\n").replace("\r", "\n")).strip()


class ReaderTextField(forms.CharField):
    """Text a reader types, normalised by `reader_text` before the length and null-character checks, so an
    invisible character (a NUL pasted along) is dropped rather than refusing the comment."""

    def to_python(self, value):
        return reader_text(super().to_python(value))


TOKEN_ERROR = "This form has expired or was altered. Please send your comment again."
NEEDS_EMAIL = "Leave your email address to be told about replies or about your comment."
NEEDS_ACCOUNT_EMAIL = "Your account has no email address; add one to be told about replies."


class WebAddressField(forms.URLField):
    """A URL field that accepts only http and https, so a website never becomes a javascript: link."""

    message = "Enter a web address starting with http:// or https://."
    default_error_messages = {"invalid": message}
    default_validators = [URLValidator(schemes=["http", "https"], message=message)]


class CommentForm(forms.Form):
    name = ReaderTextField(max_length=100)
    email = forms.EmailField(max_length=254, help_text="Never shown on the site.")
    url = WebAddressField(label="Website", required=False, max_length=200, assume_scheme="https")
    body = ReaderTextField(label="Comment", max_length=10_000, widget=forms.Textarea(attrs={"rows": 8}))
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    honeypot = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    token = forms.CharField(widget=forms.HiddenInput, error_messages={"required": TOKEN_ERROR})
    remember = forms.BooleanField(
        label="Save my name, email, and website in this browser for the next time I comment.", required=False
    )
    notify_replies = forms.BooleanField(label="Email me when someone replies to my comment", required=False)
    notify_decision = forms.BooleanField(label="Tell me if my comment is published", required=False)

    def __init__(self, *args, article, staff_user=None, **kwargs):
        self.article = article
        self.staff_user = staff_user
        super().__init__(*args, **kwargs)
        if staff_user is not None:
            # Staff post as themselves; the identity fields come from their account.
            # They are published at once, so there is no decision to tell them of.
            for name in ("name", "email", "url", "remember", "notify_decision"):
                del self.fields[name]
        self.form_age: float | None = None

    def clean_email(self):
        return self.cleaned_data["email"].lower()

    def clean_token(self):
        self.form_age = form_token_age(self.cleaned_data["token"], self.article.pk)
        if self.form_age is None:
            raise forms.ValidationError(TOKEN_ERROR)
        return self.cleaned_data["token"]

    def clean(self):
        data = super().clean()
        if data.get("notify_replies") or data.get("notify_decision"):
            if self.staff_user is not None and not self.staff_user.email:
                self.add_error(None, NEEDS_ACCOUNT_EMAIL)
            elif self.staff_user is None and not data.get("email"):
                self.add_error("email", NEEDS_EMAIL)
        return data

    def refresh_token(self) -> None:
        """Give a re-shown form a fresh token, so that sending it again works."""
        self.data = self.data.copy()
        self.data["token"] = make_form_token(self.article.pk)

    def submission(self, *, ip_address: str | None, user_agent: str) -> Submission:
        data = self.cleaned_data
        if self.staff_user is not None:
            user = self.staff_user
            name, email, url = staff_display_name(user), user.email or "", ""
        else:
            name, email, url = data["name"], data["email"], data["url"]
        return Submission(
            name=name,
            email=email,
            url=url,
            body=data["body"],
            ip_address=ip_address,
            user_agent=user_agent,
            honeypot=data.get("honeypot", ""),
            form_age=self.form_age,
        )


class CommentEditForm(forms.Form):
    """The author's own fix to their comment's text, within the edit window."""

    body = ReaderTextField(label="Comment", max_length=10_000, widget=forms.Textarea(attrs={"rows": 8}))


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        choices=ReportReason.choices, error_messages={"required": "Please say why you are reporting it."}
    )


# What staff can do on a commenter's page: (standing, how long) for each standing button.
STANDINGS = {
    "trust": (CommenterAction.TRUST, None),
    "hold": (CommenterAction.HOLD, None),
    "suspend_1h": (CommenterAction.SUSPEND, timedelta(hours=1)),
    "suspend_1d": (CommenterAction.SUSPEND, timedelta(days=1)),
    "suspend_7d": (CommenterAction.SUSPEND, timedelta(days=7)),
    "block": (CommenterAction.BLOCK, None),
}
BLOCK_FOR = {"": None, "1d": timedelta(days=1), "7d": timedelta(days=7), "30d": timedelta(days=30)}


class CommenterActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(name, name) for name in [*STANDINGS, "clear", "remove_all", "note"]])
    block_for = forms.ChoiceField(
        label="Block for",
        required=False,
        choices=[("", "until unblocked"), ("1d", "1 day"), ("7d", "7 days"), ("30d", "30 days")],
    )
    body = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "note" and not data.get("body", "").strip():
            self.add_error("body", "Write the note before adding it.")
        if action in STANDINGS:
            standing, duration = STANDINGS[action]
            if action == "block":
                duration = BLOCK_FOR[data.get("block_for", "")]
            data["standing"] = standing
            data["until"] = timezone.now() + duration if duration else None
        return data


class PersonalDataForm(forms.Form):
    """Staff's request about one commenter: export their data, or erase it (confirmed)."""

    EXPORT, ERASE = "export", "erase"

    email = forms.EmailField(label="Commenter's email address")
    action = forms.ChoiceField(choices=[(EXPORT, "Export as JSON"), (ERASE, "Erase")])
    confirm = forms.BooleanField(
        label="Yes, erase this commenter's personal data. This cannot be undone.", required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == self.ERASE and not data.get("confirm"):
            self.add_error("confirm", "Tick the box to confirm the erasure.")
        return data
