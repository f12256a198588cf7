from decimal import Decimal

from django import template

from indicators.expressions import format_expression
from indicators.validation import format_side

register = template.Library()


@register.filter
def expression(terms):
    """Stored terms as people type them: "BDG_M2_DN[FEMALE] + BDG_M2_DN"."""
    return format_expression(terms or [])


@register.filter
def side(terms):
    """One side of a validation rule as people type it: "BDG_M3_NN[FEMALE] + 1"."""
    return format_side(terms or [])


@register.filter
def normalize(number):
    """100.0000 → 100 (the factor as written)."""
    if number is None:
        return ""
    return format(Decimal(number).normalize(), "f")
