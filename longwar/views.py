"""Site-wide views: machine endpoints, the CSRF failure page, the login lock-out page and the staff insights page."""

import math
from http import HTTPStatus
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from longwar import insights


@require_safe
def healthz(request):
    """Liveness and database reachability for load balancers: 503 while the database cannot be reached."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable", content_type="text/plain", status=503)
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def robots_txt(request):
    """Keep crawlers off staff and write-only URLs, and point them at the sitemap (absolute, as required)."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /donate/",
        "Disallow: /comments/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def csrf_failure(request, reason=""):
    """A failed CSRF check (expired page, blocked cookies): say what to do, and give back what was typed.

    The text is only given back to posts from this site's own pages, so another site cannot put words here.
    """
    origin = request.headers.get("Origin") or request.headers.get("Referer") or ""
    from_this_site = urlsplit(origin).netloc == request.get_host()
    kept_text = request.POST.get("body", "") if request.method == "POST" and from_this_site else ""
    return render(request, "403_csrf.html", {"kept_text": kept_text}, status=403)


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login (429): why, for how long, and that an administrator can lift it."""
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed logins",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60),
        "username": (credentials or {}).get("username") or request.POST.get("username", ""),
    }
    return render(request, "admin/locked_out.html", context, status=HTTPStatus.TOO_MANY_REQUESTS)


def insights_view(request):
    """Comment and donation charts for staff holding donations.view_insights (superusers do)."""
    if not request.user.has_perm(insights.PERMISSION):
        raise PermissionDenied
    context = {**admin.site.each_context(request), "title": "Insights", **insights.insights()}
    return TemplateResponse(request, "admin/insights.html", context)
