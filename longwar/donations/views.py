"""The donation hand-off: a counted redirect to DONATION_URL, and the page shown when none is set."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from longwar.donations.services import donation_click_record, is_counted_visit


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
    return render(request, "donations/support.html", {"donation_url": settings.DONATION_URL})
