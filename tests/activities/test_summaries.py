"""The dashboards' summary rows (activities.reports.summaries) stay equal to a fresh aggregate.

After any sequence of writes through the models (creates, edits and deletes of activities,
publishing, parties and commitments added, changed or removed, units moved or of another
kind, successions added or removed), the rows kept in step equal the rows `rebuild_summaries`
computes from scratch, and the dashboards read from them equal the figures counted plainly
from the raw rows (tests/activities/naive.py).
"""

import datetime
import io
from dataclasses import replace
from decimal import Decimal
from io import StringIO

import pytest
import tablib
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from activities import reports
from activities.models import (
    Activity,
    ActivityStatus,
    ActivitySummary,
    ActivityType,
    AgreementDates,
    Qualifier,
    SummaryRole,
)
from activities.reports import summaries
from activities.resources import ActivityResource
from agreements.models import (
    Agreement,
    Commitment,
    CommitmentArea,
    Party,
    PartyRole,
)
from agreements.services import publish_agreement, unpublish_agreement
from localities import changes, services, signals
from localities.models import Locality, LocalityKind, Succession
from localities.scopes import Scope
from tests import factories
from tests.activities import naive

pytestmark = pytest.mark.django_db

D = datetime.date
ALL = reports.DashboardFilters()
TODAY = D(2026, 3, 1)


def rows():
    """The summary rows as (key, measures), leaving out rows whose activities all went; and
    the agreements' dates."""
    found = ActivitySummary.objects.values_list(
        "role",
        "scope_id",
        "area_id",
        "activity_type_id",
        "funder_id",
        "unit_id",
        "published",
        "status",
        "first_year",
        "last_year",
        *summaries.MEASURES,
    )
    width = len(summaries.KEY)
    sums = sorted((tuple(row[:width]), tuple(row[width:])) for row in found if any(row[width:]))
    dates = AgreementDates.objects.values_list(
        "agreement_id",
        "locality_id",
        "area_id",
        "published",
        "signed_on",
        "ended_on",
        "minority_village",
    )
    return sums, sorted(dates, key=lambda row: tuple((v is None, str(v)) for v in row))


def rebuilt():
    """The rows rebuild() makes, the kept ones left as they were."""
    with transaction.atomic():
        summaries.rebuild()
        fresh = rows()
        transaction.set_rollback(True)
    return fresh


def assert_counted_plainly(filters, locality=None):
    """The dashboard (a locality's, with `locality`) == the figures naive.py counts."""
    if locality is None:
        shown = naive.shown(reports.dashboard(filters, TODAY))
        counted = naive.dashboard(filters, TODAY)
        what = "the dashboard"
    else:
        shown = naive.shown_locality(reports.locality_dashboard(locality, filters, TODAY))
        counted = naive.locality_dashboard(locality, filters, TODAY)
        what = f"the dashboard of {locality.name}"
    wrong = naive.differences(shown, counted)
    assert not wrong, f"{what}, {filters}: " + "; ".join(wrong)


def assert_in_step(localities=()):
    """Kept rows == rebuilt rows, and dashboards read from them == counted plainly."""
    assert rows() == rebuilt()
    filters = [
        ALL,
        replace(ALL, include_drafts=True),
        replace(ALL, status=ActivityStatus.PLEDGED),
        replace(ALL, year_from=2005, year_to=2010),
        replace(ALL, year_from=2008, include_drafts=True),
        replace(ALL, year_to=2009, status=ActivityStatus.PLEDGED),
    ]
    for f in filters:
        assert_counted_plainly(f)
        for locality in localities:
            assert_counted_plainly(f, locality)


# --- a small world, and random writes to it --------------------------------------------------


