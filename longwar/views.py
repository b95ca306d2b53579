"""Site-wide views: machine endpoints and the donation hand-off."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from longwar.donations import donation_click_record, is_counted_visit


@require_safe
def healthz(request):
    """Liveness and database reachability for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
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


@require_safe
@never_cache
def donate(request):
    """Count the reader's click, then send them to DONATION_URL; the target never comes from the request.

    Not cacheable, so every click reaches us; without DONATION_URL (development) it leads to /support/.
    """
    if is_counted_visit(method=request.method, headers=request.headers):
        donation_click_record(
            from_param=request.GET.get("from", ""), referer=request.headers.get("Referer", "")
        )
    return HttpResponseRedirect(settings.DONATION_URL or reverse("support"))


@require_safe
def support(request):
    return render(request, "support.html", {"donation_url": settings.DONATION_URL})


def csrf_failure(request, reason=""):
    """A failed CSRF check (expired page, blocked cookies): say what to do, and give back what was typed.

    The text is only given back to posts from this site's own pages, so another site cannot put words here.
    """
    origin = request.headers.get("Origin") or request.headers.get("Referer") or ""
    from_this_site = urlsplit(origin).netloc == request.get_host()
    kept_text = request.POST.get("body", "") if request.method == "POST" and from_this_site else ""
    return render(request, "403_csrf.html", {"kept_text": kept_text}, status=403)
