"""Make sure a development admin login exists, and say how to use it.

`make run` calls this so that a newcomer can open /admin/ at once. The generated
password is kept in `.admin-password` (git-ignored) so that later runs can print it again.
"""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

PASSWORD_FILE = Path(settings.BASE_DIR) / ".admin-password"


class Command(BaseCommand):
    help = "Create the 'admin' superuser if no superuser exists, and print how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        User = get_user_model()
        admin_url = f"{settings.SITE_URL}/admin/"
        stored = PASSWORD_FILE.read_text().strip() if PASSWORD_FILE.exists() else ""
        user = User.objects.filter(username=username).first()
        if user is None and User.objects.filter(is_superuser=True).exists():
            self.stdout.write(f"Admin: {admin_url} (log in with your existing superuser)")
            return
        if user is None:
            stored = secrets.token_urlsafe(12)
            User.objects.create_superuser(username, "admin@localhost", stored)
            PASSWORD_FILE.write_text(stored + "\n")
            PASSWORD_FILE.chmod(0o600)
        if stored and user is not None and not user.check_password(stored):
            stored = ""
        if stored:
            self.stdout.write(self.style.SUCCESS(f"Admin: {admin_url}  user: {username}  password: {stored}"))
        else:
            self.stdout.write(
                f"Admin: {admin_url}  user: {username} (password changed; reset it with "
                f"`.venv/bin/python manage.py changepassword {username}`)"
            )