def make_world():
    w = {}
    w["province"] = factories.locality("Tỉnh Thử", kind=LocalityKind.PROVINCE)
    w["district"] = factories.locality(
        "Thành phố Cũ", kind=LocalityKind.DISTRICT, parent=w["province"]
    )
    w["c1"] = factories.locality("Xã Một", parent=w["province"])
    w["c2"] = factories.locality("Xã Hai", parent=w["province"])
    w["c3"] = factories.locality("Xã Ba", parent=w["district"])
    w["ward"] = factories.locality("Phường Bốn", kind=LocalityKind.WARD, parent=w["province"])
    w["army"] = factories.locality("Sư đoàn Năm", kind=LocalityKind.MILITARY_UNIT)
    for name, parent in (("v1", "c1"), ("v2", "c1"), ("v3", "c3")):
        w[name] = factories.locality(
            f"Làng {name}",
            kind=LocalityKind.VILLAGE,
            parent=w[parent],
            is_ethnic_minority_area=True,
        )
    agreements = [
        factories.agreement(w["ward"], w["c1"], published=True, signed_on=D(2004, 1, 1)),
        factories.agreement(w["army"], w["v3"], w["v1"], published=True, signed_on=D(2006, 5, 5)),
        factories.agreement(w["c2"], w["c3"], signed_on=D(2010, 2, 2)),
    ]
    factories.commitment(agreements[0], CommitmentArea.objects.get(slug="doan-ket"))
    factories.commitment(agreements[1], CommitmentArea.objects.get(slug="quoc-phong-an-ninh"))
    return w, agreements


LOCALITIES = ["province", "district", "c1", "c2", "c3", "ward", "army", "v1", "v2", "v3"]
TYPES = ["tien-mat", "qua-tang", "nha-o", "ngay-cong"]
QUALIFIERS = [Qualifier.EXACT, Qualifier.OVER, Qualifier.ABOUT, Qualifier.NEARLY]

figures = st.fixed_dictionaries(
    {
        "type": st.sampled_from(TYPES),
        "status": st.sampled_from(ActivityStatus.values),
        "year": st.integers(2003, 2012),
        "span": st.sampled_from([None, 0, 1, 4]),
        "quantity": st.one_of(st.none(), st.decimals(0, 500, places=2)),
        "value": st.one_of(st.none(), st.integers(0, 10**9)),
        "quantity_qualifier": st.sampled_from(QUALIFIERS),
        "value_qualifier": st.sampled_from(QUALIFIERS),
        "giver": st.one_of(st.none(), st.sampled_from(LOCALITIES)),
        "recipient": st.one_of(st.none(), st.sampled_from(LOCALITIES)),
        "agreement": st.integers(0, 2),
    }
)
index = st.integers(0, 50)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("create"), figures),
        st.tuples(st.just("create"), figures),
        st.tuples(st.just("edit"), index, figures),
        st.tuples(st.just("delete"), index),
        st.tuples(st.just("publish"), st.integers(0, 2)),
        st.tuples(st.just("unpublish"), st.integers(0, 2)),
        st.tuples(st.just("add_party"), st.integers(0, 2), st.sampled_from(LOCALITIES)),
        st.tuples(st.just("move_party"), index, st.sampled_from(LOCALITIES)),
        st.tuples(st.just("remove_party"), index),
        st.tuples(
            st.just("commitment"),
            st.integers(0, 2),
            st.sampled_from(["doan-ket", "an-sinh-xa-hoi"]),
        ),
        st.tuples(st.just("uncommit"), index),
        st.tuples(
            st.just("move"), st.sampled_from(["v2", "c2", "c3"]), st.sampled_from(LOCALITIES)
        ),
        st.tuples(st.just("kind"), st.sampled_from(["c2", "district"])),
        st.tuples(st.just("succeed"), st.sampled_from(["c2", "c3", "v2"])),
        st.tuples(st.just("unsucceed"), index),
        st.tuples(st.just("redate"), st.integers(0, 2), st.integers(2004, 2013), st.booleans()),
        st.tuples(st.just("bulk_delete"), st.integers(0, 2), st.integers(2003, 2012)),
        st.tuples(st.just("unsucceed_all"), st.sampled_from(["c2", "c3", "v2"])),
        st.tuples(st.just("standing"), st.sampled_from(["v1", "v2", "c2"])),
        st.tuples(st.just("dissolve"), st.sampled_from(["v1", "v3"])),
    ),
    max_size=12,
)
# Several writes in one: the admin saving an agreement with its parties, or an import.
operations = st.lists(
    st.one_of(operations.map(lambda steps: ("each", steps)), operations.map(lambda s: ("one", s))),
    max_size=2,
)


