from django import template

from indicators.models import display_value

register = template.Library()


@register.filter
def shown(text, element):
    """A stored value as users read and type it (1.234,5; Có/Không)."""
    return display_value(element, text or "")
