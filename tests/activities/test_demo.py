"""`manage.py load_demo`: every figure of the two seed articles, read back from the database."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import translation
from PIL import Image

from activities import demo
from activities.figures import format_quantity, format_vnd, qualifier_word
from activities.models import Activity, ActivityStatus, ActivityType
from agreements.models import (
    Agreement,
    AgreementStatus,
    Commitment,
    CommitmentArea,
    Event,
    EventKind,
    LegalDocument,
    LegalDocumentKind,
    Party,
    Photo,
    Programme,
    Source,
)
from agreements.services import unpublish_agreement
from localities.models import Locality, LocalityKind

pytestmark = pytest.mark.django_db

NBSP = "\N{NO-BREAK SPACE}"
IA_DOK, AN_NHON_BAC, PLEIKU = "23869", "21925", "622"


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def first_run(django_db_setup, django_db_blocker, media_root):
    """load_demo once for the module, in a transaction rolled back after its last test."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media_root)),
        translation.override("en"),
        transaction.atomic(),
    ):
        output = StringIO()
        call_command("load_demo", stdout=output)
        yield output.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def loaded(first_run):
    return first_run


def by_code(code):
    return Locality.objects.get(code=code)


def named(name):
    return Locality.objects.get(name=name, code__isnull=True)


def agreement_between(*names):
    """The agreement whose signing parties are these localities, in this order."""
    for agreement in Agreement.objects.all():
        signers = agreement.parties.filter(role="party").order_by("position")
        if [p.locality.name for p in signers] == list(names):
            return agreement
    raise AssertionError(f"no agreement between {names}")


def ia_dok_an_nhon_bac():
    return agreement_between("Xã Ia Dơk", "Phường An Nhơn Bắc")


def an_nhon_bac_lang_ghe():
    return agreement_between("Phường An Nhơn Bắc", "Làng Ghè")


def su_doan_320_pleiku():
    return agreement_between("Sư đoàn 320", "Thành phố Pleiku")


def one(agreement, type_slug, **filters):
    return Activity.objects.get(agreement=agreement, activity_type__slug=type_slug, **filters)


def counts():
    """Rows of every model the demo touches, many-to-many tables included."""
    models = [
        Locality,
        Locality.successors.through,
        LegalDocument,
        Agreement,
        Agreement.legal_basis.through,
        Party,
        Commitment,
        CommitmentArea,
        Source,
        Event,
        Programme,
        Photo,
        ActivityType,
        Activity,
    ]
    return {model._meta.label: model.objects.count() for model in models}


# Localities


def test_register_of_gia_lai_is_imported(loaded):
    province = by_code("52")
    assert province.name == "Tỉnh Gia Lai"
    assert by_code(IA_DOK).name == "Xã Ia Dơk"
    assert by_code(AN_NHON_BAC).name == "Phường An Nhơn Bắc"
    assert by_code("23590").name == "Xã Biển Hồ"
    pleiku = by_code(PLEIKU)
    assert (pleiku.name, pleiku.kind) == ("Thành phố Pleiku", LocalityKind.DISTRICT)
    assert pleiku.is_dissolved


def test_lang_ghe_is_an_ethnic_minority_village_of_ia_dok(loaded):
    village = named("Làng Ghè")
    assert village.kind == LocalityKind.VILLAGE
    assert village.parent.code == IA_DOK
    assert village.is_ethnic_minority_area


def test_su_doan_320_is_a_military_unit_outside_the_administrative_chain(loaded):
    division = named("Sư đoàn 320")
    assert division.kind == LocalityKind.MILITARY_UNIT
    assert division.parent is None
    assert "Quân đoàn 3" in division.note


def test_tan_son_is_a_former_commune_of_pleiku_with_nothing_invented(loaded):
    commune = named("Xã Tân Sơn")
    assert commune.kind == LocalityKind.COMMUNE
    assert commune.parent.code == PLEIKU
    assert commune.code is None
    # No source gives its dissolution date or its successors: left empty, said in the note.
    assert commune.dissolved_on is None
    assert not commune.successors.exists()
    assert "chưa có nguồn" in commune.note