def activity_fields(w, agreements, spec):
    start = D(spec["year"], 3, 1)
    giver = w[spec["giver"]] if spec["giver"] else None
    recipient = w[spec["recipient"]] if spec["recipient"] else None
    if giver is not None and giver == recipient:
        recipient = None
    quantity, value = spec["quantity"], spec["value"]
    if quantity is None and value is None:
        value = 1_000_000
    return {
        "agreement": agreements[spec["agreement"]],
        "activity_type": ActivityType.objects.get(slug=spec["type"]),
        "status": spec["status"],
        "starts_on": start,
        "ends_on": None if spec["span"] is None else start.replace(year=start.year + spec["span"]),
        "quantity": quantity,
        "value_vnd": value,
        "quantity_qualifier": spec["quantity_qualifier"],
        "value_qualifier": spec["value_qualifier"],
        "giver": giver,
        "recipient": recipient,
    }


def nth(queryset, n):
    found = list(queryset.order_by("pk"))
    return found[n % len(found)] if found else None


def apply(w, agreements, operation):
    kind, *args = operation
    if kind == "create":
        Activity.objects.create(**activity_fields(w, agreements, args[0]))
    elif kind == "edit":
        activity = nth(Activity.objects.all(), args[0])
        if activity is not None:
            for name, value in activity_fields(w, agreements, args[1]).items():
                setattr(activity, name, value)
            activity.save()
    elif kind == "delete":
        activity = nth(Activity.objects.all(), args[0])
        if activity is not None:
            activity.delete()
    elif kind == "publish":
        agreement = Agreement.objects.get(pk=agreements[args[0]].pk)
        if agreement.parties.filter(role=PartyRole.PARTY).count() >= 2:
            publish_agreement(agreement, actor=None)
    elif kind == "unpublish":
        unpublish_agreement(agreements[args[0]], actor=None)
    elif kind == "add_party":
        agreement, locality = agreements[args[0]], w[args[1]]
        if not agreement.parties.filter(locality=locality).exists():
            Party.objects.create(
                agreement=agreement, locality=locality, role=PartyRole.COORDINATOR, position=9
            )
    elif kind == "move_party":
        party = nth(Party.objects.all(), args[0])
        taken = Party.objects.filter(agreement=party.agreement, locality=w[args[1]]).exists()
        if not taken:
            party.locality = w[args[1]]
            party.save()
    elif kind == "remove_party":
        party = nth(Party.objects.filter(role=PartyRole.COORDINATOR), args[0])
        if party is not None:
            party.delete()
    elif kind == "commitment":
        factories.commitment(agreements[args[0]], CommitmentArea.objects.get(slug=args[1]))
    elif kind == "uncommit":
        commitment = nth(Commitment.objects.all(), args[0])
        if commitment is not None:
            commitment.delete()
    elif kind == "move":
        unit, parent = Locality.objects.get(pk=w[args[0]].pk), w[args[1]]
        below = {unit.pk, *Locality.objects.filter(parent=unit).values_list("pk", flat=True)}
        if parent.pk not in below:  # a unit never lies below itself
            unit.parent = parent
            unit.save()
    elif kind == "kind":
        unit = Locality.objects.get(pk=w[args[0]].pk)
        unit.kind = LocalityKind.VILLAGE if unit.kind != LocalityKind.VILLAGE else "commune"
        unit.save()
    elif kind == "succeed":
        # Into the ward, which no unit succeeds: one step of succession (docs/counting.md).
        Succession.objects.get_or_create(predecessor=w[args[0]], successor=w["ward"])
    elif kind == "redate":
        agreement = Agreement.objects.filter(pk=agreements[args[0]].pk).first()
        if agreement is not None:
            agreement.signed_on = D(args[1], 5, 1)
            agreement.ended_on = D(args[1] + 4, 5, 1) if args[2] else None
            agreement.save()
    elif kind == "unsucceed":
        succession = nth(Succession.objects.all(), args[0])
        if succession is not None:
            succession.delete()
    elif kind == "bulk_delete":
        # The admin's bulk deletion: a queryset's delete(), no model's.
        found = Activity.objects.filter(agreement=agreements[args[0]], starts_on__year__lte=args[1])
        found.delete()
    elif kind == "unsucceed_all":
        Succession.objects.filter(predecessor=w[args[0]]).delete()
    elif kind == "standing":
        unit = Locality.objects.get(pk=w[args[0]].pk)
        unit.is_ethnic_minority_area = not unit.is_ethnic_minority_area
        unit.save()
    elif kind == "dissolve":
        unit = Locality.objects.get(pk=w[args[0]].pk)
        unit.dissolved_on = None if unit.dissolved_on else D(2025, 7, 1)
        unit.save()


