"""Reads shaped for the public locality page: one function decides everything it loads.

A locality's page covers the locality, the units it succeeded (a ward formed by the 2025 merger
and the communes merged into it) and the units below them (a commune and its villages; a
province, its communes and their villages): localities.tree.area_ids, as on its dashboard, so the
page runs the same queries however many units and agreements there are.
"""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import BooleanField, Case, Exists, F, OuterRef, Prefetch, Q, Value, When
from django.http import Http404
from django.utils import timezone

from activities import reports
from agreements.models import Agreement, AgreementStatus, Party, PartyRole
from localities import tree
from localities.models import Locality, Succession

AGREEMENTS_PER_PAGE = 20
# Fewer children than this are all listed; more are folded (a province's 135 communes).
CHILDREN_SHOWN_OPEN = 12


@dataclass
class LocalityPage:
    locality: Locality
    ancestors: list  # from the province down to the parent
    successors: list
    predecessors: list
    page_obj: object  # a page of agreements, each with .ours, .partners and .plan
    given: object  # reports.Side: what it (or a unit below it) gave, alone or jointly
    received: object  # reports.Side
    children_with_agreements: list
    other_children: list
    children_folded: bool
    partners_map: object  # reports.PartnerMap: it and its partners, placed


def locality_page(slug, page_number=None):
    """Everything the locality page shows: twelve queries whatever the data (nine without
    agreements). Raises Http404 for an unknown slug."""
    locality = tree.chain(slug=slug)
    if locality is None:
        raise Http404
    # The ids, read first (two queries): the database then plans every use with the list.
    here, inherited = tree.area_ids(locality)

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

    former = set(inherited)
    own = [pk for pk in here if pk not in former]
    page_obj = Paginator(_agreements(own, inherited), AGREEMENTS_PER_PAGE).get_page(page_number)
    year = timezone.localdate().year
    plans = reports.plans_of_year([a.pk for a in page_obj], year) if page_obj else {}
    for agreement in page_obj:
        agreement.plan = plans.get(agreement.pk)  # this year's approved plan, with its progress
        parties = list(agreement.parties.all())
        # The units below it that signed, and the locality itself where it only coordinates.
        agreement.ours = [
            p
            for p in parties
            if p.is_here and (p.locality_id != locality.pk or p.role == PartyRole.COORDINATOR)
        ]
        agreement.former = [p for p in parties if p.is_former]
        agreement.partners = [p for p in parties if not (p.is_here or p.is_former)]

    given, received = reports.given_and_received(locality)

    children = list(
        locality.children.annotate(
            has_agreements=Case(
                When(
                    tree.and_above(
                        Party.objects.filter(
                            agreement__status=AgreementStatus.PUBLISHED, locality__in=here
                        ).values("locality_id")
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
        ancestors=tree.ancestors(locality),
        successors=successors,
        predecessors=predecessors,
        page_obj=page_obj,
        given=given,
        received=received,
        children_with_agreements=with_agreements,
        other_children=others,
        children_folded=len(children) > CHILDREN_SHOWN_OPEN and bool(others),
        partners_map=reports.locality_map(locality, here),
    )


def _agreements(here, former):
    """Published agreements of the locality or a unit below it (`here`), then those of the
    units it took over from and the units below them (`former`: a ward formed in 2025 shows
    the former commune's agreements), newest first."""
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
        .only("title", "title_en", "slug", "signed_on", "signed_at_place", "ended_on")
        .order_by("-is_local", "-signed_on", "-pk")
        .prefetch_related(Prefetch("parties", queryset=parties))
    )
