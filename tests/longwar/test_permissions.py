"""The permission matrix: who may open every admin page, run every admin action and use every URL that
changes something, for anonymous visitors, a logged-in reader, a moderator, an editor and a superuser.

The admin pages and actions are listed from the admin registry, so a new model or action fails
`test_every_registered_model_and_action_is_declared` until its row below says who may use it.
"""

from http import HTTPStatus

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comments.decisions import DECISIONS
from comments.forms import make_form_token
from comments.models import Comment, CommenterRule, CommentReport, ModerationEvent, ModerationSettings
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
    },
    EDITOR: {
        "articles.article": "vacd",
        "articles.author": "vacd",
        "tags.tag": "vacd",
        "tags.tagredirect": "vacd",
    },
    SUPERUSER: OFFERED,
}
PAGES = {"changelist": "v", "add": "a", "change": "v", "delete": "d"}  # the right each page needs
ALLOWED_STATUS = {("comments.moderationsettings", "changelist"): HTTPStatus.FOUND}  # straight to the row
# Actions besides delete_selected (which needs "d"), and the staff groups besides superusers that may run them.
ACTIONS = {
    "comments.comment": {name: {MODERATOR} for name in DECISIONS},
    "articles.article": {"publish": {EDITOR}, "unpublish": {EDITOR}},
    "tags.tag": {"merge_tags": {EDITOR}},
    "donations.donationclick": {"export_csv": set()},
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
    reader = django_user_model.objects.create_user("reader", "reader@example.org")
    moderator = django_user_model.objects.create_user("moderator", "mod@example.org", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    editor = django_user_model.objects.create_user("editor", "editor@example.org", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    boss = django_user_model.objects.create_superuser("boss", "boss@example.org")
    return {ANONYMOUS: None, READER: reader, MODERATOR: moderator, EDITOR: editor, SUPERUSER: boss}


@pytest.fixture
def objects(users):
    """One row of every model the admin shows."""
    article = ArticleFactory()
    comment = CommentFactory(article=article, status=Comment.Status.PENDING)
    approved = CommentFactory(article=article)
    tag = TagFactory()
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
        "comments.commentreport": CommentReport.objects.create(comment=approved, ip_address="198.51.100.2"),
        "tags.tag": tag,
        "tags.tagredirect": TagRedirect.objects.create(old_slug="old-topic", tag=tag),
    }


def log_in(client, users, role):
    if users[role] is not None:
        client.force_login(users[role])


def admin_url(label: str, page: str, obj) -> str:
    name = f"admin:{label.replace('.', '_')}_{page}"
    return reverse(name, args=[quote(obj.pk)] if page in ("change", "delete") else [])


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
                response = client.post(
                    admin_url(label, "changelist", None),
                    {"action": action, "index": 0, "_selected_action": [objects[label].pk]},
                )
                not_offered = "No action selected." in [
                    m.message for m in get_messages(response.wsgi_request)
                ]
                refused = not_offered or "cl" in (
                    response.context or {}
                )  # or the list again: no actions at all
                if role in OUTSIDERS:
                    assert_sent_to_login(response)
                elif not may(role, label, "v"):
                    assert response.status_code == HTTPStatus.FORBIDDEN
                elif role == SUPERUSER or role in ACTIONS.get(label, {}).get(action, set()):
                    assert response.status_code != HTTPStatus.FORBIDDEN
                    assert not refused
                elif action == "delete_selected":
                    assert refused == (not may(role, label, "d"))
                else:
                    assert refused


def changing_urls(objects) -> list[tuple[str, str, str, dict, dict[str, int]]]:
    """(what, method, url, data, status for each role) for every URL outside the changelists that changes something."""
    article, comment = objects["articles.article"], objects["comments.comment"]
    approved = objects["comments.commentreport"].comment
    everyone = dict.fromkeys(ROLES, HTTPStatus.FOUND)
    staff_only = {ANONYMOUS: HTTPStatus.FOUND, READER: HTTPStatus.FOUND}
    comment_form = {
        "name": "Grim",
        "email": "grim@example.org",
        "body": "Peace deals will continue to be made.",
        "token": make_form_token(article.pk, now=timezone.now().timestamp() - 10),
    }
    moderate = [
        (
            f"moderate: {name}",
            "post",
            reverse("admin:comments_comment_moderate", args=[comment.pk, name]),
            {},
            staff_only
            | {MODERATOR: HTTPStatus.FOUND, EDITOR: HTTPStatus.FORBIDDEN, SUPERUSER: HTTPStatus.FOUND},
        )
        for name in DECISIONS
    ]
    personal_data = reverse("admin:comments_comment_personal_data")
    superuser_only = staff_only | {
        MODERATOR: HTTPStatus.FORBIDDEN,
        EDITOR: HTTPStatus.FORBIDDEN,
        SUPERUSER: HTTPStatus.OK,
    }
    other_tag = TagFactory()
    tags = [objects["tags.tag"].pk, other_tag.pk]
    return [
        ("post a comment", "post", reverse("comments:post", args=[article.pk]), comment_form, everyone),
        (
            "post a comment by GET",
            "get",
            reverse("comments:post", args=[article.pk]),
            {},
            dict.fromkeys(ROLES, HTTPStatus.METHOD_NOT_ALLOWED),
        ),
        ("report", "post", reverse("comments:report", args=[approved.pk]), {}, everyone),
        (
            "report by GET",
            "get",
            reverse("comments:report", args=[approved.pk]),
            {},
            dict.fromkeys(ROLES, HTTPStatus.METHOD_NOT_ALLOWED),
        ),
        *moderate,
        (
            "moderate by GET",
            "get",
            reverse("admin:comments_comment_moderate", args=[comment.pk, "approve"]),
            {},
            staff_only | dict.fromkeys([MODERATOR, EDITOR, SUPERUSER], HTTPStatus.METHOD_NOT_ALLOWED),
        ),
        ("donate", "get", f"{reverse('donate')}?from={article.pk}", {}, everyone),
        (
            "donate by POST",
            "post",
            reverse("donate"),
            {},
            dict.fromkeys(ROLES, HTTPStatus.METHOD_NOT_ALLOWED),
        ),
        ("insights", "get", reverse("admin-insights"), {}, superuser_only),
        ("personal data", "get", personal_data, {}, superuser_only),
        (
            "export personal data",
            "post",
            personal_data,
            {"email": "grim@example.org", "action": "export"},
            superuser_only,
        ),
        (
            "erase personal data",
            "post",
            personal_data,
            {"email": "nobody@example.org", "action": "erase", "confirm": "on"},
            superuser_only | {SUPERUSER: HTTPStatus.FOUND},
        ),
        (
            "merge tags",
            "post",
            reverse("admin:tags_tag_changelist"),
            {
                "action": "merge_tags",
                "index": 0,
                "_selected_action": tags,
                "confirm": "yes",
                "survivor": tags[0],
            },
            staff_only
            | {MODERATOR: HTTPStatus.FORBIDDEN, EDITOR: HTTPStatus.FOUND, SUPERUSER: HTTPStatus.FOUND},
        ),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_url_that_changes_something(client, users, objects, subtests, role):
    log_in(client, users, role)
    for what, method, url, data, statuses in changing_urls(objects):
        with subtests.test(url=what):
            status_before = Comment.objects.get(pk=objects["comments.comment"].pk).status
            response = getattr(client, method)(url, data)
            assert response.status_code == statuses[role]
            if statuses[role] == HTTPStatus.FOUND and role in OUTSIDERS and url.startswith("/admin/"):
                assert_sent_to_login(response)
            if response.status_code != HTTPStatus.FOUND or role in OUTSIDERS:
                assert Comment.objects.get(pk=objects["comments.comment"].pk).status == status_before
