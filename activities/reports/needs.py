"""The needs board as the public reads it (/can-ket-nghia/, its open data): which needs are
shown, in which order, and what is counted of them.

- Shown: the needs still open and those taken up; never a withdrawn one. Most pressing first
  (urgent, high, normal), newest first among equals.
- An offer counts while it is not declined; its agreement or activity is named only once the
  agreement is published (a draft stays the staff's).
- "Without a partner": the place is not a party to an agreement in force today
  (rules.partners, the coverage page's definition).
- Every count is a number of needs (or of places with one), never a sum of their figures: a
  need's quantity and cost are what the place asks for, not what anyone gave.
"""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from activities.models import Need, NeedStatus, Offer, OfferStatus
from activities.reports import rules
from activities.reports.maps import point_of
from agreements.models import AgreementStatus
from localities import tree

# The statuses the public sees, and the one the board opens on.
PUBLIC_STATUSES = (NeedStatus.OPEN, NeedStatus.MET)


@dataclass(frozen=True)
class NeedsFilters:
    area: object = None  # a CommitmentArea
    locality: object = None  # a Locality: it, the units it succeeded and the units below them
    priority: int | None = None
    status: str = NeedStatus.OPEN  # NeedStatus.OPEN or MET; "" for both

    @property
    def key(self):
        """What tells one choice of filters from another, by ids (a figure kept under it)."""
        area, locality = self.area, self.locality
        return (area and area.pk, locality and locality.pk, self.priority, str(self.status))


@dataclass(frozen=True)
class NeedRow:
    need: Need
    offers: int  # offers not declined
    has_partner: bool  # the place is a party to an agreement in force today
    latitude: float | None = None
    longitude: float | None = None
    by_parent: bool = False  # placed at the unit it lies in


@dataclass(frozen=True)
class NeedsTotals:
    needs: int  # needs matching the filters
    places: int  # places with one of them
    urgent: int  # of them, urgent


def public_needs():
    """Every need the public may read (open data included)."""
    return Need.objects.filter(status__in=PUBLIC_STATUSES)


def all_public_needs(site_url=""):
    """Every need the public may read, as the open data lists them: newest first, with the
    number of offers not declined. One query, streamed."""
    for row in (
        public_needs()
        .annotate(n_offers=Count("offers", filter=~Q(offers__status=OfferStatus.DECLINED)))
        .order_by("-created_at", "-id")
        .values_list(
            "pk",
            "title",
            "locality__name",
            "locality__code",
            "locality__slug",
            "area__slug",
            "priority",
            "status",
            "activity_type__slug",
            "activity_type__unit",
            "quantity",
            "value_vnd",
            "created_at",
            "n_offers",
        )
        .iterator()
    ):
        pk, *values, created_at, offers = row
        yield (
            pk,
            *values,
            timezone.localdate(created_at),
            offers,
            f"{site_url}{reverse('needs:detail', args=[pk])}",
        )


def _matching(filters):
    """The needs matching `filters`: one query for a locality's units, none otherwise."""
    needs = public_needs()
    if filters.status:
        needs = needs.filter(status=filters.status)
    if filters.area is not None:
        needs = needs.filter(area=filters.area)
    if filters.priority is not None:
        needs = needs.filter(priority=filters.priority)
    if filters.locality is not None:
        here, _inherited = tree.area_ids(filters.locality)
        needs = needs.filter(locality_id__in=here)
    return needs


def needs_totals(filters):
    """The totals of the board's filters: one query (three with a locality)."""
    found = _matching(filters).aggregate(
        needs=Count("pk"),
        places=Count("locality", distinct=True),
        urgent=Count("pk", filter=Q(priority=1)),
    )
    return NeedsTotals(**found)


def _with_partner(locality_ids, today=None):
    """Those of `locality_ids` that are a party to an agreement in force today."""
    if not locality_ids:
        return set()
    a = rules.ask(rules.DashboardFilters(), today)
    rows = rules.partners(a).filter(locality_id__in=locality_ids)
    return set(rows.values_list("locality_id", flat=True))


def _offers_of(needs):
    """{need id: offers not declined} of `needs`: one query (none for no need)."""
    if not needs:
        return {}
    rows = (
        Offer.objects.filter(need__in=[need.pk for need in needs])
        .exclude(status=OfferStatus.DECLINED)
        .values("need_id")
        .annotate(n=Count("pk"))
        .values_list("need_id", "n")
    )
    return dict(rows)


def needs_board(filters, first=0, count=None, today=None):
    """The NeedRows of the board: `count` of them from the `first` (all by default), read in
    the board index's order. Three queries (four with a locality), whatever the number of
    needs."""
    needs = (
        _matching(filters)
        .select_related("locality__parent__parent", "area", "activity_type")
        .order_by("priority", "-created_at", "-id")
    )
    needs = list(needs[first : first + count] if count is not None else needs)
    offers = _offers_of(needs)
    partnered = _with_partner({need.locality_id for need in needs}, today)
    return [_row(need, offers.get(need.pk, 0), partnered) for need in needs]


def _row(need, offers, partnered):
    """The NeedRow of a need whose place is loaded with the two units above it."""
    latitude, longitude, by_parent = point_of(need.locality) or (None, None, False)
    return NeedRow(
        need=need,
        offers=offers,
        has_partner=need.locality_id in partnered,
        latitude=latitude,
        longitude=longitude,
        by_parent=by_parent,
    )


@dataclass(frozen=True)
class OfferShown:
    offer: Offer
    agreement: object = None  # the published agreement it became, or the one its activity is of
    activity: object = None  # the activity it became, when its agreement is published


@dataclass(frozen=True)
class NeedPage:
    row: NeedRow
    offers: list[OfferShown]


def need_page(pk, today=None):
    """A need the public may read, with its offers not declined; None when there is none.
    Three queries."""
    need = (
        public_needs()
        .select_related("locality__parent__parent", "area", "activity_type")
        .filter(pk=pk)
        .first()
    )
    if need is None:
        return None
    offers = (
        Offer.objects.filter(need=need)
        .exclude(status=OfferStatus.DECLINED)
        .select_related("party", "agreement", "activity__agreement", "activity__activity_type")
        .order_by("created_at", "id")
    )
    shown = []
    for offer in offers:
        agreement = offer.agreement
        activity = offer.activity
        if activity is not None:
            agreement = activity.agreement
        if agreement is not None and agreement.status != AgreementStatus.PUBLISHED:
            agreement, activity = None, None
        shown.append(OfferShown(offer=offer, agreement=agreement, activity=activity))
    row = _row(need, len(shown), _with_partner({need.locality_id}, today))
    return NeedPage(row=row, offers=shown)
