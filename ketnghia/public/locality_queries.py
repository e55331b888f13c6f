"""Reads shaped for the public locality page: one function decides everything it loads.

A locality's page covers the locality and the units below it (a commune and its villages; a
province, its communes and their villages). "Below" follows the parent chain down to
DESCENDANT_DEPTH levels (activities.reports.subtree_ids), so the page runs the same queries
however many units and agreements there are.
"""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import BooleanField, Case, Exists, F, OuterRef, Prefetch, Q, Value, When
from django.shortcuts import get_object_or_404

from activities import reports
from activities.models import Activity, ActivityStatus
from agreements.models import Agreement, AgreementStatus, Party, PartyRole
from ketnghia.public.dashboard_queries import ancestors, parties_and_above
from localities.models import Locality, Succession

# province → district-level unit (until 2025) → commune → village: three levels below a province.
DESCENDANT_DEPTH = 3
# One more than the deepest chain, so the breadcrumbs never need a query of their own.
ANCESTOR_DEPTH = DESCENDANT_DEPTH + 1
AGREEMENTS_PER_PAGE = 20
# Fewer children than this are all listed; more are folded (a province's 135 communes).
CHILDREN_SHOWN_OPEN = 12


@dataclass
class LocalityPage:
    locality: Locality
    ancestors: list  # from the province down to the parent
    successors: list
    predecessors: list
    page_obj: object  # a page of agreements, each with .ours and .partners
    given: list
    received: list
    joint: list
    children_with_agreements: list
    other_children: list
    children_folded: bool


def locality_page(slug, page_number=None):
    """Everything the locality page shows: ten queries whatever the data (nine without
    agreements). Raises Http404 for an unknown slug."""
    locality = get_object_or_404(
        Locality.objects.select_related("__".join(["parent"] * ANCESTOR_DEPTH)), slug=slug
    )
    # The ids, read first (one query): the database then plans every use with the list.
    here = reports.subtree_ids(locality.pk)

    successors, predecessors = [], []
    for succession in (
        Succession.objects.filter(Q(predecessor=locality) | Q(successor=locality))
        .select_related("predecessor", "successor")
        .order_by("predecessor__search_key", "successor__search_key", "pk")
    ):
        if succession.predecessor_id == locality.pk:
            successors.append(succession.successor)
        else:
            predecessors.append(succession.predecessor)

    page_obj = Paginator(_agreements(here, locality), AGREEMENTS_PER_PAGE).get_page(page_number)
    for agreement in page_obj:
        parties = list(agreement.parties.all())
        # The units below it that signed, and the locality itself where it only coordinates.
        agreement.ours = [
            p
            for p in parties
            if p.is_here and (p.locality_id != locality.pk or p.role == PartyRole.COORDINATOR)
        ]
        agreement.former = [p for p in parties if p.is_former]
        agreement.partners = [p for p in parties if not (p.is_here or p.is_former)]

    published = Activity.objects.published()
    delivered = ActivityStatus.DELIVERED
    given = reports.totals_by_type(published.filter(giver__in=here), delivered)
    received = reports.totals_by_type(published.filter(recipient__in=here), delivered)
    # What its agreements delivered where the source names no giver ("the two sides together").
    its_agreements = Party.objects.filter(locality__in=here).values("agreement_id")
    joint = reports.totals_by_type(
        published.filter(giver__isnull=True, agreement__in=its_agreements), delivered
    )

    children = list(
        locality.children.annotate(
            has_agreements=Case(
                When(
                    parties_and_above(
                        Party.objects.filter(
                            agreement__status=AgreementStatus.PUBLISHED, locality__in=here
                        ),
                        DESCENDANT_DEPTH + 1,
                    ),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .only("name", "slug", "kind", "parent_id", "dissolved_on", "is_ethnic_minority_area")
        .order_by("-has_agreements", F("dissolved_on").asc(nulls_first=True), "search_key", "pk")
    )
    with_agreements = [c for c in children if c.has_agreements]
    others = [c for c in children if not c.has_agreements]

    return LocalityPage(
        locality=locality,
        ancestors=ancestors(locality),
        successors=successors,
        predecessors=predecessors,
        page_obj=page_obj,
        given=given,
        received=received,
        joint=joint,
        children_with_agreements=with_agreements,
        other_children=others,
        children_folded=len(children) > CHILDREN_SHOWN_OPEN and bool(others),
    )


def _agreements(here, locality):
    """Published agreements of the locality or a unit below it, then those of the units it took
    over from (a ward formed in 2025 shows the former city's agreements), newest first."""
    former = Succession.objects.filter(successor=locality).values("predecessor_id")
    party_here = Case(
        When(locality__in=here, then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    party_former = Case(
        When(locality__in=former, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    parties = (
        Party.objects.select_related("locality")
        .only(
            "agreement_id",
            "role",
            "position",
            "locality__name",
            "locality__slug",
            "locality__kind",
            "locality__dissolved_on",
        )
        .annotate(is_here=party_here, is_former=party_former)
        .order_by("position", "pk")
    )
    return (
        Agreement.objects.published()
        .annotate(
            is_local=Exists(Party.objects.filter(agreement=OuterRef("pk"), locality__in=here)),
            is_inherited=Exists(
                Party.objects.filter(agreement=OuterRef("pk"), locality__in=former)
            ),
        )
        .filter(Q(is_local=True) | Q(is_inherited=True))
        .only("title", "slug", "signed_on", "signed_at_place", "ended_on")
        .order_by("-is_local", "-signed_on", "-pk")
        .prefetch_related(Prefetch("parties", queryset=parties))
    )
