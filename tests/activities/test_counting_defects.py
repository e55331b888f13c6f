"""Figures a leader can sign: one test for each way the figures once disagreed with each other
or with the facts (docs/counting.md says the rules these tests hold the code to).
"""

import datetime
from dataclasses import replace
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from activities import reports
from activities.models import ActivityStatus, Qualifier
from agreements.models import Party, PartyRole
from localities.models import LocalityKind, Succession
from localities.scopes import Scope
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 3, 1)
ALL = reports.DashboardFilters()
MILLION = 1_000_000


@pytest.fixture
def province():
    return factories.locality("Tỉnh Thử", kind=LocalityKind.PROVINCE)


def sheet_rows(response, title):
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in book[title].iter_rows(values_only=True)]


def test_a_period_without_any_valued_activity_reads_not_valued_never_over_zero(client, province):
    commune = factories.locality("Xã Một", parent=province)
    agreement = factories.agreement(commune, factories.locality(parent=province), published=True)
    factories.activity(agreement, "quan-ao", quantity=Decimal(200), starts_on=D(2024, 5, 1))
    factories.activity(agreement, value_vnd=5 * MILLION, starts_on=D(2020, 5, 1))

    shown = reports.dashboard(replace(ALL, year_from=2024, year_to=2024), TODAY)

    assert shown.money.value_vnd is None
    assert shown.money.words == "chưa định giá"
    assert "0" not in shown.money.words
    page = client.get("/thong-ke/", {"year_from": 2024, "year_to": 2024}).content.decode()
    assert "chưa định giá" in page
    assert "hơn\xa00\xa0đồng" not in page and "hơn 0 đồng" not in page
    workbook = client.get("/thong-ke/bao-cao.xlsx", {"year_from": 2024, "year_to": 2024})
    value_row = next(
        r for r in sheet_rows(workbook, "Tóm tắt") if str(r[0]).startswith("Giá trị hỗ trợ")
    )
    assert value_row[1] is None
    assert "chưa định giá" in value_row


def test_a_gift_without_a_count_is_reported_beside_the_total_not_folded_into_over(province):
    agreement = factories.agreement(
        factories.locality(parent=province), factories.locality(parent=province), published=True
    )
    factories.activity(agreement, "qua-tang", quantity=Decimal(40))
    factories.activity(agreement, "qua-tang", value_vnd=100 * MILLION, value_qualifier="over")

    (gifts,) = reports.dashboard(ALL, TODAY).by_type

    assert gifts.quantity == 40
    assert gifts.quantity_qualifier == Qualifier.EXACT
    assert gifts.quantity_display == "40\xa0suất"
    assert gifts.quantity_note == "1 lần trao không ghi số lượng"
    assert gifts.money.words == "hơn\xa0100\xa0triệu đồng"


def test_a_gift_of_several_givers_counts_once_in_the_totals_and_fully_for_each_giver(
    client, province
):
    division = factories.locality("Sư đoàn Thử", kind=LocalityKind.MILITARY_UNIT)
    city = factories.locality("Thành phố Thử", kind=LocalityKind.DISTRICT, parent=province)
    village = factories.locality("Làng Thử", kind=LocalityKind.VILLAGE, parent=city)
    agreement = factories.agreement(division, city, published=True)
    # "2 bên đã phối hợp": no single giver named.
    factories.activity(agreement, value_vnd=600 * MILLION, giver=None, recipient=village)

    province_view = reports.dashboard(ALL, TODAY)
    division_view = reports.locality_dashboard(division, ALL, TODAY)

    assert province_view.money.value_vnd == 600 * MILLION  # once
    givers = {row.locality: row.money.value_vnd for row in province_view.top_givers}
    assert givers == {division: 600 * MILLION, city: 600 * MILLION}  # fully each
    assert division_view.given.money.value_vnd == 600 * MILLION
    assert division_view.money.value_vnd == 600 * MILLION
    page = client.get(f"/thong-ke/{division.slug}/").content.decode()
    given = page[page.index('id="given-received-heading"') : page.index('id="charts-heading"')]
    assert "600\xa0triệu đồng" in given
    province_page = client.get("/thong-ke/").content.decode()
    assert "các dòng chồng lên nhau" in province_page
    top = sheet_rows(client.get("/thong-ke/bao-cao.xlsx"), "Bên trao nhiều nhất")
    assert sorted(r[0] for r in top[1:] if r[0] in (division.name, city.name)) == sorted(
        [city.name, division.name]
    )


