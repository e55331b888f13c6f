"""The dashboards, composed: /thong-ke/ (the province's), a locality's, and the coverage of
ethnic-minority villages. Each function runs a fixed number of queries, whatever the data.

What is counted is in rules.py; how totals read in totals.py; where the activity figures are
read from in summaries.py (docs/counting.md says it all in words).
"""

import datetime
from dataclasses import dataclass, field, replace

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
from django.utils.translation import ngettext

from activities.models import Activity, ActivityStatus, ActivitySummary, Funder, SummaryRole
from activities.reports import rules, snapshots, summaries
from activities.reports.maps import PartnerMap, dashboard_map
from activities.reports.rules import DashboardFilters
from activities.reports.totals import (
    MEASURES,
    TYPE_FIELDS,
    MoneyTotal,
    TypeTotal,
    explain_money,
    goods_of,
    measures,
    money,
    money_of,
    type_total,
)
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
from localities import tree
from localities.models import Locality

TOP_LOCALITIES = 10
PAIRS_SHOWN = 25
LATEST_ACTIVITIES = 10
# Anniversaries and programme ends in the next 12 months: at most this many, soonest first.
DATES_SHOWN = 25
# Figures over several years each have a bar of their own, the largest this many; the others
# share one bar ("other periods"), each still counted once and never split into years.
PERIOD_BARS = 8
ANNIVERSARY_EVERY = 5  # years
# The earliest year of signing looked for anniversaries (the filters' years start there too).
SIGNED_SINCE = 1900


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
    agreements: int  # counted agreements with a commitment in this area
    money: MoneyTotal  # their activities' value (an agreement in 2 areas counts in both)


@dataclass(frozen=True)
class LocalityTotal:
    """A row of "top givers" / "top recipients"."""

    locality: Locality  # with .parent loaded (label "Làng Ghè – Xã Ia Dơk")
    activities: int
    money: MoneyTotal


@dataclass(frozen=True)
class FunderTotal:
    """A row of "funded by": what a funder paid for (docs/counting.md, section 5)."""

    funder: Funder
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
    inherited: bool = False  # a party is a unit the dashboard's locality succeeded


@dataclass(frozen=True)
class LeftOut:
    """Multi-year figures cut by the chosen period: NOT in any total."""

    activities: int
    money: MoneyTotal


@dataclass(frozen=True)
class Side:
    """What a locality gave, or received, or what its agreements delivered: by type, and the
    money."""

    by_type: list[TypeTotal]
    money: MoneyTotal

    @property
    def goods(self):
        return goods_of(self.by_type)


@dataclass(frozen=True)
class Dashboard:
    filters: DashboardFilters
    agreements_in_force: int
    localities_with_partner: int
    minority_villages: Coverage
    money: MoneyTotal  # the counted agreements' activities
    goods: list[TypeTotal]  # non-money types with a quantity (houses, km, check-ups…)
    by_year: list[YearBar]  # by first year, periods after the single years they start in
    by_type: list[TypeTotal]
    by_area: list[AreaBar]
    top_givers: list[LocalityTotal]  # at most 10, by value then count; rows may overlap
    top_recipients: list[LocalityTotal]
    funders: list[FunderTotal]  # at most 10, by value then count
    pairs: list[Pair]  # at most 100, latest signed first
    pairs_count: int
    anniversaries: list[Anniversary]  # in the next 12 months from `today`, soonest first
    more_anniversaries: bool  # more than DATES_SHOWN: only the soonest are listed
    programmes_ending: list[Programme]  # ending in the next 12 months from `today`
    more_programmes: bool
    latest_activities: list[Activity]  # 10 latest (activity_type, agreement, giver, recipient)
    left_out: LeftOut
    has_drafts: bool  # some counted figure comes from a draft (staff view)
    inherited_agreements: int  # counted agreements of units the locality succeeded
    partners_map: PartnerMap  # the listed agreements' parties, placed (maps.py)
    # Names this composition: the same in every reading of its snapshot, another once a write
    # changed the figures (snapshots.py), so that what is made from it can be kept under it.
    version: str = field(default="", kw_only=True, compare=False)

    @property
    def explanation(self):
        """Why the money total reads as it does, from the same counts (totals.explain_money)."""
        return explain_money(self.money)


