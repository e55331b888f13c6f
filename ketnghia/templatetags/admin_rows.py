"""Django's admin_list template library, with {% result_list %} writing the rows through
localities.admin_rows (each column worked out once per list rather than once per cell).

settings.TEMPLATES gives this module the label "admin_list", so the admin's own templates
({% load admin_list %} in change_list.html) use it without a template of theirs overridden."""

from django import template
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.base import InclusionAdminNode

from localities import admin_rows

register = template.Library()
register.tags.update(admin_list.register.tags)
register.filters.update(admin_list.register.filters)


def result_list(cl):
    headers = list(admin_list.result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(admin_list.result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": list(admin_rows.results(cl)),
    }


@register.tag(name="result_list")
def result_list_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )
