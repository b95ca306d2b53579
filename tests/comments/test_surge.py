"""Surge mode: on when held comments pour in or nobody is on duty, off when that passes; by hand too."""

from datetime import datetime, time, timedelta
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, ModerationEvent, ModerationSettings, SurgeLog
from comments.moderation import Submission
from comments.services import FloodLimited, comment_submit
from comments.surge import CHECKED, active_surge, held_per_hour, surge_check, surge_switch
from tests.factories import CommentFactory, trusted_commenter

pytestmark = pytest.mark.django_db

NOON = timezone.make_aware(datetime.combine(timezone.localdate(), time(12, 30)))


def held_at(*moments: datetime) -> None:
    """Comments held on arrival at these moments (their creation events, as comment_submit logs them)."""
    for moment in moments:
        comment = CommentFactory(status=Comment.Status.PENDING)
        event = ModerationEvent.objects.create(
            comment=comment, from_status="", to_status=Comment.Status.PENDING
        )
        ModerationEvent.objects.filter(pk=event.pk).update(created_at=moment)


@pytest.fixture
def usual_day():
    """One held comment at this hour on each of the last 28 days, and one at another hour (not counted)."""
    held_at(*(NOON - timedelta(days=d, minutes=10) for d in range(1, 29)), NOON - timedelta(hours=5))


def test_held_rate_is_compared_with_the_same_hour_of_past_days(usual_day):
    held_at(NOON - timedelta(minutes=5), NOON - timedelta(minutes=50), NOON - timedelta(minutes=70))
    assert held_per_hour(NOON) == (2, 1.0)


def test_surge_switches_on_when_held_comments_arrive_too_fast_and_off_when_it_passes(usual_day):
    assert surge_check(NOON) is None
    held_at(*(NOON - timedelta(minutes=m) for m in range(1, 13)))  # 12 in the last hour, usually 1
    surge = surge_check(NOON)
    assert surge.started_at == NOON
    assert surge.started_by is None
    assert "12 comments held in the last hour; usually 1.0" in surge.reason
    assert surge_check(NOON + timedelta(minutes=5)) == surge  # still surging: the same period

    assert surge_check(NOON + timedelta(hours=2)) is None
    surge.refresh_from_db()
    assert (surge.ended_at, surge.end_reason) == (NOON + timedelta(hours=2), "The surge passed.")


def test_a_busy_hour_below_the_minimum_is_no_surge():
    held_at(*(NOON - timedelta(minutes=m) for m in range(1, 6)))  # 5 held, never any before
    assert surge_check(NOON) is None


def test_outside_staffed_hours_is_a_surge_and_inside_is_not():
    config = ModerationSettings.load()
    config.staffed_from, config.staffed_until = time(8), time(20)
    config.save()
    night = NOON.replace(hour=23)
    assert "Outside staffed hours (08:00–20:00)" in surge_check(night).reason
    assert surge_check(NOON.replace(hour=9)) is None
    config.staffed_from, config.staffed_until = time(22), time(6)  # a night shift
    config.save()
    assert surge_check(night) is None
    assert surge_check(NOON) is not None


def test_surge_started_by_hand_ends_only_by_hand(admin_user):
    surge = surge_switch(on=True, by=admin_user)
    assert surge_check(NOON) == surge
    surge_switch(on=False, by=admin_user)
    surge.refresh_from_db()
    assert surge.ended_by == admin_user
    assert active_surge() is None


def test_surge_switched_off_by_hand_is_not_restarted_for_an_hour(admin_user):
    held_at(*(timezone.now() - timedelta(minutes=m) for m in range(1, 13)))
    assert surge_check() is not None
    surge_switch(on=False, by=admin_user)
    assert surge_check() is None
    assert surge_check(timezone.now() + timedelta(minutes=61, seconds=1)) is None  # the rate passed meanwhile
    assert SurgeLog.objects.count() == 1


def submit(article, email="trusted@example.org", body="Text."):
    return comment_submit(
        article=article,
        submission=Submission(name="Reader", email=email, body=body, ip_address="198.51.100.3", form_age=30),
    )


def test_during_a_surge_every_comment_is_held_and_the_flood_limit_is_tighter(article, admin_user):
    trusted_commenter("trusted@example.org", ip_address="198.51.100.3", name="Reader")
    assert submit(article, body="Before.").status == Comment.Status.APPROVED
    surge_switch(on=True, by=admin_user, reason="Big story.")
    held = submit(article, body="During one.")
    assert held.status == Comment.Status.PENDING
    assert held.reasons[0] == {"code": "surge", "text": "Surge mode: every comment is held. Big story."}
    with pytest.raises(FloodLimited):  # 2 in the window (default 5, 2 in a surge)
        submit(article, body="During two.")


def test_posting_a_comment_checks_for_a_surge_at_most_once_a_minute(article):
    config = ModerationSettings.load()
    now = timezone.localtime()
    config.staffed_from, config.staffed_until = (
        (now + timedelta(hours=1)).time(),
        (now + timedelta(hours=2)).time(),
    )
    config.save()  # nobody on duty now
    submit(article, email="a@example.org")
    assert active_surge() is not None  # tasks run at once in tests
    SurgeLog.objects.all().delete()
    submit(article, email="b@example.org")
    assert active_surge() is None  # not checked again within the minute
    cache.delete(CHECKED)  # the minute is over: the mark expires
    submit(article, email="c@example.org")
    assert active_surge() is not None


def test_admin_shows_a_banner_and_switches_surge_mode_by_hand(admin_client, admin_user):
    settings_url = reverse("admin:comments_moderationsettings_change", args=[1])
    assert "surge-banner" not in admin_client.get(reverse("admin:index")).content.decode()
    response = admin_client.post(reverse("admin:comments_moderationsettings_surge", args=["on"]))
    assert response.status_code == HTTPStatus.FOUND
    assert active_surge().started_by == admin_user
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert 'id="surge-banner"' in page
    assert "Switched on by hand." in page
    admin_client.post(reverse("admin:comments_moderationsettings_surge", args=["off"]))
    assert active_surge() is None
    assert admin_client.get(settings_url).status_code == HTTPStatus.OK


def test_switching_surge_mode_needs_permission_to_change_moderation_settings(client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    client.force_login(viewer)
    response = client.post(reverse("admin:comments_moderationsettings_surge", args=["on"]))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert (
        client.get(reverse("admin:comments_moderationsettings_surge", args=["on"])).status_code
        == HTTPStatus.METHOD_NOT_ALLOWED
    )
    assert active_surge() is None
