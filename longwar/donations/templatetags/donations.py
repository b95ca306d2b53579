from django import template

from longwar.donations.models import SiteSettings

register = template.Library()


@register.inclusion_tag("donations/appeal.html")
def donation_appeal(article):
    """The staff-edited appeal under an article, linking to /donate/?from=<id>; one query."""
    site_settings = SiteSettings.load()
    before, link_text, after = site_settings.donation_appeal_parts()
    return {
        "article": article,
        "enabled": site_settings.donation_appeal_enabled,
        "before": before,
        "link_text": link_text,
        "after": after,
    }