def apply_all(w, agreements, batches):
    """Each batch of writes one by one, or as one write (changes.writing) that names what it
    concerns before it, as the admin saving an agreement with its parties does."""
    for how, steps in batches:
        if how == "each":
            for step in steps:
                apply(w, agreements, step)
            continue
        with changes.writing(
            agreements=[a.pk for a in agreements],
            dates=[a.pk for a in agreements],
            units=[w[name].pk for name in LOCALITIES],
        ):
            for step in steps:
                apply(w, agreements, step)


years = st.one_of(st.none(), st.integers(2004, 2013))
questions = st.fixed_dictionaries(
    {
        "year_from": years,
        "year_to": years,
        "status": st.sampled_from(ActivityStatus.values),
        "include_drafts": st.booleans(),
        # With drafts: province staff (None), or the staff of one commune.
        "staff_of": st.sampled_from([None, "c1", "c3", "ward"]),
        "locality": st.sampled_from(
            [None, "province", "district", "c1", "c3", "ward", "army", "v1"]
        ),
    }
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations, question=questions)
def test_summaries_stay_equal_to_a_fresh_aggregate(steps, question):
    """Rows kept in step == rows rebuilt; and a dashboard read from them == the one counted
    plainly (one question each time: the examples vary it)."""
    with transaction.atomic():
        w, agreements = make_world()
        apply_all(w, agreements, steps)
        assert rows() == rebuilt()
        place, staff_of = question.pop("locality"), question.pop("staff_of")
        if question["include_drafts"] and staff_of is not None:
            question["drafts_scope"] = Scope(frozenset({w[staff_of].pk}))
        filters = reports.DashboardFilters(**question)
        if place is None:
            assert_counted_plainly(filters)
        else:
            assert_counted_plainly(filters, Locality.objects.get(pk=w[place].pk))
        transaction.set_rollback(True)


# --- the writes one by one -------------------------------------------------------------------


@pytest.fixture
def world():
    return make_world()


def test_the_rows_follow_an_activity_from_creation_to_deletion(world):
    w, agreements = world
    assert rows() == rebuilt()
    assert rows()[0] == []
    activity = factories.activity(agreements[0], "nha-o", quantity=Decimal("7.25"), value_vnd=5)
    assert rows() == rebuilt()
    all_row = ActivitySummary.objects.get(role=SummaryRole.ALL)
    assert (all_row.n, all_row.quantity, all_row.value_vnd, all_row.published) == (
        1,
        Decimal("7.25"),
        5,
        True,
    )
    # Counted once in each unit at or above its parties: the province once, for both.
    scopes = set(
        ActivitySummary.objects.filter(role=SummaryRole.PARTY).values_list("scope", flat=True)
    )
    assert scopes == {w["ward"].pk, w["c1"].pk, w["province"].pk}

    activity.starts_on, activity.ends_on = D(2003, 7, 1), D(2023, 7, 1)
    activity.value_qualifier = Qualifier.OVER
    activity.save()
    assert rows() == rebuilt()
    all_row = ActivitySummary.objects.get(role=SummaryRole.ALL, n=1)
    assert (all_row.first_year, all_row.last_year, all_row.value_over) == (2003, 2023, 1)

    activity.delete()
    assert rows() == rebuilt()
    assert rows()[0] == []


def test_writes_inside_one_write_keep_the_rows_once(world):
    """The admin saving an agreement with its parties, or a service inside another write: the
    rows are kept once, when the outer write ends, whatever the inner writes created, changed
    or deleted."""
    w, agreements = world
    kept = factories.activity(agreements[0], value_vnd=7, giver=w["ward"])
    with changes.writing(agreements=[agreements[0].pk], dates=[agreements[0].pk]):
        made = factories.activity(agreements[2], value_vnd=11, giver=w["c2"])
        made.value_vnd = 13
        made.save()
        gone = factories.activity(agreements[2], value_vnd=17)
        gone.delete()
        publish_agreement(Agreement.objects.get(pk=agreements[2].pk), actor=None)
        kept.value_vnd = 5
        kept.save()
        Party.objects.create(
            agreement=agreements[2], locality=w["v2"], role=PartyRole.COORDINATOR, position=5
        )
        # Nothing is kept before the outer write ends.
        assert ActivitySummary.objects.get(role=SummaryRole.ALL, published=True).value_vnd == 7
    assert rows() == rebuilt()
    assert reports.dashboard(ALL, TODAY).money.value_vnd == 5 + 13
    assert_in_step([w["c2"], w["v2"], w["ward"]])


