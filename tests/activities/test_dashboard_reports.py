"""The dashboards' figures (issue 4): activities.reports.dashboard, locality_dashboard, coverage.

First the demo data (the two seed articles), whose figures the pages must show; then a small
world built here, where each filter changes the figures by exactly what it should.
"""

import datetime
from dataclasses import replace
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities import reports
from activities.models import Activity, ActivityStatus, Measure, Qualifier
from activities.reports import dashboards, rules
from agreements.models import CommitmentArea, Programme
from ketnghia.queries import home_page
from localities.models import Locality, LocalityKind
from localities.scopes import Scope
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date
NBSP = "\N{NO-BREAK SPACE}"
IA_DOK, PLEIKU = "23869", "622"
MILLION = 1_000_000


class Money:
    """Matches a reports.MoneyTotal by its value and qualifier."""

    def __init__(self, value_vnd, qualifier=Qualifier.EXACT):
        self.value_vnd, self.qualifier = value_vnd, qualifier

    def __eq__(self, other):
        return (other.value_vnd, other.qualifier) == (self.value_vnd, self.qualifier)

    def __repr__(self):
        return f"Money({self.value_vnd}, {self.qualifier})"


ALL = reports.DashboardFilters()
# The most queries each function runs, whatever the data (test_a_fixed_number_of_queries): the
# staff of a commune need one more, their units' ids (rules.ask). A dashboard composed adds
# its snapshot's: the snapshot looked for, the generations, and the snapshot kept (in a
# savepoint here, inside the test's transaction: two statements more).
SNAPSHOT_QUERIES = 5
DASHBOARD_QUERIES = 30 + SNAPSHOT_QUERIES
LOCALITY_DASHBOARD_QUERIES = 32 + SNAPSHOT_QUERIES
COVERAGE_QUERIES = 6


def by_slug(totals):
    return {t.slug: t for t in totals}


def names(localities):
    return [locality.name for locality in localities]


@pytest.mark.usefixtures("demo")
class TestTheDemoData:
    """The seed articles' figures, as the home page shows them."""

    def test_the_province_dashboard_shows_the_home_page_figures(self):
        shown = reports.dashboard(ALL)
        home = home_page()
        assert shown.agreements_in_force == home.agreements_in_force == 3
        assert shown.localities_with_partner == home.localities_with_partner
        assert shown.money == home.delivered_value
        assert shown.money.words == f"hơn{NBSP}690{NBSP}triệu đồng"
        assert shown.goods[: len(home.goods)] == home.goods
        assert shown.pairs_count == len(shown.pairs) == 3
        assert not shown.has_drafts

    def test_the_twenty_years_houses_are_counted_once(self):
        for shown in (
            reports.dashboard(ALL),
            reports.locality_dashboard(Locality.objects.get(code=PLEIKU), ALL),
        ):
            houses = by_slug(shown.by_type)["nha-o"]
            assert houses.count == 1
            assert houses.quantity_display == f"8{NBSP}căn"
            assert houses.value_display == f"hơn{NBSP}500.000.000{NBSP}đ"

    def test_the_year_chart_has_a_bar_for_the_twenty_years(self):
        bars = reports.dashboard(ALL).by_year
        assert [(b.label, b.is_period, b.activities) for b in bars] == [
            ("2003\N{EN DASH}2023", True, 8),
            ("2023", False, 2),  # 40 gifts and 20 certificates at the review, July 2023
            ("2025", False, 3),
        ]
        period = bars[0]
        assert (period.first_year, period.last_year) == (2003, 2023)
        assert period.money.words == f"hơn{NBSP}600{NBSP}triệu đồng"
        assert bars[2].money == Money(90 * MILLION, Qualifier.EXACT)

    def test_a_period_that_cuts_the_twenty_years_leaves_them_out(self):
        shown = reports.dashboard(replace(ALL, year_from=2010, year_to=2024))
        assert shown.left_out.activities == 8
        assert shown.left_out.money.words == f"hơn{NBSP}600{NBSP}triệu đồng"
        assert [b.label for b in shown.by_year] == ["2023"]
        assert "nha-o" not in by_slug(shown.by_type)

    def test_lang_ghe_is_the_ethnic_minority_village_with_a_partner(self):
        shown = reports.dashboard(ALL)
        assert shown.minority_villages == reports.Coverage(with_partner=1, total=1)
        (row,) = reports.coverage(ALL)
        assert (row.commune.code, row.villages, row.without_partner, row.total) == (
            IA_DOK,
            [],
            0,
            1,
        )

    def test_ia_dok_sees_its_village_s_agreement_and_what_it_received(self):
        shown = reports.locality_dashboard(Locality.objects.get(code=IA_DOK), ALL)
        assert shown.agreements_in_force == 2  # its own, and Làng Ghè's
        assert shown.money == Money(90 * MILLION, Qualifier.EXACT)
        assert shown.received.money == Money(90 * MILLION, Qualifier.EXACT)
        assert shown.given.by_type == [] and shown.given.money.value_vnd == 0
        assert names(t.locality for t in shown.top_recipients) == ["Làng Ghè", "Xã Ia Dơk"]
        assert names(t.locality for t in shown.top_givers) == ["Phường An Nhơn Bắc"]
        assert shown.top_recipients[0].locality.parent.code == IA_DOK
        (pair,) = [p for p in shown.pairs if p.coordinators]
        assert names(pair.parties) == ["Phường An Nhơn Bắc", "Làng Ghè"]
        assert names(pair.coordinators) == ["Xã Ia Dơk"]

    def test_the_25th_anniversary_and_the_programme_ending(self):
        shown = reports.dashboard(ALL, today=D(2028, 1, 1))
        assert [(a.years, a.on) for a in shown.anniversaries] == [(25, D(2028, 7, 26))]
        shown = reports.dashboard(ALL, today=D(2033, 6, 1))
        assert [p.name for p in shown.programmes_ending] == [
            "Chương trình phối hợp triển khai hoạt động kết nghĩa giai đoạn 2023-2033"
        ]


