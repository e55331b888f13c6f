"""Free text in one language shown on a page of the other, marked with its language.

Names, titles, descriptions and notes are written in Vietnamese (an agreement's title and
summary may also be in English, localities.languages): an English page shows them as they are,
inside an element that says so, so that a screen reader reads them in Vietnamese and a
translator leaves them alone. On a page of their own language they are written as they are.

{% load languages %}
{{ activity.description|vi }}                      → <span lang="vi">…</span> on /en/
{{ agreement.summary|linebreaks|vi }}              → <div lang="vi"><p>…</p></div> on /en/
{{ agreement.title_shown|lang:agreement.title_lang }}
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

from localities.languages import VIETNAMESE, language

register = template.Library()


def marked(value, code=VIETNAMESE):
    """`value`, escaped unless safe, inside an element with lang=`code` when the page's language
    is another one. A block (paragraphs from linebreaks) goes in a div, a phrase in a span."""
    if value is None or value == "":
        return ""
    text = conditional_escape(value)
    if code == language():
        return text
    tag = "div" if isinstance(value, SafeData) and "<p>" in value else "span"
    return mark_safe(f'<{tag} lang="{code}">{text}</{tag}>')


def lang_attribute(code=VIETNAMESE):
    """' lang="vi"' for an element holding text in `code` on a page of another language."""
    return "" if code == language() else mark_safe(f' lang="{code}"')


@register.filter
def lang(value, code):
    return marked(value, code)


@register.filter
def vi(value):
    return marked(value)


@register.simple_tag
def vi_lang():
    """lang="vi" inside an element's start tag on a page that is not in Vietnamese."""
    return lang_attribute()
