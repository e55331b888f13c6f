"""What is counted (docs/counting.md, "What is counted"): the agreements and activities a
question picks, the period, "in force", "a locality with a partner", who gave and who received.

Nothing here sums anything: the figures (dashboards.py) read these rules, from the summary rows
or from the activities, so that every page counts the same things.
"""

import datetime
from dataclasses import dataclass, replace

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from activities.models import Activity, ActivityStatus, AgreementDates
from agreements.models import (
    Agreement,
    AgreementStatus,
    Commitment,
    CommitmentArea,
    Party,
    PartyRole,
    in_force_condition,
)
from localities import tree
from localities.models import Locality, LocalityKind


@dataclass(frozen=True)
class DashboardFilters:
    year_from: int | None = None  # inclusive
    year_to: int | None = None  # inclusive
    # This unit, the units it succeeded, and every unit below them (a commune's villages).
    locality: Locality | None = None
    party_kind: str = ""  # a LocalityKind value: agreements with a party of this kind
    area: CommitmentArea | None = None  # agreements with a commitment in this area
    status: str = ActivityStatus.DELIVERED  # "pledged" or "delivered": never added together
    include_drafts: bool = False  # signed-in staff; the public sees published data only
    # With include_drafts: the staff scope (localities.scopes) whose drafts count; None for every
    # draft (province staff).
    drafts_scope: object = None


@dataclass(frozen=True)
class Ask:
    """One question, resolved once: the units the locality covers (ids, read in one query so
    that every later query uses the indexes), those of them it inherited, the end of the
    period, and today."""

    filters: DashboardFilters
    today: datetime.date
    end: datetime.date
    here: list[int] | None  # the locality's units; None: everywhere
    inherited: list[int]  # those of `here` that are units it succeeded, or below them
    drafts: list[int] | None = None  # the drafts in a staff scope's charge (read once)


def ask(filters, today=None):
    today = today or timezone.localdate()
    here, inherited, drafts = None, [], None
    if filters.locality is not None:
        here, inherited = tree.area_ids(filters.locality)
    if filters.include_drafts and filters.drafts_scope is not None:
        # Few, and read by most sections: their ids once, rather than the scope's joins each
        # time.
        drafts = Agreement.objects.filter(status=AgreementStatus.DRAFT)
        scope = filters.drafts_scope
        if not scope.is_whole:
            # Agreement.objects.within(scope), with the scope's units by their ids first (a
            # commune and its villages): their parties are then found through their index,
            # not by walking up from the party of every draft of the country.
            drafts = drafts.filter(
                pk__in=Party.objects.filter(locality__in=tree.subtree_ids(*scope.roots)).values(
                    "agreement_id"
                )
            )
        drafts = list(drafts.values_list("pk", flat=True))
    return Ask(
        filters=filters,
        today=today,
        end=period_end(filters, today),
        here=here,
        inherited=inherited,
        drafts=drafts,
    )


def period_end(filters, today):
    """The day agreements are "in force" on: 31/12 of year_to, or today when no year is chosen
    or year_to is this year or later."""
    if filters.year_to is None or filters.year_to >= today.year:
        return today
    return datetime.date(filters.year_to, 12, 31)


# --- agreements --------------------------------------------------------------------------------


def visible(a, published, agreement="pk"):
    """Q: the agreement is published, or is a draft the reader may see (signed-in staff: every
    draft for province staff, those in their charge for the staff of a unit). `published`
    is the condition "published" on the rows filtered, `agreement` the path to the
    agreement's id."""
    if not a.filters.include_drafts:
        return published
    if a.filters.drafts_scope is None:
        return Q()
    return published | Q(**{f"{agreement}__in": a.drafts})


def visible_agreements(a):
    """Published agreements, and the drafts the reader may see (visible)."""
    return Agreement.objects.filter(visible(a, Q(status=AgreementStatus.PUBLISHED)))


def counted_agreements(a, agreements=None):
    """The agreements the question picks, each once (subqueries, never joins): visible, with a
    party (signing or coordinating) among the locality's units, with a party of the chosen
    kind, with a commitment in the chosen area. `agreements`: another set to pick from."""
    filters = a.filters
    if agreements is None:
        agreements = visible_agreements(a)
    if a.here is not None:
        agreements = agreements.filter(
            pk__in=Party.objects.filter(tree.below("locality", a.here)).values("agreement_id")
        )
    if filters.party_kind:
        agreements = agreements.filter(
            pk__in=Party.objects.filter(locality__kind=filters.party_kind).values("agreement_id")
        )
    if filters.area is not None:
        agreements = agreements.filter(
            pk__in=Commitment.objects.filter(area=filters.area).values("agreement_id")
        )
    return agreements


def counted_drafts(a):
    """The counted agreements that are drafts in the reader's charge (a staff scope)."""
    return counted_agreements(a, Agreement.objects.filter(pk__in=a.drafts))


