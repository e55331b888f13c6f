"""The dashboards' snapshots (activities.reports.snapshots): read again in one query, never
after a write that changes what they count or show, never by another kind of reader.

The property test: on random data, every reader reads every dashboard (their snapshots are
kept), random writes follow, and every dashboard read again still equals the plain
recomputation of tests/activities/naive.py.
"""

import datetime
from dataclasses import replace
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities import reports
from activities.models import Activity, ActivityType, DashboardSnapshot
from activities.reports import snapshots
from agreements.models import Agreement, AgreementStatus, Party, PartyRole
from agreements.services import publish_agreement, unpublish_agreement
from localities.models import Locality, LocalityKind, Succession
from localities.scopes import Scope
from tests import factories
from tests.activities.test_counting_property import (
    LOCALITIES,
    PROVINCE_STAFF,
    PUBLIC,
    activity_specs,
    datasets,
    make_activities,
    make_agreements,
    make_world,
    questions,
    reader_filters,
    wrong_figures,
)

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 3, 1)
ALL = reports.DashboardFilters()
STAFF = replace(ALL, include_drafts=True)


def queries_of(call):
    with CaptureQueriesContext(connection) as queries:
        result = call()
    return result, len(queries)


@pytest.fixture
def world():
    """Two communes of a district, each with an agreement; a commune elsewhere with none."""
    province = factories.locality("Tỉnh Thử", kind=LocalityKind.PROVINCE)
    district = factories.locality("Huyện Thử", kind=LocalityKind.DISTRICT, parent=province)
    a = factories.locality("Xã An", parent=district)
    b = factories.locality("Xã Bình", parent=district)
    other = factories.locality("Xã Khác", parent=province)
    army = factories.locality("Sư đoàn Thử", kind=LocalityKind.MILITARY_UNIT)
    ours = factories.agreement(a, army, published=True, signed_on=D(2020, 1, 1))
    theirs = factories.agreement(b, other, published=True, signed_on=D(2021, 1, 1))
    factories.activity(ours, value_vnd=30_000_000, starts_on=D(2025, 1, 1), giver=army)
    factories.activity(theirs, value_vnd=5_000_000, starts_on=D(2025, 1, 1))
    return {
        "province": province,
        "district": district,
        "a": a,
        "b": b,
        "other": other,
        "army": army,
        "ours": ours,
        "theirs": theirs,
    }


def test_a_dashboard_read_again_costs_one_query_and_reads_the_same(world):
    first, composed = queries_of(lambda: reports.dashboard(ALL, TODAY))
    again, read = queries_of(lambda: reports.dashboard(ALL, TODAY))
    assert read == 1 < composed
    assert again == first
    assert again.version == first.version != ""
    assert again.money.value_vnd == 35_000_000
    place, _ = queries_of(lambda: reports.locality_dashboard(world["a"], ALL, TODAY))
    place_again, read = queries_of(lambda: reports.locality_dashboard(world["a"], ALL, TODAY))
    assert read == 1
    assert place_again == place
    assert place_again.received == place.received


def test_an_activity_changes_the_dashboards_that_count_it_and_no_other(world):
    def money(place):
        if place is None:
            return reports.dashboard(ALL, TODAY).money.value_vnd
        return reports.locality_dashboard(world[place], ALL, TODAY).money.value_vnd

    places = [None, "district", "a", "army", "b", "other"]
    before = {place: money(place) for place in places}
    assert before == {
        None: 35_000_000,
        "district": 35_000_000,
        "a": 30_000_000,
        "army": 30_000_000,
        "b": 5_000_000,
        "other": 5_000_000,
    }

    version = reports.dashboard(ALL, TODAY).version
    factories.activity(world["ours"], value_vnd=1_000_000, starts_on=D(2025, 2, 1))

    for place in ("b", "other"):  # their snapshots are still read, in one query
        assert queries_of(lambda place=place: money(place)) == (before[place], 1)
    for place in (None, "district", "a", "army"):
        found, count = queries_of(lambda place=place: money(place))
        assert (found, count > 1) == (before[place] + 1_000_000, True), place
    assert reports.dashboard(ALL, TODAY).version != version


