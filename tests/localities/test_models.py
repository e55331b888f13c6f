import datetime
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from localities.models import Locality, LocalityKind, Succession
from localities.slugs import free_slug
from tests import factories
from tests.constraints import assert_refused_by_database, assert_rejected

pytestmark = pytest.mark.django_db


def test_name_keeps_search_key_and_slug_in_step():
    locality = Locality.objects.create(name="Xã Ia Dơk", kind=LocalityKind.COMMUNE)
    assert (locality.slug, locality.search_key) == ("xa-ia-dok", "xa ia dok")
    locality.name = "Xã  IA DƠK mới"
    locality.save(update_fields=["name"])
    locality.refresh_from_db()
    assert locality.search_key == "xa ia dok moi"
    assert locality.slug == "xa-ia-dok", "a slug is a URL: it does not change with the name"


def test_no_locality_takes_the_address_of_a_page_of_the_site(client):
    """/dia-phuong/goi-y/ is the search-as-you-type page: a unit named "Gợi ý" gets another
    address, however it is made, and a slug typed by hand is refused at the field."""
    made = Locality.objects.create(name="Gợi Ý", kind=LocalityKind.VILLAGE)
    assert made.slug == "goi-y-2"
    assert free_slug("Gợi ý", None) == "goi-y-3"
    with pytest.raises(ValidationError) as refused:
        Locality(name="Gợi ý", kind=LocalityKind.VILLAGE, slug="goi-y").full_clean()
    assert refused.value.message_dict["slug"] == [
        "“goi-y” là địa chỉ của một trang của hệ thống: hãy chọn địa chỉ web khác."
    ]
    assert client.get(f"/dia-phuong/{made.slug}/").status_code == 200
    assert client.get("/dia-phuong/goi-y/", {"q": "goi"}).status_code == 200


def test_search_ignores_diacritics_and_case():
    factories.locality("Xã Ia Dơk")
    factories.locality("Phường An Nhơn Bắc", kind=LocalityKind.WARD)
    assert [loc.name for loc in Locality.objects.search("ia dok")] == ["Xã Ia Dơk"]
    assert [loc.name for loc in Locality.objects.search("AN NHON bac")] == ["Phường An Nhơn Bắc"]
    assert not Locality.objects.search("ia grai").exists()


def test_kind_must_be_a_known_kind():
    locality = Locality(name="Xã Lạ", slug="xa-la", kind="planet")
    assert_rejected(
        locality,
        "kind",
        "Giá trị 'planet' không phải là lựa chọn hợp lệ.",
        "Hãy chọn một lựa chọn hợp lệ. planet không phải là một trong các lựa chọn khả thi.",
    )


def test_kind_is_checked_by_the_database_too():
    locality = factories.locality()
    with pytest.raises(IntegrityError), transaction.atomic():
        Locality.objects.filter(pk=locality.pk).update(kind="planet")


def test_dissolution_cannot_precede_founding():
    locality = factories.locality(established_on=datetime.date(2000, 1, 1))
    locality.dissolved_on = datetime.date(1999, 12, 31)
    assert_rejected(locality, "dissolved_on", "Ngày giải thể không thể trước ngày thành lập.")


def test_locality_cannot_belong_to_itself():
    locality = factories.locality()
    locality.parent = locality
    assert_rejected(locality, "parent", "Một địa phương không thể trực thuộc chính nó.")


def test_parent_cycles_are_refused_at_the_field():
    commune = factories.locality()
    village = factories.locality("Làng Ghè", kind=LocalityKind.VILLAGE, parent=commune)
    commune.parent = village
    with pytest.raises(Exception) as excinfo:
        commune.full_clean()
    assert "Một địa phương không thể trực thuộc chính nó." in excinfo.value.message_dict["parent"]


def test_latitude_in_range():
    locality = factories.locality()
    locality.latitude = Decimal("91")
    assert_rejected(locality, "latitude", "Vĩ độ phải nằm trong khoảng từ -90 đến 90.")


def test_official_codes_are_unique():
    factories.locality(code="23869")
    duplicate = Locality(name="Xã Khác", slug="xa-khac", kind=LocalityKind.COMMUNE, code="23869")
    assert_rejected(
        duplicate,
        "code",
        "Mã đơn vị hành chính này đã thuộc về một địa phương, đơn vị khác: hãy kiểm tra lại.",
    )


def dissolved_pleiku_and_its_successor():
    pleiku = factories.locality(
        "Thành phố Pleiku", kind=LocalityKind.DISTRICT, dissolved_on=datetime.date(2025, 7, 1)
    )
    ward = factories.locality("Phường Pleiku", kind=LocalityKind.WARD)
    pleiku.successors.add(ward)
    return pleiku, ward


def test_dissolved_unit_keeps_its_successors():
    pleiku, ward = dissolved_pleiku_and_its_successor()
    assert list(ward.predecessors.all()) == [pleiku]
    assert pleiku.is_dissolved


@pytest.mark.parametrize("which", ["dissolved", "successor"])
def test_neither_side_of_a_succession_can_be_deleted(which):
    pleiku, ward = dissolved_pleiku_and_its_successor()
    target = pleiku if which == "dissolved" else ward
    with pytest.raises(IntegrityError), transaction.atomic():
        target.delete()

    def raw_delete():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM localities_locality WHERE id = %s", [target.pk])

    assert_refused_by_database(raw_delete)
    assert Locality.objects.filter(pk=target.pk).exists()
    assert list(pleiku.successors.all()) == [ward]


def test_the_admin_refuses_to_delete_a_dissolved_unit(admin_client):
    pleiku, _ward = dissolved_pleiku_and_its_successor()
    response = admin_client.post(f"/admin/localities/locality/{pleiku.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200
    assert "Xóa" in response.content.decode()
    assert Locality.objects.filter(pk=pleiku.pk).exists()


def test_a_unit_cannot_succeed_itself():
    pleiku, _ward = dissolved_pleiku_and_its_successor()
    assert_rejected(
        Succession(predecessor=pleiku, successor=pleiku),
        "__all__",
        "Một đơn vị không thể kế thừa chính nó.",
        via_form=False,
    )


def test_a_village_protects_its_commune():
    commune = factories.locality()
    factories.locality("Làng", kind=LocalityKind.VILLAGE, parent=commune)
    with pytest.raises(IntegrityError), transaction.atomic():
        commune.delete()


def test_longitude_in_range():
    locality = factories.locality()
    locality.longitude = Decimal("-181")
    assert_rejected(locality, "longitude", "Kinh độ phải nằm trong khoảng từ -180 đến 180.")


def test_a_blank_official_code_is_refused_by_the_database():
    locality = factories.locality()
    assert_refused_by_database(lambda: Locality.objects.filter(pk=locality.pk).update(code=""))


def test_a_form_turns_an_empty_official_code_into_none():
    form_class = forms.modelform_factory(Locality, fields=["name", "kind", "slug", "code"])
    form = form_class(data={"name": "Làng Mới", "kind": "village", "slug": "lang-moi", "code": ""})
    assert form.is_valid(), form.errors
    assert form.save().code is None
