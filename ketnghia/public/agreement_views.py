from django.http import Http404
from django.shortcuts import render
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from agreements.filters import MAX_QUERY_LENGTH
from ketnghia import maps
from ketnghia.pagecache import cached_page
from ketnghia.public import agreement_queries as queries

# Parameters of the filter form other than the search words: set, they open the form.
FILTER_FIELDS = ("locality", "party_kind", "year", "area", "status", "sort")
LIST_PARAMETERS = ("q", *FILTER_FIELDS, "page")


@require_safe
@cached_page(params=LIST_PARAMETERS)
def agreement_list(request):
    context = queries.agreement_list(request.GET)
    form = context["filterset"].form
    selected = {
        name: str(value)
        for name, value in form.cleaned_data.items()
        if value not in (None, "") and name != "q"
    }
    context.update(
        search_query=request.GET.get("q", "")[:MAX_QUERY_LENGTH],
        selected=selected,
        # A locality typed that names several or none is told at its field: open the form.
        filters_active=any(name in selected for name in FILTER_FIELDS)
        or bool(context["locality_choice"].text),
    )
    return render(request, "agreements/agreement_list.html", context)


@require_safe
@cached_page(params=["page"])
def agreement_detail(request, slug):
    context = queries.agreement_detail(slug, request.GET.get("page"))
    if context is None:
        raise Http404
    agreement = context["agreement"]
    context["description"] = Truncator(agreement.summary_shown).chars(200) or _(
        "The twinning agreement %(title)s: its parties, commitments and what it delivered."
    ) % {"title": agreement.title_shown}
    context["parties_map"] = maps.partner_map(
        "map-parties", _("Where the parties are"), context["parties_map"]
    )
    first_photo = context["first_photo"]
    context["og_image"] = request.build_absolute_uri(first_photo.image.url) if first_photo else ""
    return render(request, "agreements/agreement_detail.html", context)


@require_safe
@cached_page(params=["page"])
def legal_document_detail(request, slug):
    context = queries.legal_document_detail(slug, request.GET.get("page"))
    if context is None:
        raise Http404
    return render(request, "agreements/legaldocument_detail.html", context)
