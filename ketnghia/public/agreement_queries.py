"""Reads shaped for screens: one function per screen decides what it loads.

Every public read starts from published agreements. The agreement page reads its activities and
their totals from the `activities` app (the one place its reverse dependency is taken: the page
shows what the agreement delivered).
"""

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from activities.models import Activity, ActivityStatus
from activities.reports import (
    agreement_map,
    money_of,
    public_awards,
    public_plans,
    totals_by_type,
    unit_totals,
)
from agreements.filters import (
    DEFAULT_SORT,
    SORT_CHOICES,
    SORT_ORDER,
    STATUS_CHOICES,
    AgreementFilter,
)
from agreements.models import (
    Agreement,
    Commitment,
    CommitmentArea,
    Event,
    LegalDocument,
    Party,
)
from ketnghia.public import locality_search
from localities.models import LocalityKind

PAGE_SIZE = 20
# Entries of an agreement's timeline a page: its page stays under 150 KB whatever the agreement.
TIMELINE_PAGE_SIZE = 100


def _cards(queryset):
    """Agreements as cards: their parties with their localities and how many activities they
    have. Two queries for a page (the page, then its parties)."""
    return queryset.annotate(activity_count=_count(Activity)).prefetch_related(
        Prefetch(
            "parties",
            queryset=Party.objects.select_related("locality").only(
                "agreement_id",
                "role",
                "position",
                "locality__name",
                "locality__slug",
                "locality__kind",
            ),
        )
    )


def _page(queryset, number):
    """A page of cards: a page number that is not one gives the first page, one past the end
    the last."""
    return Paginator(_cards(queryset), PAGE_SIZE).get_page(number)


def agreement_list(params):
    """The list page: the filtered, sorted page of agreements and the filter form's choices.

    `params`: the address's QueryDict. Its `locality` is a slug or words of a name
    (locality_search): the filter applies the one locality they name, none when they name
    several (listed at the field to choose from) or none.

    Five queries: count, page, parties of the page, areas, years; one more when a locality is
    named.
    """
    choice = locality_search.resolve(params.getlist("locality"))
    params = params.copy()
    if choice.locality is not None:
        params["locality"] = choice.locality.slug
    else:
        params.pop("locality", None)
    filterset = AgreementFilter(params)
    page_obj = _page(filterset.qs, params.get("page"))
    years = [d.year for d in Agreement.objects.published().dates("signed_on", "year", order="DESC")]
    return {
        "filterset": filterset,
        "page_obj": page_obj,
        "locality_choice": choice,
        "areas": list(CommitmentArea.objects.only("name", "name_en", "slug")),
        "kinds": LocalityKind.choices,
        "years": years,
        "statuses": STATUS_CHOICES,
        "sorts": SORT_CHOICES,
    }


@dataclass(frozen=True)
class TimelineEntry:
    """An event or an activity on the agreement's timeline."""

    when: date
    order: int
    event: object = None
    activity: object = None


def _count(model):
    """How many rows of `model` the agreement in the outer query has, as a subquery."""
    rows = model.objects.filter(agreement=OuterRef("pk")).order_by().values("agreement")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)


def agreement_detail(slug, page_number=None):
    """An agreement's page: the agreement with everything it shows and a page of its timeline,
    in sixteen queries whatever the number of parties, commitments, events, activities,
    photos or awards. None for a draft or an unknown slug."""
    queryset = (
        Agreement.objects.published()
        .annotate(event_count=_count(Event), activity_count=_count(Activity))
        .prefetch_related(
            Prefetch("parties", queryset=Party.objects.select_related("locality")),
            Prefetch("legal_basis", queryset=LegalDocument.objects.order_by("issued_on", "number")),
            Prefetch(
                "commitments",
                queryset=Commitment.objects.select_related("area").order_by(
                    "area__position", "area__name", "position", "id"
                ),
            ),
            "programmes",
            "photos",
            "sources",
        )
    )
    agreement = queryset.filter(slug=slug).first()
    if agreement is None:
        return None
    own_activities = Activity.objects.published().filter(agreement=agreement)
    photos = list(agreement.photos.all())
    return {
        "agreement": agreement,
        "is_ended": not agreement.is_in_force(timezone.localdate()),
        "parties": list(agreement.parties.all()),
        "commitments": list(agreement.commitments.all()),
        "activity_count": agreement.activity_count,
        "timeline": Paginator(Timeline(agreement), TIMELINE_PAGE_SIZE).get_page(page_number),
        **_results(own_activities, ActivityStatus.DELIVERED, "delivered"),
        **_results(own_activities, ActivityStatus.PLEDGED, "pledged"),
        "photos": photos,
        "first_photo": photos[0] if photos else None,
        "plans": public_plans(agreement),
        "awards": public_awards(agreement),
        "parties_map": agreement_map(agreement),
    }


def _results(activities, status, name):
    """The results table of a status: by type, then its total row (the money, the quantities
    by unit). One query."""
    by_type = totals_by_type(activities, status)
    return {
        f"{name}_totals": by_type,
        f"{name}_money": money_of(by_type),
        f"{name}_units": unit_totals(by_type),
    }


class Timeline:
    """An agreement's events and activities in date order, for a Paginator; on the same day, an
    event before what was given at it.

    Its length comes from the counts read with the agreement (`_count`): paging it costs no
    count query. A slice costs three: the keys of its entries, then its events and its
    activities (none for a kind the slice does not hold).
    """

    def __init__(self, agreement):
        self.agreement = agreement

    def __len__(self):
        return self.agreement.event_count + self.agreement.activity_count

    def __getitem__(self, window):
        events = self.agreement.events.order_by().annotate(
            when=F("held_on"), order=Value(0), key=F("pk")
        )
        activities = self.agreement.activities.order_by().annotate(
            when=F("starts_on"), order=Value(1), key=F("pk")
        )
        keys = list(
            events.values_list("when", "order", "key")
            .union(activities.values_list("when", "order", "key"), all=True)
            .order_by("when", "order", "key")[window]
        )
        events = Event.objects.in_bulk([key for _, order, key in keys if order == 0])
        activities = Activity.objects.select_related(
            "activity_type", "giver", "recipient", "funder"
        ).in_bulk([key for _, order, key in keys if order == 1])
        return [
            TimelineEntry(when, 0, event=events[key])
            if order == 0
            else TimelineEntry(when, 1, activity=activities[key])
            for when, order, key in keys
        ]


def legal_document_detail(slug, page_number):
    """A legal document and a page of the published agreements signed under it: four queries
    (document, count, page, parties). None for an unknown slug."""
    document = LegalDocument.objects.filter(slug=slug).first()
    if document is None:
        return None
    agreements = (
        Agreement.objects.published()
        .filter(legal_basis=document)
        .order_by(*SORT_ORDER[DEFAULT_SORT])
    )
    return {"document": document, "page_obj": _page(agreements, page_number)}