def listed(a, prefix=""):
    """The agreements listed as pairs: signed by the end of the period and not ended before
    its start (in force at some time in the chosen years; with none chosen, every one signed
    by today)."""
    condition = Q(**{f"{prefix}signed_on__lte": a.end})
    if a.filters.year_from is not None:
        condition &= Q(**{f"{prefix}ended_on__isnull": True}) | Q(
            **{f"{prefix}ended_on__gte": datetime.date(a.filters.year_from, 1, 1)}
        )
    return condition


def counted_dates(a):
    """The AgreementDates rows (each party and area of an agreement, with its dates) of the
    agreements the question counts (counted_agreements), for the locality's parties only if it
    has one: the dates decide the rest (in force, listed)."""
    filters = a.filters
    rows = AgreementDates.objects.all()
    if filters.party_kind or filters.area is not None:
        return rows.filter(agreement__in=counted_agreements(a))
    rows = rows.filter(visible(a, Q(published=True), agreement="agreement"))
    if a.here is not None:
        rows = rows.filter(
            agreement__in=Party.objects.filter(tree.below("locality", a.here)).values(
                "agreement_id"
            )
        )
    return rows


def partners(a):
    """The parties (signing or coordinating) of the counted agreements in force at the end of
    the period, as AgreementDates rows: their localities are the localities with a partner.
    The one definition, on every page."""
    return counted_dates(a).filter(in_force_condition(a.end), locality__isnull=False)


def partnered(a):
    """The ids of the localities with a partner (partners)."""
    return partners(a).values("locality_id")


def minority_villages(prefix=""):
    """The ethnic-minority villages that exist today (Plan 43/KH-UBND's targets); `prefix`
    reaches the locality from another model ("locality__")."""
    return Q(
        **{
            f"{prefix}kind": LocalityKind.VILLAGE,
            f"{prefix}is_ethnic_minority_area": True,
            f"{prefix}dissolved_on__isnull": True,
        }
    )


# --- activities --------------------------------------------------------------------------------


def in_period(filters, prefix=""):
    """Activities whose whole date or period lies within the chosen years."""
    condition = Q()
    if filters.year_from is not None:
        condition &= Q(**{f"{prefix}starts_on__gte": datetime.date(filters.year_from, 1, 1)})
    if filters.year_to is not None:
        last_day = datetime.date(filters.year_to, 12, 31)
        condition &= Q(**{f"{prefix}ends_on__lte": last_day}) | Q(
            **{f"{prefix}ends_on__isnull": True, f"{prefix}starts_on__lte": last_day}
        )
    return condition


def cut_by_period(filters):
    """Figures over a period that the chosen years cut: they overlap the years without lying
    within them. Only a figure over a period can be cut; it is counted nowhere."""
    if filters.year_from is None and filters.year_to is None:
        return Q(pk__in=[])
    overlaps = Q(ends_on__isnull=False)
    if filters.year_from is not None:
        overlaps &= Q(ends_on__gte=datetime.date(filters.year_from, 1, 1))
    if filters.year_to is not None:
        overlaps &= Q(starts_on__lte=datetime.date(filters.year_to, 12, 31))
    return overlaps & ~in_period(filters)


def counted_activities(a):
    """The activities counted: of the counted agreements, of the chosen status, within the
    chosen years."""
    return Activity.objects.filter(
        in_period(a.filters), agreement__in=counted_agreements(a), status=a.filters.status
    )


def joint_giver_in(ids):
    """Activities with no named giver whose signing parties, other than the recipient, include
    one of `ids`: given jointly, they are each such party's own (agreements.parties)."""
    givers = Party.objects.filter(
        tree.below("locality", ids), agreement=OuterRef("agreement_id"), role=PartyRole.PARTY
    ).exclude(locality_id=Coalesce(OuterRef("recipient_id"), 0))
    return Q(giver__isnull=True) & Exists(givers)


def given_by(a):
    """(named, joint): the activities the locality or a unit below it gave itself, and those
    it gave jointly with the other signing parties, under any agreement the other filters
    match (a village gives under its commune's agreement). Apart, so that each reads its own
    index: the giver's, and the agreements'."""
    anywhere = of_any_agreement(a)
    signed_here = Party.objects.filter(tree.below("locality", a.here), role=PartyRole.PARTY).values(
        "agreement_id"
    )
    joint = anywhere.filter(joint_giver_in(a.here), giver__isnull=True, agreement__in=signed_here)
    return anywhere.filter(giver__in=a.here), joint


def received_by(a):
    return of_any_agreement(a).filter(recipient__in=a.here)


def of_any_agreement(a):
    """The activities of the agreements every filter but the locality picks, in the period."""
    anywhere = replace(a, here=None, inherited=[])
    return Activity.objects.filter(
        in_period(a.filters), agreement__in=counted_agreements(anywhere), status=a.filters.status
    )