# --- a world built for the filters -----------------------------------------------------------


def area(slug):
    return CommitmentArea.objects.get(slug=slug)


@pytest.fixture
def world():
    """A province with two communes, a ward and a division; three published agreements, one
    ended, and a draft. Amounts in millions of đồng."""
    w = SimpleNamespace()
    w.province = factories.locality("Tỉnh Thử", kind=LocalityKind.PROVINCE)
    w.c1 = factories.locality("Xã An Một", parent=w.province)
    w.c2 = factories.locality("Xã Bình Hai", parent=w.province)
    w.ward = factories.locality("Phường Cầu", kind=LocalityKind.WARD, parent=w.province)
    w.army = factories.locality("Sư đoàn Thử", kind=LocalityKind.MILITARY_UNIT)
    village = LocalityKind.VILLAGE
    w.v1 = factories.locality("Làng Một", kind=village, parent=w.c1, is_ethnic_minority_area=True)
    w.v2 = factories.locality("Làng Hai", kind=village, parent=w.c1, is_ethnic_minority_area=True)
    w.v3 = factories.locality("Thôn Ba", kind=village, parent=w.c1)
    w.v4 = factories.locality(
        "Làng Cũ",
        kind=village,
        parent=w.c1,
        is_ethnic_minority_area=True,
        dissolved_on=D(2025, 7, 1),
    )
    w.w1 = factories.locality("Buôn Bình", kind=village, parent=w.c2, is_ethnic_minority_area=True)

    w.a1 = factories.agreement(w.ward, w.c1, published=True, signed_on=D(2010, 5, 1))
    factories.commitment(w.a1, area("xay-dung-dang"))
    factories.commitment(w.a1, area("xay-dung-dang"), text="Once more in the same area")
    w.a2 = factories.agreement(w.army, w.v1, published=True, signed_on=D(2020, 1, 15))
    factories.commitment(w.a2, area("quoc-phong-an-ninh"))
    factories.commitment(w.a2, area("xay-dung-dang"))
    w.a3 = factories.agreement(
        w.ward, w.w1, published=True, signed_on=D(2015, 1, 1), ended_on=D(2019, 12, 31)
    )
    factories.commitment(w.a3, area("an-sinh-xa-hoi"))
    w.draft = factories.agreement(w.c2, w.army, signed_on=D(2022, 1, 1))

    def give(agreement, slug, giver, recipient, on, millions=None, **fields):
        value = None if millions is None else millions * MILLION
        return factories.activity(
            agreement,
            slug,
            giver=giver,
            recipient=recipient,
            starts_on=on,
            value_vnd=value,
            **fields,
        )

    w.a = give(w.a1, "tien-mat", w.ward, w.c1, D(2012, 3, 1), 100)
    w.b = give(w.a1, "nha-o", w.ward, w.v1, D(2011, 1, 1), 200, ends_on=D(2015, 12, 31), quantity=5)
    w.c = give(w.a1, "tien-mat", w.ward, w.c1, D(2014, 6, 1), 300, status=ActivityStatus.PLEDGED)
    w.g = give(w.a1, "quan-ao", w.c1, w.ward, D(2011, 7, 1), 10, quantity=100)
    w.d = give(w.a2, "qua-tang", w.army, w.v1, D(2021, 2, 1), 5, quantity=10)
    w.e = give(w.a3, "tien-mat", w.ward, w.w1, D(2016, 4, 1), 40)
    w.f = give(w.draft, "tien-mat", w.c2, w.army, D(2022, 3, 1), 1000)
    return w


