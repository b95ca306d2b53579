"""The permission matrix: who may open every admin page, run every admin action and use every URL that
changes something, for anonymous visitors, a logged-in reader, a moderator, an editor and a superuser.

The admin pages and actions are listed from the admin registry, and the URLs from the URL configuration, so a
new model, action or URL fails `test_every_registered_model_and_action_is_declared` or
`test_every_url_is_declared` until a row below says who may use it.

Each request to a URL that changes something runs in its own transaction, rolled back afterwards, and the
whole database is compared before and after it: a refused request must change nothing at all, an accepted
one must change something.
"""

import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comments import learning
from comments.classifier import LabelledFile
from comments.decisions import DECISIONS
from comments.forms import STANDINGS, make_form_token
from comments.models import (
    Comment,
    CommenterRule,
    CommentReport,
    EmailSubscription,
    ModerationEvent,
    ModerationSettings,
    SpamExample,
    SurgeLog,
)
from comments.notifications import confirm_token, unsubscribe_token
from comments.reader import remember_own_comment
from comments.services import comment_decide
from comments.surge import surge_switch
from longwar.donations.models import SiteSettings
from tags.models import TagRedirect
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    DonationClickFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

ANONYMOUS, READER, MODERATOR, EDITOR, SUPERUSER = "anonymous", "reader", "moderator", "editor", "superuser"
ROLES = [ANONYMOUS, READER, MODERATOR, EDITOR, SUPERUSER]
OUTSIDERS = {ANONYMOUS, READER}  # sent to the admin login page
PASSWORD = "an-old-passw0rd"

# What the admin offers at all (a superuser's rights): v(iew), a(dd), c(hange), d(elete).
OFFERED = {
    "auth.group": "vacd",
    "auth.user": "vacd",
    "django_tasks_database.dbtaskresult": "v",
    "axes.accessattempt": "vcd",
    "axes.accesslog": "vcd",
    "axes.accessfailurelog": "vcd",
    "donations.sitesettings": "vc",  # one row, created by a migration
    "donations.donationclick": "vd",
    "articles.author": "vacd",
    "articles.article": "vacd",
    "comments.comment": "vcd",  # comments come from readers
    "comments.moderationsettings": "vc",
    "comments.commenterrule": "vacd",
    "comments.moderationevent": "v",  # the log is read-only
    "comments.commentreport": "vd",
    "comments.spammodel": "vd",  # trained by the task worker or the command, never in the admin
    "comments.surgelog": "v",  # the log is read-only
    "tags.tag": "vacd",
    "tags.tagredirect": "vacd",
}
# What each staff group is granted of that; anything not listed is refused (403).
GRANTED = {
    MODERATOR: {
        "comments.comment": "vc",
        "comments.moderationsettings": "vc",
        "comments.commenterrule": "vacd",
        "comments.moderationevent": "v",
        "comments.commentreport": "v",
        "comments.spammodel": "v",
        "comments.surgelog": "v",
    },
    EDITOR: {
        "articles.article": "vacd",
        "articles.author": "vacd",
        "tags.tag": "vacd",
        "tags.tagredirect": "vacd",
    },
    SUPERUSER: OFFERED,
}
PAGES = {"changelist": "v", "add": "a", "change": "v", "delete": "d", "history": "v"}  # the right each needs
ALLOWED_STATUS = {("comments.moderationsettings", "changelist"): HTTPStatus.FOUND}  # straight to the row
# Actions besides delete_selected (which needs "d"), and the staff groups besides superusers that may run them.
ACTIONS = {
    "comments.comment": {name: {MODERATOR} for name in DECISIONS},
    "articles.article": {"publish": {EDITOR}, "unpublish": {EDITOR}},
    "tags.tag": {"merge_tags": {EDITOR}},
    "donations.donationclick": {"export_csv": set()},
}

# URLs that change nothing in the database: pages, feeds and machine endpoints (the admin's custom pages are
# rows of `changing_urls`, with the URLs that change something). The admin's login and logout change only the
# visitor's own session (login throttling: test_login_throttle.py).
CHANGES_NOTHING = {
    "articles:index",
    "articles:author",
    "articles:author-feed",
    "articles:feed",
    "articles:feed-atom",
    "articles:search",
    "articles:archive-year",
    "articles:archive-month",
    "articles:detail",
    "comments:permalink",
    "comments:feed",
    "tags:index",
    "tags:detail",
    "tags:feed",
    "support",
    "healthz",
    "robots-txt",
    "sitemap",
    "admin:index",
    "admin:app_list",
    "admin:autocomplete",
    "admin:jsi18n",
    "admin:view_on_site",
    "admin:password_change_done",
    "admin:login",
    "admin:logout",
}


