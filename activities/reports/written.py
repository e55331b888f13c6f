"""What a written report (báo cáo năm, sơ kết, tổng kết) says of a scope and a period: the
agreements and their parties, the results by type, year and commitment area, the plans'
targets against what was done, the meetings held, the main works, the awards, the photos and
the sources (ketnghia.written lays them out as .docx and PDF).

The figures are the dashboards' own: a locality's or the province's report reads its results
from dashboard() and locality_dashboard() with the same filters; an agreement's from its
activities under the same rules (rules.in_period, totals.py), which is how its page counts
them. Delivered and pledged are never added together. A fixed number of queries, whatever
the data; the lists are cut at LISTED rows, each saying how many there are.
"""

from dataclasses import dataclass, replace

from django.conf import settings
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from activities.models import Activity, ActivityStatus, Award, Meeting, Plan, PlanStatus
from activities.reports import rules
from activities.reports.dashboards import (
    AreaBar,
    LeftOut,
    Pair,
    dashboard,
    locality_dashboard,
    year_bars,
)
from activities.reports.plans import progress_of
from activities.reports.rules import DashboardFilters
from activities.reports.totals import NO_MONEY, measures, money, money_of, totals_by_type
from agreements.models import (
    Agreement,
    AgreementStatus,
    Commitment,
    CommitmentArea,
    LegalDocument,
    Party,
    PartyRole,
    Photo,
    Source,
)

LISTED = 50  # rows of a list (agreements, meetings, works, awards, sources) at most


class Scope:
    AGREEMENT = "agreement"
    LOCALITY = "locality"
    PROVINCE = "province"


@dataclass(frozen=True)
class Listed:
    """The first LISTED rows of a list, and how many there are in all."""

    rows: list
    total: int

    @property
    def more(self):
        return self.total - len(self.rows)


@dataclass(frozen=True)
class Results:
    """What the scope's agreements delivered, or pledged, in the period."""

    status: str
    by_type: list  # [TypeTotal]
    money: object  # MoneyTotal
    by_year: list  # [YearBar]
    by_area: list  # [AreaBar]
    left_out: LeftOut  # figures over a period the chosen years cut: in no total


@dataclass(frozen=True)
class AreaWords:
    """A commitment area of an agreement: what the parties committed to in it."""

    area: CommitmentArea
    words: list[str]


@dataclass(frozen=True)
class Content:
    scope: str  # Scope
    agreement: Agreement | None
    locality: object  # Locality | None
    year_from: int | None  # None: from the signing
    year_to: int
    agreements: Listed  # [Pair], latest signed first
    has_drafts: bool  # a counted figure or a listed agreement is a draft (staff only)
    legal_basis: list  # [LegalDocument]
    commitments: list  # [AreaWords]: an agreement's report only
    delivered: Results
    pledged: Results
    plans: list  # [PlanProgress] of the period, the earliest year first
    meetings: Listed  # [Meeting]
    works: Listed  # [Activity] of the types that are works (houses, roads, water works)
    awards: Listed  # [Award] decided in the period
    photos: list  # [Photo], at most settings.REPORT_PHOTOS
    sources: Listed  # [Source]

    @property
    def first_year(self):
        """The first year the report covers: the chosen one, or the year of the signing."""
        if self.year_from is not None:
            return self.year_from
        if self.agreement is not None and self.agreement.signed_on:
            return self.agreement.signed_on.year
        return None


def _filters(scope, locality, year_from, year_to, status, include_drafts, drafts_scope):
    return DashboardFilters(
        year_from=year_from,
        year_to=year_to,
        locality=locality if scope == Scope.LOCALITY else None,
        status=status,
        include_drafts=include_drafts,
        drafts_scope=drafts_scope,
    )


