"""The dashboards' summary rows (activities.summaries) stay equal to a fresh aggregate.

After any sequence of writes through the models (creates, edits and deletes of activities,
publishing, parties and commitments added, changed or removed, units moved), the rows kept in
step equal the rows `rebuild_summaries` computes from scratch, and the dashboards read from
them equal the dashboards computed from the activities themselves.
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

from activities import reports, summaries
from activities.models import (
    Activity,
    ActivityStatus,
    ActivitySummary,
    ActivityType,
    Qualifier,
    SummaryRole,
)
from activities.resources import ActivityResource
from agreements.models import (
    Agreement,
    Commitment,
    CommitmentArea,
    Party,
    PartyRole,
)
from agreements.services import publish_agreement, unpublish_agreement
from localities.models import Locality, LocalityKind
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date
ALL = reports.DashboardFilters()
TODAY = D(2026, 3, 1)


def rows():
    """The summary rows as (key, measures), leaving out rows whose activities all went."""
    found = ActivitySummary.objects.values_list(
        "role",
        "scope_id",
        "area_id",
        "activity_type_id",
        "published",
        "status",
        "first_year",
        "last_year",
        *summaries.MEASURES,
    )
    width = len(summaries.KEY)
    return sorted((tuple(row[:width]), tuple(row[width:])) for row in found if any(row[width:]))


def rebuilt():
    """The rows rebuild() makes, the kept ones left as they were."""
    with transaction.atomic():
        summaries.rebuild()
        fresh = rows()
        transaction.set_rollback(True)
    return fresh


def live(function, *args, **kwargs):
    saved, reports.SUMMARIES = reports.SUMMARIES, False
    try:
        return function(*args, **kwargs)
    finally:
        reports.SUMMARIES = saved


def assert_in_step(localities=()):
    """Kept rows == rebuilt rows, and dashboards read from them == counted live."""
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
        assert reports.dashboard(f, TODAY) == live(reports.dashboard, f, TODAY)
        for locality in localities:
            shown = reports.locality_dashboard(locality, f, TODAY)
            assert shown == live(reports.locality_dashboard, locality, f, TODAY)


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
    ),
    max_size=12,
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


years = st.one_of(st.none(), st.integers(2004, 2013))
questions = st.fixed_dictionaries(
    {
        "year_from": years,
        "year_to": years,
        "status": st.sampled_from(ActivityStatus.values),
        "include_drafts": st.booleans(),
        "locality": st.sampled_from([None, "province", "district", "c1", "c3", "army"]),
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
    from the activities (one question each time: the examples vary it)."""
    with transaction.atomic():
        w, agreements = make_world()
        for step in steps:
            apply(w, agreements, step)
        assert rows() == rebuilt()
        place = question.pop("locality")
        filters = reports.DashboardFilters(**question)
        if place is None:
            assert reports.dashboard(filters, TODAY) == live(reports.dashboard, filters, TODAY)
        else:
            locality = Locality.objects.get(pk=w[place].pk)
            shown = reports.locality_dashboard(locality, filters, TODAY)
            assert shown == live(reports.locality_dashboard, locality, filters, TODAY)
        transaction.set_rollback(True)


# --- the writes one by one -------------------------------------------------------------------


@pytest.fixture
def world():
    return make_world()


def test_the_rows_follow_an_activity_from_creation_to_deletion(world):
    w, agreements = world
    assert rows() == rebuilt() == []
    activity = factories.activity(agreements[0], "nha-o", quantity=Decimal("7.25"), value_vnd=5)
    assert rows() == rebuilt()
    all_row = ActivitySummary.objects.get(role=SummaryRole.ALL)
    assert (all_row.n, all_row.quantity, all_row.value_vnd, all_row.published) == (
        1,
        Decimal("7.25"),
        5,
        True,
    )
    # Counted once in each unit at or above its parties, villages left out.
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
    assert rows() == rebuilt() == []


def test_publishing_moves_the_rows_of_an_agreement(world):
    _w, agreements = world
    factories.activity(agreements[2], value_vnd=7)
    assert set(ActivitySummary.objects.filter(n=1).values_list("published", flat=True)) == {False}
    publish_agreement(agreements[2], actor=None)
    assert rows() == rebuilt()
    assert set(ActivitySummary.objects.filter(n=1).values_list("published", flat=True)) == {True}


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
    w, agreements = world
    for n in range(3):
        factories.activity(agreements[0], value_vnd=10 + n, giver=w["ward"], recipient=w["c1"])
    ActivitySummary.objects.update(value_vnd=F("value_vnd") * 2)  # not in step, on purpose
    for locality in (None, w["c1"], w["province"]):
        filters = replace(ALL, locality=locality)
        assert reports.dashboard(filters, TODAY).money.value_vnd == 2 * 33
        assert live(reports.dashboard, filters, TODAY).money.value_vnd == 33
    province = reports.dashboard(ALL, TODAY)
    assert province.top_givers[0].money.value_vnd == 2 * 33
    assert {bar.area.slug: bar.money.value_vnd for bar in province.by_area}["doan-ket"] == 66
    # A village's figures, and figures by kind of party or area, are counted live.
    assert reports.dashboard(replace(ALL, locality=w["v1"]), TODAY).money.value_vnd == 0
    assert reports.dashboard(replace(ALL, party_kind="ward"), TODAY).money.value_vnd == 33


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
