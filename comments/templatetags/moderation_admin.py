"""Admin-wide moderation notices: the surge mode banner."""

from django import template

from comments.surge import active_surge

register = template.Library()


@register.inclusion_tag("comments/surge_banner.html", takes_context=True)
def surge_banner(context):
    """One query: the surge in force, if any, with a switch for those who may change moderation settings."""
    user = context["request"].user
    return {
        "surge": active_surge(),
        "can_switch": user.has_perm("comments.change_moderationsettings"),
        "csrf_token": context.get("csrf_token"),
    }
