from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ketnghia import maps
from ketnghia.pagecache import cached_page
from ketnghia.public import locality_search
from ketnghia.public.locality_queries import locality_page

# The register changes seldom: browsers and shared caches may keep suggestions five minutes.
SUGGESTIONS_MAX_AGE = 300


@require_safe
@cached_page(params=["page"])
def locality_detail(request, slug):
    page = locality_page(slug, request.GET.get("page"))
    partners = maps.partner_map(
        "map-partners",
        _("%(name)s and its partners") % {"name": page.locality.name},
        page.partners_map,
    )
    return render(
        request,
        "localities/locality_detail.html",
        {"page": page, "locality": page.locality, "partners_map": partners},
    )


@require_safe
def suggestions(request):
    """The locality field's suggestions for `q` (locality_search.suggestions), as JSON:
    {"results": [{"name", "kind", "parent", "former", "slug"}]}, the kind in the page's
    language, "former" for a unit dissolved. Localities are public: no scope to apply."""
    results = [
        {
            "name": place.name,
            "kind": str(place.get_kind_display()),
            "parent": place.parent.name if place.parent is not None else "",
            "former": place.dissolved_on is not None,
            "slug": place.slug,
        }
        for place in locality_search.suggestions(request.GET.get("q", ""))
    ]
    response = JsonResponse({"results": results}, json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, public=True, max_age=SUGGESTIONS_MAX_AGE)
    return response
