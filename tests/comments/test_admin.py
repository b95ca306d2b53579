from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group

from comments.models import Comment, CommenterRule, ModerationEvent, ModerationSettings
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/comments/comment/"


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
        status="pending", body="Held one", reasons=[{"code": "too_many_links", "text": "Has 3 links."}]
    )
    CommentFactory(status="approved", body="Approved one")
    CommentFactory(status="spam", body="Spam one")
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
    older = CommentFactory(status="pending")
    newer = CommentFactory(status="pending")
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
        status="pending",
        author_name="Charu",
        author_email="charu@example.org",
        ip_address="192.0.2.44",
        body="Durand line",
    )
    CommentFactory(status="pending", author_name="Other", body="Nothing here")
    results = admin_client.get(CHANGELIST + query).context["cl"].result_list
    assert [c.author_name for c in results] == ["Charu"]


def test_filter_by_reason(admin_client):
    CommentFactory(status="pending", body="linky", reasons=[{"code": "too_many_links", "text": "links"}])
    CommentFactory(status="pending", body="policy", reasons=[{"code": "hold_all", "text": "policy"}])
    results = admin_client.get(CHANGELIST + "?reason=too_many_links").context["cl"].result_list
    assert [c.body for c in results] == ["linky"]


@pytest.mark.parametrize(
    ("action", "status"),
    [("approve", "approved"), ("spam", "spam"), ("remove", "removed"), ("pending", "pending")],
)
def test_bulk_actions_change_status_and_write_the_log(admin_client, admin_user, action, status):
    start = "approved" if status == "pending" else "pending"
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
    trusted = CommentFactory(status="pending", author_email="good@example.org")
    admin_client.post(CHANGELIST, {"action": "trust", "_selected_action": [trusted.pk]})
    trusted.refresh_from_db()
    assert trusted.status == "approved"
    assert CommenterRule.objects.filter(action="trust", kind="email", value="good@example.org").exists()
    bad = CommentFactory(status="pending", author_email="bad@example.org", ip_address="192.0.2.66")
    admin_client.post(CHANGELIST, {"action": "block", "_selected_action": [bad.pk]})
    bad.refresh_from_db()
    assert bad.status == "spam"
    assert set(CommenterRule.objects.filter(action="block").values_list("kind", "value")) == {
        ("email", "bad@example.org"),
        ("ip", "192.0.2.66"),
    }