def test_the_admins_bulk_deletions_keep_the_rows_in_step(world):
    """A queryset's delete() (the admin's "delete selected") names the rows it deletes."""
    w, agreements = world
    for n in range(3):
        factories.activity(agreements[n], value_vnd=10 + n, starts_on=D(2008 + n, 1, 1))
    Party.objects.create(
        agreement=agreements[0], locality=w["v2"], role=PartyRole.COORDINATOR, position=5
    )
    Succession.objects.create(predecessor=w["c3"], successor=w["c2"])
    assert_in_step([w["c2"], w["v2"]])

    Activity.objects.filter(starts_on__year__gte=2009).delete()
    Party.objects.filter(role=PartyRole.COORDINATOR).delete()
    Commitment.objects.filter(agreement=agreements[1]).delete()
    Succession.objects.all().delete()
    assert rows() == rebuilt()
    assert reports.dashboard(ALL, TODAY).money.value_vnd == 10
    assert_in_step([w["c2"], w["v2"]])


def test_a_write_that_fails_changes_no_row_and_the_next_one_counts(world):
    _w, agreements = world
    factories.activity(agreements[0], value_vnd=10)
    before = rows()
    with pytest.raises(ValueError), changes.writing(agreements=[agreements[0].pk]):
        factories.activity(agreements[0], value_vnd=20)
        raise ValueError("the clerk's form was wrong")
    assert rows() == before
    factories.activity(agreements[0], value_vnd=30)
    assert rows() == rebuilt()
    assert reports.dashboard(ALL, TODAY).money.value_vnd == 40


def test_a_write_names_only_what_it_may_concern():
    with pytest.raises(TypeError, match="unknown concerns: parties"), changes.writing(parties=[1]):
        pass


def test_an_agreement_deleted_takes_its_dates_along(world):
    """Deleting an agreement (a draft: a published one keeps two parties) deletes its parties
    and commitments first: the rows their deletions make again go with the agreement, and
    nothing of it is counted after, by province staff who saw it."""
    w, _agreements = world
    gone = factories.agreement(w["v2"], w["district"], signed_on=D(2010, 1, 1))  # a draft
    factories.commitment(gone, CommitmentArea.objects.get(slug="doan-ket"))
    assert AgreementDates.objects.filter(agreement=gone).count() == 3  # 2 parties, 1 area
    staff = replace(ALL, include_drafts=True)
    assert reports.dashboard(staff, TODAY).localities_with_partner == 9
    assert_counted_plainly(staff)
    pk = gone.pk
    with transaction.atomic():
        gone.delete()
    assert not AgreementDates.objects.filter(agreement_id=pk).exists()
    assert rows() == rebuilt()
    # v2 and the district had no other partner.
    assert reports.dashboard(staff, TODAY).localities_with_partner == 7
    assert_counted_plainly(staff)


def test_publishing_moves_the_rows_of_an_agreement(world):
    """A draft's activities are in the rows not published; published, in the published rows.
    The every-year rows of givers not published hold every agreement (province staff's top
    lists): those keep it, and gain no published twin until it is published."""
    _w, agreements = world
    factories.activity(agreements[2], value_vnd=7)  # given jointly by c2 and c3
    totals = [SummaryRole.GIVER_TOTAL, SummaryRole.RECIPIENT_TOTAL]
    counted = ActivitySummary.objects.filter(n=1)
    assert set(counted.values_list("published", flat=True)) == {False}
    publish_agreement(agreements[2], actor=None)
    assert rows() == rebuilt()
    assert set(counted.exclude(role__in=totals).values_list("published", flat=True)) == {True}
    every_year = counted.filter(role=SummaryRole.GIVER_TOTAL)
    assert sorted(every_year.values_list("published", flat=True)) == [False, False, True, True]


