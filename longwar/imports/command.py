"""What import_wxr and import_disqus share: arguments, the one transaction, progress, the report and exit code."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from longwar.imports.progress import Progress
from longwar.imports.report import Report
from longwar.imports.xmlstream import ImportFileError


class ImportCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("file", help="The export file.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Do everything and report, then roll back: nothing is saved.",
        )
        parser.add_argument(
            "--report", metavar="FILE.json", help="Also write the reconciliation report as JSON."
        )

    def run(self, path: Path, **options) -> Report:
        raise NotImplementedError

    def handle(self, *args, file, dry_run, report, verbosity, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        progress = Progress(
            total_bytes=path.stat().st_size, stream=self.stderr._out, label=path.name, enabled=verbosity >= 1
        )
        try:
            with transaction.atomic():
                result = self.run(path, display=file, dry_run=dry_run, progress=progress, **options)
                transaction.set_rollback(dry_run)
        except ImportFileError as exc:
            progress.close()
            raise CommandError(f"{exc} (nothing was imported)") from None
        if report:
            Path(report).write_text(
                json.dumps(result.as_dict(), indent=2, default=str) + "\n", encoding="utf-8"
            )
        if verbosity >= 1:
            for line in result.lines():
                self.stdout.write(line)
        if result.unexplained:
            raise CommandError(
                f"{len(result.unexplained)} unexplained difference(s) between the file and the database; see above"
                + (f" and {report}" if report else "")
            )
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS("Dry run: nothing was saved." if dry_run else "Import complete.")
            )