def test_a_snapshot_composed_while_a_write_commits_is_never_read(world):
    """The generations are read before the figures: a write meanwhile leaves the snapshot
    behind."""

    def compose_then_write(version):
        dashboard = reports.dashboard(replace(ALL, year_from=2025), TODAY)  # composed apart
        factories.activity(world["ours"], value_vnd=1_000_000, starts_on=D(2025, 2, 1))
        return dashboard

    stale = snapshots.snapshot("province", ALL, TODAY, compose_then_write)
    assert stale.money.value_vnd == 35_000_000
    assert reports.dashboard(ALL, TODAY).money.value_vnd == 36_000_000


def test_each_kind_of_reader_reads_its_own_snapshot(world):
    draft = factories.agreement(world["a"], world["other"], signed_on=D(2022, 1, 1))
    factories.activity(draft, value_vnd=7_000_000, starts_on=D(2025, 3, 1))
    commune_staff = replace(STAFF, drafts_scope=Scope(frozenset({world["b"].pk})))
    assert reports.dashboard(ALL, TODAY).money.value_vnd == 35_000_000
    assert reports.dashboard(STAFF, TODAY).money.value_vnd == 42_000_000
    # The staff of another commune do not see the draft of Xã An.
    assert reports.dashboard(commune_staff, TODAY).money.value_vnd == 35_000_000
    assert reports.dashboard(ALL, TODAY).money.value_vnd == 35_000_000
    assert reports.dashboard(STAFF, TODAY).money.value_vnd == 42_000_000


def test_each_language_and_each_day_has_its_own(world):
    made = []

    def compose(version):
        made.append(translation.get_language())
        return SimpleNamespace(version=version, n=len(made))

    def n(today=TODAY):
        return snapshots.snapshot("test", ALL, today, compose).n

    with translation.override("vi"):
        assert (n(), n()) == (1, 1)
    with translation.override("en"):
        assert n() == 2
    with translation.override("vi"):
        assert n() == 1
        # The next day, made again, in the place of the day before's.
        before = DashboardSnapshot.objects.count()
        assert n(TODAY + datetime.timedelta(days=1)) == 3
        assert DashboardSnapshot.objects.count() == before
    assert made == ["vi", "en", "vi"]


def test_a_unit_renamed_reads_under_its_new_name_on_every_dashboard(world):
    assert reports.dashboard(ALL, TODAY).top_givers[0].locality.name == "Sư đoàn Thử"
    assert reports.locality_dashboard(world["a"], ALL, TODAY).top_givers[0].locality.name == (
        "Sư đoàn Thử"
    )
    world["army"].name = "Sư đoàn 320"
    world["army"].save()
    assert reports.dashboard(ALL, TODAY).top_givers[0].locality.name == "Sư đoàn 320"
    assert reports.locality_dashboard(world["a"], ALL, TODAY).top_givers[0].locality.name == (
        "Sư đoàn 320"
    )


def test_an_activity_type_renamed_reads_under_its_new_name(world):
    assert reports.dashboard(ALL, TODAY).by_type[0].name == "Hỗ trợ tiền"
    cash = ActivityType.objects.get(slug="tien-mat")
    cash.name = "Tiền"
    cash.save()
    assert reports.dashboard(ALL, TODAY).by_type[0].name == "Tiền"


def test_a_unit_moved_leaves_the_dashboards_of_its_old_parents(world):
    assert reports.locality_dashboard(world["district"], ALL, TODAY).money.value_vnd == 35_000_000
    world["b"].parent = world["province"]
    world["b"].save()
    assert reports.locality_dashboard(world["district"], ALL, TODAY).money.value_vnd == 30_000_000


def test_a_succession_brings_the_agreements_of_the_unit_succeeded(world):
    """A ward formed by a merger counts the agreements of the commune it succeeded: the
    succession (not a write to a unit) moves its generation on."""
    ward = factories.locality("Phường Mới", kind=LocalityKind.WARD, parent=world["province"])
    assert reports.locality_dashboard(ward, ALL, TODAY).money.value_vnd == 0
    Succession.objects.create(predecessor=world["b"], successor=ward)
    assert reports.locality_dashboard(ward, ALL, TODAY).money.value_vnd == 5_000_000


def test_an_agreement_unpublished_leaves_the_public_dashboards(world):
    assert reports.locality_dashboard(world["b"], ALL, TODAY).agreements_in_force == 1
    assert reports.dashboard(ALL, TODAY).agreements_in_force == 2
    theirs = Agreement.objects.get(pk=world["theirs"].pk)
    theirs.status = AgreementStatus.DRAFT
    theirs.save()
    assert reports.locality_dashboard(world["b"], ALL, TODAY).agreements_in_force == 0
    assert reports.dashboard(ALL, TODAY).agreements_in_force == 1


