"""Every total shown anywhere — public pages, dashboards, exports — comes from these functions.

A reported figure carries a qualifier ("hơn 500 triệu", "gần 15.000 ngày công"); a total built
from such figures says so: exact figures only → exact; exact and "over" → over; exact and
"nearly" → nearly; any other mix → about. A part whose figure was not reported (gifts "worth
over 100 million" with no count) makes the known sum a lower bound: it counts as "over".
Pledged and delivered figures are never added together.
Each function runs a fixed number of queries, whatever the amount of data.

The dashboards (issue 4; the contract is shared with the pages): `dashboard`,
`locality_dashboard` and `coverage` below. What they count:

- Agreements counted: published ones (drafts too for staff), with a party (signing or
  coordinating) that is the chosen locality or lies up to three levels below it, with a party
  (signing or coordinating) of the chosen kind, with a commitment in the chosen area.
- Activities counted: those of the counted agreements, of the chosen status, whose whole date or
  period lies within the chosen years. A figure over a period the years cut (20 years to 2023,
  when 2010–2015 is chosen) is counted nowhere but in `left_out`: it cannot be split honestly.
  A figure over several months of one year is a single year's.
- The end of the period: 31 December of the last year chosen, or today when none is chosen or
  it is this year or later. Agreements "in force" are those signed by then and not ended then
  (an agreement ending on that day is still in force; one without a signing date is not).
- Pairs ("who twins with whom") and pairs_count: the counted agreements signed by the end of
  the period and not ended before its first day; with no years chosen, every one signed by
  today, ended ones included (the page can mark them by `agreement.ended_on`).
- By area: each area in the catalogue's order, zeros included; an agreement counts once in each
  area it has commitments in, however many, and its activities' money with it.
- Top givers and recipients: the units named on the activities, not rolled up to their
  commune; activities without a giver (the parties together) are in no giver's line.
- A locality's `given`/`received`: what the locality or a unit below it gave or received under
  any agreement the other filters match, even one it is not a party to (a village receives
  under its commune's agreement).
- Anniversaries: every 5 years from the signing, for counted agreements in force today, from
  today to the day before the same date next year (from 29 February: to 28 February); an
  agreement signed on 29 February has its anniversary on 28 February in other years. Programmes
  ending: those of counted agreements ending in the same 12 months. At most 100 of each,
  soonest first.
- has_drafts: a draft is among the pairs or has an activity counted (staff only).

At national scale the activity figures come from summary rows (activities.summaries, kept in
step with every write): the ALL rows for the province, a unit's PARTY rows for an
administrative unit's dashboard, AREA rows for the province's areas, GIVER/RECIPIENT rows for
the province's top lists. By kind of party or by area, and for villages, military units and
agencies, the figures are counted from the activities: the same figures
(tests/activities/test_summaries.py compares them).
"""

import datetime
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear, Mod
from django.utils import timezone

from activities.figures import format_quantity, format_vnd, format_vnd_words
from activities.models import (
    Activity,
    ActivityStatus,
    ActivitySummary,
    Measure,
    Qualifier,
    SummaryRole,
)
from activities.summaries import ANCESTOR_DEPTH, MEASURES, SCOPE_KINDS
from agreements.models import (
    Agreement,
    AgreementStatus,
    Commitment,
    CommitmentArea,
    Party,
    PartyRole,
    Programme,
    in_force_condition,
)
from localities.models import Locality, LocalityKind


def combined_qualifier(over=0, about=0, nearly=0):
    """The qualifier of a sum, from how many of its figures were over, about or nearly."""
    kinds = {
        q
        for q, n in ((Qualifier.OVER, over), (Qualifier.ABOUT, about), (Qualifier.NEARLY, nearly))
        if n
    }
    if not kinds:
        return Qualifier.EXACT
    if len(kinds) == 1:
        return kinds.pop()
    return Qualifier.ABOUT


@dataclass(frozen=True)
class TypeTotal:
    """The total of one activity type: its quantity in the type's unit and its value in VND."""

    type_id: int
    name: str
    slug: str
    unit: str
    measure: str
    status: str
    count: int
    quantity: Decimal | None
    quantity_qualifier: str
    value_vnd: int | None
    value_qualifier: str

    @property
    def quantity_display(self):
        if self.quantity is None or self.measure == Measure.MONEY:
            return ""
        return format_quantity(self.quantity, self.unit, self.quantity_qualifier)

    @property
    def value_display(self):
        return format_vnd(self.value_vnd, self.value_qualifier)

    @property
    def value_words(self):
        return format_vnd_words(self.value_vnd, self.value_qualifier)