TODAY = D(2026, 3, 1)


def money(millions, qualifier=Qualifier.EXACT):
    return Money(millions * MILLION, qualifier)


def shown(**filters):
    return reports.dashboard(reports.DashboardFilters(**filters), today=TODAY)


def test_everything_published_delivered(world):
    d = shown()
    assert d.agreements_in_force == 2  # a3 ended in 2019
    assert d.pairs_count == 3 and len(d.pairs) == 3
    assert d.localities_with_partner == 4  # ward, c1, army, v1 (a3 ended)
    # v1, v2, w1: v3 is not in an ethnic-minority area, v4 is dissolved; w1's agreement ended.
    assert d.minority_villages == reports.Coverage(with_partner=1, total=3)
    assert d.money == money(100 + 200 + 10 + 5 + 40)
    assert [(t.slug, t.count) for t in d.by_type] == [
        ("tien-mat", 2),
        ("qua-tang", 1),
        ("nha-o", 1),
        ("quan-ao", 1),
    ]
    assert [t.slug for t in d.goods] == ["qua-tang", "nha-o", "quan-ao"]
    assert d.left_out == reports.LeftOut(0, money(0))
    assert not d.has_drafts


def test_the_year_chart_puts_a_period_after_the_single_year_it_starts_in(world):
    bars = shown().by_year
    assert [(b.label, b.activities, b.money) for b in bars] == [
        ("2011", 1, money(10)),
        ("2011\N{EN DASH}2015", 1, money(200)),
        ("2012", 1, money(100)),
        ("2016", 1, money(40)),
        ("2021", 1, money(5)),
    ]
    assert [b.is_period for b in bars] == [False, True, False, False, False]


def test_years_count_what_lies_within_them_and_leave_out_what_they_cut(world):
    d = shown(year_from=2012, year_to=2020)
    assert d.money == money(100 + 40)  # b (2011–2015) is cut, g (2011) and d (2021) outside
    assert [b.label for b in d.by_year] == ["2012", "2016"]
    assert d.left_out == reports.LeftOut(1, money(200))
    assert d.agreements_in_force == 2  # on 31/12/2020: a1 and a2; a3 ended in 2019
    assert d.pairs_count == 3  # a3 was in force in 2012–2020

    d = shown(year_from=2011, year_to=2015)
    assert d.money == money(10 + 200 + 100)
    assert d.left_out.activities == 0
    assert d.agreements_in_force == 2  # on 31/12/2015: a1 and a3
    assert names(d.pairs[0].parties) == [world.ward.name, world.w1.name]  # latest signed first

    d = shown(year_to=2019)
    assert d.agreements_in_force == 2  # a3 ends on the last day: still in force
    assert d.pairs_count == 2  # a2 was signed in 2020

    assert shown(year_from=2022).money == money(0)
    assert shown(year_from=2021, year_to=2021).money == money(5)


