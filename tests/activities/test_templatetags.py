import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template

from tests import factories

pytestmark = pytest.mark.django_db


def render(source, **context):
    return Template("{% load figures %}" + source).render(Context(context))


def test_figure_of_an_activity_with_quantity_and_value():
    activity = factories.activity(
        factories.agreement(),
        "nha-o",
        quantity=Decimal(8),
        value_vnd=500_000_000,
        value_qualifier="over",
    )
    assert render("{{ a|figure }}", a=activity) == "8\xa0căn · hơn\xa0500.000.000\xa0đ"


def test_money_shows_its_value_once():
    activity = factories.activity(factories.agreement(), value_vnd=30_000_000)
    assert render("{{ a|figure }}", a=activity) == "30.000.000\xa0đ"


def test_vnd_words_and_dates():
    assert render("{{ v|vnd_words:'over' }}", v=500_000_000) == "hơn\xa0500\xa0triệu đồng"
    assert render("{{ d|precise_date:'month' }}", d=datetime.date(2023, 7, 1)) == "7/2023"
    assert (
        render(
            "{% period a b 'year' %}", a=datetime.date(2023, 1, 1), b=datetime.date(2033, 12, 31)
        )
        == "2023–2033"
    )