def test_a_joint_gift_is_not_given_by_its_recipient(province):
    commune = factories.locality("Xã Nhận", parent=province)
    ward = factories.locality("Phường Trao", kind=LocalityKind.WARD, parent=province)
    agreement = factories.agreement(commune, ward, published=True)
    factories.activity(agreement, value_vnd=7 * MILLION, giver=None, recipient=commune)

    givers = [row.locality for row in reports.dashboard(ALL, TODAY).top_givers]

    assert givers == [ward]
    assert reports.locality_dashboard(commune, ALL, TODAY).given.by_type == []
    assert reports.locality_dashboard(commune, ALL, TODAY).received.money.value_vnd == 7 * MILLION


def test_localities_with_a_partner_read_the_same_on_every_page_for_the_same_scope(client, province):
    commune = factories.locality("Xã Một", parent=province)
    village = factories.locality(
        "Làng Một", kind=LocalityKind.VILLAGE, parent=commune, is_ethnic_minority_area=True
    )
    ward = factories.locality("Phường Hai", kind=LocalityKind.WARD, parent=province)
    factories.agreement(village, ward, published=True, signed_on=D(2020, 1, 1))
    factories.agreement(
        commune, ward, published=True, signed_on=D(2010, 1, 1), ended_on=D(2015, 1, 1)
    )

    home = client.get("/").context["page"]
    province_dashboard = client.get("/thong-ke/").context["dashboard"]
    its_dashboard = client.get(f"/thong-ke/{province.slug}/").context["dashboard"]

    assert (
        home.localities_with_partner
        == province_dashboard.localities_with_partner
        == its_dashboard.localities_with_partner
        == 2
    )
    assert province_dashboard.minority_villages == its_dashboard.minority_villages
    assert province_dashboard.minority_villages == reports.Coverage(with_partner=1, total=1)


def test_the_how_to_read_text_says_what_the_headline_says(client, province):
    agreement = factories.agreement(
        factories.locality(parent=province), factories.locality(parent=province), published=True
    )
    factories.activity(agreement, value_vnd=10 * MILLION, value_qualifier="over")
    factories.activity(agreement, value_vnd=10 * MILLION, value_qualifier="nearly")
    factories.activity(agreement, "kham-chua-benh", quantity=Decimal(915))

    dashboard = client.get("/thong-ke/").context["dashboard"]
    page = client.get("/thong-ke/").content.decode()

    assert dashboard.money.qualifier == Qualifier.ABOUT
    assert dashboard.money.words.startswith("khoảng")
    assert "Tổng này ghi “khoảng” vì" in page
    assert "1 số liệu được ghi là “hơn”" in page
    assert "1 hoạt động không có giá trị bằng đồng" in page
    assert dashboard.explanation[0].startswith("Tổng này ghi “khoảng”")


def test_a_locality_dashboard_shows_what_it_gave_what_it_received_and_its_agreements_apart(
    client, province
):
    commune = factories.locality("Xã Một", parent=province)
    ward = factories.locality("Phường Hai", kind=LocalityKind.WARD, parent=province)
    village = factories.locality("Làng Ba", kind=LocalityKind.VILLAGE, parent=commune)
    agreement = factories.agreement(commune, ward, published=True)
    factories.activity(agreement, value_vnd=30 * MILLION, giver=ward, recipient=commune)
    factories.activity(agreement, value_vnd=50 * MILLION, giver=ward, recipient=village)
    factories.activity(agreement, value_vnd=2 * MILLION, giver=commune, recipient=ward)

    shown = reports.locality_dashboard(commune, ALL, TODAY)

    assert shown.money.value_vnd == 82 * MILLION  # its agreement's totals
    assert shown.given.money.value_vnd == 2 * MILLION
    assert shown.received.money.value_vnd == 80 * MILLION
    page = client.get(f"/thong-ke/{commune.slug}/").content.decode()
    assert "đã thực hiện theo các giao ước của đơn vị" in page
    assert "do Xã Một và các đơn vị trực thuộc trao" in page
    assert "Xã Một và các đơn vị trực thuộc nhận" in page


