from decimal import Decimal

import pytest

from activities import reports
from activities.models import Activity, ActivityStatus, Qualifier
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("over", "about", "nearly", "expected"),
    [
        (0, 0, 0, Qualifier.EXACT),
        (1, 0, 0, Qualifier.OVER),
        (0, 0, 2, Qualifier.NEARLY),
        (0, 1, 0, Qualifier.ABOUT),
        (1, 0, 1, Qualifier.ABOUT),
    ],
)
def test_the_qualifier_of_a_sum(over, about, nearly, expected):
    assert reports.combined_qualifier(over, about, nearly) == expected


def test_totals_by_type_keep_qualifiers_honest():
    agreement = factories.agreement(published=True)
    factories.activity(
        agreement, "nha-o", quantity=8, value_vnd=500_000_000, value_qualifier=Qualifier.OVER
    )
    factories.activity(agreement, "nha-o", quantity=2, value_vnd=100_000_000)
    factories.activity(agreement, "ngay-cong", quantity=15_000, quantity_qualifier=Qualifier.NEARLY)
    factories.activity(agreement, "tien-mat", value_vnd=30_000_000)
    totals = {t.slug: t for t in reports.totals_by_type(Activity.objects.all())}
    houses = totals["nha-o"]
    assert (houses.quantity, houses.quantity_qualifier) == (10, Qualifier.EXACT)
    assert (houses.value_vnd, houses.value_qualifier) == (600_000_000, Qualifier.OVER)
    assert houses.quantity_display == "10\xa0căn"
    assert houses.value_display == "hơn\xa0600.000.000\xa0đ"
    assert totals["ngay-cong"].quantity_display == "gần\xa015.000\xa0ngày công"
    assert totals["tien-mat"].quantity_display == ""
    assert totals["tien-mat"].value_words == "30\xa0triệu đồng"


def test_pledged_and_delivered_are_never_added():
    agreement = factories.agreement(published=True)
    factories.activity(agreement, value_vnd=30_000_000)
    factories.activity(agreement, value_vnd=500_000_000, status=ActivityStatus.PLEDGED)
    delivered = reports.money_total(Activity.objects.all())
    pledged = reports.money_total(Activity.objects.all(), status=ActivityStatus.PLEDGED)
    assert delivered.value_vnd == 30_000_000
    assert pledged.value_vnd == 500_000_000
    assert [t.value_vnd for t in reports.totals_by_type(Activity.objects.all())] == [30_000_000]


def test_money_total_says_over_when_a_part_is_over():
    agreement = factories.agreement(published=True)
    factories.activity(agreement, "qua-tang", value_vnd=100_000_000, value_qualifier="over")
    factories.activity(
        agreement, "nha-o", quantity=Decimal(8), value_vnd=500_000_000, value_qualifier="over"
    )
    factories.activity(agreement, "cong-trinh-nuoc", quantity=9)
    total = reports.money_total(Activity.objects.all())
    assert total.words == "hơn\xa0600\xa0triệu đồng"


@pytest.mark.parametrize("count", [1, 20])
def test_totals_run_one_query(django_assert_num_queries, count):
    agreement = factories.agreement(published=True)
    for _ in range(count):
        factories.activity(agreement, value_vnd=1_000_000)
    with django_assert_num_queries(1):
        reports.totals_by_type(Activity.objects.published())
    with django_assert_num_queries(1):
        reports.money_total(Activity.objects.published())


def test_a_part_without_a_figure_is_told_beside_the_sum_not_folded_into_it():
    """Gifts: 40 packages (no value given) and gifts worth over 100 million (no count given)."""
    agreement = factories.agreement(published=True)
    factories.activity(agreement, "qua-tang", quantity=40)
    factories.activity(agreement, "qua-tang", value_vnd=100_000_000, value_qualifier="over")
    (gifts,) = reports.totals_by_type(Activity.objects.all())
    assert gifts.quantity_display == "40\xa0suất"
    assert gifts.quantity_note == "1 lần trao không ghi số lượng"
    assert gifts.value_display == "hơn\xa0100.000.000\xa0đ"
    assert gifts.money.note == "1 hoạt động chưa định giá"


def test_parts_all_with_figures_stay_exact():
    agreement = factories.agreement(published=True)
    factories.activity(agreement, "qua-tang", quantity=20, value_vnd=10_000_000)
    factories.activity(agreement, "qua-tang", quantity=20, value_vnd=10_000_000)
    (gifts,) = reports.totals_by_type(Activity.objects.all())
    assert (gifts.quantity_display, gifts.value_display) == ("40\xa0suất", "20.000.000\xa0đ")


def test_goods_without_a_value_are_counted_beside_the_money_total():
    agreement = factories.agreement(published=True)
    factories.activity(agreement, value_vnd=30_000_000)
    factories.activity(agreement, "quan-ao", quantity=1700)
    total = reports.money_total(Activity.objects.all())
    assert total.words == "30\xa0triệu đồng"
    assert total.note == "1 hoạt động chưa định giá"
