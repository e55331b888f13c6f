from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from activities.figures import (
    format_quantity,
    format_vnd,
    format_vnd_words,
    parse_number,
    parse_vnd,
)
from activities.forms import QuantityField, VNDField
from activities.models import Qualifier


def test_vnd_with_dots_and_qualifier():
    assert format_vnd(30_000_000) == "30.000.000\xa0đ"
    assert format_vnd(500_000_000, Qualifier.OVER) == "hơn\xa0500.000.000\xa0đ"
    assert format_vnd(None) == ""


def test_vnd_in_words():
    assert format_vnd_words(30_000_000) == "30\xa0triệu đồng"
    assert format_vnd_words(100_000_000, Qualifier.OVER) == "hơn\xa0100\xa0triệu đồng"
    assert format_vnd_words(1_500_000_000, Qualifier.ABOUT) == "khoảng\xa01,5\xa0tỷ đồng"
    assert format_vnd_words(950_000) == "950.000\xa0đồng"


def test_quantities_with_unit_and_qualifier():
    assert format_quantity(Decimal("15000.00"), "ngày công", Qualifier.NEARLY) == (
        "gần\xa015.000\xa0ngày công"
    )
    assert format_quantity(Decimal("7.50"), "km", Qualifier.OVER) == "hơn\xa07,5\xa0km"
    assert format_quantity(Decimal("1700"), "bộ") == "1.700\xa0bộ"


def test_english_uses_commas():
    with translation.override("en"):
        assert format_vnd(30_000_000, Qualifier.NEARLY) == "nearly\xa030,000,000\xa0đ"
        assert parse_number("1,700") == 1700


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("30.000.000", 30_000_000),
        ("30000000", 30_000_000),
        ("30.000.000 đ", 30_000_000),
        ("30 000 000 VNĐ", 30_000_000),
        ("30.000.000\xa0đồng", 30_000_000),
    ],
)
def test_vnd_typed_as_people_write_it(typed, amount):
    assert parse_vnd(typed) == amount
    assert VNDField().clean(typed) == amount


@pytest.mark.parametrize("typed", ["abc", "30,5", "30.00.000", "1.5"])
def test_bad_amounts_get_a_vietnamese_message(typed):
    with pytest.raises(ValidationError) as excinfo:
        VNDField().clean(typed)
    assert excinfo.value.messages == ["Hãy nhập số tiền bằng đồng, ví dụ 30.000.000."]


@pytest.mark.parametrize(
    ("typed", "number"),
    [("1.700", Decimal(1700)), ("7,5", Decimal("7.5")), ("7.5", Decimal("7.5")), ("43", 43)],
)
def test_quantities_typed_in_vietnamese(typed, number):
    assert QuantityField().clean(typed) == number


@pytest.mark.parametrize("typed", ["-5", " -30.000.000", "\u22125", "\u2013 5"])
def test_a_negative_figure_is_told_it_cannot_be_negative_not_that_it_is_not_a_number(typed):
    """Issue 16: "-5" was answered "Hãy nhập một số"."""
    with pytest.raises(ValidationError) as money:
        VNDField().clean(typed)
    assert money.value.messages == [
        "Số tiền không thể âm: hãy viết không có dấu trừ, ví dụ 30.000.000."
    ]
    with pytest.raises(ValidationError) as quantity:
        QuantityField().clean(typed)
    assert quantity.value.messages == [
        "Số lượng không thể âm: hãy viết không có dấu trừ, ví dụ 1.700."
    ]


def test_bad_quantity_message():
    with pytest.raises(ValidationError) as excinfo:
        QuantityField().clean("mười")
    assert excinfo.value.messages == ["Hãy nhập một số, ví dụ 1.700 hoặc 7,5."]


def test_fields_show_amounts_with_dots():
    assert VNDField().prepare_value(30_000_000) == "30.000.000"
    assert QuantityField().prepare_value(Decimal("1700.00")) == "1.700"


@pytest.mark.parametrize(
    ("value", "qualifier", "words"),
    [
        (1_255_000_000, Qualifier.EXACT, "hơn\xa01,2\xa0tỷ đồng"),
        (1_200_000_000, Qualifier.EXACT, "1,2\xa0tỷ đồng"),
        (999_960_000, Qualifier.OVER, "hơn\xa0999,9\xa0triệu đồng"),
        (999_960_000, Qualifier.NEARLY, "gần\xa01\xa0tỷ đồng"),
        (1_040_000, Qualifier.EXACT, "hơn\xa01\xa0triệu đồng"),
        (1_260_000_000, Qualifier.ABOUT, "khoảng\xa01,3\xa0tỷ đồng"),
    ],
)
def test_words_round_in_the_direction_that_stays_true(value, qualifier, words):
    assert format_vnd_words(value, qualifier) == words