def test_a_village_moved_to_another_commune_takes_its_agreements_along(world):
    w, agreements = world
    factories.activity(agreements[1], value_vnd=9)
    before = reports.dashboard(replace(ALL, locality=w["c3"]), TODAY).money.value_vnd
    village = Locality.objects.get(pk=w["v3"].pk)
    village.parent = w["c2"]
    village.save()
    assert rows() == rebuilt()
    assert reports.dashboard(replace(ALL, locality=w["c2"]), TODAY).money.value_vnd == before
    assert reports.dashboard(replace(ALL, locality=w["district"]), TODAY).money.value_vnd == 0


def test_the_dashboards_read_the_rows(world):
    """The province's, a commune's, a village's and a division's dashboards read the summary
    rows: rows made wrong on purpose show wrong figures there, what a unit gave or received
    included. By kind of party or area, the activities themselves are read."""
    w, agreements = world
    for n in range(3):
        factories.activity(agreements[0], value_vnd=10 + n, giver=w["ward"], recipient=w["c1"])
    company = factories.funder()
    factories.activity(
        agreements[1], value_vnd=100, giver=w["army"], recipient=w["v1"], funder=company
    )
    assert_in_step([w["c1"], w["v1"], w["army"]])
    # c1 has its own agreement (33) and its village v1's (100).
    counted = {None: 133, "province": 133, "c1": 133, "v1": 100, "army": 100, "ward": 33}

    ActivitySummary.objects.update(value_vnd=F("value_vnd") * 2)  # not in step, on purpose
    signals.data_changed.send(sender=__name__)  # as a bulk write says: no snapshot is read
    for place, value in counted.items():
        filters = replace(ALL, locality=None if place is None else w[place])
        assert naive.dashboard(filters, TODAY)["money"]["value_vnd"] == value
        assert reports.dashboard(filters, TODAY).money.value_vnd == 2 * value, place
    province = reports.dashboard(ALL, TODAY)
    assert [(t.locality, t.money.value_vnd) for t in province.top_givers] == [
        (w["army"], 200),
        (w["ward"], 66),
    ]
    by_area = {bar.area.slug: bar.money.value_vnd for bar in province.by_area}
    assert (by_area["doan-ket"], by_area["quoc-phong-an-ninh"]) == (66, 200)
    # Read from the activities.
    assert reports.dashboard(replace(ALL, party_kind="ward"), TODAY).money.value_vnd == 33
    doan_ket = CommitmentArea.objects.get(slug="doan-ket")
    assert reports.dashboard(replace(ALL, area=doan_ket), TODAY).money.value_vnd == 33
    commune = reports.locality_dashboard(w["c1"], ALL, TODAY)
    assert (commune.money.value_vnd, commune.received.money.value_vnd) == (2 * 133, 2 * 133)
    assert reports.locality_dashboard(w["ward"], ALL, TODAY).given.money.value_vnd == 2 * 33
    # A locality's areas and funders from its own rows too.
    by_area = {bar.area.slug: bar.money.value_vnd for bar in commune.by_area}
    assert (by_area["doan-ket"], by_area["quoc-phong-an-ninh"]) == (66, 200)
    assert [(f.funder, f.money.value_vnd) for f in commune.funders] == [(company, 200)]
    ward = reports.locality_dashboard(w["ward"], ALL, TODAY)
    assert {bar.area.slug: bar.money.value_vnd for bar in ward.by_area}["doan-ket"] == 66
    assert ward.funders == []
    by_kind = reports.locality_dashboard(w["c1"], replace(ALL, party_kind="commune"), TODAY)
    assert (by_kind.money.value_vnd, by_kind.received.money.value_vnd) == (33, 33)


def test_every_party_counts_in_its_unit_the_units_above_and_their_successors(world):
    """Villages, military units and agencies have rows too; a unit that succeeded another has
    the rows of the agreements of the unit it succeeded and of the units below it."""
    w, agreements = world
    factories.activity(agreements[1], value_vnd=9)  # the division, v3 (of c3) and v1 (of c1)
    Succession.objects.create(predecessor=w["c3"], successor=w["c2"])
    assert rows() == rebuilt()
    scopes = set(
        ActivitySummary.objects.filter(role=SummaryRole.PARTY, n=1).values_list("scope", flat=True)
    )
    assert scopes == {
        w[name].pk for name in ("army", "v3", "c3", "district", "province", "v1", "c1", "c2")
    }
    assert_in_step([w["c2"], w["v1"], w["army"]])

    Succession.objects.filter(predecessor=w["c3"]).delete()
    assert rows() == rebuilt()
    assert reports.dashboard(replace(ALL, locality=w["c2"]), TODAY).money.value_vnd == 0


