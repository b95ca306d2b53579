from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from comments.models import (
    Comment,
    CommenterAction,
    CommenterKind,
    CommenterRule,
    ModerationEvent,
    ModerationSettings,
)
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:comments_comment_changelist")


def change_url(comment) -> str:
    return reverse("admin:comments_comment_change", args=[comment.pk])


def moderate_url(comment, decision: str) -> str:
    return reverse("admin:comments_comment_moderate", kwargs={"pk": comment.pk, "decision": decision})


@pytest.fixture
def moderator(django_user_model):
    user = django_user_model.objects.create_user("mod", "mod@example.org", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def test_changelist_opens_on_the_pending_queue_with_counts(admin_client):
    CommentFactory(
        status=Comment.Status.PENDING,
        body="Held one",
        reasons=[{"code": "too_many_links", "text": "Has 3 links."}],
    )
    CommentFactory(status=Comment.Status.APPROVED, body="Approved one")
    CommentFactory(status=Comment.Status.SPAM, body="Spam one")
    response = admin_client.get(CHANGELIST)
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Held one" in html
    assert "Approved one" not in html
    assert "Has 3 links." in html
    for label in ('Pending <span class="count">(1)</span>', 'Approved <span class="count">(1)</span>'):
        assert label in html
    assert 'Removed <span class="count">(0)</span>' in html
    everything = admin_client.get(CHANGELIST + "?status=all").content.decode()
    assert "Approved one" in everything
    assert "Spam one" in everything


def test_queue_is_newest_first(admin_client):
    older = CommentFactory(status=Comment.Status.PENDING)
    newer = CommentFactory(status=Comment.Status.PENDING)
    assert list(admin_client.get(CHANGELIST).context["cl"].result_list) == [newer, older]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?q=Charu", "match"),
        ("?q=charu@example.org", "match"),
        ("?q=192.0.2.44", "match"),
        ("?q=Durand", "match"),
    ],
)
def test_search_by_name_email_ip_and_text(admin_client, query, expected):
    CommentFactory(
        status=Comment.Status.PENDING,
        author_name="Charu",
        author_email="charu@example.org",
        ip_address="192.0.2.44",
        body="Durand line",
    )
    CommentFactory(status=Comment.Status.PENDING, author_name="Other", body="Nothing here")
    results = admin_client.get(CHANGELIST + query).context["cl"].result_list
    assert [c.author_name for c in results] == ["Charu"]


def test_filter_by_reason(admin_client):
    CommentFactory(
        status=Comment.Status.PENDING, body="linky", reasons=[{"code": "too_many_links", "text": "links"}]
    )
    CommentFactory(
        status=Comment.Status.PENDING, body="policy", reasons=[{"code": "hold_all", "text": "policy"}]
    )
    results = admin_client.get(CHANGELIST + "?reason=too_many_links").context["cl"].result_list
    assert [c.body for c in results] == ["linky"]


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("approve", Comment.Status.APPROVED),
        ("spam", Comment.Status.SPAM),
        ("remove", Comment.Status.REMOVED),
        ("pending", Comment.Status.PENDING),
    ],
)
def test_bulk_actions_change_status_and_write_the_log(admin_client, admin_user, action, status):
    start = Comment.Status.APPROVED if status == Comment.Status.PENDING else Comment.Status.PENDING
    comments = CommentFactory.create_batch(2, status=start)
    response = admin_client.post(
        CHANGELIST + "?status=all",
        {"action": action, "_selected_action": [c.pk for c in comments]},
        follow=True,
    )
    assert response.status_code == HTTPStatus.OK
    assert "2 comments." in response.content.decode()
    assert set(Comment.objects.values_list("status", flat=True)) == {status}
    events = ModerationEvent.objects.filter(actor=admin_user)
    assert events.count() == 2
    assert set(events.values_list("from_status", "to_status")) == {(start, status)}


