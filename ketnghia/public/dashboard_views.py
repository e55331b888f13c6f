"""/thong-ke/: the dashboards for leaders — the province's, a locality's, and the coverage of
ethnic-minority villages — each as a page (which prints on A4) and as an XLSX workbook.

Every figure comes from activities.reports; the views only read the filters, call it, and
shape charts. The public sees published data; province staff signed in see drafts as well,
marked, and their pages are never kept by a shared cache.
"""

import dataclasses

from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from activities import reports
from ketnghia import exports, maps, pagecache
from ketnghia.pagecache import cached_page
from ketnghia.public import dashboard_charts as charts
from ketnghia.public import dashboard_exports
from ketnghia.public import dashboard_queries as queries
from ketnghia.public.dashboard_forms import DashboardForm
from localities import tree
from localities.scopes import scope_of
from localities.text import slugify

# The workbooks change only when staff publish: like the open-data downloads, five minutes.
MAX_AGE = 300
COMMUNES_PER_PAGE = 50
XLSX = exports.FORMATS["xlsx"]


def _drafts(request):
    """The staff scope whose drafts the visitor sees, or None for published data only.

    Staff signed in (active) see the drafts in their charge, marked: province staff every one,
    the staff of a commune those of the agreements in its remit. Without a session cookie
    nobody is signed in: the session is then not even read, so the answer does not vary with
    cookies and stays cacheable for everyone (ketnghia.middleware).
    """
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    user = request.user
    if not (user.is_active and user.is_staff):
        return None
    return scope_of(user)


def _private_if_drafts(response, include_drafts):
    if include_drafts:
        add_never_cache_headers(response)
    return response


def _form(request, fixed_locality=None):
    return DashboardForm(request.GET, areas=queries.areas(), fixed_locality=fixed_locality)


def _query(request, drop=("print",), **params):
    """This page's filters as a query string ("?…", or "" for none), without `drop` ("print"),
    with `params` on top of them."""
    query = request.GET.copy()
    for name in drop:
        query.pop(name, None)
    for key, value in params.items():
        query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else ""


def _url(name, request, *args, **params):
    """Another dashboard address with this page's filters (and `params` on top of them), not
    its page number or print view."""
    return reverse(name, args=args) + _query(request, drop=("print", "page"), **params)


def _this_page(request):
    """This page's full address, filters included, without "print"."""
    return request.build_absolute_uri(request.path + _query(request))


def _print_url(request):
    return request.path + _query(request, print="1")


# The filter form's fields on each page. A locality's dashboard has its locality fixed; the
# coverage counts agreements in force at the end of the period, whatever their figures.
DASHBOARD_FIELDS = ("year_from", "year_to", "locality", "party_kind", "area", "status")
COVERAGE_FIELDS = ("year_to", "locality", "party_kind", "area")
# What each page reads from its address (ketnghia.pagecache sends the others away).
DASHBOARD_PARAMETERS = (*DASHBOARD_FIELDS, "print")
COVERAGE_PARAMETERS = (*DASHBOARD_FIELDS, "page", "print")


def _page_context(request, form, filters, fields):
    return {
        "form": form,
        "fields": fields,
        "applied": form.applied(fields),
        "filters_active": form.has_filters(fields),
        "status": filters.status,
        "include_drafts": filters.include_drafts,
        "drafts_in_charge": filters.drafts_scope is not None,
        "today": timezone.localdate(),
        "print_view": request.GET.get("print") == "1",
        "print_url": _print_url(request),
        # Printed under the title, so that a paper copy says where its figures come from.
        "page_url": _this_page(request),
    }


def _figures(dashboard):
    """The charts and the goods' tiles, made only when the page's figures are: the template
    keeps those for each version of the dashboard (read without unpickling the dashboard;
    the template would look it up as a dictionary first)."""
    return {
        "figures_version": dashboard.version,
        "charts": SimpleLazyObject(lambda: charts.dashboard_charts(dashboard)),
        "goods": SimpleLazyObject(lambda: charts.goods_tiles(dashboard.goods)),
        "partners_map": SimpleLazyObject(
            lambda: maps.partner_map(
                "map-partners", _("Who twins with whom, on the map"), dashboard.partners_map
            )
        ),
    }


def _country_map(dashboard):
    """The province's partners on the map of the whole country (its archipelagos included):
    the province dashboard's second map."""
    return SimpleLazyObject(
        lambda: maps.partner_map(
            "map-country",
            _("The same partners on the map of Viet Nam"),
            dashboard.partners_map,
            whole_country=True,
            interactive=False,
        )
    )


@require_safe
@cached_page(params=DASHBOARD_PARAMETERS)
def province(request):
    form = _form(request)
    filters = form.dashboard_filters(drafts=_drafts(request))
    include_drafts = filters.include_drafts
    dashboard = reports.dashboard(filters)
    context = _page_context(request, form, filters, DASHBOARD_FIELDS)
    context.update(
        dashboard=dashboard,
        **_figures(dashboard),
        country_map=_country_map(dashboard),
        approved=SimpleLazyObject(lambda: reports.approved_periods(keep=pagecache.kept)),
        cycle=SimpleLazyObject(lambda: reports.cycle_summary(keep=pagecache.kept)),
        locality=filters.locality,
        xlsx_url=_url("dashboards:province_xlsx", request),
        coverage_url=_url("dashboards:coverage", request),
    )
    response = render(request, "dashboards/dashboard.html", context)
    return _private_if_drafts(response, include_drafts)