def test_a_commune_includes_its_villages_agreements(world):
    d = shown(locality=world.c1)
    assert d.money == money(100 + 200 + 10 + 5)  # a1 (c1 signed) and a2 (its village v1)
    assert d.agreements_in_force == 2
    assert d.localities_with_partner == 2  # c1 and v1: the partners outside do not count
    assert d.minority_villages == reports.Coverage(with_partner=1, total=2)

    d = shown(locality=world.c2)
    assert d.money == money(40)  # a3, signed by its village w1
    assert d.agreements_in_force == 0
    assert d.minority_villages == reports.Coverage(with_partner=0, total=1)

    assert shown(locality=world.province).money == shown().money
    assert shown(locality=world.army).money == money(5)


def test_kind_of_party(world):
    assert shown(party_kind=LocalityKind.MILITARY_UNIT).money == money(5)
    assert shown(party_kind=LocalityKind.VILLAGE).money == money(5 + 40)
    assert shown(party_kind=LocalityKind.WARD).money == money(100 + 200 + 10 + 40)
    assert shown(party_kind=LocalityKind.SPECIAL_ZONE).money == money(0)


def test_area(world):
    assert shown(area=area("quoc-phong-an-ninh")).money == money(5)
    assert shown(area=area("xay-dung-dang")).money == money(100 + 200 + 10 + 5)
    assert shown(area=area("van-hoa-the-thao")).pairs_count == 0


def test_by_area_counts_an_agreement_once_in_each_of_its_areas(world):
    bars = {bar.area.slug: bar for bar in shown().by_area}
    assert list(bars) == list(CommitmentArea.objects.values_list("slug", flat=True))
    # a1 has two commitments in this area: still one agreement, its activities once.
    assert (bars["xay-dung-dang"].agreements, bars["xay-dung-dang"].money) == (
        2,
        money(100 + 200 + 10 + 5),
    )
    assert (bars["quoc-phong-an-ninh"].agreements, bars["quoc-phong-an-ninh"].money) == (
        1,
        money(5),
    )
    assert (bars["an-sinh-xa-hoi"].agreements, bars["an-sinh-xa-hoi"].money) == (1, money(40))
    assert (bars["doan-ket"].agreements, bars["doan-ket"].money) == (0, money(0))


def test_pledged_and_delivered_are_never_added(world):
    d = shown(status=ActivityStatus.PLEDGED)
    assert d.money == money(300)
    assert [(t.slug, t.status) for t in d.by_type] == [("tien-mat", ActivityStatus.PLEDGED)]
    assert [b.label for b in d.by_year] == ["2014"]
    assert 300 * MILLION not in [t.value_vnd for t in shown().by_type]


def test_drafts_count_only_for_staff(world):
    public, staff = shown(), shown(include_drafts=True)
    assert staff.money == money(355 + 1000)
    assert staff.has_drafts and not public.has_drafts
    assert staff.pairs_count == public.pairs_count + 1
    assert staff.agreements_in_force == public.agreements_in_force + 1
    # Drafts counted, but none in the figures chosen: nothing to flag.
    assert not shown(include_drafts=True, year_to=2020).has_drafts


def test_top_givers_and_recipients_are_the_units_themselves(world):
    d = shown()
    assert [(t.locality, t.activities, t.money) for t in d.top_givers] == [
        (world.ward, 3, money(340)),
        (world.c1, 1, money(10)),
        (world.army, 1, money(5)),
    ]
    assert [(t.locality, t.money) for t in d.top_recipients] == [
        (world.v1, money(205)),
        (world.c1, money(100)),
        (world.w1, money(40)),
        (world.ward, money(10)),
    ]
    assert d.top_recipients[0].locality.parent == world.c1


