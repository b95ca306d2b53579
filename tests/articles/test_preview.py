"""Staff previews of drafts and scheduled articles need the article permission: moderators see no drafts."""

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group, Permission

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("staff", is_staff=True)


@pytest.mark.parametrize("trait", ["draft", "scheduled"])
def test_a_moderator_cannot_read_drafts(client, staff, trait):
    staff.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(staff)
    assert client.get(ArticleFactory(**{trait: True}).get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("codename", ["view_article", "change_article"])
def test_staff_with_the_article_permission_preview_drafts(client, staff, codename):
    staff.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(staff)
    response = client.get(ArticleFactory(draft=True).get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    assert "Draft preview." in response.content.decode()
