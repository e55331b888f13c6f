import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from agreements import services
from agreements.models import Agreement, AgreementStatus, Party, PartyRole, Programme
from localities.models import LocalityKind
from tests import factories
from tests.constraints import assert_refused_by_database, assert_rejected

pytestmark = pytest.mark.django_db


def test_end_date_not_before_signing():
    agreement = factories.agreement(signed_on=datetime.date(2003, 7, 26))
    agreement.ended_on = datetime.date(2003, 7, 25)
    assert_rejected(agreement, "ended_on", "Ngày kết thúc không thể trước ngày ký kết.")


def test_status_is_a_known_status():
    agreement = factories.agreement()
    agreement.status = "archived"
    assert_rejected(
        agreement,
        "status",
        "Giá trị 'archived' không phải là lựa chọn hợp lệ.",
        "Hãy chọn một lựa chọn hợp lệ. archived không phải là một trong các lựa chọn khả thi.",
    )


def test_published_needs_a_signing_date():
    agreement = factories.agreement(published=True)
    agreement.signed_on = None
    assert_rejected(
        agreement,
        "__all__",
        "Giao ước đã công bố phải có ngày ký kết, thời điểm công bố và địa chỉ web.",
        via_form=False,
    )


def test_programme_end_not_before_start():
    agreement = factories.agreement()
    programme = Programme(
        agreement=agreement,
        name="Chương trình phối hợp giai đoạn 2023-2033",
        starts_on=datetime.date(2033, 1, 1),
        ends_on=datetime.date(2023, 1, 1),
    )
    assert_rejected(programme, "ends_on", "Ngày kết thúc không thể trước ngày bắt đầu.")


def test_a_locality_is_a_party_once():
    ia_dok = factories.locality("Xã Ia Dơk")
    agreement = factories.agreement(ia_dok, factories.locality())
    duplicate = Party(agreement=agreement, locality=ia_dok, role=PartyRole.PARTY)
    assert_rejected(duplicate, "__all__", "Địa phương này đã là một bên của giao ước.")


def test_party_role_is_a_known_role():
    party = factories.agreement().parties.first()
    party.role = "observer"
    assert_rejected(
        party,
        "role",
        "Giá trị 'observer' không phải là lựa chọn hợp lệ.",
        "Hãy chọn một lựa chọn hợp lệ. observer không phải là một trong các lựa chọn khả thi.",
    )


def test_database_refuses_publishing_with_fewer_than_two_parties():
    agreement = factories.agreement(factories.locality())
    agreement.status = AgreementStatus.PUBLISHED
    agreement.published_at = agreement.created_at
    assert_refused_by_database(agreement.save)


def test_database_refuses_removing_a_published_agreements_second_party():
    agreement = factories.agreement(published=True)
    assert_refused_by_database(agreement.parties.first().delete)


def test_database_refuses_turning_a_signing_party_into_a_coordinator_once_published():
    agreement = factories.agreement(published=True)
    assert_refused_by_database(
        lambda: agreement.parties.filter(pk=agreement.parties.first().pk).update(
            role=PartyRole.COORDINATOR
        )
    )


def test_a_coordinator_does_not_count_as_a_party():
    village = factories.locality("Làng Ghè", kind=LocalityKind.VILLAGE)
    agreement = factories.agreement(village)
    Party.objects.create(
        agreement=agreement, locality=factories.locality(), role=PartyRole.COORDINATOR
    )
    with pytest.raises(ValidationError) as excinfo:
        services.publish_agreement(agreement, actor=None)
    assert "cần ít nhất hai bên kết nghĩa" in excinfo.value.messages[0]


def test_drafts_may_be_incomplete_while_being_entered():
    agreement = factories.agreement(factories.locality(), signed_on=None)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        agreement.parties.all().delete()
    assert agreement.parties.count() == 0


def test_publish_refuses_a_missing_signing_date_and_changes_nothing():
    agreement = factories.agreement(signed_on=None)
    with pytest.raises(ValidationError) as excinfo:
        services.publish_agreement(agreement, actor=None)
    assert "cần có ngày ký kết" in excinfo.value.messages[0]
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT
    assert agreement.published_at is None


def test_publish_and_unpublish_record_the_time():
    agreement = services.publish_agreement(factories.agreement(), actor=None)
    assert agreement.is_published and agreement.published_at is not None
    agreement = services.unpublish_agreement(agreement, actor=None)
    assert not agreement.is_published and agreement.published_at is None


def test_delete_a_published_agreement_with_its_parties():
    agreement = factories.agreement(published=True)
    services.delete_agreement(agreement, actor=None)
    assert not Agreement.objects.filter(pk=agreement.pk).exists()
    assert not Party.objects.filter(agreement_id=agreement.pk).exists()


def test_activities_protect_their_agreement():
    agreement = factories.agreement(published=True)
    factories.activity(agreement)
    with pytest.raises(IntegrityError):
        services.delete_agreement(agreement, actor=None)
    assert Agreement.objects.get(pk=agreement.pk).is_published


def test_complete_agreement_names_it_after_its_parties():
    agreement = Agreement.objects.create(signed_on=datetime.date(2025, 12, 27))
    for position, name in enumerate(["Xã Ia Dơk", "Phường An Nhơn Bắc"]):
        Party.objects.create(
            agreement=agreement, locality=factories.locality(name), position=position
        )
    services.complete_agreement(agreement)
    agreement.refresh_from_db()
    assert agreement.title == "Xã Ia Dơk – Phường An Nhơn Bắc"
    assert agreement.slug == "xa-ia-dok-phuong-an-nhon-bac-2025"
    assert agreement.search_key == "xa ia dok – phuong an nhon bac"


def test_querysets_published_and_involving():
    ia_dok = factories.locality("Xã Ia Dơk")
    published = factories.agreement(ia_dok, factories.locality(), published=True)
    factories.agreement(ia_dok, factories.locality())
    assert list(Agreement.objects.published().involving(ia_dok)) == [published]


def test_several_drafts_may_wait_for_their_slug():
    first = Agreement.objects.create()
    second = Agreement.objects.create()
    assert first.slug == second.slug == ""


def test_slugs_are_unique_once_set():
    factories.agreement(title="Giao ước A").__class__.objects.filter(title="Giao ước A").update(
        slug="giao-uoc-a"
    )
    duplicate = factories.agreement(title="Giao ước B")
    duplicate.slug = "giao-uoc-a"
    assert_rejected(duplicate, "__all__", "Đã có giao ước khác dùng địa chỉ web này.")


def test_a_legal_document_file_must_be_a_document():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from agreements.models import LegalDocument

    document = LegalDocument(
        number="43/KH-UBND",
        kind="plan",
        title="Kế hoạch",
        issuer="UBND tỉnh Gia Lai",
        issued_on=datetime.date(2025, 8, 22),
        slug="43-kh-ubnd",
        file=SimpleUploadedFile("ke-hoach.html", b"<script>alert(1)</script>"),
    )
    with pytest.raises(ValidationError) as excinfo:
        document.full_clean()
    assert "Phần mở rộng" in excinfo.value.message_dict["file"][0]