def _locality_or_404(slug):
    place = queries.locality(slug)
    if place is None:
        raise Http404
    return place


@require_safe
@cached_page(params=DASHBOARD_PARAMETERS)
def locality(request, slug):
    place = _locality_or_404(slug)
    form = _form(request, fixed_locality=place)
    filters = form.dashboard_filters(drafts=_drafts(request))
    include_drafts = filters.include_drafts
    dashboard = reports.locality_dashboard(place, filters)
    ancestors = tree.ancestors(place)
    context = _page_context(request, form, filters, DASHBOARD_FIELDS)
    context.update(
        is_locality_dashboard=True,
        dashboard=dashboard,
        **_figures(dashboard),
        locality=place,
        ancestors=ancestors,
        approved=SimpleLazyObject(
            lambda: reports.approved_periods(
                [place.pk, *(unit.pk for unit in ancestors)], keep=pagecache.kept
            )
        ),
        outcomes=SimpleLazyObject(lambda: reports.outcomes_of(place, keep=pagecache.kept)),
        cycle=SimpleLazyObject(lambda: reports.cycle_summary(place.pk, keep=pagecache.kept)),
        xlsx_url=_url("dashboards:locality_xlsx", request, place.slug),
        coverage_url=_url("dashboards:coverage", request, locality=place.slug),
    )
    response = render(request, "dashboards/dashboard.html", context)
    return _private_if_drafts(response, include_drafts)


def _coverage_filters(form, request):
    # Coverage counts agreements in force at the end of the period: its start plays no part.
    filters = form.dashboard_filters(drafts=_drafts(request))
    return dataclasses.replace(filters, year_from=None)


@require_safe
@cached_page(params=COVERAGE_PARAMETERS)
def coverage(request):
    form = _form(request)
    filters = _coverage_filters(form, request)
    include_drafts = filters.include_drafts
    totals = reports.coverage_totals(filters)
    # A province has a few hundred communes; the country, thousands: a page of them at a time.
    page_obj = Paginator(range(totals.communes), COMMUNES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    # An empty page starts at 0, not -1.
    first = max(page_obj.start_index() - 1, 0)
    rows = reports.coverage(filters, first=first, count=COMMUNES_PER_PAGE)
    context = _page_context(request, form, filters, COVERAGE_FIELDS)
    context.update(
        rows=rows,
        coverage_map=maps.coverage_map(
            "map-coverage", _("The communes of this page, by their villages' partners"), rows
        ),
        totals=totals,
        page_obj=page_obj,
        locality=filters.locality,
        xlsx_url=_url("dashboards:coverage_xlsx", request),
        dashboard_url=_url("dashboards:province", request),
    )
    response = render(request, "dashboards/coverage.html", context)
    return _private_if_drafts(response, include_drafts)


def _xlsx(request, workbook, stem, include_drafts):
    name = f"ket-nghia-{stem}-{timezone.localdate().isoformat()}.xlsx"
    response = FileResponse(workbook, as_attachment=True, filename=name, content_type=XLSX)
    if include_drafts:
        add_never_cache_headers(response)
    else:
        patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


def _site_url(request):
    return request.build_absolute_uri("/").rstrip("/")


def _stem(kind, place):
    """ket-nghia-thong-ke-xa-ia-dok-2026-11-21.xlsx; the province's name when no locality."""
    return f"{kind}-{place.slug if place is not None else slugify(settings.PROVINCE_NAME)}"


@require_safe
def province_xlsx(request):
    form = _form(request)
    filters = form.dashboard_filters(drafts=_drafts(request))
    include_drafts = filters.include_drafts
    dashboard = reports.dashboard(filters)
    workbook = dashboard_exports.dashboard_workbook(
        dashboard,
        form.applied(DASHBOARD_FIELDS),
        title=_("Twinning in %(province)s in figures") % {"province": settings.PROVINCE_NAME},
        site_url=_site_url(request),
    )
    return _xlsx(request, workbook, _stem("thong-ke", filters.locality), include_drafts)


@require_safe
def locality_xlsx(request, slug):
    place = _locality_or_404(slug)
    form = _form(request, fixed_locality=place)
    filters = form.dashboard_filters(drafts=_drafts(request))
    include_drafts = filters.include_drafts
    dashboard = reports.locality_dashboard(place, filters)
    workbook = dashboard_exports.dashboard_workbook(
        dashboard,
        form.applied(DASHBOARD_FIELDS),
        title=_("%(name)s in figures") % {"name": place.name},
        site_url=_site_url(request),
        locality_dashboard=True,
    )
    return _xlsx(request, workbook, _stem("thong-ke", place), include_drafts)


@require_safe
def coverage_xlsx(request):
    form = _form(request)
    filters = _coverage_filters(form, request)
    include_drafts = filters.include_drafts
    workbook = dashboard_exports.coverage_workbook(
        reports.coverage(filters),
        reports.coverage_totals(filters),
        form.applied(COVERAGE_FIELDS),
        title=_("Ethnic-minority villages without a partner"),
        include_drafts=include_drafts,
    )
    return _xlsx(request, workbook, _stem("vung-dong-bao", filters.locality), include_drafts)
