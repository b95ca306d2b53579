"""Client identity: which address a reader has, what counts as one sender in a flood, and who is trusted."""

import pytest
from django.test import RequestFactory

from comments.decisions import APPROVE, TRUST
from comments.models import Comment, ModerationSettings
from comments.moderation import Submission
from comments.reader import client_ip
from comments.services import FloodLimited, comment_decide, comment_submit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("forwarded_for", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("203.0.113.7:51234", "203.0.113.7"),
        ("[2001:db8::7]:443", "2001:db8::7"),
        ("[2001:DB8:0:0::7]", "2001:db8::7"),
        ("2001:db8::7", "2001:db8::7"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("spoofed, 198.51.100.1:8080", "198.51.100.1"),
        ("not-an-address:80", None),
    ],
)
def test_client_ip_reads_the_hop_the_proxy_saw_with_or_without_a_port(settings, forwarded_for, expected):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_ip(request) == expected


def submit(article, n: int, ip: str, **overrides):
    values = {"name": "Grim", "email": f"reader{n}@example.org", "body": f"Text {n}.", "form_age": 30}
    return comment_submit(article=article, submission=Submission(ip_address=ip, **(values | overrides)))


def test_an_ipv6_flood_is_counted_per_64_not_per_address(article, config):
    config.flood_max_comments = 3
    config.save()
    for n in range(3):
        submit(article, n, f"2001:db8:1:2::{n + 1}")
    with pytest.raises(FloodLimited):
        submit(article, 3, "2001:db8:1:2:ffff:ffff:ffff:fffe")
    submit(article, 4, "2001:db8:1:3::1")  # the next /64 is another subscriber


def test_ipv4_floods_are_still_counted_per_address(article, config):
    config.flood_max_comments = 3
    config.save()
    for n in range(3):
        submit(article, n, "198.51.100.10")
    with pytest.raises(FloodLimited):
        submit(article, 3, "198.51.100.10")
    submit(article, 4, "198.51.100.11")


@pytest.fixture
def trusted_commenter(article, admin_user):
    """A commenter a moderator trusted from their comment sent from their home network."""
    first = submit(article, 0, "198.51.100.20", email="grim@example.org")
    comment_decide(comment=first, decision=TRUST, by=admin_user)
    return first


def test_an_impostor_who_knows_a_trusted_email_is_held(article, trusted_commenter):
    impostor = submit(article, 1, "203.0.113.66", email="grim@example.org", body="I, Grim, say so.")
    assert impostor.status == Comment.Status.PENDING


@pytest.mark.parametrize("ip", ["198.51.100.20", "198.51.100.201"])  # same address, or the same /24
def test_a_trusted_commenter_on_a_network_of_their_approved_comments_is_published(
    article, trusted_commenter, ip
):
    assert submit(article, 1, ip, email="grim@example.org").status == Comment.Status.APPROVED


def test_a_trusted_commenter_on_a_new_network_is_held_once_then_known_there(
    article, trusted_commenter, admin_user
):
    from_work = submit(article, 1, "2001:db8:aa::5", email="grim@example.org")
    assert from_work.status == Comment.Status.PENDING
    comment_decide(comment=from_work, decision=TRUST, by=admin_user)
    assert submit(article, 2, "2001:db8:aa:1::9", email="grim@example.org").status == Comment.Status.APPROVED


def test_approve_known_needs_a_known_network_too(article, config, admin_user):
    """Under "approve known commenters", a name and email seen before are not enough either."""
    config.policy = ModerationSettings.Policy.APPROVE_KNOWN
    config.save()
    earlier = submit(article, 0, "198.51.100.20", email="grim@example.org")
    comment_decide(comment=earlier, decision=APPROVE, by=admin_user)
    assert submit(article, 1, "203.0.113.66", email="grim@example.org").status == Comment.Status.PENDING
    assert submit(article, 2, "198.51.100.20", email="grim@example.org").status == Comment.Status.APPROVED
