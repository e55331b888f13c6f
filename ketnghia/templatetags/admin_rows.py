"""Django's admin_list template library, with {% result_list %} writing the rows through
localities.admin_rows (each column worked out once per list rather than once per cell), and
{% admin_list_filter %} writing the sidebar's usual filters (admin/filter.html and the project's
admin/autocomplete_filter.html) in Python: a template rendered per filter was a fifth of the
activity list's time (seven filters; issue 16, every admin list within five times the base page).

settings.TEMPLATES gives this module the label "admin_list", so the admin's own templates
({% load admin_list %} in change_list.html) use it without a template of theirs overridden."""

from django import template
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.utils.encoding import iri_to_uri
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from localities import admin_rows

register = template.Library()
register.tags.update(admin_list.register.tags)
register.filters.update(admin_list.register.filters)


def result_list(cl):
    headers = list(admin_list.result_headers(cl))
    results = list(admin_rows.results(cl))
    rows = None
    if not cl.formset:
        # The rows as change_list_results.html's loop writes them, written here in one string
        # (templates/admin/change_list_results.html): a row's cells are one string already.
        rows = SafeString("".join(f"\n\n<tr>{result[0]}</tr>\n" for result in results))
    return {
        "cl": cl,
        "result_hidden_fields": list(admin_list.result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": results,
        "rows": rows,
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


def _summary(title):
    # Django's own words (its catalogue has them in Vietnamese), spaces and all.
    return conditional_escape(gettext(" By %(filter_title)s ") % {"filter_title": title}).strip()


def _filter(spec, items):
    title = conditional_escape(spec.title)
    return SafeString(
        f'<details data-filter-title="{title}" open>\n<summary>{_summary(spec.title)}</summary>\n'
        f"{items}</details>\n"
    )


def _link(url, text, selected):
    selected = ' class="selected"' if selected else ""
    url = conditional_escape(iri_to_uri(url))
    return f'<li{selected}><a href="{url}">{conditional_escape(text)}</a></li>\n'


@register.simple_tag
def admin_list_filter(cl, spec):
    """The markup of admin/filter.html and admin/autocomplete_filter.html, written here; any
    other filter's template as Django renders it."""
    if spec.template == "admin/filter.html":
        links = "".join(
            _link(choice["query_string"], choice["display"], choice["selected"])
            for choice in spec.choices(cl)
        )
        return _filter(spec, f"<ul>\n{links}</ul>\n")
    if spec.template == "admin/autocomplete_filter.html":
        lists = "".join(
            f"<ul>\n{_link(choice['all_url'], gettext('All'), not choice['selected'])}"
            f'<li class="autocomplete-filter">{choice["widget"]}</li>\n</ul>\n'
            for choice in spec.choices(cl)
        )
        return _filter(spec, lists)
    return admin_list.admin_list_filter(cl, spec)