def test_latest_activities(world):
    d = shown()
    assert [a.pk for a in d.latest_activities] == [
        world.d.pk,
        world.e.pk,
        world.b.pk,  # ends in 2015
        world.a.pk,
        world.g.pk,
    ]


def test_a_locality_dashboard_says_what_it_gave_and_received(world):
    d = reports.locality_dashboard(world.c1, ALL, today=TODAY)
    assert d.filters.locality == world.c1
    assert d.given.money == money(10)
    assert [t.slug for t in d.given.by_type] == ["quan-ao"]
    assert d.received.money == money(100 + 200 + 5)  # itself and its village v1
    assert {t.slug: t.count for t in d.received.by_type} == {
        "tien-mat": 1,
        "qua-tang": 1,
        "nha-o": 1,
    }

    # A village received under its commune's agreement, though it did not sign it.
    d = reports.locality_dashboard(world.v1, ALL, today=TODAY)
    assert d.money == money(5)
    assert d.received.money == money(200 + 5)

    d = reports.locality_dashboard(world.c1, replace(ALL, year_to=2013), today=TODAY)
    assert d.received.money == money(100)


def test_coverage_lists_the_villages_without_a_partner_by_commune(world):
    rows = reports.coverage(ALL, today=TODAY)
    assert [(r.commune, names(r.villages), r.without_partner, r.total) for r in rows] == [
        (world.c1, ["Làng Hai"], 1, 2),
        (world.c2, ["Buôn Bình"], 1, 1),  # its agreement ended in 2019
    ]
    # In 2018, Buôn Bình's agreement was in force.
    rows = reports.coverage(replace(ALL, year_to=2018), today=TODAY)
    assert [(r.without_partner, r.total) for r in rows] == [(2, 2), (0, 1)]
    (row,) = reports.coverage(replace(ALL, locality=world.c2), today=TODAY)
    assert row.commune == world.c2


def test_a_partner_as_coordinator_counts(world):
    agreement = factories.agreement(world.c2, world.ward, published=True)
    agreement.parties.create(locality=world.v2, role="coordinator", position=3)
    rows = reports.coverage(ALL, today=TODAY)
    assert [r.without_partner for r in rows] == [0, 1]


# --- dates ahead -----------------------------------------------------------------------------


def anniversaries(today, *agreements):
    """(agreement, years, day) of the anniversaries shown on `today`, of `agreements` only if
    any are given."""
    return [
        (a.agreement.pk, a.years, a.on)
        for a in reports.dashboard(ALL, today=today).anniversaries
        if not agreements or a.agreement in agreements
    ]


def test_anniversaries_in_the_next_twelve_months(world):
    assert anniversaries(D(2030, 1, 10)) == [
        (world.a2.pk, 10, D(2030, 1, 15)),
        (world.a1.pk, 20, D(2030, 5, 1)),
    ]  # a3 ended: no anniversary
    assert anniversaries(D(2030, 1, 15))[0] == (world.a2.pk, 10, D(2030, 1, 15))  # today counts
    assert anniversaries(D(2030, 1, 16)) == [(world.a1.pk, 20, D(2030, 5, 1))]
    assert anniversaries(D(2029, 1, 16)) == [(world.a2.pk, 10, D(2030, 1, 15))]
    assert anniversaries(D(2029, 1, 15)) == []  # a year ahead is not in the next 12 months
    assert anniversaries(D(2026, 3, 1)) == []


def test_an_agreement_signed_on_29_february(world):
    leap = factories.agreement(published=True, signed_on=D(2004, 2, 29))
    assert anniversaries(D(2029, 1, 1), leap) == [(leap.pk, 25, D(2029, 2, 28))]
    assert anniversaries(D(2029, 2, 28), leap) == [(leap.pk, 25, D(2029, 2, 28))]
    assert anniversaries(D(2029, 3, 1), leap) == []
    assert anniversaries(D(2028, 2, 29), leap) == [(leap.pk, 25, D(2029, 2, 28))]
    assert anniversaries(D(2024, 2, 29), leap) == [(leap.pk, 20, D(2024, 2, 29))]
    assert anniversaries(D(2024, 3, 1), leap) == []


