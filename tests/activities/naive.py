"""Every dashboard figure counted again the plainest way, to test activities.reports against.

The raw rows (localities, successions, agreements, parties, commitments, activity types,
activities) are read into dicts and lists; the figures are then counted with loops and sets,
by the rules of docs/counting.md written again here from the document, not imported from
activities.reports. `dashboard`, `locality_dashboard` and `coverage` return plain dicts of the
figures; `shown`, `shown_locality` and `shown_coverage` turn what reports returns into the same
dicts, so that a test compares them figure by figure.

Left out (tests/activities/test_dashboard_reports.py checks them): anniversaries, programmes
ending, the latest activities, and the order of the pairs (compared here as a set).
"""

from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils.translation import ngettext

from activities.models import Activity, ActivityType
from agreements.models import Agreement, Commitment, CommitmentArea, Party
from localities.models import Locality, Succession

EXACT, OVER, ABOUT, NEARLY = "exact", "over", "about", "nearly"
PUBLISHED, DRAFT = "published", "draft"
SIGNING = "party"  # a party that signs; a coordinator does not
VILLAGE = "village"
MONEY = "money"  # the measure of the types whose figure is the value itself
DEPTH = 3  # province → former district → commune → village
TOP = 10
PERIOD_BARS = 8  # bars of periods in the chart by year, the last shared by the smallest


@dataclass
class Data:
    """The raw rows, each a dict of its columns."""

    localities: dict  # id → row
    predecessors: dict  # id → the ids of the units it succeeded (one step)
    agreements: dict  # id → row
    parties: list
    commitments: list
    areas: list  # by position, then name
    types: dict  # id → row
    activities: list


def read():
    """The rows as they are in the database now (a few plain SELECTs, no aggregate)."""
    predecessors = {}
    for predecessor, successor in Succession.objects.values_list("predecessor", "successor"):
        predecessors.setdefault(successor, set()).add(predecessor)
    areas = list(CommitmentArea.objects.values("id", "slug", "name", "position"))
    areas.sort(key=lambda area: (area["position"], area["name"]))
    return Data(
        localities={
            row["id"]: row
            for row in Locality.objects.values(
                "id", "kind", "parent_id", "is_ethnic_minority_area", "dissolved_on", "search_key"
            )
        },
        predecessors=predecessors,
        agreements={
            row["id"]: row
            for row in Agreement.objects.values("id", "status", "signed_on", "ended_on")
        },
        parties=list(Party.objects.values("agreement_id", "locality_id", "role")),
        commitments=list(Commitment.objects.values("agreement_id", "area_id")),
        areas=areas,
        types={
            row["id"]: row
            for row in ActivityType.objects.values(
                "id", "name", "slug", "unit", "measure", "position"
            )
        },
        activities=list(
            Activity.objects.values(
                "id",
                "agreement_id",
                "activity_type_id",
                "status",
                "giver_id",
                "recipient_id",
                "funder_id",
                "starts_on",
                "ends_on",
                "quantity",
                "quantity_qualifier",
                "value_vnd",
                "value_qualifier",
            )
        ),
    )


# --- the locality tree -----------------------------------------------------------------------


def below(data, unit):
    """The unit and every unit below it, at most DEPTH levels down."""
    found, level = {unit}, {unit}
    for _depth in range(DEPTH):
        level = {pk for pk, row in data.localities.items() if row["parent_id"] in level}
        found |= level
    return found


def covers(data, unit):
    """(what a unit covers, the part of it the unit has through a succession): itself and the
    units below it; the units it succeeded and the units below them."""
    own = below(data, unit)
    everything = set(own)
    for predecessor in data.predecessors.get(unit, ()):
        everything |= below(data, predecessor)
    return everything, everything - own


# --- agreements ------------------------------------------------------------------------------


def parties_of(data, agreement_id, signing_only=False):
    return {
        p["locality_id"]
        for p in data.parties
        if p["agreement_id"] == agreement_id and (not signing_only or p["role"] == SIGNING)
    }


