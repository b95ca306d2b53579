"""Erase commenters' IP addresses and browser names once they are older than the site keeps them.

They serve the flood limit, blocks and a moderator's review, all within days; after
`ModerationSettings.personal_data_days` they are only a liability. Schedule this daily (README).
"""

from django.core.management.base import BaseCommand, CommandError

from comments.models import ModerationSettings
from comments.personal_data import personal_data_expire


class Command(BaseCommand):
    help = "Erase IP addresses and browser names of comments older than the moderation settings keep them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, help="Keep this many days instead of the moderation settings' value."
        )

    def handle(self, *args, days, verbosity, **options):
        if days is None:
            days = ModerationSettings.load().personal_data_days
        if days < 1:
            raise CommandError("--days must be 1 or more.")
        count = personal_data_expire(days=days)
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Erased IP address and browser from {count} comment(s) older than {days} days."
                )
            )