def test_one_click_buttons_on_each_queue_row(admin_client, admin_user):
    comment = CommentFactory(status="pending")
    html = admin_client.get(CHANGELIST).content.decode()
    approve_url = f"/admin/comments/comment/{comment.pk}/moderate/approve/"
    assert f'formaction="{approve_url}"' in html
    response = admin_client.post(
        approve_url, HTTP_REFERER="http://testserver" + CHANGELIST + "?status=pending"
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "http://testserver" + CHANGELIST + "?status=pending"
    comment.refresh_from_db()
    assert comment.status == "approved"
    assert comment.events.first().actor == admin_user


def test_one_click_never_redirects_off_site(admin_client):
    comment = CommentFactory(status="pending")
    response = admin_client.post(
        f"/admin/comments/comment/{comment.pk}/moderate/spam/?next=https://evil.example/",
        HTTP_REFERER="https://evil.example/phish",
    )
    assert response["Location"] == CHANGELIST


def test_one_click_needs_post_and_a_known_decision(admin_client):
    comment = CommentFactory(status="pending")
    assert admin_client.get(f"/admin/comments/comment/{comment.pk}/moderate/approve/").status_code == 405
    assert admin_client.post(f"/admin/comments/comment/{comment.pk}/moderate/delete/").status_code == 403


def test_review_card_shows_article_parent_history_and_link_domains(admin_client):
    article = ArticleFactory(title="Pakistan talks")
    parent = CommentFactory(article=article, body="The parent's words.")
    CommentFactory(
        author_email="bungo@example.org", author_name="Bungo", status="spam", ip_address="192.0.2.8"
    )
    comment = CommentFactory(
        article=article,
        parent=parent,
        status="pending",
        author_name="Bungo2",
        author_email="bungo@example.org",
        ip_address="192.0.2.9",
        body="See https://www.spam.example/buy and http://news.example.org/x",
    )
    html = admin_client.get(f"/admin/comments/comment/{comment.pk}/change/").content.decode()
    assert "Pakistan talks" in html
    assert "The parent&#x27;s words." in html
    assert "0 / 1 / 1 / 0" in html  # approved / pending / spam / removed
    assert "Bungo" in html
    assert "192.0.2.8, 192.0.2.9" in html
    assert "news.example.org, spam.example" in html
    assert "moderate/approve/" in html


def test_changing_status_on_the_review_card_is_logged(admin_client, admin_user):
    comment = CommentFactory(status="pending", body="Original")
    response = admin_client.post(
        f"/admin/comments/comment/{comment.pk}/change/", {"body": "Original", "status": "approved"}
    )
    assert response.status_code == HTTPStatus.FOUND
    event = comment.events.get()
    assert (event.actor, event.from_status, event.to_status) == (admin_user, "pending", "approved")


def test_changelist_query_count_is_flat(admin_client, django_assert_max_num_queries):
    CommentFactory.create_batch(40, status="pending")
    with django_assert_max_num_queries(14):
        admin_client.get(CHANGELIST)


def test_article_admin_shows_comment_counts_and_inline(admin_client):
    article = ArticleFactory(title="Counted")
    CommentFactory.create_batch(2, article=article)
    CommentFactory(article=article, status="pending", body="Inline pending text")
    response = admin_client.get("/admin/articles/article/")
    row = next(a for a in response.context["cl"].result_list if a.pk == article.pk)
    assert (row.approved_count, row.pending_count) == (2, 1)
    change = admin_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert "Inline pending text" in change


def test_moderation_settings_are_a_single_editable_row(admin_client):
    assert admin_client.get("/admin/comments/moderationsettings/")["Location"].endswith("/1/change/")
    assert admin_client.get("/admin/comments/moderationsettings/add/").status_code == HTTPStatus.FORBIDDEN
    config = ModerationSettings.load()
    assert config.policy == "hold_all"
    assert config.max_links == 2


def test_moderators_can_moderate_but_not_touch_articles_or_users(moderator_client):
    comment = CommentFactory(status="pending")
    assert moderator_client.get(CHANGELIST).status_code == HTTPStatus.OK
    moderator_client.post(CHANGELIST, {"action": "approve", "_selected_action": [comment.pk]})
    comment.refresh_from_db()
    assert comment.status == "approved"
    assert moderator_client.get("/admin/comments/moderationsettings/1/change/").status_code == HTTPStatus.OK
    assert moderator_client.get("/admin/articles/article/").status_code == HTTPStatus.FORBIDDEN
    assert moderator_client.get("/admin/auth/user/").status_code == HTTPStatus.FORBIDDEN
    assert moderator_client.get("/admin/auth/group/").status_code == HTTPStatus.FORBIDDEN
    assert moderator_client.get("/admin/tags/tag/").status_code == HTTPStatus.FORBIDDEN


def test_staff_without_the_moderate_permission_cannot_decide(client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", "v@example.org", "pw", is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(viewer)
    comment = CommentFactory(status="pending")
    assert client.post(f"/admin/comments/comment/{comment.pk}/moderate/approve/").status_code == 403
    html = client.get(CHANGELIST).content.decode()
    assert 'value="approve"' not in html
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_moderation_log_is_read_only(admin_client):
    comment = CommentFactory(status="pending")
    admin_client.post(f"/admin/comments/comment/{comment.pk}/moderate/approve/")
    event = ModerationEvent.objects.get()
    assert admin_client.get("/admin/comments/moderationevent/").status_code == HTTPStatus.OK
    response = admin_client.post(f"/admin/comments/moderationevent/{event.pk}/change/", {"reason": "edited"})
    event.refresh_from_db()
    assert event.reason != "edited"
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.FORBIDDEN)
