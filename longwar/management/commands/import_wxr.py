"""Import a WordPress export (WXR 1.0 to 1.2): authors, posts, tags and categories, and every comment thread.

Safe to run again, and with a newer export of the same site: see longwar/imports. The whole run is one
transaction, so a malformed file (named by line) imports nothing; the reconciliation report compares the
file with the database afterwards, and an unexplained difference makes the command exit non-zero.
"""

from longwar.imports.command import ImportCommand
from longwar.imports.importers import import_wxr


class Command(ImportCommand):
    help = "Import a WordPress export file (WXR). Idempotent; prints a reconciliation report."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--featured-categories",
            action="store_true",
            help="Make WordPress categories featured topics in the site navigation.",
        )

    def run(self, path, *, display, dry_run, progress, featured_categories, **options):
        return import_wxr(
            path, display=display, dry_run=dry_run, feature_categories=featured_categories, progress=progress
        )
