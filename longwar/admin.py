"""Admin adjustments for third-party apps the project composes."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin


class LockOutAdmin(AccessAttemptAdmin):
    """django-axes' failed logins; a superuser lifts a lock-out by deleting its attempt.

    Axes' own "clean up expired attempts" action fails when run from the admin (it needs attributes that
    only a login request carries), and expired attempts are removed at the next failed login anyway.
    """

    actions = []


admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, LockOutAdmin)