def visible(data, agreement, filters):
    """Published; or a draft, for signed-in staff: province staff see every draft, the staff of
    a commune those with a party in the commune or below it."""
    if agreement["status"] == PUBLISHED:
        return True
    if not filters.include_drafts:
        return False
    if filters.drafts_scope is None:
        return True
    in_charge = set()
    for root in filters.drafts_scope.roots:
        in_charge |= below(data, root)
    return bool(parties_of(data, agreement["id"]) & in_charge)


def counted_agreements(data, filters, here):
    """The ids of the agreements counted: visible, with a party in the chosen unit (`here`; None
    for anywhere), with a party of the chosen kind, with a commitment in the chosen area."""
    counted = set()
    for agreement in data.agreements.values():
        parties = parties_of(data, agreement["id"])
        if not visible(data, agreement, filters):
            continue
        if here is not None and not parties & here:
            continue
        kinds = {data.localities[pk]["kind"] for pk in parties}
        if filters.party_kind and filters.party_kind not in kinds:
            continue
        areas = {c["area_id"] for c in data.commitments if c["agreement_id"] == agreement["id"]}
        if filters.area is not None and filters.area.pk not in areas:
            continue
        counted.add(agreement["id"])
    return counted


def end_of_period(filters, today):
    """31 December of the last year chosen, or today (no last year, or this year or later)."""
    if filters.year_to is None or filters.year_to >= today.year:
        return today
    return today.replace(year=filters.year_to, month=12, day=31)


def in_force(agreement, day):
    """Signed on or before the day, and not ended before it."""
    signed, ended = agreement["signed_on"], agreement["ended_on"]
    return signed is not None and signed <= day and (ended is None or ended >= day)


def listed(agreement, filters, end):
    """Among the pairs: signed by the end of the period, not ended before its start."""
    signed, ended = agreement["signed_on"], agreement["ended_on"]
    if signed is None or signed > end:
        return False
    if filters.year_from is None or ended is None:
        return True
    return ended.year >= filters.year_from


# --- activities ------------------------------------------------------------------------------


def years(activity):
    first = activity["starts_on"].year
    last = (activity["ends_on"] or activity["starts_on"]).year
    return first, last


def within_years(activity, filters):
    first, last = years(activity)
    if filters.year_from is not None and first < filters.year_from:
        return False
    return filters.year_to is None or last <= filters.year_to


def cut_by_years(activity, filters):
    """A figure over a period that overlaps the chosen years without lying within them."""
    if activity["ends_on"] is None or within_years(activity, filters):
        return False
    if filters.year_from is None and filters.year_to is None:
        return False
    first, last = years(activity)
    if filters.year_from is not None and last < filters.year_from:
        return False
    return filters.year_to is None or first <= filters.year_to


def givers(data, activity):
    """The named giver; or, with none named, every signing party but the recipient itself."""
    if activity["giver_id"] is not None:
        return {activity["giver_id"]}
    signing = parties_of(data, activity["agreement_id"], signing_only=True)
    return signing - {activity["recipient_id"]}


# --- what a total says -----------------------------------------------------------------------


def qualifier(words):
    """Exact figures only → exact; one other kind among them → that kind; a mix → about."""
    kinds = set(words) - {EXACT}
    if not kinds:
        return EXACT
    if len(kinds) == 1:
        return kinds.pop()
    return ABOUT


def money(activities):
    """The value of the activities that have one; not valued (None) when none has, 0 when
    there is no activity at all."""
    valued = [a for a in activities if a["value_vnd"] is not None]
    words = [a["value_qualifier"] for a in valued]
    value = sum(a["value_vnd"] for a in valued)
    return {
        "value_vnd": value if valued or not activities else None,
        "over": words.count(OVER),
        "about": words.count(ABOUT),
        "nearly": words.count(NEARLY),
        "unvalued": len(activities) - len(valued),
        "valued": len(valued),
        "qualifier": qualifier(words),
    }