@dataclass(frozen=True)
class LocalityDashboard(Dashboard):
    """/thong-ke/<slug>/: filters.locality is the locality. `money` and `by_type` are the
    totals of the agreements it (or a unit below it, or a unit it succeeded) is a party to;
    `given` and `received` are what those units gave and received themselves."""

    given: Side
    received: Side


@dataclass(frozen=True)
class CommuneCoverage:
    """A row of the coverage table."""

    commune: Locality
    villages: list[Locality]  # its ethnic-minority villages WITHOUT a partner, by name
    without_partner: int
    total: int  # its ethnic-minority villages


# --- where the activity figures come from ------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """Where a question's activity figures are read (docs/counting.md, section 7): the summary
    rows of `role` for `scope` (the locality; none for the province), of published agreements
    (`published` True) or of every agreement (None), for what they hold; and the activities of
    the `live` agreements for what they do not (the drafts in one staff member's charge, or
    everything when the rows cannot answer)."""

    role: str | None  # None: no row answers, every figure is read from `live`
    scope: int | None
    published: bool | None
    live: object  # a queryset of agreements, or None


def _source(a):
    filters = a.filters
    if filters.party_kind or filters.area is not None:
        # The rows are not kept by kind of party or area (they would multiply).
        return _Source(None, None, None, rules.counted_agreements(a))
    role, scope = SummaryRole.ALL, None
    if filters.locality is not None:
        role, scope = SummaryRole.PARTY, filters.locality.pk
    if not filters.include_drafts:
        return _Source(role, scope, True, None)
    if filters.drafts_scope is None:
        return _Source(role, scope, None, None)
    roots = filters.drafts_scope.roots or ()
    if scope is not None and set(a.here) <= set(tree.subtree_ids(*roots)):
        # Every draft of the locality is in the reader's charge: the rows hold them all.
        return _Source(role, scope, None, None)
    # Published figures from the rows; the drafts in the reader's charge (few) from their
    # activities.
    return _Source(role, scope, True, rules.counted_drafts(a))


def _rows_by(source, role, status):
    """The summary rows of `role` (AREA or FUNDER) for the source's scope: the province's, or
    a locality's (PARTY_AREA, PARTY_FUNDER); None when no row answers."""
    if source.role is None:
        return None
    if source.role == SummaryRole.PARTY:
        role = {SummaryRole.AREA: SummaryRole.PARTY_AREA}.get(role, SummaryRole.PARTY_FUNDER)
    return _summary(role, status, source.published, source.scope)


SUMS = {f"s_{name}": Sum(column) for name, column in zip(MEASURES, summaries.MEASURES, strict=True)}


def _summed(row):
    """A row of summed summary measures, under the names of MEASURES."""
    return {**row, **{m: row.pop(f"s_{m}") or 0 for m in MEASURES}}


def _summary(role, status, published, scope=None):
    """The rows of a role. The conditions on empty columns name the shape of the role's rows,
    so that its partial index serves."""
    total = {
        "scope__isnull": False,
        "activity_type__isnull": True,
        "area__isnull": True,
        "funder__isnull": True,
        "unit__isnull": True,
    }
    shape = {
        SummaryRole.ALL: {"scope__isnull": True, "area__isnull": True},
        SummaryRole.PARTY: {"scope": scope, "activity_type__isnull": False},
        SummaryRole.AREA: {"scope__isnull": True, "area__isnull": False},
        SummaryRole.GIVER: total,
        SummaryRole.RECIPIENT: total,
        SummaryRole.FUNDER: {"scope__isnull": True, "funder__isnull": False},
        SummaryRole.GIVER_TOTAL: total,
        SummaryRole.RECIPIENT_TOTAL: total,
        SummaryRole.PARTY_AREA: {"scope": scope, "area__isnull": False},
        SummaryRole.PARTY_FUNDER: {"scope": scope, "funder__isnull": False},
        SummaryRole.GIVEN: {"scope": scope, "activity_type__isnull": False},
        SummaryRole.RECEIVED: {"scope": scope, "activity_type__isnull": False},
        SummaryRole.PARTY_GIVER: {"scope": scope, "unit__isnull": False},
        SummaryRole.PARTY_RECIPIENT: {"scope": scope, "unit__isnull": False},
    }[role]
    rows = ActivitySummary.objects.filter(role=role, status=status, **shape)
    if published is not None:
        rows = rows.filter(published=published)
    return rows