# Legal documents


def test_legal_documents_numbers_dates_and_issuers(loaded):
    directive = LegalDocument.objects.get(number="03-CT/TU")
    assert directive.issued_on == datetime.date(2025, 8, 7)
    assert directive.kind == LegalDocumentKind.DIRECTIVE
    assert directive.issuer == "Ban Thường vụ Tỉnh ủy Gia Lai"
    assert "thôn, làng vùng đồng bào dân tộc thiểu số" in directive.title
    plan = LegalDocument.objects.get(number="43/KH-UBND")
    assert plan.issued_on == datetime.date(2025, 8, 22)
    assert plan.kind == LegalDocumentKind.PLAN
    assert plan.issuer == "UBND tỉnh Gia Lai"


# Agreements, parties, commitments


def test_three_agreements_are_published_with_titles_and_slugs(loaded):
    agreements = Agreement.objects.all()
    assert agreements.count() == 3
    for agreement in agreements:
        assert agreement.status == AgreementStatus.PUBLISHED
        assert agreement.published_at is not None
        assert agreement.slug
    assert ia_dok_an_nhon_bac().title == "Xã Ia Dơk – Phường An Nhơn Bắc"
    assert an_nhon_bac_lang_ghe().title == "Phường An Nhơn Bắc – Làng Ghè"
    assert su_doan_320_pleiku().title == "Sư đoàn 320 – Thành phố Pleiku"


def test_2025_agreements_are_dated_by_the_article_and_based_on_both_documents(loaded):
    for agreement in (ia_dok_an_nhon_bac(), an_nhon_bac_lang_ghe()):
        assert agreement.signed_on == datetime.date(2025, 12, 27)
        assert "ngày đăng bài báo" in agreement.summary
        assert set(agreement.legal_basis.values_list("number", flat=True)) == {
            "03-CT/TU",
            "43/KH-UBND",
        }


def test_parties_and_roles(loaded):
    def roles(agreement):
        return [
            (p.locality.name, p.role, p.signatory_name)
            for p in agreement.parties.order_by("position")
        ]

    assert roles(ia_dok_an_nhon_bac()) == [
        ("Xã Ia Dơk", "party", ""),
        ("Phường An Nhơn Bắc", "party", ""),
    ]
    assert roles(an_nhon_bac_lang_ghe()) == [
        ("Phường An Nhơn Bắc", "party", ""),
        ("Làng Ghè", "party", ""),
        ("Xã Ia Dơk", "coordinator", ""),
    ]
    assert roles(su_doan_320_pleiku()) == [
        ("Sư đoàn 320", "party", ""),
        ("Thành phố Pleiku", "party", ""),
    ]


def test_2003_agreement_has_no_2025_legal_basis(loaded):
    agreement = su_doan_320_pleiku()
    assert agreement.signed_on == datetime.date(2003, 7, 26)
    assert not agreement.legal_basis.exists()
    assert "Quân đoàn 3" in agreement.summary


def test_commitments_in_the_articles_words_by_area(loaded):
    def areas(agreement):
        return [c.area.slug for c in agreement.commitments.order_by("position")]

    assert areas(ia_dok_an_nhon_bac()) == [
        "xay-dung-dang",
        "lanh-dao-quan-ly",
        "doan-ket",
        "xay-dung-dang",
        "san-xuat-khoa-hoc-ocop",
        "van-hoa-the-thao",
        "quoc-phong-an-ninh",
    ]
    assert ia_dok_an_nhon_bac().commitments.filter(text__contains="sản phẩm OCOP").exists()
    assert areas(an_nhon_bac_lang_ghe()) == [
        "xay-dung-dang",
        "san-xuat-khoa-hoc-ocop",
        "an-sinh-xa-hoi",
    ]
    crops = an_nhon_bac_lang_ghe().commitments.get(area__slug="san-xuat-khoa-hoc-ocop")
    assert "cà phê, điều, cao su" in crops.text
    texts = " ".join(su_doan_320_pleiku().commitments.values_list("text", flat=True))
    for words in ("tuyên truyền", "nông thôn mới", "xóa đói, giảm nghèo", "quốc phòng toàn dân"):
        assert words in texts


