"""Reads shaped for screens: one function per screen decides what it loads.

Every public read starts from published agreements. The agreement page reads its activities and
their totals from the `activities` app (the one place its reverse dependency is taken: the page
shows what the agreement delivered).
"""

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from activities.models import Activity, ActivityStatus
from activities.reports import money_of, totals_by_type, unit_totals
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
    LegalDocument,
    Party,
)
from ketnghia.public import locality_search
from localities.models import LocalityKind

PAGE_SIZE = 20


def _cards(queryset):
    """Agreements as cards: their parties with their localities and how many activities they
    have. Two queries for a page (the page, then its parties)."""
    activity_count = (
        Activity.objects.filter(agreement=OuterRef("pk"))
        .order_by()
        .values("agreement")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(activity_count=Coalesce(Subquery(activity_count), 0)).prefetch_related(
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
        "areas": list(CommitmentArea.objects.only("name", "slug")),
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


def agreement_detail(slug):
    """An agreement's page: the agreement with everything it shows, in eleven queries whatever
    the number of parties, commitments, events, activities or photos. None for a draft or an
    unknown slug."""
    activities = Activity.objects.select_related(
        "activity_type", "giver", "recipient", "funder"
    ).order_by("starts_on", "id")
    queryset = Agreement.objects.published().prefetch_related(
        Prefetch("parties", queryset=Party.objects.select_related("locality")),
        Prefetch("legal_basis", queryset=LegalDocument.objects.order_by("issued_on", "number")),
        Prefetch(
            "commitments",
            queryset=Commitment.objects.select_related("area").order_by(
                "area__position", "area__name", "position", "id"
            ),
        ),
        "programmes",
        "events",
        Prefetch("activities", queryset=activities),
        "photos",
        "sources",
    )
    agreement = queryset.filter(slug=slug).first()
    if agreement is None:
        return None
    own_activities = Activity.objects.published().filter(agreement=agreement)
    activities = list(agreement.activities.all())
    photos = list(agreement.photos.all())
    return {
        "agreement": agreement,
        "is_ended": not agreement.is_in_force(timezone.localdate()),
        "parties": list(agreement.parties.all()),
        "commitments": list(agreement.commitments.all()),
        # Every activity is on the page already: counting the loaded rows costs no query.
        "activity_count": len(activities),
        "timeline": timeline(agreement.events.all(), activities),
        **_results(own_activities, ActivityStatus.DELIVERED, "delivered"),
        **_results(own_activities, ActivityStatus.PLEDGED, "pledged"),
        "photos": photos,
        "first_photo": photos[0] if photos else None,
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


def timeline(events, activities):
    """Events and activities in date order; on the same day, an event before what was given
    at it."""
    entries = [TimelineEntry(e.held_on, 0, event=e) for e in events]
    entries += [TimelineEntry(a.starts_on, 1, activity=a) for a in activities]
    return sorted(entries, key=lambda e: (e.when, e.order, (e.event or e.activity).pk))


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