def _in_period(filters):
    condition = Q()
    if filters.year_from is not None:
        condition &= Q(first_year__gte=filters.year_from)
    if filters.year_to is not None:
        condition &= Q(last_year__lte=filters.year_to)
    return condition


def _grouped(queryset, *fields):
    return [
        _summed(row)
        for row in queryset.values(*fields).annotate(**SUMS).filter(s_n__gt=0).order_by()
    ]


def _merged(key, *row_lists):
    """Rows of MEASURES from several sources added up by `key` (a function of a row)."""
    merged = {}
    for rows in row_lists:
        for row in rows:
            into = merged.setdefault(key(row), {**row, **dict.fromkeys(MEASURES, 0)})
            for m in MEASURES:
                into[m] += row[m] or 0
    return list(merged.values())


def _live_activities(a, agreements):
    return Activity.objects.filter(
        rules.in_period(a.filters), agreement__in=agreements, status=a.filters.status
    )


def _activity_figures(a, source):
    """(by type, by year, left out): three queries from the rows, three from the activities."""
    filters = a.filters
    by_type, by_year, left_out = [], [], []
    if source.role is not None:
        found = _summary(source.role, filters.status, source.published, source.scope)
        in_period = found.filter(_in_period(filters))
        by_type.append(_grouped(in_period, *TYPE_FIELDS))
        by_year.append(_grouped(in_period, "first_year", "last_year"))
        left_out.append([_left_out_rows(found, filters)])
    if source.live is not None:
        activities = _live_activities(a, source.live)
        by_type.append(activities.order_by().values(*TYPE_FIELDS).annotate(**measures()))
        by_year.append(
            activities.order_by()
            .annotate(
                first_year=ExtractYear("starts_on"),
                last_year=ExtractYear(Coalesce("ends_on", "starts_on")),
            )
            .values("first_year", "last_year")
            .annotate(**measures())
        )
        left_out.append(
            [
                Activity.objects.filter(
                    rules.cut_by_period(filters), agreement__in=source.live, status=filters.status
                ).aggregate(**measures())
            ]
        )
    types = sorted(
        _merged(lambda r: r["activity_type_id"], *by_type),
        key=lambda r: (r["activity_type__position"], r["activity_type__name"]),
    )
    (cut,) = _merged(lambda r: None, *left_out) or [dict.fromkeys(MEASURES, 0)]
    return (
        [type_total(row, filters.status) for row in types],
        year_bars(_merged(lambda r: (r["first_year"], r["last_year"]), *by_year)),
        LeftOut(activities=cut["n"] or 0, money=money(cut)),
    )


def _left_out_rows(found, filters):
    if filters.year_from is None and filters.year_to is None:
        return dict.fromkeys(MEASURES, 0)
    overlaps = Q()
    if filters.year_from is not None:
        overlaps &= Q(last_year__gte=filters.year_from)
    if filters.year_to is not None:
        overlaps &= Q(first_year__lte=filters.year_to)
    return _summed(found.filter(overlaps & ~_in_period(filters)).aggregate(**SUMS))


def year_bars(rows):
    """YearBars from rows with first_year, last_year and MEASURES; by first year, a period
    after the single year it starts in. Past PERIOD_BARS periods, the smaller ones share a
    bar of their own."""
    singles, periods = [], []
    for row in rows:
        first, last = row["first_year"], row["last_year"]
        bar = YearBar(
            label=str(first) if first == last else f"{first}\N{EN DASH}{last}",
            first_year=first,
            last_year=last,
            is_period=first != last,
            activities=row["n"],
            money=money(row),
        )
        (periods if bar.is_period else singles).append(bar)
    if len(periods) > PERIOD_BARS:
        periods.sort(key=lambda bar: (-(bar.money.value_vnd or 0), -bar.activities))
        periods, others = periods[: PERIOD_BARS - 1], periods[PERIOD_BARS - 1 :]
        total = others[0].money
        for bar in others[1:]:
            total = total + bar.money
        first, last = min(b.first_year for b in others), max(b.last_year for b in others)
        periods.append(
            YearBar(
                label=ngettext(
                    "%(count)s other period, %(first)s–%(last)s",
                    "%(count)s other periods, %(first)s–%(last)s",
                    len(others),
                )
                % {"count": len(others), "first": first, "last": last},
                first_year=first,
                last_year=last,
                is_period=True,
                activities=sum(b.activities for b in others),
                money=total,
            )
        )
    return sorted(singles + periods, key=lambda bar: (bar.first_year, bar.is_period, bar.last_year))


