"""The donations migrations: the settings row they create, and the move out of the project package losing no row."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from longwar.donations.models import SEED_DONATION_APPEAL, DonationClick, SiteSettings

BEFORE_THE_MOVE = [("longwar", "0002_site_settings_row"), ("donations", None)]


@pytest.mark.django_db(transaction=True)
def test_clicks_settings_and_granted_permissions_survive_the_move(django_user_model):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_THE_MOVE)
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in ("longwar", "donations")]
    old = executor.loader.project_state([*others, BEFORE_THE_MOVE[0]]).apps
    article = old.get_model("articles", "Article").objects.create(
        title="Talks",
        slug="talks",
        author=old.get_model("articles", "Author").objects.create(name="Bill", slug="bill"),
        body="<p>Body.</p>",
    )
    old.get_model("longwar", "SiteSettings").objects.update_or_create(
        id=1, defaults={"donation_appeal": "Give now, here."}
    )
    Click = old.get_model("longwar", "DonationClick")
    Click.objects.create(article=article, referrer_host="news.example.org")
    Click.objects.create(article=None, referrer_host="")
    # As on a site that ran the old code: the permission lives under the app label "longwar".
    click_type, _ = old.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="longwar", model="donationclick"
    )
    assert not old.get_model("contenttypes", "ContentType").objects.filter(app_label="donations").exists()
    permission, _ = old.get_model("auth", "Permission").objects.get_or_create(
        content_type=click_type, codename="view_insights", defaults={"name": "Can view the insights page"}
    )
    editor = django_user_model.objects.create_user("editor", is_staff=True)
    old.get_model("auth", "User").objects.get(pk=editor.pk).user_permissions.add(permission.pk)

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert SiteSettings.load().donation_appeal == "Give now, here."
    assert set(DonationClick.objects.values_list("article_id", "referrer_host")) == {
        (article.pk, "news.example.org"),
        (None, ""),
    }
    assert django_user_model.objects.get(pk=editor.pk).has_perm("donations.view_insights")
    DonationClick.objects.create(referrer_host="after.example.org")  # the id sequence came along
    assert DonationClick.objects.count() == 3


@pytest.mark.django_db
def test_migration_creates_the_settings_row_with_the_seed_wording():
    site_settings = SiteSettings.objects.get()
    assert site_settings.donation_appeal == SEED_DONATION_APPEAL
    assert site_settings.donation_appeal_enabled