def test_anniversaries_of_every_day_equal_a_plain_count(world):
    """For each day of 2027 and 2028 (a leap year), the anniversaries shown are those a plain
    walk over the agreements finds: in force that day, a multiple of five years since signing,
    falling from that day to a year later (the 29th of February's on the 28th)."""
    signed = [D(1998, 2, 28), D(2004, 2, 29), D(2008, 3, 1)]
    signed += [D(2013, 12, 31), D(2018, 1, 1), D(2022, 6, 15), D(2023, 6, 15)]
    mine = [factories.agreement(published=True, signed_on=day) for day in signed]

    def plainly(today):
        found = []
        for agreement in mine:
            for year in (today.year, today.year + 1):
                years = year - agreement.signed_on.year
                on = dashboards.anniversary(agreement.signed_on, year)
                if years > 0 and years % 5 == 0 and today <= on < dashboards.one_year_after(today):
                    found.append((agreement.pk, years, on))
        return sorted(found, key=lambda row: (row[2], row[0]))

    day = D(2027, 1, 1)
    while day.year < 2029:
        shown = dashboards._anniversaries(rules.ask(ALL, day))
        assert [(a.agreement.pk, a.years, a.on) for a in shown if a.agreement in mine] == (
            plainly(day)
        ), day
        day += datetime.timedelta(days=1)


def test_from_29_february_the_next_twelve_months_end_on_28_february(world):
    signed = factories.agreement(published=True, signed_on=D(2004, 2, 28))
    assert anniversaries(D(2028, 2, 28), signed) == []  # the 24th today, the 25th in a year
    assert anniversaries(D(2028, 2, 29), signed) == [(signed.pk, 25, D(2029, 2, 28))]
    assert anniversaries(D(2028, 3, 1), signed) == [(signed.pk, 25, D(2029, 2, 28))]


def test_programmes_ending_in_the_next_twelve_months(world):
    for name, ends_on in [
        ("Ended", D(2029, 12, 31)),
        ("Ends", D(2030, 6, 30)),
        ("Later", D(2031, 2, 1)),
    ]:
        Programme.objects.create(
            agreement=world.a1, name=name, starts_on=D(2020, 1, 1), ends_on=ends_on
        )
    Programme.objects.create(
        agreement=world.draft, name="Draft", starts_on=D(2020, 1, 1), ends_on=D(2030, 2, 1)
    )
    d = reports.dashboard(ALL, today=D(2030, 1, 10))
    assert [p.name for p in d.programmes_ending] == ["Ends"]
    assert d.programmes_ending[0].agreement == world.a1
    d = reports.dashboard(replace(ALL, include_drafts=True), today=D(2030, 1, 10))
    assert [p.name for p in d.programmes_ending] == ["Draft", "Ends"]


# --- queries ---------------------------------------------------------------------------------


def grow(world, times):
    """`times` more agreements like the world's, each with its villages, commitments,
    programmes and activities: more rows in every table a dashboard reads."""
    start = Locality.objects.count()
    for n in range(start, start + times):
        commune = factories.locality(f"Xã Thêm {n}", parent=world.province)
        village = factories.locality(
            f"Làng Thêm {n}",
            kind=LocalityKind.VILLAGE,
            parent=commune,
            is_ethnic_minority_area=True,
        )
        agreement = factories.agreement(
            world.ward, commune, village, published=True, signed_on=D(2006 + n % 20, 3, 1)
        )
        factories.commitment(agreement, area("doan-ket"))
        Programme.objects.create(
            agreement=agreement, name=f"P{n}", starts_on=D(2020, 1, 1), ends_on=D(2026, 6, 1)
        )
        for year in (2019, 2024):
            factories.activity(
                agreement,
                "nha-o",
                giver=world.ward,
                recipient=village,
                quantity=1,
                value_vnd=MILLION,
                starts_on=D(year, 5, 1),
                ends_on=D(year + 1, 1, 1),
            )
            factories.activity(
                agreement, giver=commune, recipient=world.ward, starts_on=D(year, 1, 1)
            )


