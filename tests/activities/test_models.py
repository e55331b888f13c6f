import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from activities.models import Activity
from tests import factories
from tests.constraints import assert_rejected

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity():
    return factories.activity(factories.agreement(), value_vnd=30_000_000)


def test_quantity_never_negative(activity):
    activity.quantity = Decimal("-1")
    assert_rejected(activity, "quantity", "Số lượng không được âm.")


def test_value_never_negative(activity):
    activity.value_vnd = -30_000_000
    assert_rejected(activity, "value_vnd", "Giá trị không được âm.")


def test_a_figure_is_required(activity):
    activity.value_vnd = None
    assert_rejected(activity, "quantity", "Hãy nhập số lượng, giá trị bằng đồng, hoặc cả hai.")


def test_period_end_not_before_start(activity):
    activity.ends_on = activity.starts_on - datetime.timedelta(days=1)
    assert_rejected(activity, "ends_on", "Ngày cuối của thời kỳ không thể trước ngày đầu.")


def test_giver_is_not_the_recipient(activity):
    giver = activity.agreement.parties.first().locality
    activity.giver = activity.recipient = giver
    assert_rejected(activity, "recipient", "Bên trao và bên nhận phải khác nhau.")


def test_qualifier_is_a_known_qualifier(activity):
    activity.value_qualifier = "roughly"
    assert_rejected(
        activity,
        "value_qualifier",
        "Giá trị 'roughly' không phải là lựa chọn hợp lệ.",
        "Hãy chọn một lựa chọn hợp lệ. roughly không phải là một trong các lựa chọn khả thi.",
    )


def test_status_is_pledged_or_delivered(activity):
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(status="hoped")


def test_published_queryset_hides_drafts():
    draft = factories.activity(factories.agreement())
    shown = factories.activity(factories.agreement(published=True))
    assert list(Activity.objects.published()) == [shown]
    assert draft not in Activity.objects.published()