# --- the other sections, one or two queries each -----------------------------------------------


def _agreement_figures(a):
    counted = rules.counted_agreements(a)
    figures = {
        "in_force": Count("pk", filter=in_force_condition(a.end)),
        "listed": Count("pk", filter=rules.listed(a)),
        "inherited": Count("pk", filter=Q(pk__in=_inherited_agreements(a))),
    }
    if a.filters.include_drafts:
        counted_activity = Exists(
            Activity.objects.filter(
                rules.in_period(a.filters), agreement=OuterRef("pk"), status=a.filters.status
            )
        )
        shown = rules.listed(a) | in_force_condition(a.end) | counted_activity
        figures["drafts"] = Count("pk", filter=Q(status=AgreementStatus.DRAFT) & shown)
    return {"drafts": 0, **counted.aggregate(**figures)}


def _inherited_agreements(a):
    """The counted agreements that are the locality's only through a unit it succeeded."""
    if not a.inherited:
        return Agreement.objects.none().values("pk")
    own = set(a.here) - set(a.inherited)
    return (
        Party.objects.filter(locality__in=a.inherited)
        .exclude(agreement__in=Party.objects.filter(locality__in=own).values("agreement_id"))
        .values("agreement_id")
    )


def _locality_figures(a):
    """Localities with a partner and ethnic-minority villages with one (rules.partners): two
    queries, over the parties of the agreements in force (AgreementDates) rather than the
    register."""
    parties = rules.partners(a)
    villages = Locality.objects.filter(rules.minority_villages())
    if a.here is not None:
        parties = parties.filter(tree.below("locality", a.here))
        villages = villages.filter(tree.below("", a.here))
    # Each party's row says whether it is an ethnic-minority village: one pass over the rows.
    found = parties.aggregate(
        with_partner=Count("locality", distinct=True),
        villages_with_partner=Count("locality", distinct=True, filter=Q(minority_village=True)),
    )
    return {**found, "villages": villages.count()}


def _by_area(a, source):
    """Each area once per agreement, however many commitments it has there: two to four
    queries."""
    areas = list(CommitmentArea.objects.order_by("position", "name"))
    # Each (agreement, area) is one row of AgreementDates: counted without DISTINCT.
    counts = dict(
        rules.counted_dates(a)
        .filter(rules.listed(a), area__isnull=False)
        .order_by()
        .values_list("area")
        .annotate(agreements=Count("pk"))
    )
    rows, live = _rows_by(source, SummaryRole.AREA, a.filters.status), source.live
    sums = []
    if rows is not None:
        sums.append(_grouped(rows.filter(_in_period(a.filters)), "area"))
    if live is not None:
        # Joined to the activities, an agreement's second commitment in an area would count
        # its activities twice: only its first one in each area is joined.
        first_in_area = ~Exists(
            Commitment.objects.filter(
                agreement=OuterRef("agreement"), area=OuterRef("area"), pk__lt=OuterRef("pk")
            )
        )
        activity = "agreement__activities__"
        counted_activity = rules.in_period(a.filters, activity) & Q(
            **{f"{activity}status": a.filters.status}
        )
        sums.append(
            Commitment.objects.filter(first_in_area, agreement__in=live)
            .order_by()
            .values("area")
            .annotate(**measures(activity, counted_activity))
        )
    by_area = {row["area"]: row for row in _merged(lambda r: r["area"], *sums)}
    nothing = dict.fromkeys(MEASURES, 0)
    return [
        AreaBar(
            area=area,
            agreements=counts.get(area.pk, 0),
            money=money(by_area.get(area.pk, nothing)),
        )
        for area in areas
    ]


def _ranked(rows, key="locality"):
    """The first TOP_LOCALITIES rows by value (nothing valued last), then count, then id."""
    return sorted(
        rows,
        key=lambda r: (r["n"] == r["value_missing"], -(r["value_sum"] or 0), -r["n"], r[key]),
    )[:TOP_LOCALITIES]