def test_a_bulk_write_announced_drops_every_snapshot(world):
    assert reports.dashboard(ALL, TODAY).money.value_vnd == 35_000_000
    Activity.objects.filter(agreement=world["theirs"]).update(value_vnd=6_000_000)
    call_command("rebuild_summaries", stdout=StringIO())
    assert reports.dashboard(ALL, TODAY).money.value_vnd == 36_000_000
    assert reports.locality_dashboard(world["b"], ALL, TODAY).money.value_vnd == 6_000_000


def test_a_snapshot_that_cannot_be_read_is_composed_again(world):
    first = reports.dashboard(ALL, TODAY)
    DashboardSnapshot.objects.update(data=b"not a dashboard")
    again, count = queries_of(lambda: reports.dashboard(ALL, TODAY).money)
    assert count > 1
    assert again == first.money


def test_migrate_empties_the_snapshots(world):
    reports.dashboard(ALL, TODAY)
    assert DashboardSnapshot.objects.exists()
    call_command("migrate", verbosity=0)
    assert not DashboardSnapshot.objects.exists()


# --- random data, random writes ---------------------------------------------------------------

writes = st.lists(
    st.one_of(
        st.tuples(st.just("add activity"), activity_specs),
        st.tuples(st.just("delete activity"), st.integers(0, 20)),
        st.tuples(st.just("publish or unpublish"), st.integers(0, 3)),
        st.tuples(st.just("end"), st.integers(0, 3), st.integers(2019, 2027)),
        st.tuples(st.just("coordinator"), st.integers(0, 3), st.sampled_from(LOCALITIES)),
        st.tuples(st.just("move v1 under"), st.sampled_from(["c1", "c2", "c3"])),
    ),
    min_size=1,
    max_size=3,
)


def write(w, agreements, funders, change):
    kind, *args = change
    if kind == "add activity":
        make_activities(w, agreements, [args[0]], funders)
        return
    if kind == "delete activity":
        activities = list(Activity.objects.order_by("pk"))
        if activities:
            activities[args[0] % len(activities)].delete()
        return
    if kind == "move v1 under":
        village = Locality.objects.get(pk=w["v1"].pk)
        village.parent = w[args[0]]
        village.save()
        return
    agreement = Agreement.objects.get(pk=agreements[args[0] % len(agreements)][0].pk)
    if kind == "publish or unpublish":
        if agreement.status == AgreementStatus.PUBLISHED:
            unpublish_agreement(agreement, actor=None)
            return
        if agreement.signed_on is None:
            agreement.signed_on = D(2015, 5, 1)
            agreement.save()
        publish_agreement(agreement, actor=None)
    elif kind == "end":
        if agreement.signed_on is not None and agreement.signed_on <= D(args[1], 6, 30):
            agreement.ended_on = D(args[1], 6, 30)
            agreement.save()
    elif not Party.objects.filter(agreement=agreement, locality=w[args[1]]).exists():
        Party.objects.create(
            agreement=agreement, locality=w[args[1]], role=PartyRole.COORDINATOR, position=8
        )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(dataset=datasets, question=questions, changes=writes)
def test_after_random_writes_every_dashboard_read_again_is_right(dataset, question, changes):
    with transaction.atomic():
        w = make_world()
        agreements = make_agreements(w, dataset["agreements"])
        funders = make_activities(w, agreements, dataset["activities"])
        place = question["locality"]
        filters = reports.DashboardFilters(
            year_from=question["year_from"],
            locality=None if place is None else Locality.objects.get(pk=w[place].pk),
            status=question["status"],
        )
        dashboard_of = Locality.objects.get(pk=w[question["dashboard_of"]].pk)
        readers = (PUBLIC, PROVINCE_STAFF, question["commune"])

        def everything(what):
            wrong = []
            for reader in readers:
                wrong += wrong_figures(
                    reader_filters(filters, reader, w),
                    TODAY,
                    dashboard_of=dashboard_of,
                    what=f"{what}, for {reader}, {question}",
                )
            return wrong

        wrong = everything("before the writes")  # every snapshot kept
        for change in changes:
            write(w, agreements, funders, change)
        wrong += everything(f"after {changes}")
        transaction.set_rollback(True)
    assert not wrong, "\n".join(wrong)