# Events, programme, photos, sources


def test_signing_events(loaded):
    for agreement in (ia_dok_an_nhon_bac(), an_nhon_bac_lang_ghe()):
        event = agreement.events.get()
        assert (event.kind, event.held_on) == (EventKind.SIGNING, datetime.date(2025, 12, 27))
    signing = su_doan_320_pleiku().events.get(kind=EventKind.SIGNING)
    assert signing.held_on == datetime.date(2003, 7, 26)


def test_review_conference_names_the_people_who_chaired_it(loaded):
    conference = su_doan_320_pleiku().events.get(kind=EventKind.REVIEW)
    assert (conference.held_on.year, conference.held_on.month) == (2023, 7)
    # The article gives the month only, and the event says so.
    assert conference.date_precision == "month"
    assert conference.participants.splitlines() == [
        "Trịnh Duy Thuân – Ủy viên Ban Thường vụ Tỉnh ủy, Bí thư Thành ủy Pleiku",
        "Đỗ Việt Hưng – Phó Bí thư Thành ủy, Chủ tịch UBND TP. Pleiku",
        "Đại tá Triệu Trường Giang – Chính ủy Sư đoàn 320",
        "Đại tá Lê Văn Cương – Sư đoàn trưởng Sư đoàn 320",
    ]


def test_programme_2023_2033_signed_at_the_conference(loaded):
    agreement = su_doan_320_pleiku()
    programme = agreement.programmes.get()
    assert programme.name == (
        "Chương trình phối hợp triển khai hoạt động kết nghĩa giai đoạn 2023-2033"
    )
    assert (programme.starts_on.year, programme.ends_on.year) == (2023, 2033)
    assert programme.signed_on == agreement.events.get(kind=EventKind.REVIEW).held_on


def test_placeholder_photos_with_captions_and_credit(loaded, media_root):
    photos = Photo.objects.order_by("agreement__signed_on", "agreement_id", "position")
    assert [(p.agreement.title, p.caption) for p in photos] == [
        (
            "Xã Ia Dơk – Phường An Nhơn Bắc",
            "Lãnh đạo xã Ia Dơk và phường An Nhơn Bắc ký kết giao ước kết nghĩa.",
        ),
        (
            "Phường An Nhơn Bắc – Làng Ghè",
            "Lãnh đạo phường An Nhơn Bắc và làng Ghè ký kết giao ước kết nghĩa.",
        ),
        (
            "Phường An Nhơn Bắc – Làng Ghè",
            "Phường An Nhơn Bắc tặng nhiều phần quà ý nghĩa cho người dân làng Ghè.",
        ),
    ]
    for photo in photos:
        assert photo.credit == "Đức Hải"
        assert photo.is_placeholder
        assert photo.event.kind == EventKind.SIGNING
        path = media_root / photo.image.name
        assert path.is_file()
        with Image.open(path) as image:
            assert (image.format, image.size) == ("JPEG", (1200, 800))


def test_each_agreement_links_its_article(loaded):
    for agreement, published_on in (
        (ia_dok_an_nhon_bac(), datetime.date(2025, 12, 27)),
        (an_nhon_bac_lang_ghe(), datetime.date(2025, 12, 27)),
        (su_doan_320_pleiku(), datetime.date(2023, 7, 1)),
    ):
        source = agreement.sources.get()
        assert (source.publisher, source.published_on) == ("Báo Gia Lai", published_on)
        assert source.title


def test_every_activity_is_delivered_and_cites_its_agreements_article(loaded):
    activities = Activity.objects.select_related("source")
    assert activities.count() == 13
    for activity in activities:
        assert activity.status == ActivityStatus.DELIVERED
        assert activity.source.agreement_id == activity.agreement_id


# Figures