def test_approve_and_trust_then_block(admin_client):
    trusted = CommentFactory(status=Comment.Status.PENDING, author_email="good@example.org")
    admin_client.post(CHANGELIST, {"action": "trust", "_selected_action": [trusted.pk]})
    trusted.refresh_from_db()
    assert trusted.status == Comment.Status.APPROVED
    assert CommenterRule.objects.filter(
        action=CommenterAction.TRUST, kind=CommenterKind.EMAIL, value="good@example.org"
    ).exists()
    bad = CommentFactory(
        status=Comment.Status.PENDING, author_email="bad@example.org", ip_address="192.0.2.66"
    )
    admin_client.post(CHANGELIST, {"action": "block", "_selected_action": [bad.pk]})
    bad.refresh_from_db()
    assert bad.status == Comment.Status.SPAM
    assert set(CommenterRule.objects.filter(action=CommenterAction.BLOCK).values_list("kind", "value")) == {
        (CommenterKind.EMAIL, "bad@example.org"),
        (CommenterKind.IP, "192.0.2.66"),
    }


def test_one_click_buttons_on_each_queue_row(admin_client, admin_user):
    comment = CommentFactory(status=Comment.Status.PENDING)
    html = admin_client.get(CHANGELIST).content.decode()
    approve_url = moderate_url(comment, "approve")
    assert f'formaction="{approve_url}"' in html
    response = admin_client.post(
        approve_url, HTTP_REFERER="http://testserver" + CHANGELIST + "?status=pending"
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "http://testserver" + CHANGELIST + "?status=pending"
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.events.first().actor == admin_user


def test_one_click_never_redirects_off_site(admin_client):
    comment = CommentFactory(status=Comment.Status.PENDING)
    response = admin_client.post(
        moderate_url(comment, "spam") + "?next=https://evil.example/",
        HTTP_REFERER="https://evil.example/phish",
    )
    assert response["Location"] == CHANGELIST


def test_one_click_needs_post_and_a_known_decision(admin_client):
    comment = CommentFactory(status=Comment.Status.PENDING)
    assert admin_client.get(moderate_url(comment, "approve")).status_code == 405
    assert admin_client.post(moderate_url(comment, "delete")).status_code == 403


def test_review_card_shows_article_parent_history_and_link_domains(admin_client):
    article = ArticleFactory(title="Pakistan talks")
    parent = CommentFactory(article=article, body="The parent's words.")
    CommentFactory(
        author_email="bungo@example.org",
        author_name="Bungo",
        status=Comment.Status.SPAM,
        ip_address="192.0.2.8",
    )
    comment = CommentFactory(
        article=article,
        parent=parent,
        status=Comment.Status.PENDING,
        author_name="Bungo2",
        author_email="bungo@example.org",
        ip_address="192.0.2.9",
        body="See https://www.spam.example/buy and http://news.example.org/x",
    )
    html = admin_client.get(change_url(comment)).content.decode()
    assert "Pakistan talks" in html
    assert "The parent&#x27;s words." in html
    assert "0 / 1 / 1 / 0" in html  # approved / pending / spam / removed
    assert "Bungo" in html
    assert "192.0.2.8, 192.0.2.9" in html
    assert "news.example.org, spam.example" in html
    assert "moderate/approve/" in html


def test_changing_status_on_the_review_card_is_logged(admin_client, admin_user):
    comment = CommentFactory(status=Comment.Status.PENDING, body="Original")
    response = admin_client.post(
        change_url(comment),
        {"body": "Original", "status": Comment.Status.APPROVED},
    )
    assert response.status_code == HTTPStatus.FOUND
    event = comment.events.get()
    assert (event.actor, event.from_status, event.to_status) == (
        admin_user,
        Comment.Status.PENDING,
        Comment.Status.APPROVED,
    )


def test_changelist_query_count_is_flat(admin_client, django_assert_max_num_queries):
    CommentFactory.create_batch(40, status=Comment.Status.PENDING)
    with django_assert_max_num_queries(14):
        admin_client.get(CHANGELIST)


def test_article_admin_shows_comment_counts_and_inline(admin_client):
    article = ArticleFactory(title="Counted")
    CommentFactory.create_batch(2, article=article)
    CommentFactory(article=article, status=Comment.Status.PENDING, body="Inline pending text")
    response = admin_client.get(reverse("admin:articles_article_changelist"))
    row = next(a for a in response.context["cl"].result_list if a.pk == article.pk)
    assert (row.approved_count, row.pending_count) == (2, 1)
    change = admin_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert "Inline pending text" in change


def test_moderation_settings_are_a_single_editable_row(admin_client):
    assert admin_client.get(reverse("admin:comments_moderationsettings_changelist"))["Location"].endswith(
        reverse("admin:comments_moderationsettings_change", args=[1])
    )
    assert (
        admin_client.get(reverse("admin:comments_moderationsettings_add")).status_code == HTTPStatus.FORBIDDEN
    )
    config = ModerationSettings.load()
    assert config.policy == ModerationSettings.Policy.HOLD_ALL
    assert config.max_links == 2


def test_moderators_can_moderate_but_not_touch_articles_or_users(moderator_client):
    comment = CommentFactory(status=Comment.Status.PENDING)
    assert moderator_client.get(CHANGELIST).status_code == HTTPStatus.OK
    moderator_client.post(CHANGELIST, {"action": "approve", "_selected_action": [comment.pk]})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert (
        moderator_client.get(reverse("admin:comments_moderationsettings_change", args=[1])).status_code
        == HTTPStatus.OK
    )
    assert (
        moderator_client.get(reverse("admin:articles_article_changelist")).status_code == HTTPStatus.FORBIDDEN
    )
    assert moderator_client.get(reverse("admin:auth_user_changelist")).status_code == HTTPStatus.FORBIDDEN
    assert moderator_client.get(reverse("admin:auth_group_changelist")).status_code == HTTPStatus.FORBIDDEN
    assert moderator_client.get(reverse("admin:tags_tag_changelist")).status_code == HTTPStatus.FORBIDDEN


def test_staff_without_the_moderate_permission_cannot_decide(client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", "v@example.org", "pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(viewer)
    comment = CommentFactory(status=Comment.Status.PENDING)
    assert client.post(moderate_url(comment, "approve")).status_code == 403
    html = client.get(CHANGELIST).content.decode()
    assert 'value="approve"' not in html
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_moderation_log_is_read_only(admin_client):
    comment = CommentFactory(status=Comment.Status.PENDING)
    admin_client.post(moderate_url(comment, "approve"))
    event = ModerationEvent.objects.get()
    assert admin_client.get(reverse("admin:comments_moderationevent_changelist")).status_code == HTTPStatus.OK
    response = admin_client.post(
        reverse("admin:comments_moderationevent_change", args=[event.pk]), {"reason": "edited"}
    )
    event.refresh_from_db()
    assert event.reason != "edited"
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.FORBIDDEN)


@pytest.mark.parametrize("count", [1, 30])
def test_article_admin_page_query_count_is_flat(admin_client, django_assert_max_num_queries, count):
    article = ArticleFactory()
    CommentFactory.create_batch(count, article=article)
    with django_assert_max_num_queries(20):
        admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))


@pytest.mark.parametrize("query", ["?status=%00", "?reason=%00", "?status=nonsense"])
def test_hostile_queue_filters_show_the_queue(admin_client, query):
    CommentFactory(status=Comment.Status.PENDING, body="Queued")
    response = admin_client.get(CHANGELIST + query)
    assert response.status_code == HTTPStatus.OK
    assert "Queued" in response.content.decode()


def test_status_is_read_only_without_the_moderate_permission(client, django_user_model):
    editor = django_user_model.objects.create_user("editor", "e@example.org", "pw", is_staff=True)
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["view_comment", "change_comment"]))
    client.force_login(editor)
    comment = CommentFactory(status=Comment.Status.PENDING, body="Original")
    client.post(
        change_url(comment),
        {"body": "Original", "status": Comment.Status.APPROVED},
    )
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
