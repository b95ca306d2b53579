"""Import a Disqus export: each thread is attached to its article (by link, then by title; never guessed),
each post becomes a comment. Idempotent, one transaction, reconciled like import_wxr."""

from longwar.imports.command import ImportCommand
from longwar.imports.importers import import_disqus


class Command(ImportCommand):
    help = "Import a Disqus export file. Idempotent; prints a reconciliation report."

    def run(self, path, *, display, dry_run, progress, **options):
        return import_disqus(path, display=display, dry_run=dry_run, progress=progress)