CALLS = {
    "dashboard": lambda w, f: reports.dashboard(f, TODAY),
    "locality_dashboard": lambda w, f: reports.locality_dashboard(w.province, f, TODAY),
    "commune_dashboard": lambda w, f: reports.locality_dashboard(w.c1, f, TODAY),
    "coverage": lambda w, f: reports.coverage(f, TODAY),
}
MOST = {
    "dashboard": DASHBOARD_QUERIES,
    "locality_dashboard": LOCALITY_DASHBOARD_QUERIES,
    "commune_dashboard": LOCALITY_DASHBOARD_QUERIES,
    "coverage": COVERAGE_QUERIES,
}
QUESTIONS = {
    "everything": ALL,
    "years": replace(ALL, year_from=2019, year_to=2024),
    "kind of party": replace(ALL, party_kind=LocalityKind.WARD, status=ActivityStatus.PLEDGED),
    "area and locality": replace(ALL, area=None, year_to=2020),
}
READERS = {
    "the public": {},
    "province staff": {"include_drafts": True},
    "staff of a commune": {"include_drafts": True, "drafts_scope": "c1"},
}


@pytest.mark.parametrize("question", QUESTIONS)
@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("call", CALLS)
def test_a_fixed_number_of_queries(world, call, reader, question):
    """The same number of queries for the world and for the world grown 20 times, for each kind
    of reader."""
    filters = replace(QUESTIONS[question], **READERS[reader])
    if filters.drafts_scope == "c1":
        filters = replace(filters, drafts_scope=Scope(frozenset({world.c1.pk})))
    if question == "area and locality":
        filters = replace(filters, area=area("doan-ket"), locality=world.c1)
    counts = []
    for times in (1, 19):  # the world once, then 20 times over
        grow(world, times)
        with CaptureQueriesContext(connection) as queries:
            result = CALLS[call](world, filters)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= MOST[call]
    assert result  # the grown world shows something


def test_every_section_is_built_with_its_rows_loaded(world, django_assert_num_queries):
    d = reports.locality_dashboard(
        world.c1, replace(ALL, include_drafts=True), today=D(2030, 1, 10)
    )
    assert d.pairs and d.latest_activities and d.top_givers and d.anniversaries
    with django_assert_num_queries(0):
        labels = [
            *(f"{p.agreement} {names(p.parties)} {names(p.coordinators)}" for p in d.pairs),
            *(str(locality.parent) for p in d.pairs for locality in p.parties),
            *(
                f"{a.activity_type} {a.agreement} {a.giver and a.giver.parent} "
                f"{a.recipient and a.recipient.parent}"
                for a in d.latest_activities
            ),
            *(str(t.locality.parent) for t in (*d.top_givers, *d.top_recipients)),
            *(str(p.agreement) for p in d.programmes_ending),
            *(str(a.agreement) for a in d.anniversaries),
            *(str(bar.area) for bar in d.by_area),
        ]
    assert all(labels)
    assert d.goods == [t for t in d.by_type if t.measure != Measure.MONEY and t.quantity]


qualifiers = st.sampled_from(Qualifier.values)
figures = st.lists(
    st.tuples(
        st.sampled_from(["tien-mat", "nha-o", "quan-ao"]),
        st.one_of(st.none(), st.integers(0, 10**9)),
        qualifiers,
    ),
    min_size=0,
    max_size=6,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(figures=figures)
def test_the_money_of_the_type_totals_is_the_money_total(figures):
    """reports.money_of (no query) gives what reports.money_total (a query) gives."""
    with transaction.atomic():
        agreement = factories.agreement(published=True)
        for slug, value, qualifier in figures:
            factories.activity(
                agreement, slug, value_vnd=value, value_qualifier=qualifier, quantity=1
            )
        activities = Activity.objects.filter(agreement=agreement)
        assert reports.money_of(reports.totals_by_type(activities)) == reports.money_total(
            activities
        )
        transaction.set_rollback(True)