@pytest.fixture(autouse=True)
def _tasks_in_the_database(settings):
    """As in production, so the admin can show stored task results."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def registered_models() -> dict[str, type]:
    return {model._meta.label_lower: model for model in apps.get_models() if admin.site.is_registered(model)}


def may(role: str, label: str, right: str) -> bool:
    return right in OFFERED[label] and right in GRANTED.get(role, {}).get(label, "")


@pytest.fixture
def users(django_user_model):
    reader = django_user_model.objects.create_user("reader", "reader@example.org", PASSWORD)
    moderator = django_user_model.objects.create_user("moderator", "mod@example.org", PASSWORD, is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    editor = django_user_model.objects.create_user("editor", "editor@example.org", PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    boss = django_user_model.objects.create_superuser("boss", "boss@example.org", PASSWORD)
    return {ANONYMOUS: None, READER: reader, MODERATOR: moderator, EDITOR: editor, SUPERUSER: boss}


def tiny_spam_model():
    """A real model, trained through comments.learning on ten texts of each kind, so that its pages render."""
    spam = [f"cheap pills and free money, click offer number {n}" for n in range(10)]
    ham = [f"the ceasefire talks in the province, day {n} of the analysis" for n in range(10)]
    labels = [SpamExample.Label.SPAM] * len(spam) + [SpamExample.Label.HAM] * len(ham)
    learning.store_examples([("tiny.csv", LabelledFile(spam + ham, labels, [None] * len(labels)))])
    return learning.spam_model_train(decisions=False)


@pytest.fixture
def objects(users):
    """One row of every model the admin shows."""
    article = ArticleFactory()
    comment = CommentFactory(
        article=article, status=Comment.Status.PENDING, author_name="Held", author_email="held@example.org"
    )
    approved = CommentFactory(article=article)
    tag = TagFactory()
    surge_switch(on=True, by=users[SUPERUSER])
    surge_switch(on=False, by=users[SUPERUSER])
    client_data = {
        "ip_address": "198.51.100.1",
        "user_agent": "Firefox",
        "http_accept": "*/*",
        "path_info": "/",
    }
    return {
        "auth.group": Group.objects.get(name="Moderators"),
        "auth.user": users[READER],
        "django_tasks_database.dbtaskresult": DBTaskResult.objects.create(
            args_kwargs={"args": [comment.pk], "kwargs": {}},
            task_path="comments.tasks.notify_moderators_task",
            backend_name="default",
            queue_name="default",
            run_after=timezone.now(),
        ),
        "axes.accessattempt": AccessAttempt.objects.create(
            username="boss", failures_since_start=1, get_data="", post_data="", **client_data
        ),
        "axes.accesslog": AccessLog.objects.create(username="boss", **client_data),
        "axes.accessfailurelog": AccessFailureLog.objects.create(
            username="boss", locked_out=False, **client_data
        ),
        "donations.sitesettings": SiteSettings.objects.get_or_create(id=1)[0],
        "donations.donationclick": DonationClickFactory(article=article),
        "articles.author": AuthorFactory(),
        "articles.article": article,
        "comments.comment": comment,
        "comments.moderationsettings": ModerationSettings.objects.get_or_create(pk=1)[0],
        "comments.commenterrule": CommenterRule.objects.create(
            action=CommenterRule.Action.BLOCK, kind=CommenterRule.Kind.EMAIL, value="spam@example.org"
        ),
        "comments.moderationevent": ModerationEvent.objects.create(comment=comment, to_status=comment.status),
        "comments.commentreport": CommentReport.objects.create(
            comment=approved, reason=CommentReport.Reason.SPAM, network="198.51.100.0/24"
        ),
        "comments.spammodel": tiny_spam_model(),
        "comments.surgelog": SurgeLog.objects.get(),
        "tags.tag": tag,
        "tags.tagredirect": TagRedirect.objects.create(old_slug="old-topic", tag=tag),
    }


def log_in(client, users, role):
    client.cookies = SimpleCookie()
    if users[role] is not None:
        client.force_login(users[role])


def admin_url(label: str, page: str, obj) -> str:
    name = f"admin:{label.replace('.', '_')}_{page}"
    return reverse(name, args=[quote(obj.pk)] if page in ("change", "delete", "history") else [])


def assert_sent_to_login(response):
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("admin:login"))


def offered_actions(label: str, superuser) -> set[str]:
    request = RequestFactory().get("/")
    request.user = superuser
    return set(admin.site.get_model_admin(registered_models()[label]).get_actions(request))


def test_every_registered_model_and_action_is_declared(users):
    assert set(registered_models()) == set(OFFERED)
    for label in OFFERED:
        declared = set(ACTIONS.get(label, {})) | ({"delete_selected"} if "d" in OFFERED[label] else set())
        assert offered_actions(label, users[SUPERUSER]) == declared, label


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_page(client, users, objects, subtests, role):
    log_in(client, users, role)
    for label in OFFERED:
        for page, right in PAGES.items():
            with subtests.test(model=label, page=page):
                response = client.get(admin_url(label, page, objects[label]))
                if role in OUTSIDERS:
                    assert_sent_to_login(response)
                elif may(role, label, right):
                    assert response.status_code == ALLOWED_STATUS.get((label, page), HTTPStatus.OK)
                else:
                    assert response.status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_action(client, users, objects, subtests, role):
    log_in(client, users, role)
    for label in OFFERED:
        for action in offered_actions(label, users[SUPERUSER]):
            with subtests.test(model=label, action=action):
                client.cookies.pop("messages", None)  # only this request's messages
                with rolled_back():
                    before = database_state()
                    response = client.post(
                        admin_url(label, "changelist", None),
                        {"action": action, "index": 0, "_selected_action": [objects[label].pk]},
                    )
                    changed = database_state() != before
                not_offered = "No action selected." in [
                    m.message for m in get_messages(response.wsgi_request)
                ]
                refused = not_offered or "cl" in (
                    response.context or {}
                )  # or the list again: no actions at all
                runs_it = role == SUPERUSER or role in ACTIONS.get(label, {}).get(action, set())
                if role in OUTSIDERS:
                    assert_sent_to_login(response)
                elif not may(role, label, "v"):
                    assert response.status_code == HTTPStatus.FORBIDDEN
                elif runs_it:
                    assert response.status_code != HTTPStatus.FORBIDDEN
                    assert not refused
                elif action == "delete_selected":
                    assert refused == (not may(role, label, "d"))
                else:
                    assert refused
                if not runs_it:
                    assert not changed  # refused (delete_selected, when allowed, only asks first)


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def staff(moderator: int, editor: int, superuser: int) -> dict[str, int]:
    """An admin URL: outsiders go to the login page; staff get these."""
    return {
        ANONYMOUS: HTTPStatus.FOUND,
        READER: HTTPStatus.FOUND,
        MODERATOR: moderator,
        EDITOR: editor,
        SUPERUSER: superuser,
    }


OK, FOUND, FORBIDDEN = HTTPStatus.OK, HTTPStatus.FOUND, HTTPStatus.FORBIDDEN
MODERATORS = staff(FOUND, FORBIDDEN, FOUND)  # a moderator's POST, answered with a redirect
MODERATORS_SEE = staff(OK, FORBIDDEN, OK)
EDITORS = staff(FORBIDDEN, FOUND, FOUND)
SUPERUSERS_SEE = staff(FORBIDDEN, FORBIDDEN, OK)
NOT_BY_GET = staff(*[HTTPStatus.METHOD_NOT_ALLOWED] * 3)


@dataclass(frozen=True)
class Change:
    """One use of a URL, and what each role gets: its status, and whether it changes the database."""

    what: str
    name: str  # the URL's name
    statuses: dict[str, int]
    method: str = "post"
    args: tuple = ()
    query: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    changes: frozenset[str] | None = (
        None  # the roles whose request changes something; None: every POST let in
    )
    prepare: Callable[[Client], object] | None = None  # before the request, in its transaction
    check: Callable[[object], bool] | None = None  # holds of the response for the roles let in
    csrf_exempt: bool = False

    @property
    def url(self) -> str:
        return reverse(self.name, args=self.args) + (f"?{urlencode(self.query)}" if self.query else "")

    @property
    def on_admin(self) -> bool:
        return self.url.startswith(reverse("admin:index"))

    def let_in(self, role: str) -> bool:
        return self.statuses[role] < HTTPStatus.BAD_REQUEST and not (role in OUTSIDERS and self.on_admin)

    def changers(self) -> frozenset[str]:
        if self.changes is not None:
            return self.changes
        return frozenset(role for role in ROLES if self.method == "post" and self.let_in(role))


@pytest.fixture
def scene(objects, users):
    """What the URLs that change something act on, besides one row of every model."""
    article, comment = objects["articles.article"], objects["comments.comment"]
    decided = CommentFactory(article=article, status=Comment.Status.PENDING)
    batch = uuid.uuid4()
    comment_decide(comment=decided, decision=DECISIONS["approve"], by=users[MODERATOR], batch=batch)
    return {
        **objects,
        "users": users,
        "approved": objects["comments.commentreport"].comment,  # with an open report
        "featured": CommentFactory(article=article, featured=True),
        "own": CommentFactory(article=article, author_name="Own"),  # posted just now, from the browser below
        "duplicate": CommentFactory(
            article=article, status=Comment.Status.PENDING, body=f"{comment.body} Share it!"
        ),
        "batch": batch,
        "subscription": EmailSubscription.objects.create(email="reader@example.org"),
        "other_tag": TagFactory(),
    }


def settings_form(row: ModerationSettings) -> dict:
    """The moderation settings form as shown (None as an empty field; booleans as the form reads them)."""
    return {name: "" if value is None else value for name, value in model_to_dict(row).items()}


def changing_urls(scene) -> list[Change]:
    """Every URL that changes something (besides the admin's change forms and changelist actions), and the
    admin's custom pages."""
    article, comment, approved = scene["articles.article"], scene["comments.comment"], scene["approved"]
    boss = scene["users"][SUPERUSER]
    settings_row = scene["comments.moderationsettings"]
    tags = [scene["tags.tag"].pk, scene["other_tag"].pk]
    subscription = scene["subscription"]
    commenter = {"email": comment.author_email}
    comment_form = {
        "name": "Grim",
        "email": "grim@example.org",
        "body": "Peace deals will continue to be made.",
        "token": make_form_token(article.pk, now=timezone.now().timestamp() - 10),
    }

    def target(decision) -> Comment:
        """A comment this decision changes."""
        candidates = [comment, approved, scene["featured"]]
        return next(c for c in candidates if decision.changes(c, c.reports.open().count()))

    def own_comment_in_browser(client):
        remembered = HttpResponse()
        remember_own_comment(RequestFactory().get("/"), remembered, scene["own"])
        client.cookies.update(remembered.cookies)

    return [
        # Readers' side.
        Change("post a comment", "comments:post", everyone(FOUND), args=(article.pk,), data=comment_form),
        Change(
            "post a comment by GET",
            "comments:post",
            everyone(HTTPStatus.METHOD_NOT_ALLOWED),
            method="get",
            args=(article.pk,),
        ),
        Change(
            "report, with a reason",
            "comments:report",
            everyone(FOUND),
            args=(approved.pk,),
            data={"reason": CommentReport.Reason.ABUSE},
        ),
        Change(
            "report without a reason: the confirmation page again",
            "comments:report",
            everyone(HTTPStatus.BAD_REQUEST),
            args=(approved.pk,),
            changes=frozenset(),
        ),
        Change(
            "report by GET: the confirmation page",
            "comments:report",
            everyone(HTTPStatus.OK),
            method="get",
            args=(approved.pk,),
            changes=frozenset(),
        ),
        Change(
            "edit one's own comment",
            "comments:edit",
            everyone(FOUND),
            args=(scene["own"].pk,),
            data={"body": "Peace deals will continue to be made, and broken."},
            prepare=own_comment_in_browser,
        ),
        Change(
            "edit someone else's comment",
            "comments:edit",
            everyone(FORBIDDEN),
            args=(approved.pk,),
            data={"body": "Not what they said."},
        ),
        Change(
            "edit someone else's held comment",
            "comments:edit",
            everyone(HTTPStatus.NOT_FOUND),
            args=(comment.pk,),
            data={"body": "Not what they said."},
        ),
        Change(
            "confirm an address (the button)",
            "comments:confirm",
            everyone(FOUND),
            args=(confirm_token(subscription),),
        ),
        Change(
            "confirm an address: the link opened",
            "comments:confirm",
            everyone(OK),
            method="get",
            args=(confirm_token(subscription),),
        ),
        Change(
            "confirm with a forged token",
            "comments:confirm",
            everyone(HTTPStatus.BAD_REQUEST),
            args=(f"{confirm_token(subscription)}x",),
        ),
        Change(
            "unsubscribe in one click (RFC 8058)",
            "comments:unsubscribe",
            everyone(OK),
            args=(unsubscribe_token(subscription),),
            data={"List-Unsubscribe": "One-Click"},
            csrf_exempt=True,  # mail providers post it without cookies or a token
        ),
        Change(
            "unsubscribe: the link opened",
            "comments:unsubscribe",
            everyone(OK),
            method="get",
            args=(unsubscribe_token(subscription),),
        ),
        Change(
            "unsubscribe with a forged token",
            "comments:unsubscribe",
            everyone(HTTPStatus.BAD_REQUEST),
            args=(f"{unsubscribe_token(subscription)}x",),
            csrf_exempt=True,
        ),
        Change(
            "donate (a counted click)",
            "donate",
            everyone(FOUND),
            method="get",
            query={"from": article.pk},
            changes=frozenset(ROLES),
        ),
        Change("donate by POST", "donate", everyone(HTTPStatus.METHOD_NOT_ALLOWED)),
        # The moderation desk.
        *(
            Change(
                f"moderate: {name}",
                "admin:comments_comment_moderate",
                MODERATORS,
                args=(target(decision).pk, name),
            )
            for name, decision in DECISIONS.items()
        ),
        Change(
            "moderate by GET",
            "admin:comments_comment_moderate",
            NOT_BY_GET,
            method="get",
            args=(comment.pk, "approve"),
        ),
        Change("undo a decision", "admin:comments_comment_undo", MODERATORS, data={"batch": scene["batch"]}),
        Change("undo by GET", "admin:comments_comment_undo", NOT_BY_GET, method="get"),
        Change("commenter page", "admin:comments_commenter", MODERATORS_SEE, method="get", query=commenter),
        *(
            Change(
                f"commenter: {action}",
                "admin:comments_commenter",
                MODERATORS,
                query=commenter,
                data={"action": action, "block_for": "7d"},
            )
            for action in [*STANDINGS, "remove_all"]
        ),
        Change(
            "commenter: add a note",
            "admin:comments_commenter",
            MODERATORS,
            query=commenter,
            data={"action": "note", "body": "Posts the same link every week."},
        ),
        Change(
            "commenter: back to ordinary",
            "admin:comments_commenter",
            MODERATORS,
            query={"email": scene["comments.commenterrule"].value},
            data={"action": "clear"},
        ),
        Change("near-duplicate groups", "admin:comments_comment_duplicates", MODERATORS_SEE, method="get"),
        Change(
            "near-duplicate group: one decision",
            "admin:comments_comment_decide_group",
            MODERATORS,
            data={"decision": "spam", "comment": [comment.pk, scene["duplicate"].pk]},
        ),
        Change("surge mode on", "admin:comments_moderationsettings_surge", MODERATORS, args=("on",)),
        Change(
            "surge mode off",
            "admin:comments_moderationsettings_surge",
            MODERATORS,
            args=("off",),
            prepare=lambda client: surge_switch(on=True, by=boss),
        ),
        Change(
            "surge mode by GET",
            "admin:comments_moderationsettings_surge",
            NOT_BY_GET,
            method="get",
            args=("on",),
        ),
        Change(
            "moderation settings: backtest preview",
            "admin:comments_moderationsettings_change",
            MODERATORS_SEE,
            args=(settings_row.pk,),
            data={**settings_form(settings_row), "moderation_words": "casino", "_preview": "1"},
            changes=frozenset(),  # a preview saves nothing
            check=lambda response: response.context["backtest"] is not None,
        ),
        # Superusers only: insights and personal data.
        Change("insights", "admin-insights", SUPERUSERS_SEE, method="get"),
        Change("personal data", "admin:comments_comment_personal_data", SUPERUSERS_SEE, method="get"),
        Change(
            "export personal data (logged)",
            "admin:comments_comment_personal_data",
            SUPERUSERS_SEE,
            data={"email": comment.author_email, "action": "export"},
        ),
        Change(
            "erase personal data",
            "admin:comments_comment_personal_data",
            staff(FORBIDDEN, FORBIDDEN, FOUND),
            data={"email": comment.author_email, "action": "erase", "confirm": "on"},
        ),
        # Editors: tags.
        Change(
            "merge tags",
            "admin:tags_tag_changelist",
            EDITORS,
            data={
                "action": "merge_tags",
                "index": 0,
                "_selected_action": tags,
                "confirm": "yes",
                "survivor": tags[0],
            },
        ),
        Change(
            "featured topics, edited in the list",
            "admin:tags_tag_changelist",
            EDITORS,
            data={
                "form-TOTAL_FORMS": 1,
                "form-INITIAL_FORMS": 1,
                "form-0-id": tags[0],
                "form-0-featured": "on",
                "form-0-order": 3,
                "_save": "Save",
            },
        ),
        # Passwords.
        Change(
            "someone else's password",
            "admin:auth_user_password_change",
            staff(FORBIDDEN, FORBIDDEN, FOUND),
            args=(scene["auth.user"].pk,),
            data={"password1": "a-new-passw0rd!", "password2": "a-new-passw0rd!", "usable_password": "true"},
        ),
        Change(
            "one's own password",
            "admin:password_change",
            staff(FOUND, FOUND, FOUND),
            data={
                "old_password": PASSWORD,
                "new_password1": "a-new-passw0rd!",
                "new_password2": "a-new-passw0rd!",
            },
        ),
    ]


def url_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            names |= url_names(pattern, namespace + (f"{pattern.namespace}:" if pattern.namespace else ""))
        elif pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_url_is_declared(scene):
    admin_pages = {
        f"admin:{label.replace('.', '_')}_{page}" for label in registered_models() for page in PAGES
    }
    rows = {row.name for row in changing_urls(scene)}
    assert url_names(get_resolver()) == admin_pages | CHANGES_NOTHING | rows


def database_state() -> dict[str, str]:
    """A digest of every table but the sessions (one query)."""
    tables = sorted(set(connection.introspection.django_table_names(only_existing=True)) - {"django_session"})
    digest = "md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), ''))"
    sql = " UNION ALL ".join(
        f"SELECT %s, {digest} FROM {connection.ops.quote_name(table)} t" for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, tables)
        return dict(cursor.fetchall())


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def send(client, row: Change) -> tuple[object, list[str]]:
    """The row's request, in a transaction rolled back afterwards; the response and the tables it changed."""
    with rolled_back():
        if row.prepare:
            row.prepare(client)
        before = database_state()
        response = getattr(client, row.method)(row.url, row.data)
        after = database_state()
    return response, sorted(table for table in after if after[table] != before[table])


@pytest.mark.parametrize("role", ROLES)
def test_every_url_that_changes_something(client, users, scene, subtests, role):
    for row in changing_urls(scene):
        with subtests.test(url=row.what):
            log_in(client, users, role)
            response, changed = send(client, row)
            assert response.status_code == row.statuses[role]
            if role in OUTSIDERS and row.on_admin:
                assert_sent_to_login(response)
            assert bool(changed) == (role in row.changers()), changed
            if row.check and row.let_in(role):
                assert row.check(response)


def test_every_post_needs_its_csrf_token(users, scene, subtests):
    """Each POST that changes something, by a role allowed to send it, is refused without the CSRF token."""
    client = Client(enforce_csrf_checks=True)
    for row in changing_urls(scene):
        allowed = [role for role in ROLES if row.method == "post" and row.let_in(role)]
        if not allowed:
            continue
        with subtests.test(url=row.what):
            log_in(client, users, allowed[0])
            response, changed = send(client, row)
            if row.csrf_exempt:
                assert response.status_code == row.statuses[allowed[0]]
                assert bool(changed) == (allowed[0] in row.changers())
            else:
                assert response.status_code == FORBIDDEN
                assert "403_csrf.html" in [template.name for template in response.templates]
                assert changed == []


@pytest.mark.parametrize("role", [MODERATOR, EDITOR, SUPERUSER])
def test_the_surge_banner_is_for_those_who_see_the_surge_log(client, users, role):
    """Surge mode is moderation's business: the banner (and its link to the log) is not shown to editors."""
    surge_switch(on=True, by=users[SUPERUSER])
    log_in(client, users, role)
    page = client.get(reverse("admin:index")).content.decode()
    assert ('id="surge-banner"' in page) == may(role, "comments.surgelog", "v")
    switch = reverse("admin:comments_moderationsettings_surge", args=["off"])
    assert (switch in page) == may(role, "comments.moderationsettings", "c")