def test_2025_cash_and_gifts(loaded):
    cash = one(ia_dok_an_nhon_bac(), "tien-mat")
    assert (cash.giver.name, cash.recipient.name) == ("Phường An Nhơn Bắc", "Xã Ia Dơk")
    assert (cash.value_vnd, cash.value_qualifier, cash.quantity) == (30_000_000, "exact", None)
    assert format_vnd(cash.value_vnd, cash.value_qualifier) == f"30.000.000{NBSP}đ"
    assert cash.starts_on == datetime.date(2025, 12, 27)
    assert cash.event.kind == EventKind.SIGNING

    agreement = an_nhon_bac_lang_ghe()
    cash = one(agreement, "tien-mat")
    assert (cash.giver.name, cash.recipient.name) == ("Phường An Nhơn Bắc", "Làng Ghè")
    assert (cash.value_vnd, cash.value_qualifier) == (50_000_000, "exact")
    assert format_vnd(cash.value_vnd, cash.value_qualifier) == f"50.000.000{NBSP}đ"
    gifts = one(agreement, "qua-tang")
    assert (gifts.quantity, gifts.value_vnd) == (None, 10_000_000)
    assert gifts.description == "nhiều phần quà ý nghĩa"
    assert gifts.recipient.name == "Làng Ghè"


TWENTY_YEARS = {"starts_on": datetime.date(2003, 7, 26), "event__isnull": True}


@pytest.mark.parametrize(
    ("type_slug", "quantity", "qualifier", "shown"),
    [
        ("nha-o", Decimal(8), "exact", "8\xa0căn"),
        ("kham-chua-benh", Decimal(915), "exact", "915\xa0lượt người"),
        ("quan-ao", Decimal(1700), "exact", "1.700\xa0bộ"),
        ("sua-chua-duong", Decimal(43), "exact", "43\xa0km"),
        ("duong-be-tong", Decimal(7), "over", "7\xa0km"),
        ("cong-trinh-nuoc", Decimal(9), "exact", "9\xa0công trình"),
        ("ngay-cong", Decimal(15000), "nearly", "15.000\xa0ngày công"),
    ],
)
def test_twenty_year_quantities(loaded, type_slug, quantity, qualifier, shown):
    agreement = su_doan_320_pleiku()
    activity = one(agreement, type_slug, **TWENTY_YEARS)
    assert (activity.quantity, activity.quantity_qualifier) == (quantity, qualifier)
    assert activity.giver is None
    assert activity.ends_on == agreement.events.get(kind=EventKind.REVIEW).held_on
    word = qualifier_word(qualifier)
    expected = f"{word}\xa0{shown}" if word else shown
    text = format_quantity(activity.quantity, activity.activity_type.unit, qualifier)
    assert text == expected


def test_twenty_year_values(loaded):
    agreement = su_doan_320_pleiku()
    houses = one(agreement, "nha-o", **TWENTY_YEARS)
    assert (houses.value_vnd, houses.value_qualifier) == (500_000_000, "over")
    text = format_vnd(houses.value_vnd, houses.value_qualifier)
    assert "500.000.000" + NBSP + "đ" in text
    assert text == f"{qualifier_word('over')}{NBSP}500.000.000{NBSP}đ"

    gifts = one(agreement, "qua-tang", **TWENTY_YEARS)
    assert (gifts.quantity, gifts.value_vnd, gifts.value_qualifier) == (None, 100_000_000, "over")
    assert "100.000.000" + NBSP + "đ" in format_vnd(gifts.value_vnd, gifts.value_qualifier)

    water = one(agreement, "cong-trinh-nuoc", **TWENTY_YEARS)
    assert water.description == "tu sửa 9 giọt nước tại các làng đồng bào dân tộc thiểu số"


def test_gifts_and_certificates_at_the_conference(loaded):
    agreement = su_doan_320_pleiku()
    conference = agreement.events.get(kind=EventKind.REVIEW)
    packages = one(agreement, "qua-tang", event=conference)
    assert (packages.quantity, packages.beneficiaries) == (Decimal(40), 40)
    assert packages.starts_on == conference.held_on
    assert packages.ends_on is None
    assert packages.recipient_detail == (
        "20 gia đình nghèo tại 2 xã Biển Hồ, Tân Sơn và 20 học sinh vượt khó là con em cán bộ, "
        "chiến sĩ của Sư đoàn 320"
    )
    certificates = one(agreement, "giay-khen", event=conference)
    assert certificates.quantity == Decimal(20)
    assert "10 tập thể và 10 cá nhân" in certificates.recipient_detail
    assert format_quantity(certificates.quantity, certificates.activity_type.unit) == (
        "20\xa0giấy khen"
    )