def _live_givers(activities):
    """Every giver of `activities` and its measures: the named givers, and the signing parties
    that gave jointly, other than the recipient (agreements.parties): two queries."""
    named = activities.filter(giver__isnull=False).order_by().values(locality=F("giver"))
    jointly = (
        activities.filter(giver__isnull=True)
        .annotate(party=F("agreement__parties__locality"), party_role=F("agreement__parties__role"))
        .filter(party_role=PartyRole.PARTY)
        .exclude(party=Coalesce("recipient_id", 0))
        .order_by()
        .values(locality=F("party"))
    )
    return _merged(
        lambda r: r["locality"], named.annotate(**measures()), jointly.annotate(**measures())
    )


def _live_recipients(activities):
    return list(
        activities.filter(recipient__isnull=False)
        .order_by()
        .values(locality=F("recipient"))
        .annotate(**measures())
    )


def _live_top(a, live, giving):
    """The givers (`giving`) or the recipients of the activities of the `live` agreements, each
    with its measures: the drafts in a staff member's charge beside the summary rows."""
    activities = _live_activities(a, live)
    return _live_givers(activities) if giving else _live_recipients(activities)


def _row_top(a, source, role):
    """The top rows of a role from the summary rows: the localities themselves, not rolled up;
    with the drafts in a staff member's charge (`source.live`) added."""
    every_year = a.filters.year_from is None and a.filters.year_to is None
    total = {SummaryRole.GIVER: SummaryRole.GIVER_TOTAL}.get(role, SummaryRole.RECIPIENT_TOTAL)
    if every_year:
        # One row per locality, already added up (of the published agreements, or of every
        # agreement: the TOTAL rows not published): the first by value (nothing valued last),
        # as _ranked orders them. Values are never negative, so nothing valued (a value of 0)
        # is among the last by value, after those valued at 0: the database reads the first
        # rows by value from their index and orders only the ties.
        same = [c for c, m in zip(summaries.MEASURES, MEASURES, strict=True) if c == m]
        renamed = {m: F(c) for c, m in zip(summaries.MEASURES, MEASURES, strict=True) if c != m}
        ordered = (
            _summary(total, a.filters.status, source.published is not None)
            .filter(n__gt=0)  # rows an edit left at zero stay until the next rebuild
            .order_by(
                F("value_vnd").desc(),
                Case(When(n=F("value_missing"), then=1), default=0, output_field=IntegerField()),
                "-n",
                "scope_id",
            )
            .values(*same, locality=F("scope"), **renamed)
        )
        shaped = dict
    else:
        found = _summary(role, a.filters.status, source.published).filter(_in_period(a.filters))
        ordered = (
            found.values(locality=F("scope"))
            .annotate(**SUMS)
            .filter(s_n__gt=0)
            .annotate(
                ordered_value=Case(
                    When(s_n=F("s_value_missing"), then=Value(None)),
                    default=F("s_value_sum"),
                    output_field=BigIntegerField(),
                )
            )
            .order_by(F("ordered_value").desc(nulls_last=True), "-s_n", "locality")
        )
        shaped = _summed
    if source.live is None:
        return [shaped(row) for row in ordered[:TOP_LOCALITIES]]
    # The drafts' rows (few) added to the published rows of the same localities and of the
    # first ones: exact, as drafts only add to a locality's figures.
    extra = _live_top(a, source.live, role == SummaryRole.GIVER)
    ids = [row["locality"] for row in extra]
    first = [shaped(row) for row in ordered[: TOP_LOCALITIES + len(ids)]]
    theirs = [shaped(row) for row in ordered.filter(scope__in=ids)] if ids else []
    seen = {row["locality"] for row in first}
    return _ranked(
        _merged(
            lambda r: r["locality"], first, [r for r in theirs if r["locality"] not in seen], extra
        )
    )


def _scope_top(a, source, role):
    """A locality's top rows of a role, from its PARTY_GIVER (PARTY_RECIPIENT) rows: a few
    hundred rows at most, added up by giver (recipient); with the drafts in a staff member's
    charge (`live`) added."""
    found = _summary(role, a.filters.status, source.published, source.scope)
    rows = _grouped(found.filter(_in_period(a.filters)).annotate(locality=F("unit")), "locality")
    extra = []
    if source.live is not None:
        extra = _live_top(a, source.live, role == SummaryRole.PARTY_GIVER)
    return _ranked(_merged(lambda r: r["locality"], rows, extra))