def by_type(data, activities, status):
    """One total per activity type of the activities, by the type's position then name."""
    found = {}
    for activity in activities:
        found.setdefault(activity["activity_type_id"], []).append(activity)
    totals = []
    for type_id, of_type in found.items():
        given = [a for a in of_type if a["quantity"] is not None]
        quantity = None
        if given:
            quantity = sum((a["quantity"] for a in given), Decimal(0)).quantize(Decimal("0.01"))
        totals.append(
            {
                "type": type_id,
                "slug": data.types[type_id]["slug"],
                "status": status,
                "count": len(of_type),
                "quantity": quantity,
                "quantity_qualifier": qualifier(a["quantity_qualifier"] for a in given),
                "quantity_missing": len(of_type) - len(given),
                "money": money(of_type),
            }
        )
    totals.sort(key=lambda t: (data.types[t["type"]]["position"], data.types[t["type"]]["name"]))
    return totals


def goods(data, type_totals):
    """The non-money types with a quantity."""
    return [
        t["type"]
        for t in type_totals
        if t["quantity"] is not None and data.types[t["type"]]["measure"] != MONEY
    ]


def by_year(activities):
    """A bar per first and last year: a single year, or a whole period (never split). Past
    PERIOD_BARS periods, the smallest (by value, not valued as 0, then by number of activities)
    share one bar."""
    found = {}
    for activity in activities:
        found.setdefault(years(activity), []).append(activity)
    singles, periods = [], []
    for (first, last), of_years in found.items():
        (singles if first == last else periods).append(
            {
                "label": str(first) if first == last else f"{first}\N{EN DASH}{last}",
                "first_year": first,
                "last_year": last,
                "is_period": first != last,
                "activities": len(of_years),
                "money": money(of_years),
                "of": of_years,
            }
        )
    if len(periods) > PERIOD_BARS:
        # Largest first; equal sizes by years, so that the bar shared is always the same.
        periods.sort(
            key=lambda bar: (
                -(bar["money"]["value_vnd"] or 0),
                -bar["activities"],
                bar["first_year"],
                bar["last_year"],
            )
        )
        periods, others = periods[: PERIOD_BARS - 1], periods[PERIOD_BARS - 1 :]
        first = min(bar["first_year"] for bar in others)
        last = max(bar["last_year"] for bar in others)
        shared = [a for bar in others for a in bar["of"]]
        label = ngettext(
            "%(count)s other period, %(first)s–%(last)s",
            "%(count)s other periods, %(first)s–%(last)s",
            len(others),
        )
        periods.append(
            {
                "label": label % {"count": len(others), "first": first, "last": last},
                "first_year": first,
                "last_year": last,
                "is_period": True,
                "activities": len(shared),
                "money": money(shared),
                "of": shared,
            }
        )
    bars = sorted(
        singles + periods,
        key=lambda bar: (bar["first_year"], bar["is_period"], bar["last_year"]),
    )
    return [{name: value for name, value in bar.items() if name != "of"} for bar in bars]


def top(activities_of):
    """The first TOP rows (locality or funder, activities, money): by value, nothing valued
    last, then by number of activities, then by id."""
    rows = [(pk, len(acts), money(acts)) for pk, acts in activities_of.items() if acts]
    rows.sort(
        key=lambda row: (
            row[2]["value_vnd"] is None,
            -(row[2]["value_vnd"] or 0),
            -row[1],
            row[0],
        )
    )
    return rows[:TOP]


# --- the dashboards --------------------------------------------------------------------------


