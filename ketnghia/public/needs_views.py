"""/can-ket-nghia/: the needs board (nơi cần kết nghĩa). The villages and communes that ask
for support, what they ask, and the units that answered; a need's own page; both cached for
everyone (ketnghia.pagecache). What is shown and counted comes from activities.reports
(needs.py); staff post needs and offers in the admin (activities.needs)."""

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from activities import reports
from activities.models import NeedPriority, NeedStatus
from ketnghia import maps, pagecache
from ketnghia.pagecache import cached_page
from ketnghia.public import dashboard_queries as queries
from ketnghia.public.dashboard_forms import LocalityFieldMixin

NEEDS_PER_PAGE = 20
BOARD_PARAMETERS = ("area", "locality", "priority", "status", "page")
# The board's statuses: still needed (the default), taken up, or both.
ALL = "all"


class NeedsBoardForm(LocalityFieldMixin, forms.Form):
    """Parameters: area (a commitment area's slug), locality (a slug, or words of a name: it
    and the units below it), priority (1 urgent, 2 high, 3 normal) and status (open, the
    default; met; all)."""

    area = forms.ChoiceField(
        label=gettext_lazy("Area of need"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose an area of need from the list.")},
    )
    locality = forms.CharField(
        label=gettext_lazy("Place (with the villages below it)"), required=False
    )
    priority = forms.TypedChoiceField(
        label=gettext_lazy("Priority"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", gettext_lazy("All")), *NeedPriority.choices],
        error_messages={"invalid_choice": gettext_lazy("Choose a priority from the list.")},
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Needs"),
        required=False,
        choices=[
            (NeedStatus.OPEN, gettext_lazy("Still needed")),
            (NeedStatus.MET, gettext_lazy("Taken up by a unit")),
            (ALL, gettext_lazy("Both")),
        ],
        error_messages={"invalid_choice": gettext_lazy("Choose which needs to show.")},
    )

    def __init__(self, data, *, areas):
        super().__init__(data)
        self.areas = {area.slug: area for area in areas}
        self.fields["area"].choices = [("", _("All"))] + [(a.slug, a.label) for a in areas]

    def needs_filters(self):
        """The filters of the valid fields (a wrong value is left out, not guessed)."""
        self.is_valid()
        values = self.cleaned_data
        status = values.get("status") or NeedStatus.OPEN
        return reports.NeedsFilters(
            area=self.areas.get(values.get("area") or ""),
            locality=values.get("locality"),
            priority=values.get("priority"),
            status="" if status == ALL else status,
        )


@require_safe
@cached_page(params=BOARD_PARAMETERS)
def board(request):
    areas = queries.areas()
    form = NeedsBoardForm(request.GET, areas=areas)
    filters = form.needs_filters()
    # The same for every reader until a need or an agreement changes (a signed-in reader
    # gets the page made, not kept): counted once.
    totals = pagecache.kept("needs-totals", filters.key, lambda: reports.needs_totals(filters))
    page_obj = Paginator(range(totals.needs), NEEDS_PER_PAGE).get_page(request.GET.get("page"))
    first = max(page_obj.start_index() - 1, 0)
    # The page's needs with their offers and partners, as the totals: made once.
    rows = pagecache.kept(
        "needs-board",
        (*filters.key, first, NEEDS_PER_PAGE),
        lambda: reports.needs_board(filters, first=first, count=NEEDS_PER_PAGE),
    )
    coverage = pagecache.kept("village-coverage", (), reports.village_coverage)
    context = {
        "form": form,
        "filters": filters,
        "filters_active": any(request.GET.get(name) for name in BOARD_PARAMETERS[:-1]),
        "totals": totals,
        "rows": rows,
        "page_obj": page_obj,
        "needs_map": maps.needs_map(rows),
        "coverage": coverage,
        "priorities": NeedPriority,
    }
    return render(request, "needs/board.html", context)


@require_safe
@cached_page
def need_detail(request, pk):
    page = reports.need_page(pk)
    if page is None:
        raise Http404
    context = {
        "page": page,
        "need": page.row.need,
        "needs_map": maps.needs_map(
            [page.row], _("Where %(place)s is") % {"place": page.row.need.locality.name}
        ),
    }
    return render(request, "needs/need_detail.html", context)