QUALIFIED = (Qualifier.OVER, Qualifier.ABOUT, Qualifier.NEARLY)


def _quantity_counts(prefix="", condition=None):
    # A quantity's qualifier counts only where there is a quantity; a missing one, as "over".
    condition = condition or Q()
    return {
        **{
            f"quantity_{q}": Count(
                f"{prefix}id",
                filter=condition
                & Q(**{f"{prefix}quantity_qualifier": q, f"{prefix}quantity__isnull": False}),
            )
            for q in QUALIFIED
        },
        "quantity_missing": Count(
            f"{prefix}id", filter=condition & Q(**{f"{prefix}quantity__isnull": True})
        ),
    }


def _value_counts(prefix="", condition=None):
    condition = condition or Q()
    return {
        **{
            f"value_{q}": Count(
                f"{prefix}id",
                filter=condition
                & Q(**{f"{prefix}value_qualifier": q, f"{prefix}value_vnd__isnull": False}),
            )
            for q in QUALIFIED
        },
        "value_missing": Count(
            f"{prefix}id", filter=condition & Q(**{f"{prefix}value_vnd__isnull": True})
        ),
    }


def _money_aggregates(prefix="", condition=None):
    """What a MoneyTotal is made from (see _money), for aggregate() or annotate().

    `prefix` reaches the activities from another model ("agreement__activities__"); `condition`
    (on the same path) picks the activities that count.
    """
    return {
        "total_value": Sum(f"{prefix}value_vnd", filter=condition),
        **_value_counts(prefix, condition),
    }


def _type_total(row, status):
    """A TypeTotal from a row of totals_by_type (or a summary row with the same keys)."""
    return TypeTotal(
        type_id=row["activity_type_id"],
        name=row["activity_type__name"],
        slug=row["activity_type__slug"],
        unit=row["activity_type__unit"],
        measure=row["activity_type__measure"],
        status=status,
        count=row["n"],
        quantity=row["total_quantity"],
        quantity_qualifier=combined_qualifier(
            row["quantity_over"] + row["quantity_missing"],
            row["quantity_about"],
            row["quantity_nearly"],
        ),
        value_vnd=row["total_value"],
        value_qualifier=combined_qualifier(
            row["value_over"] + row["value_missing"], row["value_about"], row["value_nearly"]
        ),
    )


TYPE_FIELDS = (
    "activity_type_id",
    "activity_type__name",
    "activity_type__slug",
    "activity_type__unit",
    "activity_type__measure",
    "activity_type__position",
)


def totals_by_type(activities, status=ActivityStatus.DELIVERED):
    """Totals per activity type of `activities` (a queryset), pledged or delivered: one query."""
    rows = (
        activities.filter(status=status)
        .order_by()
        .values(*TYPE_FIELDS)
        .annotate(
            n=Count("id"),
            total_quantity=Sum("quantity"),
            total_value=Sum("value_vnd"),
            **_quantity_counts(),
            **_value_counts(),
        )
        .order_by("activity_type__position", "activity_type__name")
    )
    return [_type_total(row, status) for row in rows]


@dataclass(frozen=True)
class MoneyTotal:
    value_vnd: int
    qualifier: str

    @property
    def display(self):
        return format_vnd(self.value_vnd, self.qualifier)

    @property
    def words(self):
        return format_vnd_words(self.value_vnd, self.qualifier)


def _money(row):
    """A MoneyTotal from the keys of _money_aggregates."""
    return MoneyTotal(
        value_vnd=row["total_value"] or 0,
        qualifier=combined_qualifier(
            row["value_over"] + row["value_missing"], row["value_about"], row["value_nearly"]
        ),
    )


def money_total(activities, status=ActivityStatus.DELIVERED):
    """The VND value of everything given (cash and the value of goods and works): one query.

    Goods or works reported without a value (915 check-ups) are worth something the sum cannot
    know: they make it a lower bound ("hơn").
    """
    return _money(activities.filter(status=status).aggregate(**_money_aggregates()))


def money_of(type_totals):
    """The MoneyTotal of a set of activities from its totals_by_type, without a query: the
    same as money_total (a sum's qualifier depends only on which qualifiers its parts have,
    and a type's qualifier says exactly that)."""
    qualifiers = [t.value_qualifier for t in type_totals]
    return MoneyTotal(
        value_vnd=sum(t.value_vnd or 0 for t in type_totals),
        qualifier=combined_qualifier(*(qualifiers.count(q) for q in QUALIFIED)),
    )


