from django import template
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import get_language

register = template.Library()


@register.filter
def thousands(value):
    """An integer with the current language's thousands separator (12 700 in French, 12,700 in English)."""
    return number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True)


@register.filter
def euros(value):
    """An amount in euros with grouped thousands and no cents when there are none."""
    decimals = 0 if value == int(value) else 2
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True) + "\xa0€"


@register.filter
def tr_name(obj):
    """The name of a country, continent or theme in the current language (``name_en`` in English)."""
    if obj is None:
        return ""
    if (get_language() or "").startswith("en") and getattr(obj, "name_en", ""):
        return obj.name_en
    return getattr(obj, "name_fr", None) or str(obj)


@register.simple_tag
def language_path(path: str) -> str:
    """``path`` under the current language's prefix (``/en/…`` in English, as ``i18n_patterns`` does).

    For the pages of other apps whose URL names are not ours to rely on: the paths are fixed by the issue.
    """
    language = get_language() or settings.LANGUAGE_CODE
    if language == settings.LANGUAGE_CODE:
        return path
    return f"/{language}{path}"


@register.simple_tag(takes_context=True)
def page_query(context, param: str, number) -> str:
    """The current query string with ``param`` set to ``number`` (other lists keep their page)."""
    query = context["request"].GET.copy()
    query[param] = number
    return query.urlencode()
