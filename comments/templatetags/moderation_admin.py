"""Admin-wide moderation notices: the surge mode banner."""

from django import template

from comments.surge import active_surge

register = template.Library()


@register.inclusion_tag("comments/surge_banner.html", takes_context=True)
def surge_banner(context):
    """The surge in force (one query), for staff who may see the surge log (not editors), with a switch for
    those who may change the moderation settings."""
    user = context["request"].user
    return {
        "surge": active_surge() if user.has_perm("comments.view_surgelog") else None,
        "can_switch": user.has_perm("comments.change_moderationsettings"),
        "csrf_token": context.get("csrf_token"),
    }
