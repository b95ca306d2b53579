"""`manage.py db_worker`: django-tasks' database worker, which also waits out a database outage.

The library's worker exits at the first database error, so after PostgreSQL restarted or the network
blinked, no email went out until someone restarted it. This one waits and reconnects, as the site does.
It takes the place of django_tasks_db's command (the project package comes first in INSTALLED_APPS).
"""

import logging
import time

from django.db import InterfaceError, OperationalError
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger("django_tasks_db")


class Worker(db_worker.Worker):
    def run(self) -> None:
        while True:
            try:
                return super().run()
            except (OperationalError, InterfaceError) as exc:
                wait = max(self.interval, 1)
                logger.warning("Database unavailable (%s); the task worker tries again in %s s.", exc, wait)
                time.sleep(wait)  # a stop signal meanwhile ends the worker as usual


class Command(db_worker.Command):
    def handle(self, *args, **options):
        db_worker.Worker = Worker  # the library's handle() builds its worker from this module-level name
        super().handle(*args, **options)