def published_activities():
    return Activity.objects.published()


# ---------------------------------------------------------------------------------------------
# Dashboards (issue 4)

# province → district-level unit (until 2025) → commune → village: three levels below a
# province, the depth ketnghia.public.locality_queries follows too.
DESCENDANT_DEPTH = ANCESTOR_DEPTH
TOP_LOCALITIES = 10
PAIRS_SHOWN = 100
LATEST_ACTIVITIES = 10
# Anniversaries and programme ends in the next 12 months: at most this many, soonest first.
DATES_SHOWN = 100
ANNIVERSARY_EVERY = 5  # years


@dataclass(frozen=True)
class DashboardFilters:
    year_from: int | None = None  # inclusive
    year_to: int | None = None  # inclusive
    locality: Locality | None = None  # this unit and every unit below it (a commune's villages)
    party_kind: str = ""  # a LocalityKind value: agreements with a party of this kind
    area: CommitmentArea | None = None  # agreements with a commitment in this area
    status: str = ActivityStatus.DELIVERED  # "pledged" or "delivered": never added together
    include_drafts: bool = False  # signed-in staff; the public sees published data only
    # With include_drafts: the staff scope (localities.scopes) whose drafts count; None for every
    # draft (province staff).
    drafts_scope: object = None


@dataclass(frozen=True)
class YearBar:
    """One bar of the "by year" chart."""

    label: str  # "2025", or "2003–2023" for a figure reported over a period
    first_year: int
    last_year: int
    is_period: bool  # True: a multi-year figure, drawn as its own bar, never split
    activities: int
    money: MoneyTotal


@dataclass(frozen=True)
class AreaBar:
    area: CommitmentArea
    agreements: int  # matching agreements with a commitment in this area
    money: MoneyTotal  # their activities' value (an agreement in 2 areas counts in both)


@dataclass(frozen=True)
class LocalityTotal:
    """A row of "top givers" / "top recipients"."""

    locality: Locality  # with .parent loaded (label "Làng Ghè – Xã Ia Dơk")
    activities: int
    money: MoneyTotal


@dataclass(frozen=True)
class Coverage:
    """Ethnic-minority villages with a partner, out of all such villages."""

    with_partner: int
    total: int


@dataclass(frozen=True)
class Anniversary:
    agreement: Agreement
    years: int  # 5, 10, 15, 20…
    on: datetime.date  # the anniversary date


@dataclass(frozen=True)
class Pair:
    """A row of "who twins with whom"."""

    agreement: Agreement
    parties: list[Locality]  # signing parties, in position order
    coordinators: list[Locality]


@dataclass(frozen=True)
class LeftOut:
    """Multi-year figures cut by the chosen period: NOT in any total."""

    activities: int
    money: MoneyTotal


@dataclass(frozen=True)
class Dashboard:
    filters: DashboardFilters
    agreements_in_force: int
    localities_with_partner: int
    minority_villages: Coverage
    money: MoneyTotal
    goods: list[TypeTotal]  # non-money types with a quantity (houses, km, check-ups…)
    by_year: list[YearBar]  # by first year, periods after the single years they start in
    by_type: list[TypeTotal]
    by_area: list[AreaBar]
    top_givers: list[LocalityTotal]  # at most 10, by value then count
    top_recipients: list[LocalityTotal]
    pairs: list[Pair]  # at most 100, latest signed first
    pairs_count: int
    anniversaries: list[Anniversary]  # in the next 12 months from `today`
    programmes_ending: list[Programme]  # ending in the next 12 months from `today`
    latest_activities: list[Activity]  # 10 latest (activity_type, agreement, giver, recipient)
    left_out: LeftOut
    has_drafts: bool  # some counted figure comes from a draft (staff view)


@dataclass(frozen=True)
class LocalityDashboard(Dashboard):
    """/thong-ke/<slug>/: filters.locality is the locality."""

    given: list[TypeTotal]  # as giver (the locality or a unit below it gave)
    given_money: MoneyTotal
    received: list[TypeTotal]  # as recipient
    received_money: MoneyTotal


@dataclass(frozen=True)
class CommuneCoverage:
    """A row of the coverage table."""

    commune: Locality
    villages: list[Locality]  # its ethnic-minority villages WITHOUT a partner, by name
    without_partner: int
    total: int  # its ethnic-minority villages