def dashboard(filters, today, data=None):
    """The figures of reports.dashboard(filters, today), counted plainly."""
    data = data or read()
    here, inherited = None, set()
    if filters.locality is not None:
        here, inherited = covers(data, filters.locality.pk)
    end = end_of_period(filters, today)
    counted = counted_agreements(data, filters, here)
    agreements = [data.agreements[pk] for pk in counted]
    in_force_ids = {g["id"] for g in agreements if in_force(g, end)}
    listed_ids = {g["id"] for g in agreements if listed(g, filters, end)}

    of_status = [
        a for a in data.activities if a["agreement_id"] in counted and a["status"] == filters.status
    ]
    activities = [a for a in of_status if within_years(a, filters)]
    left_out = [a for a in of_status if cut_by_years(a, filters)]

    partnered = set()
    for pk in in_force_ids:
        partnered |= parties_of(data, pk)
    places = set(data.localities) if here is None else here
    villages = {pk for pk in places if is_minority_village(data.localities[pk])}

    areas = []
    for area in data.areas:
        committed = {
            c["agreement_id"]
            for c in data.commitments
            if c["area_id"] == area["id"] and c["agreement_id"] in counted
        }
        areas.append(
            {
                "area": area["id"],
                "agreements": len(committed & listed_ids),
                "money": money([a for a in activities if a["agreement_id"] in committed]),
            }
        )

    given, received, funded = {}, {}, {}
    for activity in activities:
        for pk in givers(data, activity):
            given.setdefault(pk, []).append(activity)
        if activity["recipient_id"] is not None:
            received.setdefault(activity["recipient_id"], []).append(activity)
        if activity["funder_id"] is not None:
            funded.setdefault(activity["funder_id"], []).append(activity)

    own = (here or set()) - inherited
    pairs = {(pk, _only_inherited(parties_of(data, pk), inherited, own)) for pk in listed_ids}

    # A draft is marked when a counted figure comes from it: an agreement in force, a pair, an
    # activity. (The figures left out are counted nowhere.)
    drafts = {g["id"] for g in agreements if g["status"] == DRAFT}
    figured = (in_force_ids | listed_ids | {a["agreement_id"] for a in activities}) & drafts
    type_totals = by_type(data, activities, filters.status)
    return {
        "agreements_in_force": len(in_force_ids),
        "localities_with_partner": len(places & partnered),
        "minority_villages": {"with_partner": len(villages & partnered), "total": len(villages)},
        "money": money(activities),
        "by_type": type_totals,
        "goods": goods(data, type_totals),
        "by_year": by_year(activities),
        "left_out": {"activities": len(left_out), "money": money(left_out)},
        "by_area": areas,
        "top_givers": top(given),
        "top_recipients": top(received),
        "funders": top(funded),
        "pairs": pairs,
        "pairs_count": len(listed_ids),
        "inherited_agreements": len(
            [pk for pk in counted if _only_inherited(parties_of(data, pk), inherited, own)]
        ),
        "has_drafts": bool(filters.include_drafts and figured),
    }


def locality_dashboard(locality, filters, today, data=None):
    """The figures of reports.locality_dashboard(locality, filters, today): the dashboard of
    the locality, and apart what the units it covers gave (jointly included) and received under
    any agreement the other filters pick."""
    data = data or read()
    figures = dashboard(replace(filters, locality=locality), today, data)
    here, _inherited = covers(data, locality.pk)
    counted = counted_agreements(data, filters, None)
    activities = [
        a
        for a in data.activities
        if a["agreement_id"] in counted
        and a["status"] == filters.status
        and within_years(a, filters)
    ]
    given = [a for a in activities if givers(data, a) & here]
    received = [a for a in activities if a["recipient_id"] in here]
    return {
        **figures,
        "given": {"by_type": by_type(data, given, filters.status), "money": money(given)},
        "received": {"by_type": by_type(data, received, filters.status), "money": money(received)},
    }