def _dashboard_results(scope, filters, today):
    if scope == Scope.LOCALITY:
        board = locality_dashboard(filters.locality, filters, today)
    else:
        board = dashboard(filters, today)
    return board, Results(
        status=filters.status,
        by_type=board.by_type,
        money=board.money,
        by_year=board.by_year,
        by_area=board.by_area,
        left_out=board.left_out,
    )


def _agreement_results(agreement, filters):
    """An agreement's results, as its page and the dashboards count them: the activities of
    the status wholly within the years; those the years cut are apart. Three queries."""
    activities = Activity.objects.filter(agreement=agreement, status=filters.status)
    within = activities.filter(rules.in_period(filters))
    by_type = totals_by_type(within, filters.status)
    rows = (
        within.annotate(
            first_year=ExtractYear("starts_on"),
            last_year=Coalesce(ExtractYear("ends_on"), ExtractYear("starts_on")),
        )
        .order_by()
        .values("first_year", "last_year")
        .annotate(**measures())
    )
    cut = activities.filter(rules.cut_by_period(filters)).aggregate(**measures())
    areas = _agreement_areas(agreement, within)
    return Results(
        status=filters.status,
        by_type=by_type,
        money=money_of(by_type),
        by_year=year_bars(rows),
        by_area=areas,
        left_out=LeftOut(activities=cut["n"] or 0, money=money(cut)),
    )


def _agreement_areas(agreement, within):
    """AreaBars of an agreement's commitment areas: the value of its activities linked to a
    plan item of the area (an activity under no plan item is in no area). One query."""
    linked = {
        row["plan_item__area"]: row
        for row in within.filter(plan_item__isnull=False)
        .order_by()
        .values("plan_item__area")
        .annotate(**measures())
    }
    areas = CommitmentArea.objects.filter(commitments__agreement=agreement).distinct()
    return [
        AreaBar(
            area=area,
            agreements=1,
            money=money(linked[area.pk]) if area.pk in linked else NO_MONEY,
        )
        for area in areas.order_by("position", "name")
    ]


def _listed(queryset):
    rows = list(queryset[: LISTED + 1])
    if len(rows) <= LISTED:
        return Listed(rows, len(rows))
    return Listed(rows[:LISTED], queryset.count())


def _in_years(field, year_from, year_to):
    condition = Q(**{f"{field}__year__lte": year_to})
    if year_from is not None:
        condition &= Q(**{f"{field}__year__gte": year_from})
    return condition


