from django import template

from longwar.proxies import forwarded_for_warning

register = template.Library()


@register.simple_tag
def proxy_warning() -> str:
    """The admin's warning that TRUSTED_PROXY_COUNT looks wrong, or ""."""
    return forwarded_for_warning()