def test_a_unit_of_another_kind_keeps_its_rows(world):
    """Rows are kept by where units lie, not by their kind: counted by kind of party, the
    activities are read."""
    w, agreements = world
    factories.activity(agreements[0], value_vnd=9)  # the ward and c1
    before = rows()
    unit = Locality.objects.get(pk=w["c1"].pk)
    unit.kind = LocalityKind.VILLAGE
    unit.save()
    assert rows() == before == rebuilt()
    villages = replace(ALL, party_kind=LocalityKind.VILLAGE)
    assert reports.dashboard(villages, TODAY).money.value_vnd == 9
    assert_counted_plainly(villages)


def test_the_province_dashboard_reads_no_activity_but_the_latest(world):
    _w, agreements = world
    factories.activity(agreements[0])
    with CaptureQueriesContext(connection) as queries:
        reports.dashboard(ALL, TODAY)
    table = connection.ops.quote_name(Activity._meta.db_table)
    latest_ids, latest_rows = [q["sql"] for q in queries if f"FROM {table}" in q["sql"]]
    assert "LIMIT 10" in latest_ids
    assert f'WHERE {table}."id" IN (' in latest_rows


# --- imports and commands --------------------------------------------------------------------


def workbook(*records):
    resource = ActivityResource()
    names = list(ActivityResource._meta.fields)
    book = Workbook()
    sheet = book.active
    sheet.append([resource.fields[name].column_name for name in names])
    for record in records:
        sheet.append([record.get(name) for name in names])
    buffer = io.BytesIO()
    book.save(buffer)
    return tablib.Dataset().load(buffer.getvalue(), format="xlsx")


@pytest.mark.usefixtures("demo")
class TestImports:
    def record(self, **fields):
        return {
            "agreement": "xa-ia-dok-phuong-an-nhon-bac-2025",
            "activity_type": "Quần áo",
            "giver": "21925",
            "recipient": "Xã Ia Dơk",
            "starts_on": "15/1/2026",
            "quantity": "200",
            "description": "Tặng 200 bộ quần áo ấm.",
            **fields,
        }

    def test_an_import_and_a_reimport_keep_the_rows_in_step(self):
        before = rows()
        assert before == rebuilt() and before
        result = ActivityResource().import_data(
            workbook(self.record(), self.record(description="Tiền", value_vnd="5.000.000")),
            dry_run=True,
        )
        assert not result.has_errors() and not result.has_validation_errors()
        assert rows() == before  # a preview writes nothing, summaries included

        ActivityResource().import_data(workbook(self.record()), dry_run=False)
        assert rows() == rebuilt() != before
        ActivityResource().import_data(
            workbook(self.record(quantity="300", status="Cam kết")), dry_run=False
        )
        assert rows() == rebuilt()
        assert_in_step([Locality.objects.get(code="23869")])

    def test_a_bad_row_rolls_the_rows_back_too(self):
        before = rows()
        result = ActivityResource().import_data(
            workbook(self.record(), self.record(description="x", starts_on="31/2/2026")),
            dry_run=False,
        )
        assert result.has_validation_errors()
        assert rows() == before


def test_the_command_rebuilds_rows_that_drifted(world):
    _w, agreements = world
    factories.activity(agreements[0])
    kept = rows()
    ActivitySummary.objects.update(n=F("n") + 5)
    Activity.objects.filter(pk__gt=0).update(value_vnd=F("value_vnd") + 1)  # bypasses signals
    out = StringIO()
    call_command("rebuild_summaries", stdout=out)
    assert str(ActivitySummary.objects.count()) in out.getvalue()
    assert rows() != kept
    assert rows() == rebuilt()
    assert_in_step()


def test_after_migrate_an_empty_summary_is_filled(world):
    _w, agreements = world
    factories.activity(agreements[0])
    kept = rows()
    ActivitySummary.objects.all().delete()
    summaries.fill_if_empty()
    assert rows() == kept


