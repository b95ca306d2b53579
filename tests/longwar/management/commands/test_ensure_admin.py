import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from longwar.management.commands import ensure_admin

pytestmark = pytest.mark.django_db


def test_ensure_admin_creates_a_login_and_prints_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(ensure_admin, "PASSWORD_FILE", tmp_path / ".admin-password")
    call_command("ensure_admin")
    password = (tmp_path / ".admin-password").read_text().strip()
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser
    assert user.check_password(password)
    call_command("ensure_admin")
    assert get_user_model().objects.count() == 1
    assert capsys.readouterr().out.count(f"password: {password}") == 2