# --- what is counted -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ask:
    """One dashboard's question, resolved once: the units the locality filter covers (ids,
    read in one query so that every later query uses the indexes), the end of the period."""

    filters: DashboardFilters
    today: datetime.date
    end: datetime.date
    here: list[int] | None  # the locality and the units below it; None: everywhere


def _ask(filters, today=None):
    today = today or timezone.localdate()
    here = None if filters.locality is None else subtree_ids(filters.locality.pk)
    return _Ask(filters=filters, today=today, end=period_end(filters, today), here=here)


def subtree_ids(locality_id):
    """The ids of a locality and of the units up to DESCENDANT_DEPTH levels below it: one
    query, each level found through the index on `parent`."""
    level = Locality.objects.filter(pk=locality_id).values("pk")
    levels = [level]
    for _depth in range(DESCENDANT_DEPTH):
        level = Locality.objects.filter(parent__in=level).values("pk")
        levels.append(level)
    first, *others = (lv.order_by().values_list("pk", flat=True) for lv in levels)
    return list(first.union(*others))


def within(path, ids):
    """Rows whose locality at `path` ("" for a Locality row itself, "locality", "giver"…) is
    one of `ids`."""
    return Q(**{f"{path}_id__in" if path else "pk__in": ids})


def period_end(filters, today):
    """The day agreements are "in force" on: 31/12 of year_to, or today (see the module doc)."""
    if filters.year_to is None or filters.year_to >= today.year:
        return today
    return datetime.date(filters.year_to, 12, 31)