def test_a_ward_formed_by_the_merger_keeps_the_agreements_of_the_commune_it_succeeded(
    client, province
):
    old = factories.locality("Xã Cũ", parent=province, dissolved_on=D(2025, 6, 30))
    ward = factories.locality("Phường Mới", kind=LocalityKind.WARD, parent=province)
    Succession.objects.create(predecessor=old, successor=ward)
    partner = factories.locality("Phường Bạn", kind=LocalityKind.WARD, parent=province)
    inherited = factories.agreement(old, partner, published=True, signed_on=D(2015, 1, 1))
    own = factories.agreement(ward, partner, published=True, signed_on=D(2025, 9, 1))
    factories.activity(inherited, value_vnd=40 * MILLION, starts_on=D(2020, 1, 1))
    factories.activity(own, value_vnd=5 * MILLION, starts_on=D(2025, 10, 1))

    shown = reports.locality_dashboard(ward, ALL, TODAY)

    assert shown.agreements_in_force == 2
    assert shown.inherited_agreements == 1
    assert shown.money.value_vnd == 45 * MILLION
    assert {pair.agreement.pk: pair.inherited for pair in shown.pairs} == {
        inherited.pk: True,
        own.pk: False,
    }
    listing = client.get("/giao-uoc/", {"locality": ward.slug}).content.decode()
    assert inherited.title in listing and own.title in listing
    page = client.get(f"/dia-phuong/{ward.slug}/").content.decode()
    assert inherited.title in page and own.title in page
    dissolved = client.get(f"/dia-phuong/{old.slug}/").content.decode()
    assert ward.name in dissolved


def test_an_agreement_page_ends_its_results_with_a_total_row(client, province):
    agreement = factories.agreement(
        factories.locality(parent=province), factories.locality(parent=province), published=True
    )
    factories.activity(agreement, "sua-chua-duong", quantity=Decimal(43))
    factories.activity(
        agreement, "duong-be-tong", quantity=Decimal(7), quantity_qualifier=Qualifier.OVER
    )
    factories.activity(agreement, value_vnd=30 * MILLION)
    factories.activity(agreement, "qua-tang", value_vnd=10 * MILLION)

    response = client.get(f"/giao-uoc/{agreement.slug}/")
    page = response.content.decode()

    assert response.context["delivered_money"].value_vnd == 40 * MILLION
    (km,) = response.context["delivered_units"]
    assert (km.quantity, km.qualifier) == (50, Qualifier.OVER)
    foot = page[page.index("<tfoot>") : page.index("</tfoot>")]
    assert "Tổng cộng" in foot
    assert "hơn\xa050\xa0km" in foot
    assert "40.000.000\xa0đ" in foot
    assert "1 hoạt động chưa định giá" not in foot  # every activity here has a value or km


def test_staff_of_a_commune_see_the_province_with_their_drafts_added(province):
    commune = factories.locality("Xã Một", parent=province)
    other = factories.locality("Xã Hai", parent=province)
    ward = factories.locality("Phường Ba", kind=LocalityKind.WARD, parent=province)
    published = factories.agreement(other, ward, published=True)
    mine = factories.agreement(commune, ward)  # a draft in the commune's charge
    theirs = factories.agreement(other, factories.locality(parent=province))  # not in charge
    factories.activity(published, value_vnd=1 * MILLION, giver=ward)
    factories.activity(mine, value_vnd=2 * MILLION, giver=commune)
    factories.activity(theirs, value_vnd=4 * MILLION, giver=other)
    staff = replace(ALL, include_drafts=True, drafts_scope=Scope(frozenset({commune.pk})))

    shown = reports.dashboard(staff, TODAY)

    assert shown.money.value_vnd == 3 * MILLION
    assert {row.locality: row.money.value_vnd for row in shown.top_givers} == {
        ward: 1 * MILLION,
        commune: 2 * MILLION,
    }
    assert shown.has_drafts
    assert reports.dashboard(replace(staff, drafts_scope=None), TODAY).money.value_vnd == (
        7 * MILLION
    )
    assert reports.dashboard(ALL, TODAY).money.value_vnd == 1 * MILLION


def test_pledged_and_delivered_are_never_added_together(province):
    agreement = factories.agreement(
        factories.locality(parent=province), factories.locality(parent=province), published=True
    )
    factories.activity(agreement, value_vnd=500 * MILLION, status=ActivityStatus.PLEDGED)
    factories.activity(agreement, value_vnd=30 * MILLION)

    assert reports.dashboard(ALL, TODAY).money.value_vnd == 30 * MILLION
    pledged = replace(ALL, status=ActivityStatus.PLEDGED)
    assert reports.dashboard(pledged, TODAY).money.value_vnd == 500 * MILLION


def test_a_coordinating_party_is_a_locality_with_a_partner_too(province):
    commune = factories.locality("Xã Một", parent=province)
    ward = factories.locality("Phường Hai", kind=LocalityKind.WARD, parent=province)
    coordinator = factories.locality("Xã Ba", parent=province)
    agreement = factories.agreement(commune, ward, published=True)
    Party.objects.create(
        agreement=agreement, locality=coordinator, role=PartyRole.COORDINATOR, position=3
    )

    assert reports.dashboard(ALL, TODAY).localities_with_partner == 3