# Running it again


def test_first_run_reports_what_it_created(loaded):
    assert "Created 3 " in loaded
    assert "Created 13 " in loaded
    assert "Nothing new" not in loaded


def test_second_run_creates_and_changes_nothing(loaded, media_root):
    before = counts()
    files = sorted(p for p in media_root.rglob("*") if p.is_file())
    stamps = {
        model: list(model.objects.order_by("pk").values_list("pk", "updated_at"))
        for model in (Locality, Agreement, Activity)
    }
    output = StringIO()
    with translation.override("en"):
        call_command("load_demo", stdout=output)
    assert counts() == before
    assert sorted(p for p in media_root.rglob("*") if p.is_file()) == files
    for model, rows in stamps.items():
        assert list(model.objects.order_by("pk").values_list("pk", "updated_at")) == rows
    assert "Nothing new: the demo data is already loaded." in output.getvalue()
    assert "Created" not in output.getvalue()


def test_second_run_returns_zero_counts(loaded):
    result = demo.load_demo()
    assert result["register"]["created"] == 0
    assert result["register"]["updated"] == 0
    assert set(result["created"].values()) == {0}


def test_photos_lost_from_storage_are_redrawn_not_duplicated(loaded, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    before = counts()
    demo.load_demo()
    assert counts() == before
    for photo in Photo.objects.all():
        assert (tmp_path / photo.image.name).is_file()


# The picture itself


def test_placeholder_without_a_vietnamese_font_drops_the_marks_rather_than_show_boxes(
    monkeypatch,
):
    monkeypatch.setattr(demo, "VIETNAMESE_FONTS", ())
    content = demo.placeholder_jpeg("Lãnh đạo xã Ia Dơk")
    with Image.open(content) as image:
        assert (image.format, image.size) == ("JPEG", (1200, 800))


def test_an_agreement_staff_unpublished_stays_a_draft(loaded):
    unpublish_agreement(ia_dok_an_nhon_bac(), actor=None)
    before = counts()
    demo.load_demo()
    assert counts() == before
    assert ia_dok_an_nhon_bac().status == AgreementStatus.DRAFT


def test_dates_known_only_to_the_month_or_year_say_so(loaded):
    from agreements.dates import format_date, format_period
    from agreements.models import Event, Programme

    conference = Event.objects.get(title__startswith="Hội nghị tổng kết 20 năm")
    assert format_date(conference.held_on, conference.date_precision) == "7/2023"
    programme = Programme.objects.get(name__contains="2023-2033")
    assert format_period(programme.starts_on, programme.ends_on, programme.date_precision) == (
        "2023–2033"
    )
    houses = Activity.objects.get(activity_type__slug="nha-o")
    assert format_period(houses.starts_on, houses.ends_on, houses.date_precision) == (
        "7/2003 – 7/2023"
    )
    signing = Event.objects.get(title__startswith="Ký kết giao ước kết nghĩa giữa Sư đoàn 320")
    assert format_date(signing.held_on, signing.date_precision) == "26/7/2003"


def test_staff_corrections_survive_a_second_run(loaded):
    agreement = ia_dok_an_nhon_bac()
    Agreement.objects.filter(pk=agreement.pk).update(signed_on=datetime.date(2025, 12, 26))
    road = Activity.objects.get(activity_type__slug="duong-be-tong")
    Activity.objects.filter(pk=road.pk).update(description="Đường bê tông (đã sửa)")
    Activity.objects.filter(activity_type__slug="quan-ao").delete()
    before = counts()
    demo.load_demo()
    assert counts() == before
    assert Activity.objects.filter(activity_type__slug="duong-be-tong").count() == 1
    assert not Activity.objects.filter(activity_type__slug="quan-ao").exists()
    assert Agreement.objects.get(pk=agreement.pk).signed_on == datetime.date(2025, 12, 26)