def _top(a, source):
    """(top givers, top recipients): three to nine queries."""
    if source.role == SummaryRole.ALL:
        givers = _row_top(a, source, SummaryRole.GIVER)
        recipients = _row_top(a, source, SummaryRole.RECIPIENT)
    elif source.role == SummaryRole.PARTY:
        givers = _scope_top(a, source, SummaryRole.PARTY_GIVER)
        recipients = _scope_top(a, source, SummaryRole.PARTY_RECIPIENT)
    else:
        givers = _ranked(_live_top(a, source.live, giving=True))
        recipients = _ranked(_live_top(a, source.live, giving=False))
    return locality_totals(givers, recipients)


def _funders(a, source):
    """The funders that paid for the counted activities: two or three queries."""
    rows, live = _rows_by(source, SummaryRole.FUNDER, a.filters.status), source.live
    sums = []
    if rows is not None:
        sums.append(_grouped(rows.filter(_in_period(a.filters)), "funder"))
    if live is not None:
        activities = _live_activities(a, live).filter(funder__isnull=False).order_by()
        sums.append(activities.values("funder").annotate(**measures()))
    top = _ranked(_merged(lambda r: r["funder"], *sums), key="funder")
    funders = Funder.objects.in_bulk([row["funder"] for row in top])
    return [
        FunderTotal(funder=funders[row["funder"]], activities=row["n"], money=money(row))
        for row in top
    ]


def locality_totals(givers, recipients):
    """LocalityTotals for rows with a locality id and MEASURES: one query."""
    places = Locality.objects.select_related("parent").in_bulk(
        {row["locality"] for row in (*givers, *recipients)}
    )

    def totals(rows):
        return [
            LocalityTotal(locality=places[row["locality"]], activities=row["n"], money=money(row))
            for row in rows
        ]

    return totals(givers), totals(recipients)


def _pairs(a):
    parties = Party.objects.select_related("locality__parent").order_by("position", "pk")
    agreements = (
        rules.counted_agreements(a)
        .filter(rules.listed(a))
        .order_by("-signed_on", "-pk")
        .prefetch_related(Prefetch("parties", queryset=parties))[:PAIRS_SHOWN]
    )
    inherited, own = set(a.inherited), set(a.here or ()) - set(a.inherited)
    pairs = []
    for agreement in agreements:
        everyone = list(agreement.parties.all())
        ids = {p.locality_id for p in everyone}
        pairs.append(
            Pair(
                agreement=agreement,
                parties=[p.locality for p in everyone if p.role == PartyRole.PARTY],
                coordinators=[p.locality for p in everyone if p.role == PartyRole.COORDINATOR],
                inherited=bool(ids & inherited) and not ids & own,
            )
        )
    return pairs


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


def _first_day_from(year, month, day):
    """The first day of `year` whose month and day are (month, day) or later: 29 February
    is 1 March in a common year."""
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return datetime.date(year, 3, 1)


