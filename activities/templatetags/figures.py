"""Figures and dates in templates, formatted the way activities.figures and agreements.dates do.

{% load figures %}
{{ activity|figure }}                  → "hơn 500.000.000 đ" / "gần 15.000 ngày công" / both
{{ 30000000|vnd }}  {{ total|vnd_words }}
{{ event.held_on|precise_date:event.date_precision }}
{% period activity.starts_on activity.ends_on activity.date_precision %}
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from activities.figures import (
    format_number,
    format_quantity_marked,
    format_vnd,
    format_vnd_words,
)
from activities.models import Measure
from agreements.dates import format_date, format_period

register = template.Library()


@register.filter
def vnd(value, qualifier="exact"):
    return format_vnd(value, qualifier)


@register.filter
def vnd_words(value, qualifier="exact"):
    return format_vnd_words(value, qualifier)


@register.filter
def number(value):
    return format_number(value)


@register.filter
def figure(activity):
    """An activity's figures with their qualifiers, as safe HTML (a unit in another language
    than the page's is marked); its type must be loaded (select_related)."""
    kind = activity.activity_type
    parts = []
    if activity.quantity is not None and kind.measure != Measure.MONEY:
        parts.append(
            format_quantity_marked(
                activity.quantity,
                kind.unit_for(activity.quantity),
                kind.unit_lang,
                activity.quantity_qualifier,
            )
        )
    if activity.value_vnd is not None:
        parts.append(conditional_escape(format_vnd(activity.value_vnd, activity.value_qualifier)))
    return mark_safe(" · ".join(parts))


@register.filter
def precise_date(value, precision="day"):
    return format_date(value, precision)


@register.simple_tag
def period(start, end, precision="day"):
    return format_period(start, end, precision)


@register.filter
def amount(quantity, activity_type):
    """A need's or an offer's quantity in the unit of its kind of support: "50 suất"."""
    if quantity is None or activity_type is None:
        return ""
    return format_quantity_marked(
        quantity, activity_type.unit_for(quantity), activity_type.unit_lang
    )