def test_a_giver_whose_activities_went_is_not_among_the_top_givers(world):
    """The rows of a giver whose activities were all deleted or moved stay, with zeros, until
    the next rebuild (summaries.py): the top lists skip them, as the rebuilt rows would."""
    w, agreements = world
    activity = factories.activity(agreements[0], value_vnd=5, giver=w["ward"], recipient=w["c1"])
    activity.giver, activity.recipient = w["c1"], w["ward"]
    activity.save()
    assert rows() == rebuilt()
    shown = reports.dashboard(ALL, TODAY)
    givers = [(t.locality, t.activities) for t in shown.top_givers]
    recipients = [(t.locality, t.activities) for t in shown.top_recipients]
    assert (givers, recipients) == ([(w["c1"], 1)], [(w["ward"], 1)]), (
        "the province dashboard (every year, published) lists the ward among the top givers "
        "and c1 among the recipients with 0 activities: dashboards._row_top reads the "
        "GIVER_TOTAL and RECIPIENT_TOTAL rows without skipping the rows left at zero by an "
        f"edit; shown givers {givers}, recipients {recipients}"
    )
    assert_counted_plainly(ALL)


def test_a_giver_valued_at_nothing_ranks_before_the_givers_not_valued(world):
    """Top givers: by value, the givers with no value at all last (docs/counting.md, section 5;
    dashboards._ranked). A giver whose gifts are worth 0 đồng is valued: with 31 givers not
    valued beside it, it is still among the first ten, as the same question asked by kind of
    party (read from the activities) shows it."""
    w, agreements = world
    for n in range(31):
        village = factories.locality(f"Làng Thêm {n}", kind=LocalityKind.VILLAGE, parent=w["c1"])
        for _twice in range(2):
            factories.activity(agreements[0], "qua-tang", giver=village, quantity=3)
    factories.activity(agreements[0], giver=w["ward"], value_vnd=0)
    from_rows = [t.locality for t in reports.dashboard(ALL, TODAY).top_givers]
    communes = replace(ALL, party_kind=LocalityKind.COMMUNE)  # the same agreement, live
    from_activities = [t.locality for t in reports.dashboard(communes, TODAY).top_givers]
    assert from_activities[0] == w["ward"]
    assert from_rows[0] == w["ward"], (
        "the province dashboard (every year, published) reads the first 30 GIVER_TOTAL rows "
        "by value then count (dashboards._row_top) and ranks those: a giver valued at 0 đồng "
        "with one activity comes after 31 givers not valued with two, and is cut before the "
        f"ranking puts it first; shown {from_rows[:3]}…, expected {from_activities[:3]}…"
    )


def test_the_register_import_keeps_the_rows_of_the_units_it_moves_or_succeeds():
    """The register's import writes in bulk: a unit it puts back under its parent (and back to
    its kind), and a dissolved unit whose successors it records again, name themselves, so the
    figures of their agreements count where the register puts them."""
    call_command("import_units", "--province", "52", stdout=StringIO())
    ia_dok, pleiku = Locality.objects.get(code="23869"), Locality.objects.get(code="622")
    # Wrong, and not kept: under another unit, and an ethnic-minority village.
    Locality.objects.filter(pk=ia_dok.pk).update(
        parent=pleiku, kind=LocalityKind.VILLAGE, is_ethnic_minority_area=True
    )
    Succession.objects.filter(predecessor=pleiku).delete()
    summaries.rebuild()
    other = factories.locality("Sư đoàn Thử", kind=LocalityKind.MILITARY_UNIT)
    for unit, value in ((ia_dok, 90), (pleiku, 600)):
        agreement = factories.agreement(unit, other, published=True, signed_on=D(2010, 1, 1))
        factories.activity(agreement, value_vnd=value, giver=other, recipient=unit)

    assert reports.dashboard(ALL, TODAY).minority_villages.with_partner == 1
    services.import_register(province="52")

    assert rows() == rebuilt()
    assert reports.dashboard(ALL, TODAY).minority_villages.with_partner == 0
    province, successor = Locality.objects.get(code="52"), Locality.objects.get(code="23575")
    assert reports.dashboard(replace(ALL, locality=successor), TODAY).money.value_vnd == 600
    assert reports.locality_dashboard(province, ALL, TODAY).received.money.value_vnd == 690
