from django.shortcuts import render
from django.views.decorators.http import require_safe

from ketnghia.pagecache import cached_page
from ketnghia.public.locality_queries import locality_page


@require_safe
@cached_page
def locality_detail(request, slug):
    page = locality_page(slug, request.GET.get("page"))
    return render(
        request, "localities/locality_detail.html", {"page": page, "locality": page.locality}
    )
