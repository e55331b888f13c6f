"""Links the dashboards write by the dozen, as tags rather than included templates (an include
per row made most of a dashboard's rendering time).

{% load links %}
{% place_link place %}                  → <a href="/thong-ke/xa-ia-dok/">Xã Ia Dơk</a>
{% place_link place with_parent=True %} → … – Xã Ia Dơk (after a village's name)
{% agreement_link agreement %}          → its public page, or for a draft its admin page, marked
"""

from urllib.parse import quote

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html
from django.utils.translation import get_language, gettext

from ketnghia.templatetags.languages import lang_attribute, marked
from localities.models import LocalityKind

register = template.Library()

PLACEHOLDER = "0ketnghia0"  # a slug no address holds, replaced by the real one
_patterns = {}


def address(name, value):
    """reverse(name, args=[value]) for a slug or an id, from a pattern reversed once per address,
    language and script prefix: the same address, at a fraction of the cost."""
    key = (name, get_language(), get_script_prefix())
    pattern = _patterns.get(key)
    if pattern is None:
        pattern = _patterns[key] = reverse(name, args=[PLACEHOLDER])
    # As reverse() quotes its arguments (a slug or an id needs none, but says so here).
    return pattern.replace(PLACEHOLDER, quote(str(value), safe="-._~!$&'()*+,;=:@"))


@register.simple_tag
def place_link(place, with_parent=False):
    """A unit's name, linked to its dashboard; a village's commune after it, `with_parent`."""
    link = format_html(
        '<a href="{}"{}>{}</a>',
        address("dashboards:locality", place.slug),
        lang_attribute(),
        place.name,
    )
    if with_parent and place.kind == LocalityKind.VILLAGE and place.parent_id:
        return format_html("{} – {}", link, marked(place.parent.name))
    return link


@register.simple_tag
def agreement_link(agreement):
    """An agreement's title, linked to its public page; a draft's to its page in the admin,
    marked as a draft (staff only see drafts)."""
    lang = lang_attribute(agreement.title_lang)
    if agreement.is_published:
        return format_html(
            '<a href="{}"{}>{}</a>',
            address("agreements:detail", agreement.slug),
            lang,
            agreement.title_shown,
        )
    return format_html(
        '<a href="{}"{}>{}</a> <span class="tag draft">{}</span>',
        address("admin:agreements_agreement_change", agreement.pk),
        lang,
        agreement.title_shown,
        gettext("Draft"),
    )