def counted_agreements(filters, here=None):
    """The agreements the filters match (each once: subqueries, never joins). `here`: the ids
    of filters.locality's units, when already read (subtree_ids)."""
    if not filters.include_drafts:
        agreements = Agreement.objects.published()
    elif filters.drafts_scope is None:
        agreements = Agreement.objects.all()
    else:
        agreements = Agreement.objects.filter(
            Q(status=AgreementStatus.PUBLISHED)
            | Q(pk__in=Agreement.objects.within(filters.drafts_scope).values("pk"))
        )
    if filters.locality is not None:
        if here is None:
            here = subtree_ids(filters.locality.pk)
        agreements = agreements.filter(
            pk__in=Party.objects.filter(within("locality", here)).values("agreement_id")
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


def _counted(ask):
    return counted_agreements(ask.filters, ask.here)


def _in_force(end, prefix=""):
    """Signed by `end` and not ended then."""
    return Q(**{f"{prefix}signed_on__lte": end}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": end})
    )


def _listed(ask, prefix=""):
    """The agreements listed as pairs: signed by the end of the period and not ended before
    its start (in force at some time in the chosen years; with none chosen, every one signed
    by today)."""
    condition = Q(**{f"{prefix}signed_on__lte": ask.end})
    if ask.filters.year_from is not None:
        condition &= Q(**{f"{prefix}ended_on__isnull": True}) | Q(
            **{f"{prefix}ended_on__gte": datetime.date(ask.filters.year_from, 1, 1)}
        )
    return condition


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
    within them. Only a figure over a period can be cut."""
    if filters.year_from is None and filters.year_to is None:
        return Q(pk__in=[])
    overlaps = Q(ends_on__isnull=False)
    if filters.year_from is not None:
        overlaps &= Q(ends_on__gte=datetime.date(filters.year_from, 1, 1))
    if filters.year_to is not None:
        overlaps &= Q(starts_on__lte=datetime.date(filters.year_to, 12, 31))
    return overlaps & ~in_period(filters)


def counted_activities(filters, here=None):
    """The activities counted (of the chosen status, within the chosen years)."""
    return Activity.objects.filter(
        in_period(filters),
        agreement__in=counted_agreements(filters, here),
        status=filters.status,
    )


def _given_or_received(ask, role):
    """Activities the locality or a unit below it gave (role "giver") or received, under the
    agreements the other filters match, whoever the agreement's parties are (a village gives
    under its commune's agreement)."""
    return Activity.objects.filter(
        within(role, ask.here),
        in_period(ask.filters),
        agreement__in=counted_agreements(replace(ask.filters, locality=None)),
        status=ask.filters.status,
    )


def _minority_villages():
    return Q(kind=LocalityKind.VILLAGE, is_ethnic_minority_area=True, dissolved_on__isnull=True)


def _partnered(ask):
    """The localities that are a party (any role) of a counted agreement in force at the end
    of the period."""
    return Party.objects.filter(agreement__in=_counted(ask).filter(_in_force(ask.end))).values(
        "locality_id"
    )


# --- the summary rows (activities.summaries) -------------------------------------------------

# Off in the tests that compare them with the live computation.
SUMMARIES = True
SUMS = {f"s_{measure}": Sum(measure) for measure in MEASURES}


def _summarised(filters):
    """Whether the summary rows hold the activity figures for these filters: not by kind of
    party or area (they would multiply the rows), nor for a village, a military unit or an
    agency (their figures are few: counted live), nor with the drafts of one staff scope (the
    rows hold every draft or none)."""
    return (
        SUMMARIES
        and filters.drafts_scope is None
        and not filters.party_kind
        and filters.area is None
        and (filters.locality is None or filters.locality.kind in SCOPE_KINDS)
    )


def _summary(filters, role, scope=None):
    """The summary rows of a role, for the status and publication chosen. The conditions on
    empty columns name the shape of the role's rows, so that its partial index serves."""
    shape = {
        SummaryRole.ALL: {"scope__isnull": True, "area__isnull": True},
        SummaryRole.PARTY: {"scope": scope, "activity_type__isnull": False},
        SummaryRole.AREA: {"area__isnull": False},
        SummaryRole.GIVER: {"scope__isnull": False, "activity_type__isnull": True},
        SummaryRole.RECIPIENT: {"scope__isnull": False, "activity_type__isnull": True},
    }[role]
    rows = ActivitySummary.objects.filter(role=role, status=filters.status, **shape)
    if not filters.include_drafts:
        rows = rows.filter(published=True)
    return rows


def _summary_in_period(filters):
    condition = Q()
    if filters.year_from is not None:
        condition &= Q(first_year__gte=filters.year_from)
    if filters.year_to is not None:
        condition &= Q(last_year__lte=filters.year_to)
    return condition


QUALIFIED_KEYS = ("_over", "_about", "_nearly", "_missing")


def _summed(row):
    """A row of summed summary measures, under the names of the live aggregates."""
    n = row.pop("s_n") or 0
    quantity, value = row.pop("s_quantity"), row.pop("s_value_vnd")
    counts = {name: row.pop(f"s_{name}") or 0 for name in MEASURES if name.endswith(QUALIFIED_KEYS)}
    return {
        **row,
        **counts,
        "n": n,
        # A sum of nothing but missing figures is no figure, as SUM over NULLs says live.
        "total_quantity": None if n == counts["quantity_missing"] else quantity,
        "total_value": None if n == counts["value_missing"] else value,
    }


def _activity_rows(ask):
    """The summary rows answering the activity figures: ALL for everything, PARTY for a
    locality."""
    if ask.filters.locality is None:
        return _summary(ask.filters, SummaryRole.ALL)
    return _summary(ask.filters, SummaryRole.PARTY, ask.filters.locality)


def _summary_by_type(ask):
    """(type totals, money): one query."""
    rows = [
        _summed(row)
        for row in _activity_rows(ask)
        .filter(_summary_in_period(ask.filters))
        .values(*TYPE_FIELDS)
        .annotate(**SUMS)
        .filter(s_n__gt=0)
        .order_by("activity_type__position", "activity_type__name")
    ]
    by_type = [_type_total(row, ask.filters.status) for row in rows]
    return by_type, money_of(by_type)


def _summary_by_year(ask):
    return year_bars(
        _summed(row)
        for row in _activity_rows(ask)
        .filter(_summary_in_period(ask.filters))
        .values("first_year", "last_year")
        .annotate(**SUMS)
        .filter(s_n__gt=0)
        .order_by()
    )


def _summary_left_out(ask):
    filters = ask.filters
    if filters.year_from is None and filters.year_to is None:
        return LeftOut(activities=0, money=_money(dict.fromkeys(_money_aggregates(), 0)))
    overlaps = Q()
    if filters.year_from is not None:
        overlaps &= Q(last_year__gte=filters.year_from)
    if filters.year_to is not None:
        overlaps &= Q(first_year__lte=filters.year_to)
    row = _summed(
        _activity_rows(ask).filter(overlaps & ~_summary_in_period(filters)).aggregate(**SUMS)
    )
    return LeftOut(activities=row["n"], money=_money(row))


def _summary_by_area(ask):
    rows = (
        _summary(ask.filters, SummaryRole.AREA)
        .filter(_summary_in_period(ask.filters))
        .values("area")
        .annotate(**SUMS)
        .filter(s_n__gt=0)
        .order_by()
    )
    return {row["area"]: _summed(row) for row in rows}


def _summary_top_rows(ask, role):
    return [
        _summed(row)
        for row in _summary(ask.filters, role)
        .filter(_summary_in_period(ask.filters))
        .values(locality=F("scope"))
        .annotate(**SUMS)
        .filter(s_n__gt=0)
        .annotate(
            ordered_value=Case(
                When(s_n=F("s_value_missing"), then=Value(None)),
                default=F("s_value_vnd"),
                output_field=BigIntegerField(),
            )
        )
        .order_by(F("ordered_value").desc(nulls_last=True), "-s_n", "locality")[:TOP_LOCALITIES]
    ]


# --- the sections, one or two queries each ---------------------------------------------------


def _agreement_figures(ask):
    figures = {
        "in_force": Count("pk", filter=_in_force(ask.end)),
        "listed": Count("pk", filter=_listed(ask)),
    }
    if ask.filters.include_drafts:
        counted_activity = Exists(
            Activity.objects.filter(
                in_period(ask.filters), agreement=OuterRef("pk"), status=ask.filters.status
            )
        )
        figures["drafts"] = Count(
            "pk", filter=Q(status=AgreementStatus.DRAFT) & (_listed(ask) | counted_activity)
        )
    return {"drafts": 0, **_counted(ask).aggregate(**figures)}


def _locality_figures(ask):
    localities = Locality.objects.all()
    if ask.here is not None:
        localities = localities.filter(within("", ask.here))
    partnered = Q(pk__in=_partnered(ask))
    return localities.aggregate(
        with_partner=Count("pk", filter=partnered),
        villages=Count("pk", filter=_minority_villages()),
        villages_with_partner=Count("pk", filter=_minority_villages() & partnered),
    )


def _by_year(activities):
    rows = (
        activities.order_by()
        .annotate(
            first_year=ExtractYear("starts_on"),
            last_year=ExtractYear(Coalesce("ends_on", "starts_on")),
        )
        .values("first_year", "last_year")
        .annotate(n=Count("id"), **_money_aggregates())
    )
    return year_bars(rows)


def year_bars(rows):
    """YearBars from rows with first_year, last_year, n and the money keys; by first year,
    a period after the single year it starts in."""
    bars = []
    for row in rows:
        first, last = row["first_year"], row["last_year"]
        bars.append(
            YearBar(
                label=str(first) if first == last else f"{first}\N{EN DASH}{last}",
                first_year=first,
                last_year=last,
                is_period=first != last,
                activities=row["n"],
                money=_money(row),
            )
        )
    return sorted(bars, key=lambda bar: (bar.first_year, bar.is_period, bar.last_year))


def _by_area(ask):
    """Each area once per agreement, however many commitments it has there: two queries, or
    three when the summary rows hold the money."""
    areas = list(CommitmentArea.objects.order_by("position", "name"))
    commitments = Commitment.objects.filter(agreement__in=_counted(ask)).order_by()
    agreements = Count("agreement", filter=_listed(ask, "agreement__"), distinct=True)
    if _summarised(ask.filters) and ask.filters.locality is None:
        money = _summary_by_area(ask)
        counts = dict(commitments.values_list("area").annotate(agreements=agreements))
    else:
        # Joined to the activities, an agreement's second commitment in an area would count
        # its activities twice: only its first one in each area is joined.
        first_in_area = ~Exists(
            Commitment.objects.filter(
                agreement=OuterRef("agreement"), area=OuterRef("area"), pk__lt=OuterRef("pk")
            )
        )
        activity = "agreement__activities__"
        counted = in_period(ask.filters, activity) & Q(**{f"{activity}status": ask.filters.status})
        money = {
            row["area"]: row
            for row in commitments.filter(first_in_area)
            .values("area")
            .annotate(agreements=agreements, **_money_aggregates(activity, counted))
        }
        counts = {area: row["agreements"] for area, row in money.items()}
    nothing = dict.fromkeys(_money_aggregates(), 0)
    return [
        AreaBar(
            area=area,
            agreements=counts.get(area.pk, 0),
            money=_money(money.get(area.pk, nothing)),
        )
        for area in areas
    ]


def _top_rows(activities, role):
    """The givers (or recipients) themselves, not rolled up, by value then count."""
    return list(
        activities.filter(**{f"{role}__isnull": False})
        .order_by()
        .values(locality=F(role))
        .annotate(n=Count("id"), **_money_aggregates())
        .order_by(F("total_value").desc(nulls_last=True), "-n", "locality")[:TOP_LOCALITIES]
    )


def _top(ask, activities):
    """(top givers, top recipients): three queries."""
    filters = ask.filters
    if _summarised(filters) and filters.locality is None:
        givers = _summary_top_rows(ask, SummaryRole.GIVER)
        recipients = _summary_top_rows(ask, SummaryRole.RECIPIENT)
    else:
        givers, recipients = _top_rows(activities, "giver"), _top_rows(activities, "recipient")
    return locality_totals(givers, recipients)


def locality_totals(givers, recipients):
    """LocalityTotals for rows with a locality id, n and the money keys: one query."""
    places = Locality.objects.select_related("parent").in_bulk(
        {row["locality"] for row in (*givers, *recipients)}
    )

    def totals(rows):
        return [
            LocalityTotal(locality=places[row["locality"]], activities=row["n"], money=_money(row))
            for row in rows
        ]

    return totals(givers), totals(recipients)


def _pairs(ask):
    parties = Party.objects.select_related("locality__parent").order_by("position", "pk")
    agreements = (
        _counted(ask)
        .filter(_listed(ask))
        .order_by("-signed_on", "-pk")
        .prefetch_related(Prefetch("parties", queryset=parties))[:PAIRS_SHOWN]
    )
    return [
        Pair(
            agreement=agreement,
            parties=[p.locality for p in agreement.parties.all() if p.role == PartyRole.PARTY],
            coordinators=[
                p.locality for p in agreement.parties.all() if p.role == PartyRole.COORDINATOR
            ],
        )
        for agreement in agreements
    ]


def one_year_after(day):
    """The end (excluded) of the 12 months from `day`: 29/2/2028 → 1/3/2029."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return datetime.date(day.year + 1, 3, 1)


def anniversary(signed_on, year):
    """The anniversary of a signing in `year`: one signed on 29 February has it on 28 February
    in other years."""
    try:
        return signed_on.replace(year=year)
    except ValueError:
        return signed_on.replace(year=year, day=28)


def _month_day(day):
    return day.month * 100 + day.day


def _anniversaries(ask):
    """Agreements in force today with a 5th, 10th, 15th… anniversary in the next 12 months.

    The database picks them by the year and the month and day of signing (one query): this
    year's anniversary from today on, or next year's before the same day. The 29th of
    February needs no case of its own: comparing its month and day (0229) with today's gives
    the same answer as comparing the 28th it moves to.
    """
    today = ask.today
    this_year, until = today.year, one_year_after(today)
    agreements = (
        _counted(ask)
        .filter(in_force_condition(today), signed_on__isnull=False)
        .annotate(
            signed_year=ExtractYear("signed_on"),
            cycle=Mod(ExtractYear("signed_on"), ANNIVERSARY_EVERY),
            month_day=ExtractMonth("signed_on") * 100 + ExtractDay("signed_on"),
        )
    )
    this_years = Q(
        cycle=this_year % ANNIVERSARY_EVERY,
        signed_year__lt=this_year,
        month_day__gte=_month_day(today),
    )
    next_years = Q(
        cycle=(this_year + 1) % ANNIVERSARY_EVERY,
        signed_year__lt=this_year + 1,
        month_day__lt=_month_day(until),
    )
    found = (
        agreements.filter(this_years | next_years)
        .annotate(
            later=Case(When(this_years, then=Value(0)), default=1, output_field=IntegerField())
        )
        .order_by("later", "month_day", "pk")[:DATES_SHOWN]
    )
    result = []
    for agreement in found:
        year = this_year + agreement.later
        result.append(
            Anniversary(
                agreement=agreement,
                years=year - agreement.signed_on.year,
                on=anniversary(agreement.signed_on, year),
            )
        )
    return result


def _programmes_ending(ask):
    return list(
        Programme.objects.filter(
            agreement__in=_counted(ask),
            ends_on__gte=ask.today,
            ends_on__lt=one_year_after(ask.today),
        )
        .select_related("agreement")
        .order_by("ends_on", "pk")[:DATES_SHOWN]
    )


def _latest(activities):
    """Two queries: the latest ids, from the activities alone (so that the database can walk
    its indexes), then those rows with what they show."""
    # A figure over a period counts from its end: "20 years to 7-2023" is news of 2023.
    ids = list(
        activities.order_by(
            Coalesce("ends_on", "starts_on").desc(), "-starts_on", "-pk"
        ).values_list("pk", flat=True)[:LATEST_ACTIVITIES]
    )
    found = Activity.objects.select_related(
        "activity_type", "agreement", "giver__parent", "recipient__parent"
    ).in_bulk(ids)
    return [found[pk] for pk in ids]


def _left_out(ask):
    row = (
        Activity.objects.filter(
            cut_by_period(ask.filters),
            agreement__in=_counted(ask),
            status=ask.filters.status,
        )
        .order_by()
        .aggregate(n=Count("id"), **_money_aggregates())
    )
    return LeftOut(activities=row["n"], money=_money(row))


def goods_of(by_type):
    """The goods and works among type totals: non-money types with a quantity."""
    return [t for t in by_type if t.measure != Measure.MONEY and t.quantity]


# --- the functions the pages call ------------------------------------------------------------


def _sections(ask):
    filters = ask.filters
    agreements = _agreement_figures(ask)
    localities = _locality_figures(ask)
    activities = counted_activities(filters, ask.here)
    if _summarised(filters):
        by_type, money = _summary_by_type(ask)
        by_year, left_out = _summary_by_year(ask), _summary_left_out(ask)
    else:
        by_type = totals_by_type(activities, filters.status)
        money = money_of(by_type)
        by_year, left_out = _by_year(activities), _left_out(ask)
    top_givers, top_recipients = _top(ask, activities)
    return {
        "filters": filters,
        "agreements_in_force": agreements["in_force"],
        "localities_with_partner": localities["with_partner"],
        "minority_villages": Coverage(
            with_partner=localities["villages_with_partner"], total=localities["villages"]
        ),
        "money": money,
        "goods": goods_of(by_type),
        "by_year": by_year,
        "by_type": by_type,
        "by_area": _by_area(ask),
        "top_givers": top_givers,
        "top_recipients": top_recipients,
        "pairs": _pairs(ask),
        "pairs_count": agreements["listed"],
        "anniversaries": _anniversaries(ask),
        "programmes_ending": _programmes_ending(ask),
        "latest_activities": _latest(activities),
        "left_out": left_out,
        "has_drafts": filters.include_drafts and agreements["drafts"] > 0,
    }


def province_totals(status=ActivityStatus.DELIVERED):
    """(type totals, money) of every published activity of a status, as the province
    dashboard without filters counts them: one query, on the summary rows."""
    ask = _ask(DashboardFilters(status=status))
    if _summarised(ask.filters):
        return _summary_by_type(ask)
    by_type = totals_by_type(counted_activities(ask.filters), status)
    return by_type, money_of(by_type)


def dashboard(filters, today=None):
    """The province dashboard (or any locality's, with filters.locality): a fixed number of
    queries (see tests/activities/test_dashboard_reports.py)."""
    return Dashboard(**_sections(_ask(filters, today)))


def locality_dashboard(locality, filters, today=None):
    """A locality's dashboard: the province's sections for the locality and the units below
    it, and what they gave and received."""
    ask = _ask(replace(filters, locality=locality), today)
    given = totals_by_type(_given_or_received(ask, "giver"), ask.filters.status)
    received = totals_by_type(_given_or_received(ask, "recipient"), ask.filters.status)
    return LocalityDashboard(
        **_sections(ask),
        given=given,
        given_money=money_of(given),
        received=received,
        received_money=money_of(received),
    )


def coverage(filters, today=None):
    """Communes (or wards) with ethnic-minority villages, and which of those have no partner:
    a village has one when it is a party (any role) of a counted agreement in force at the end
    of the period. Two queries, three with a locality."""
    ask = _ask(filters, today)
    villages = Locality.objects.filter(_minority_villages(), parent__isnull=False)
    if ask.here is not None:
        villages = villages.filter(within("", ask.here))
    partnered = Q(pk__in=_partnered(ask))
    communes = (
        Locality.objects.filter(pk__in=villages.values("parent_id"))
        .annotate(
            total=Count("children", filter=Q(children__in=villages.values("pk"))),
            without=Count(
                "children",
                filter=Q(children__in=villages.exclude(partnered).values("pk")),
            ),
        )
        .order_by("search_key", "pk")
    )
    unpartnered = {}
    for village in villages.exclude(partnered).order_by("search_key", "pk"):
        unpartnered.setdefault(village.parent_id, []).append(village)
    return [
        CommuneCoverage(
            commune=commune,
            villages=unpartnered.get(commune.pk, []),
            without_partner=commune.without,
            total=commune.total,
        )
        for commune in communes
    ]
