from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def thousands(value):
    """An integer with the current language's thousands separator (12 700 in French, 12,700 in English)."""
    return number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True)
