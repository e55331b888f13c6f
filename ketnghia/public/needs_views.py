"""/can-ket-nghia/: the needs board (nơi cần kết nghĩa). The villages and communes that ask
for support, what they ask, and the units that answered; a need's own page; both cached for
everyone (ketnghia.pagecache). What is shown and counted comes from activities.reports
(needs.py); staff post needs and offers in the admin (activities.needs)."""

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_safe

from activities import reports
from activities.models import NeedPriority, NeedStatus
from ketnghia import maps
from ketnghia.pagecache import cached_page
from ketnghia.public import dashboard_queries as queries
from ketnghia.public.locality_search import LocalityChoice

NEEDS_PER_PAGE = 20
BOARD_PARAMETERS = ("area", "locality", "priority", "status", "page")
# The board's statuses: still needed (the default), taken up, or both.
ALL = "all"


class NeedsBoardForm(forms.Form):
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
        self.locality_choice = LocalityChoice()

    def clean_locality(self):
        values = self.data.getlist("locality") if hasattr(self.data, "getlist") else []
        choice = queries.locality_choice(values or [self.data.get("locality", "")])
        self.locality_choice = choice
        if choice.error:
            raise forms.ValidationError(choice.error)
        return choice.locality

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


def needs_map(rows, title=None):
    """The places of a page of the board, each sized by its needs there, coloured by whether it
    has a partner yet; a place without a point (nor one above it) is said in the note."""
    labels = {
        "cov-none": _("no partner yet"),
        "cov-all": _("has a partner"),
    }
    places, unplaced = {}, []
    for row in rows:
        place = row.need.locality
        if row.latitude is None:
            if place.name not in unplaced:
                unplaced.append(place.name)
            continue
        kind = "cov-all" if row.has_partner else "cov-none"
        count = places[place.pk][1] + 1 if place.pk in places else 1
        places[place.pk] = (row, count, kind)
    marks = [
        maps.Mark(
            key=row.need.locality_id,
            name=row.need.locality.name,
            kind=kind,
            kind_label=labels[kind],
            url=reverse("localities:detail", args=[row.need.locality.slug]),
            longitude=row.longitude,
            latitude=row.latitude,
            value=count,
            display=ngettext("%(n)s need on this page", "%(n)s needs on this page", count)
            % {"n": count},
            placed_by_parent=row.by_parent,
        )
        for row, count, kind in places.values()
    ]
    note = ""
    if unplaced:
        note = _("Not on the map (no place recorded): %(names)s.") % {"names": ", ".join(unplaced)}
    return maps.Map(
        id="map-needs",
        title=title or _("The places of this page's needs"),
        marks=marks,
        value_heading=_("Needs"),
        note=note,
        legend_kinds=("cov-none", "cov-all"),
    )


@require_safe
@cached_page(params=BOARD_PARAMETERS)
def board(request):
    areas = queries.areas()
    form = NeedsBoardForm(request.GET, areas=areas)
    filters = form.needs_filters()
    totals = reports.needs_totals(filters)
    page_obj = Paginator(range(totals.needs), NEEDS_PER_PAGE).get_page(request.GET.get("page"))
    first = max(page_obj.start_index() - 1, 0)
    rows = reports.needs_board(filters, first=first, count=NEEDS_PER_PAGE)
    coverage = reports.village_coverage()
    context = {
        "form": form,
        "filters": filters,
        "filters_active": any(request.GET.get(name) for name in BOARD_PARAMETERS[:-1]),
        "totals": totals,
        "rows": rows,
        "page_obj": page_obj,
        "needs_map": needs_map(rows),
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
        "needs_map": needs_map(
            [page.row], _("Where %(place)s is") % {"place": page.row.need.locality.name}
        ),
    }
    return render(request, "needs/need_detail.html", context)
