from django.shortcuts import render
from django.views.decorators.http import require_safe

from ketnghia.pagecache import cached_page
from ketnghia.public import site_search

PARAMETERS = ("q", "kind", "page")


@require_safe
@cached_page(params=PARAMETERS)
def results(request):
    """The site's search (ketnghia.public.site_search): every group found, or one group's
    pages (?kind=)."""
    found = site_search.search(
        request.GET.get("q", ""), request.GET.get("kind"), request.GET.get("page")
    )
    return render(
        request,
        "search/results.html",
        {"results": found, "search_query": found.query, "kinds": site_search.KINDS},
    )