def coverage(filters, today, data=None):
    """The rows of reports.coverage: (commune, its ethnic-minority villages without a partner,
    how many, how many such villages), by the commune's search key."""
    data = data or read()
    here = None if filters.locality is None else covers(data, filters.locality.pk)[0]
    end = end_of_period(filters, today)
    partnered = set()
    for pk in counted_agreements(data, filters, here):
        if in_force(data.agreements[pk], end):
            partnered |= parties_of(data, pk)
    communes = {}
    for pk, row in data.localities.items():
        in_unit = here is None or pk in here
        if is_minority_village(row) and row["parent_id"] is not None and in_unit:
            communes.setdefault(row["parent_id"], []).append(pk)

    def key(pk):
        return (data.localities[pk]["search_key"], pk)

    return [
        (
            commune,
            sorted((v for v in villages if v not in partnered), key=key),
            len([v for v in villages if v not in partnered]),
            len(villages),
        )
        for commune, villages in sorted(communes.items(), key=lambda item: key(item[0]))
    ]


def _only_inherited(parties, inherited, own):
    """An agreement the locality has only through a unit it succeeded."""
    return bool(parties & inherited) and not parties & own


def is_minority_village(row):
    return row["kind"] == VILLAGE and row["is_ethnic_minority_area"] and row["dissolved_on"] is None


# --- what reports shows, as the same plain figures -------------------------------------------


def shown_money(total):
    return {
        "value_vnd": total.value_vnd,
        "over": total.over,
        "about": total.about,
        "nearly": total.nearly,
        "unvalued": total.unvalued,
        "valued": total.valued,
        "qualifier": total.qualifier,
    }


def shown_types(type_totals):
    return [
        {
            "type": t.type_id,
            "slug": t.slug,
            "status": t.status,
            "count": t.count,
            "quantity": t.quantity,
            "quantity_qualifier": t.quantity_qualifier,
            "quantity_missing": t.quantity_missing,
            "money": shown_money(t.money),
        }
        for t in type_totals
    ]


def shown_top(rows):
    return [(row.locality.pk, row.activities, shown_money(row.money)) for row in rows]


def shown(d):
    """The figures of a reports.Dashboard, as dashboard() counts them."""
    return {
        "agreements_in_force": d.agreements_in_force,
        "localities_with_partner": d.localities_with_partner,
        "minority_villages": {
            "with_partner": d.minority_villages.with_partner,
            "total": d.minority_villages.total,
        },
        "money": shown_money(d.money),
        "by_type": shown_types(d.by_type),
        "goods": [t.type_id for t in d.goods],
        "by_year": [
            {
                "label": bar.label,
                "first_year": bar.first_year,
                "last_year": bar.last_year,
                "is_period": bar.is_period,
                "activities": bar.activities,
                "money": shown_money(bar.money),
            }
            for bar in d.by_year
        ],
        "left_out": {"activities": d.left_out.activities, "money": shown_money(d.left_out.money)},
        "by_area": [
            {"area": bar.area.pk, "agreements": bar.agreements, "money": shown_money(bar.money)}
            for bar in d.by_area
        ],
        "top_givers": shown_top(d.top_givers),
        "top_recipients": shown_top(d.top_recipients),
        "funders": [(row.funder.pk, row.activities, shown_money(row.money)) for row in d.funders],
        "pairs": {(pair.agreement.pk, pair.inherited) for pair in d.pairs},
        "pairs_count": d.pairs_count,
        "inherited_agreements": d.inherited_agreements,
        "has_drafts": d.has_drafts,
    }


def shown_locality(d):
    """The figures of a reports.LocalityDashboard, as locality_dashboard() counts them."""
    return {
        **shown(d),
        "given": {"by_type": shown_types(d.given.by_type), "money": shown_money(d.given.money)},
        "received": {
            "by_type": shown_types(d.received.by_type),
            "money": shown_money(d.received.money),
        },
    }


def shown_coverage(rows):
    return [
        (row.commune.pk, [v.pk for v in row.villages], row.without_partner, row.total)
        for row in rows
    ]


def differences(shown_figures, counted_figures):
    """The figures that differ, each as 'name: shown …, counted plainly …' (empty: all equal)."""
    return [
        f"{name}: shown {shown_figures.get(name)!r}, counted plainly {counted!r}"
        for name, counted in counted_figures.items()
        if shown_figures.get(name) != counted
    ]