def content(
    scope,
    *,
    agreement=None,
    locality=None,
    year_from=None,
    year_to,
    include_drafts=False,
    drafts_scope=None,
    today=None,
):
    """The content of a report on one agreement, one locality (with the units below it and
    those it succeeded) or the province, over the years from `year_from` (None: since the
    signing) to `year_to`, inclusive. `include_drafts`: a staff report, which counts the
    drafts in `drafts_scope` (None: every draft) and marks them; an agreement's report may be
    a draft's only then."""
    today = today or timezone.localdate()
    if scope == Scope.AGREEMENT and agreement is None:
        raise ValueError("An agreement's report needs its agreement.")
    if scope == Scope.LOCALITY and locality is None:
        raise ValueError("A locality's report needs its locality.")
    delivered_filters = _filters(
        scope,
        locality,
        year_from,
        year_to,
        ActivityStatus.DELIVERED,
        include_drafts,
        drafts_scope,
    )
    pledged_filters = replace(delivered_filters, status=ActivityStatus.PLEDGED)
    if scope == Scope.AGREEMENT:
        agreements = Agreement.objects.filter(pk=agreement.pk)
        delivered = _agreement_results(agreement, delivered_filters)
        pledged = _agreement_results(agreement, pledged_filters)
        listed = Listed([_pair(agreement)], 1)
        has_drafts = agreement.status == AgreementStatus.DRAFT
        commitments = _commitments(agreement)
    else:
        board, delivered = _dashboard_results(scope, delivered_filters, today)
        _, pledged = _dashboard_results(scope, pledged_filters, today)
        agreements = rules.counted_agreements(rules.ask(delivered_filters, today))
        listed = Listed(board.pairs, board.pairs_count)
        has_drafts = board.has_drafts or any(
            p.agreement.status == AgreementStatus.DRAFT for p in board.pairs
        )
        commitments = []
    ids = agreements.values("pk")
    return Content(
        scope=scope,
        agreement=agreement,
        locality=locality,
        year_from=year_from,
        year_to=year_to,
        agreements=listed,
        has_drafts=has_drafts,
        legal_basis=list(
            LegalDocument.objects.filter(agreements__in=ids).distinct().order_by("issued_on")
        ),
        commitments=commitments,
        delivered=delivered,
        pledged=pledged,
        plans=_plans(ids, year_from, year_to, today),
        meetings=_listed(
            Meeting.objects.filter(_in_years("held_on", year_from, year_to), agreement__in=ids)
            .select_related("agreement")
            .annotate(decisions=Count("follow_ups"))
            .order_by("held_on", "pk")
        ),
        works=_listed(
            Activity.objects.filter(
                rules.in_period(delivered_filters),
                agreement__in=ids,
                status=ActivityStatus.DELIVERED,
                activity_type__is_work=True,
            )
            .select_related("activity_type", "agreement", "recipient")
            .order_by("starts_on", "pk")
        ),
        awards=_listed(
            Award.objects.filter(agreement__in=ids)
            .filter(_in_years("decided_on", year_from, year_to) | _undated_in(year_from, year_to))
            .select_related("agreement")
            .prefetch_related("recipients__locality")
            .order_by("decided_on", "pk")
        ),
        photos=list(
            Photo.objects.filter(agreement__in=ids, is_placeholder=False)
            .filter(_photos_in(year_from, year_to))
            .select_related("event")
            .order_by(F("event__held_on").asc(nulls_last=True), "position", "pk")[
                : settings.REPORT_PHOTOS
            ]
        ),
        sources=_listed(
            Source.objects.filter(agreement__in=ids)
            .filter(_in_years("published_on", year_from, year_to) | Q(published_on__isnull=True))
            .order_by("published_on", "pk")
            .distinct()
        ),
    )


def _undated_in(year_from, year_to):
    """An award without a date is of the period its achievement is for, when that ends in the
    years."""
    condition = Q(decided_on__isnull=True, period_to__lte=year_to)
    if year_from is not None:
        condition &= Q(period_to__gte=year_from)
    return condition


def _photos_in(year_from, year_to):
    """Photos of an event in the years; those of no event (undated) in a report since the
    signing only, not in every year's."""
    condition = _in_years("event__held_on", year_from, year_to)
    if year_from is None:
        condition |= Q(event__isnull=True)
    return condition


def _pair(agreement):
    parties = list(Party.objects.filter(agreement=agreement).select_related("locality"))
    return Pair(
        agreement=agreement,
        parties=[p.locality for p in parties if p.role == PartyRole.PARTY],
        coordinators=[p.locality for p in parties if p.role == PartyRole.COORDINATOR],
    )


def _commitments(agreement):
    by_area = {}
    for commitment in (
        Commitment.objects.filter(agreement=agreement)
        .select_related("area")
        .order_by("area__position", "area__name", "position", "pk")
    ):
        if commitment.text.strip():
            by_area.setdefault(commitment.area, []).append(commitment.text.strip())
    return [AreaWords(area, words) for area, words in by_area.items()]


def _plans(agreements, year_from, year_to, today):
    """The approved plans of the period, with their progress (plans.py), the earliest first."""
    plans = Plan.objects.filter(
        agreement__in=agreements, status=PlanStatus.APPROVED, year__lte=year_to
    )
    if year_from is not None:
        plans = plans.filter(year__gte=year_from)
    return sorted(progress_of(plans, today), key=lambda p: (p.plan.year, p.plan.agreement_id))
