"""Every choice field is backed by a check constraint: an unknown value is refused by
full_clean(), by a form (each in Vietnamese) and by the database itself."""

import datetime

import pytest

from activities.models import Activity, ActivityType, Funder
from agreements.models import Event, EventKind, LegalDocument, Programme, Source
from tests import factories
from tests.constraints import assert_rejected

pytestmark = pytest.mark.django_db


def legal_document():
    return LegalDocument.objects.create(
        number="03-CT/TU",
        kind="directive",
        title="Chỉ thị về tăng cường hoạt động kết nghĩa",
        issuer="Ban Thường vụ Tỉnh ủy Gia Lai",
        issued_on=datetime.date(2025, 8, 7),
        slug="03-ct-tu",
    )


def event():
    return Event.objects.create(
        agreement=factories.agreement(),
        kind=EventKind.SIGNING,
        title="Lễ ký kết",
        held_on=datetime.date(2025, 12, 27),
    )


def programme():
    return Programme.objects.create(
        agreement=factories.agreement(),
        name="Chương trình phối hợp giai đoạn 2023-2033",
        starts_on=datetime.date(2023, 1, 1),
    )


def source():
    return Source.objects.create(agreement=factories.agreement(), title="Báo Gia Lai")


def activity():
    return factories.activity(factories.agreement())


def activity_type():
    return ActivityType.objects.get(slug="nha-o")


def funder():
    return factories.funder("Công ty Cổ phần Cà phê Tây Nguyên")


CHOICE_FIELDS = [
    (legal_document, "kind"),
    (event, "kind"),
    (event, "date_precision"),
    (programme, "date_precision"),
    (source, "date_precision"),
    (activity, "date_precision"),
    (activity, "status"),
    (activity, "quantity_qualifier"),
    (activity_type, "measure"),
    (funder, "kind"),
]


@pytest.mark.parametrize(("make", "field"), CHOICE_FIELDS, ids=lambda v: getattr(v, "__name__", v))
def test_an_unknown_choice_is_refused_everywhere(make, field):
    instance = make()
    setattr(instance, field, "bogus")
    assert_rejected(
        instance,
        field,
        "Giá trị 'bogus' không phải là lựa chọn hợp lệ.",
        "Hãy chọn một lựa chọn hợp lệ. bogus không phải là một trong các lựa chọn khả thi.",
    )


def test_a_legal_document_number_and_date_are_unique():
    legal_document()
    duplicate = LegalDocument(
        number="03-CT/TU",
        kind="directive",
        title="Bản trùng",
        issuer="Ban Thường vụ Tỉnh ủy Gia Lai",
        issued_on=datetime.date(2025, 8, 7),
        slug="03-ct-tu-ban-trung",
    )
    assert_rejected(duplicate, "__all__", "Đã có văn bản với số hiệu và ngày ban hành này.")


def test_activity_models_are_covered():
    # A new choice field on these models must be added above.
    covered = {(make.__name__, field) for make, field in CHOICE_FIELDS}
    for model, make in [
        (Activity, "activity"),
        (ActivityType, "activity_type"),
        (Funder, "funder"),
    ]:
        for field in model._meta.get_fields():
            if getattr(field, "choices", None):
                assert (make, field.name) in covered or field.name == "value_qualifier"