def _anniversaries(a):
    """Agreements in force today with a 5th, 10th, 15th… anniversary in the next 12 months.

    The database picks them by their signing day, within a range of days for each cycle (one
    query): this year's anniversary from today on (signed 5, 10… years ago, on today's month
    and day or later), or next year's before the same day. Dates compare as their month and
    day do, so the 29th of February needs no case of its own: it is on or after any 28th,
    and its anniversary in a common year is the 28th. Agreements signed before
    SIGNED_SINCE (none in a twinning register) are not looked for.
    """
    today = a.today
    this_year, until = today.year, one_year_after(today)
    cycles = Q()
    for years in range(ANNIVERSARY_EVERY, this_year - SIGNED_SINCE + 2, ANNIVERSARY_EVERY):
        # This year's, from today: signed `years` ago, on today's month and day or later.
        year = this_year - years
        if year >= SIGNED_SINCE:
            cycles |= Q(
                signed_on__gte=_first_day_from(year, today.month, today.day),
                signed_on__lte=datetime.date(year, 12, 31),
            )
        # Next year's, before the same day.
        year = this_year + 1 - years
        cycles |= Q(
            signed_on__gte=datetime.date(year, 1, 1),
            signed_on__lt=_first_day_from(year, until.month, until.day),
        )
    this_years = Q(cycle=this_year % ANNIVERSARY_EVERY)  # next year's are of the next cycle
    found = (
        rules.counted_agreements(a)
        .filter(in_force_condition(today), cycles)
        .annotate(
            cycle=Mod(ExtractYear("signed_on"), ANNIVERSARY_EVERY),
            month_day=ExtractMonth("signed_on") * 100 + ExtractDay("signed_on"),
        )
        .annotate(
            later=Case(When(this_years, then=Value(0)), default=1, output_field=IntegerField())
        )
        .order_by("later", "month_day", "pk")[: DATES_SHOWN + 1]
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


def _programmes_ending(a):
    return list(
        Programme.objects.filter(
            agreement__in=rules.counted_agreements(a),
            ends_on__gte=a.today,
            ends_on__lt=one_year_after(a.today),
        )
        .select_related("agreement")
        .order_by("ends_on", "pk")[: DATES_SHOWN + 1]
    )


def _latest(a):
    """Two queries (three for a locality): the latest ids, from the activities alone (so that
    the database can walk its indexes), then those rows with what they show."""
    activities = rules.counted_activities(a)
    if a.here is not None:
        # A locality's agreements by their ids: joined instead, the database would walk the
        # country's activities from the latest until it met ten of them.
        agreements = list(rules.counted_agreements(a).values_list("pk", flat=True))
        activities = Activity.objects.filter(
            rules.in_period(a.filters), agreement__in=agreements, status=a.filters.status
        )
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


# --- the functions the pages call --------------------------------------------------------------


def _sections(a):
    filters = a.filters
    agreements = _agreement_figures(a)
    localities = _locality_figures(a)
    source = _source(a)
    by_type, by_year, left_out = _activity_figures(a, source)
    top_givers, top_recipients = _top(a, source)
    anniversaries, programmes = _anniversaries(a), _programmes_ending(a)
    return {
        "filters": filters,
        "agreements_in_force": agreements["in_force"],
        "localities_with_partner": localities["with_partner"],
        "minority_villages": Coverage(
            with_partner=localities["villages_with_partner"], total=localities["villages"]
        ),
        "money": money_of(by_type),
        "goods": goods_of(by_type),
        "by_year": by_year,
        "by_type": by_type,
        "by_area": _by_area(a, source),
        "top_givers": top_givers,
        "top_recipients": top_recipients,
        "funders": _funders(a, source),
        "pairs": _pairs(a),
        "pairs_count": agreements["listed"],
        "anniversaries": anniversaries[:DATES_SHOWN],
        "more_anniversaries": len(anniversaries) > DATES_SHOWN,
        "programmes_ending": programmes[:DATES_SHOWN],
        "more_programmes": len(programmes) > DATES_SHOWN,
        "latest_activities": _latest(a),
        "left_out": left_out,
        "has_drafts": filters.include_drafts and agreements["drafts"] > 0,
        "inherited_agreements": agreements["inherited"],
        "partners_map": dashboard_map(a, rules.counted_agreements(a).filter(rules.listed(a))),
    }


def dashboard(filters, today=None):
    """The province dashboard (or any locality's, with filters.locality): one query when a
    snapshot of it is current (snapshots.py), else a fixed number of queries (see
    tests/activities/test_dashboard_reports.py)."""
    today = today or timezone.localdate()
    return snapshots.snapshot(
        "province",
        filters,
        today,
        lambda version: Dashboard(**_sections(rules.ask(filters, today)), version=version),
    )


def _given_and_received(a):
    """(given, received) Sides of the question's locality: two queries on the summary rows
    (GIVEN, RECEIVED), three more on the drafts in a staff member's charge; three on the
    activities by kind of party or area, which the rows are not kept by."""
    filters = a.filters
    named, jointly = rules.given_by(a)
    received = rules.received_by(a)
    parts = {SummaryRole.GIVEN: [named, jointly], SummaryRole.RECEIVED: [received]}
    published = False  # no row answers
    if not filters.party_kind and filters.area is None:
        published = None if filters.include_drafts and filters.drafts_scope is None else True
        # The rows hold the published activities (or all of them): the activities read are
        # only those of the drafts in the reader's charge, if any.
        drafts = a.drafts if filters.include_drafts and filters.drafts_scope else []
        parts = {
            role: [part.filter(agreement__in=drafts) for part in found] if drafts else []
            for role, found in parts.items()
        }
    sides = []
    for role, found in parts.items():
        sums = [part.order_by().values(*TYPE_FIELDS).annotate(**measures()) for part in found]
        if published is not False:
            rows = _summary(role, filters.status, published, filters.locality.pk)
            sums.append(_grouped(rows.filter(_in_period(filters)), *TYPE_FIELDS))
        rows = _merged(lambda r: r["activity_type_id"], *sums)
        rows.sort(key=lambda r: (r["activity_type__position"], r["activity_type__name"]))
        by_type = [type_total(row, filters.status) for row in rows]
        sides.append(Side(by_type, money_of(by_type)))
    return tuple(sides)


def locality_dashboard(locality, filters, today=None):
    """A locality's dashboard: the province's sections for the locality (the units below it
    and the units it succeeded), and, apart, what it gave and what it received."""
    filters, today = replace(filters, locality=locality), today or timezone.localdate()

    def compose(version):
        a = rules.ask(filters, today)
        given, received = _given_and_received(a)
        return LocalityDashboard(**_sections(a), given=given, received=received, version=version)

    return snapshots.snapshot("locality", filters, today, compose)


def given_and_received(locality, today=None):
    """What a locality (with the units below it and the units it succeeded) gave and received,
    delivered under published agreements, as its dashboard counts it: two queries (the
    locality page)."""
    return _given_and_received(rules.ask(DashboardFilters(locality=locality), today))


def province_totals(status=ActivityStatus.DELIVERED):
    """(type totals, money) of every published activity of a status, as the province
    dashboard without filters counts them: one query, on the summary rows."""
    rows = _summary(SummaryRole.ALL, status, published=True)
    by_type = [
        type_total(row, status)
        for row in sorted(
            _grouped(rows, *TYPE_FIELDS),
            key=lambda r: (r["activity_type__position"], r["activity_type__name"]),
        )
    ]
    return by_type, money_of(by_type)


@dataclass(frozen=True)
class Headline:
    agreements_in_force: int
    localities_with_partner: int


def headline(today=None):
    """The province dashboard's first two figures, without filters: two queries (the home
    page shows the same numbers)."""
    a = rules.ask(DashboardFilters(), today)
    return Headline(
        agreements_in_force=_agreement_figures(a)["in_force"],
        localities_with_partner=_locality_figures(a)["with_partner"],
    )


def village_coverage(today=None):
    """The province dashboard's "ethnic-minority villages with a partner", without filters:
    two queries (the needs board shows the same numbers)."""
    localities = _locality_figures(rules.ask(DashboardFilters(), today))
    return Coverage(with_partner=localities["villages_with_partner"], total=localities["villages"])


@dataclass(frozen=True)
class CoverageTotals:
    communes: int  # communes (or wards) with ethnic-minority villages
    without_partner: int  # their villages without a partner
    total: int  # their ethnic-minority villages
    communes_lacking: int  # communes with a village still without a partner


def _coverage_villages(a):
    villages = Locality.objects.filter(rules.minority_villages(), parent__isnull=False)
    if a.here is not None:
        villages = villages.filter(tree.below("", a.here))
    return villages, Q(pk__in=rules.partnered(a))


def coverage_totals(filters, today=None):
    """The totals of the coverage table (rules.partnered): one query, two with a locality (and
    one more for the staff of a commune: rules.ask)."""
    a = rules.ask(filters, today)
    villages, partnered = _coverage_villages(a)
    found = villages.aggregate(
        communes=Count("parent", distinct=True),
        total=Count("pk"),
        without_partner=Count("pk", filter=~partnered),
        communes_lacking=Count("parent", filter=~partnered, distinct=True),
    )
    return CoverageTotals(**found)


def coverage(filters, today=None, first=0, count=None):
    """Communes (or wards) with ethnic-minority villages, by name, and which of those have no
    partner (rules.partnered): `count` of them from the `first` (all by default). Two
    queries, three with a locality."""
    a = rules.ask(filters, today)
    villages, partnered = _coverage_villages(a)
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
    communes = list(communes[first : first + count] if count is not None else communes)
    unpartnered = {}
    lacking = villages.exclude(partnered).filter(parent__in=[c.pk for c in communes])
    for village in lacking.order_by("search_key", "pk"):
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


# A snapshot of a dashboard of another shape is never read (snapshots.py).
snapshots.snapshot_format(Dashboard, LocalityDashboard, CoverageTotals)
