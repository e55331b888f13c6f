"""The needs board (issue 14, item 4): a village's need posted by its commune's staff, a unit's
offer, the place's answer, the province turning the accepted offer into a draft agreement or a
pledged activity in two clicks, the rights of each role, and the public board and open data.

The world: commune A with its village VA, commune B, a military unit U; the staff of A, of B and
of U (editors), A's leader and reviewer, a province reviewer (the province's officer) and a
province administrator.
"""

import csv
import datetime
import io
import itertools
import re

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from activities.models import (
    Activity,
    ActivityStatus,
    ActivityType,
    Need,
    NeedPriority,
    NeedStatus,
    Offer,
    OfferStatus,
)
from agreements.models import Agreement, AgreementStatus, CommitmentArea, PartyRole
from localities.models import LocalityKind
from tests import factories
from tests.admin_pages import form_data
from tests.agreements.test_uploads import (
    assert_upright_without_gps,
    encoded,
    phone_jpeg,
    two_halves,
)

pytestmark = pytest.mark.django_db

EDITOR, REVIEWER, LEADER, ADMINISTRATOR = (
    "Cán bộ nhập liệu",
    "Người duyệt đăng",
    "Lãnh đạo",
    "Quản trị tỉnh",
)


@pytest.fixture
def world(client):
    province = factories.locality("Tỉnh Thử", kind=LocalityKind.PROVINCE)
    commune_a = factories.locality("Xã Ia Thử", parent=province, latitude=13.9, longitude=108.0)
    village_a = factories.locality(
        "Làng Plei Thử",
        kind=LocalityKind.VILLAGE,
        parent=commune_a,
        is_ethnic_minority_area=True,
    )
    commune_b = factories.locality("Xã Bình Thử", parent=province, latitude=14.1, longitude=108.2)
    unit = factories.locality("Sư đoàn Thử", kind=LocalityKind.MILITARY_UNIT)
    users = {
        "editor_a": factories.staff("nhap-lieu-a", EDITOR, commune_a),
        "editor_b": factories.staff("nhap-lieu-b", EDITOR, commune_b),
        "editor_unit": factories.staff("nhap-lieu-su-doan", EDITOR, unit),
        "leader_a": factories.staff("lanh-dao-a", LEADER, commune_a),
        "reviewer_a": factories.staff("duyet-a", REVIEWER, commune_a),
        "officer": factories.staff("duyet-tinh", REVIEWER, whole=True),
        "administrator": factories.staff("quan-tri", ADMINISTRATOR),
    }

    class World:
        pass

    w = World()
    w.__dict__.update(
        province=province,
        commune_a=commune_a,
        village_a=village_a,
        commune_b=commune_b,
        unit=unit,
        users=users,
        area=CommitmentArea.objects.get(slug="an-sinh-xa-hoi"),
        houses=ActivityType.objects.get(slug="nha-o"),
    )
    return w


def as_(client, user):
    client.force_login(user)
    return client


def need_of(world, **fields):
    fields = {
        "locality": world.village_a,
        "area": world.area,
        "title": "Sửa nhà văn hoá làng",
        **fields,
    }
    return Need.objects.create(**fields)


ADD_NEED = reverse("admin:activities_need_add")
ADD_OFFER = reverse("admin:activities_offer_add")


def post_need(client, world, **fields):
    data = form_data(client.get(ADD_NEED)) | {
        "locality": world.village_a.pk,
        "area": world.area.pk,
        "title": "Làm 2 căn nhà cho hộ nghèo",
        "description": "Hai hộ nghèo có nhà dột nát.",
        "activity_type": world.houses.pk,
        "quantity": "2",
        "value_vnd": "120.000.000",
        "priority": NeedPriority.URGENT,
        "status": NeedStatus.OPEN,
        **fields,
    }
    return client.post(ADD_NEED, data)


def post_offer(client, need, party, **fields):
    page = client.get(ADD_OFFER, {"need": need.pk})
    data = form_data(page) | {
        "need": need.pk,
        "party": party.pk,
        "description": "Hai căn nhà đại đoàn kết trong quý II.",
        "quantity": "2",
        **fields,
    }
    return client.post(ADD_OFFER, data)


def offer_of(world, need, **fields):
    fields.setdefault("description", "Hai căn nhà trong quý II")
    return Offer.objects.create(need=need, party=world.unit, **fields)


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


# --- Posting a need ------------------------------------------------------------------------------


def test_a_communes_staff_post_a_need_of_its_village_with_a_photo_without_gps(client, world):
    as_(client, world.users["editor_a"])
    photo = SimpleUploadedFile("IMG_0001.JPG", phone_jpeg(), content_type="image/jpeg")
    response = post_need(client, world, photo=photo)
    assert response.status_code == 302, response.context["adminform"].form.errors
    need = Need.objects.get()
    assert need.locality == world.village_a
    assert need.posted_by == world.users["editor_a"]
    assert need.quantity == 2 and need.value_vnd == 120_000_000
    assert need.status == NeedStatus.OPEN
    assert re.fullmatch(r"photos/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", need.photo.name)
    with need.photo.open("rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        image.load()
    assert_upright_without_gps(image)


def test_a_need_outside_the_staffs_charge_is_refused_at_the_field(client, world):
    as_(client, world.users["editor_b"])
    response = post_need(client, world)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "locality" in errors
    assert not Need.objects.exists()


def test_a_need_is_for_a_village_or_a_commune_not_a_unit(client, world):
    as_(client, world.users["administrator"])
    response = post_need(client, world, locality=world.unit.pk)
    assert "locality" in response.context["adminform"].form.errors
    assert not Need.objects.exists()


def test_a_quantity_needs_its_kind_of_support(client, world):
    as_(client, world.users["editor_a"])
    response = post_need(client, world, activity_type="")
    errors = response.context["adminform"].form.errors
    assert "activity_type" in errors
    assert "căn, suất, km" in str(errors["activity_type"])
    assert not Need.objects.exists()


@pytest.mark.parametrize("role", ["leader_a", "reviewer_a"])
def test_leaders_and_reviewers_post_no_need(client, world, role):
    as_(client, world.users[role])
    assert client.get(ADD_NEED).status_code == 403
    data = {"locality": world.village_a.pk, "area": world.area.pk, "title": "Giếng nước"}
    assert client.post(ADD_NEED, data).status_code == 403
    assert not Need.objects.exists()


def test_another_communes_staff_read_a_need_but_do_not_change_it(client, world):
    need = need_of(world)
    as_(client, world.users["editor_b"])
    page = client.get(change_url(need))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    as_(client, world.users["editor_a"])
    assert client.get(change_url(need)).context["has_change_permission"]


# --- Offering --------------------------------------------------------------------------------


def test_a_units_staff_offer_support_for_an_open_need(client, world):
    need = need_of(world, activity_type=world.houses, quantity=2)
    as_(client, world.users["editor_unit"])
    page = client.get(ADD_OFFER, {"need": need.pk})
    assert page.context["adminform"].form.initial["need"] == str(need.pk)
    response = post_offer(client, need, world.unit)
    assert response.status_code == 302, response.context["adminform"].form.errors
    offer = Offer.objects.get()
    assert (offer.need, offer.party, offer.status) == (need, world.unit, OfferStatus.PROPOSED)
    assert offer.offered_by == world.users["editor_unit"]
    assert offer.quantity == 2


def test_an_offer_is_made_in_the_name_of_a_unit_in_ones_charge(client, world):
    need = need_of(world)
    as_(client, world.users["editor_b"])
    response = post_offer(client, need, world.unit, quantity="")
    errors = response.context["adminform"].form.errors
    assert "party" in errors and "Sư đoàn Thử" in str(errors["party"])
    assert not Offer.objects.exists()


def test_a_withdrawn_need_takes_no_offer(client, world):
    need = need_of(world, status=NeedStatus.WITHDRAWN)
    as_(client, world.users["editor_unit"])
    response = post_offer(client, need, world.unit, quantity="")
    assert "need" in response.context["adminform"].form.errors
    assert not Offer.objects.exists()


def test_a_unit_offers_once_for_a_need(client, world):
    need = need_of(world)
    offer_of(world, need)
    as_(client, world.users["editor_unit"])
    response = post_offer(client, need, world.unit, quantity="")
    assert "đã đề nghị hỗ trợ" in str(response.context["adminform"].form.errors)
    assert Offer.objects.count() == 1


# --- Answering -------------------------------------------------------------------------------


def answer(client, offer, accept):
    url = reverse("admin:activities_offer_answer", args=[offer.pk])
    return client.post(url, {"accept": "1" if accept else "0"})


def test_the_places_staff_accept_an_offer(client, world):
    offer = offer_of(world, need_of(world))
    as_(client, world.users["editor_a"])
    assert "Nhận lời" in client.get(change_url(offer)).content.decode()
    assert answer(client, offer, True).status_code == 302
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED
    assert offer.answered_by == world.users["editor_a"]


@pytest.mark.parametrize("role", ["editor_unit", "leader_a"])
def test_the_unit_and_a_leader_do_not_answer_an_offer(client, world, role):
    offer = offer_of(world, need_of(world))
    as_(client, world.users[role])
    assert answer(client, offer, True).status_code == 403
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PROPOSED


def test_another_communes_staff_do_not_reach_the_offer(client, world):
    offer = offer_of(world, need_of(world))
    as_(client, world.users["editor_b"])
    assert answer(client, offer, True).status_code == 404
    assert client.get(change_url(offer)).status_code == 404


# --- Turning an accepted offer -----------------------------------------------------------------


def test_the_province_turns_an_accepted_offer_into_a_draft_agreement_in_two_clicks(client, world):
    need = need_of(world)
    offer = offer_of(world, need, status=OfferStatus.ACCEPTED)
    as_(client, world.users["officer"])
    page = client.get(change_url(offer)).content.decode()
    url = reverse("admin:activities_offer_to_agreement", args=[offer.pk])
    assert f'href="{url}"' in page
    # First click: what will be made.
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Làng Plei Thử" in confirm.content.decode()
    assert not Agreement.objects.exists()
    # Second click: made.
    response = client.post(url)
    agreement = Agreement.objects.get()
    assert response.status_code == 302
    assert response.url == change_url(agreement)
    assert agreement.status == AgreementStatus.DRAFT
    parties = list(agreement.parties.order_by("position").values_list("locality", "role"))
    assert parties == [(world.village_a.pk, PartyRole.PARTY), (world.unit.pk, PartyRole.PARTY)]
    assert agreement.title == "Làng Plei Thử – Sư đoàn Thử"
    assert list(agreement.commitments.values_list("area", "text")) == [
        (world.area.pk, "Sửa nhà văn hoá làng")
    ]
    offer.refresh_from_db()
    need.refresh_from_db()
    assert offer.agreement == agreement
    assert need.status == NeedStatus.MET
    # The link is kept: the offer's page names the agreement; a second conversion is refused.
    assert str(agreement) in client.get(change_url(offer)).content.decode()
    assert client.post(url).status_code == 302
    assert Agreement.objects.count() == 1


def test_the_draft_stays_the_staffs_on_the_public_pages(client, world):
    need = need_of(world)
    offer = offer_of(world, need, status=OfferStatus.ACCEPTED)
    as_(client, world.users["officer"])
    client.post(reverse("admin:activities_offer_to_agreement", args=[offer.pk]))
    client.logout()
    agreement = Agreement.objects.get()
    page = client.get(reverse("needs:detail", args=[need.pk])).content.decode()
    assert "Sư đoàn Thử" in page
    assert agreement.title not in page
    assert "đang chuẩn bị" in page  # "the province is preparing the agreement"
    api = client.get("/api/v1/needs/").json()["results"]
    assert api[0]["offers"][0]["agreement"] is None


def test_an_offer_not_accepted_is_not_turned(client, world):
    offer = offer_of(world, need_of(world))
    as_(client, world.users["officer"])
    url = reverse("admin:activities_offer_to_agreement", args=[offer.pk])
    assert client.get(url).status_code == 302
    assert client.post(url).status_code == 302
    assert not Agreement.objects.exists()


@pytest.mark.parametrize("role", ["editor_a", "reviewer_a", "leader_a"])
def test_only_a_province_officer_turns_an_offer(client, world, role):
    offer = offer_of(world, need_of(world), status=OfferStatus.ACCEPTED)
    as_(client, world.users[role])
    for name in ("to_agreement", "to_activity"):
        url = reverse(f"admin:activities_offer_{name}", args=[offer.pk])
        assert client.get(url).status_code == 403
        assert client.post(url).status_code == 403
    assert not Agreement.objects.exists() and not Activity.objects.exists()


def test_the_province_records_a_pledged_activity_under_an_agreement_in_force(client, world):
    agreement = factories.agreement(
        world.commune_a, world.unit, published=True, signed_on=datetime.date(2020, 3, 26)
    )
    need = need_of(world, activity_type=world.houses, quantity=2)
    offer = offer_of(world, need, quantity=2, value_vnd=100_000_000, status=OfferStatus.ACCEPTED)
    as_(client, world.users["administrator"])
    url = reverse("admin:activities_offer_to_activity", args=[offer.pk])
    page = client.get(url)
    form = page.context["form"]
    assert form.initial["agreement"] == agreement
    assert form.initial["activity_type"] == world.houses
    data = {
        "agreement": agreement.pk,
        "activity_type": world.houses.pk,
        "starts_on": "15/03/2026",
        "quantity": "2",
        "value_vnd": "100.000.000",
    }
    response = client.post(url, data)
    activity = Activity.objects.get()
    assert response.url == change_url(activity)
    assert activity.status == ActivityStatus.PLEDGED
    assert (activity.giver, activity.recipient) == (world.unit, world.village_a)
    assert (activity.quantity, activity.value_vnd) == (2, 100_000_000)
    offer.refresh_from_db()
    assert offer.activity == activity
    client.logout()
    page = client.get(reverse("needs:detail", args=[need.pk])).content.decode()
    assert reverse("agreements:detail", args=[agreement.slug]) in page


def test_a_pledged_activity_needs_an_agreement_both_share(client, world):
    other = factories.agreement(world.commune_b, world.unit, published=True)
    offer = offer_of(world, need_of(world), value_vnd=5_000_000, status=OfferStatus.ACCEPTED)
    as_(client, world.users["officer"])
    url = reverse("admin:activities_offer_to_activity", args=[offer.pk])
    assert "không cùng là bên" in client.get(url).content.decode()
    data = {
        "agreement": other.pk,
        "activity_type": world.houses.pk,
        "starts_on": "15/03/2026",
        "value_vnd": "5.000.000",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "agreement" in response.context["form"].errors
    assert not Activity.objects.exists()


# --- The public board ----------------------------------------------------------------------------


BOARD = reverse("needs:board")
NO_PARTNER_TAG = '<span class="tag">chưa có đơn vị kết nghĩa</span>'


def test_the_board_lists_open_needs_most_pressing_first(client, world):
    normal = need_of(world, title="Sân chơi cho trẻ em")
    urgent = need_of(world, title="Nước sạch cho 40 hộ", priority=NeedPriority.URGENT)
    need_of(world, title="Nhu cầu đã rút", status=NeedStatus.WITHDRAWN)
    met = need_of(world, title="Đường bê tông vào làng", status=NeedStatus.MET)
    page = client.get(BOARD).content.decode()
    assert page.index(urgent.title) < page.index(normal.title)
    assert "Nhu cầu đã rút" not in page and met.title not in page
    assert NO_PARTNER_TAG in page  # the village has no partner
    taken = client.get(BOARD, {"status": "met"}).content.decode()
    assert met.title in taken and normal.title not in taken
    both = client.get(BOARD, {"status": "all"}).content.decode()
    assert met.title in both and normal.title in both and "Nhu cầu đã rút" not in both


def test_the_board_filters_by_area_and_place(client, world):
    culture = CommitmentArea.objects.get(slug="van-hoa-the-thao")
    need_of(world, title="Nhà văn hoá làng Plei", area=culture)
    need_of(world, title="Bò giống cho hộ nghèo", locality=world.commune_b)
    by_area = client.get(BOARD, {"area": "van-hoa-the-thao"}).content.decode()
    assert "Nhà văn hoá làng Plei" in by_area and "Bò giống" not in by_area
    by_place = client.get(BOARD, {"locality": "binh thu"}).content.decode()
    assert "Bò giống" in by_place and "Nhà văn hoá làng Plei" not in by_place
    # A commune's filter holds its villages' needs.
    by_commune = client.get(BOARD, {"locality": world.commune_a.slug}).content.decode()
    assert "Nhà văn hoá làng Plei" in by_commune and "Bò giống" not in by_commune


def test_a_wrong_filter_is_told_at_its_field(client, world):
    response = client.get(BOARD, {"area": "khong-co", "priority": "9"})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"area", "priority"}


def test_the_boards_map_marks_each_place_with_its_needs(client, world):
    need_of(world)
    need_of(world, title="Giếng nước")
    need_of(world, title="Bò giống", locality=world.commune_b)
    response = client.get(BOARD)
    marks = response.context["needs_map"].marks
    # The village has no point of its own: it is placed at its commune's.
    assert {(m.name, m.value, m.placed_by_parent) for m in marks} == {
        ("Làng Plei Thử", 2, True),
        ("Xã Bình Thử", 1, False),
    }
    assert {m.kind for m in marks} == {"cov-none"}


def test_a_place_with_a_partner_is_said_so(client, world):
    factories.agreement(world.village_a, world.unit, published=True)
    need_of(world)
    page = client.get(BOARD)
    assert [m.kind for m in page.context["needs_map"].marks] == ["cov-all"]
    assert NO_PARTNER_TAG not in page.content.decode()


def test_the_board_runs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    def count_for(n):
        for i in range(n):
            need = need_of(world, title=f"Nhu cầu {i}", locality=world.commune_b)
            offer_of(world, need)
        with django_assert_max_num_queries(8) as queries:
            assert client.get(BOARD).status_code == 200
        return len(queries)

    assert count_for(2) == count_for(10)


def test_the_boards_needs_are_kept_until_one_changes(client, world, settings):
    """With the shared cache, the board made for someone with a session reads its needs once,
    then keeps them until a need or an offer changes: the new offer is counted at once."""
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    need = need_of(world, title="Nước sạch cho 40 hộ")
    client.cookies[settings.SESSION_COOKIE_NAME] = "khong-co-phien"  # made, not the page kept

    def board():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(BOARD)
        read = sum('FROM "activities_need"' in q["sql"] for q in queries)
        return response.context["rows"], read

    rows, read = board()
    assert [(row.need.title, row.offers) for row in rows] == [("Nước sạch cho 40 hộ", 0)]
    assert read >= 1
    assert board()[1] == 0
    offer_of(world, need)
    rows, read = board()
    assert [(row.need.title, row.offers) for row in rows] == [("Nước sạch cho 40 hộ", 1)]
    assert read >= 1
    cache.clear()


def test_a_needs_page_shows_its_offers_and_a_withdrawn_one_is_gone(client, world):
    need = need_of(world, activity_type=world.houses, quantity=2, value_vnd=120_000_000)
    offer_of(world, need)
    Offer.objects.create(
        need=need, party=world.commune_b, description="Không nhận", status=OfferStatus.DECLINED
    )
    page = client.get(reverse("needs:detail", args=[need.pk])).content.decode()
    assert "2\xa0căn" in page
    assert "120.000.000\xa0đ" in page
    assert "Sư đoàn Thử" in page and "Không nhận" not in page
    need.status = NeedStatus.WITHDRAWN
    need.save()
    assert client.get(reverse("needs:detail", args=[need.pk])).status_code == 404


def test_the_board_is_linked_from_the_home_page_and_the_coverage_page(client, world):
    for url in (reverse("home"), reverse("dashboards:coverage"), reverse("dashboards:province")):
        assert f'href="{BOARD}"' in client.get(url).content.decode(), url


def test_the_board_in_english(client, world):
    need_of(world)
    page = client.get("/en" + BOARD).content.decode()
    assert "Places asking for a partner" in page
    assert "Social welfare" in page or world.area.name_en in page


# --- Open data -----------------------------------------------------------------------------------


def test_the_open_data_lists_public_needs_with_their_offers(client, world):
    need = need_of(world, activity_type=world.houses, quantity=2)
    offer_of(world, need, quantity=2)
    need_of(world, title="Nhu cầu đã rút", status=NeedStatus.WITHDRAWN)
    need_of(world, title="Bò giống", locality=world.commune_b)
    found = client.get("/api/v1/needs/").json()["results"]
    assert {n["title"] for n in found} == {"Sửa nhà văn hoá làng", "Bò giống"}
    row = next(n for n in found if n["id"] == need.pk)
    assert row["place"]["slug"] == world.village_a.slug
    assert row["area"] == "an-sinh-xa-hoi"
    assert row["quantity"] == 2 and row["type"]["unit"] == "căn"
    assert row["offers"][0]["party"]["name"] == "Sư đoàn Thử"
    assert row["url"].endswith(reverse("needs:detail", args=[need.pk]))
    by_place = client.get("/api/v1/needs/", {"place": world.commune_b.slug}).json()["results"]
    assert [n["title"] for n in by_place] == ["Bò giống"]
    gone = Need.objects.get(title="Nhu cầu đã rút")
    assert client.get(f"/api/v1/needs/{gone.pk}/").status_code == 404


def test_the_open_data_files_hold_the_public_needs(client, world):
    need = need_of(world, activity_type=world.houses, quantity=2, value_vnd=80_000_000)
    offer_of(world, need)
    Offer.objects.create(need=need, party=world.commune_b, description="Không", status="declined")
    need_of(world, title="Nhu cầu đã rút", status=NeedStatus.WITHDRAWN)
    response = client.get(reverse("opendata:download", args=["needs", "csv"]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 1
    row = rows[0]
    assert row["title"] == "Sửa nhà văn hoá làng"
    assert (row["place_name"], row["place_slug"]) == ("Làng Plei Thử", world.village_a.slug)
    assert (row["area"], row["priority"], row["status"]) == ("an-sinh-xa-hoi", "3", "open")
    assert (row["activity_type"], row["unit"], row["quantity"]) == ("nha-o", "căn", "2")
    assert row["value_vnd"] == "80000000"
    assert row["offers"] == "1"
    assert row["url"].endswith(reverse("needs:detail", args=[need.pk]))


# --- What the review found ---------------------------------------------------------------------


def test_a_needs_offers_are_shown_to_the_staff_of_their_scope_only(client, world):
    need = need_of(world)
    offer_of(world, need, description="Đề nghị của Sư đoàn Thử")
    as_(client, world.users["editor_b"])
    assert "Đề nghị của Sư đoàn Thử" not in client.get(change_url(need)).content.decode()
    as_(client, world.users["editor_a"])
    assert "Đề nghị của Sư đoàn Thử" in client.get(change_url(need)).content.decode()


def test_a_needs_offers_kept_for_one_reader_are_not_shown_to_another(client, world, settings):
    """With the shared cache, what a leader of the need's commune reads of its offers is not
    served to a leader of another commune, who may read the need but not those offers."""
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    need = need_of(world)
    offer_of(world, need, description="Đề nghị của Sư đoàn Thử")
    leader_b = factories.staff("lanh-dao-b", LEADER, world.commune_b)
    for user, shown in ((world.users["leader_a"], True), (leader_b, False)):
        as_(client, user)
        for _ in range(2):
            response = client.get(change_url(need))
            assert response.status_code == 200
            assert "admin/readonly_change_form.html" in [t.name for t in response.templates]
            assert ("Đề nghị của Sư đoàn Thử" in response.content.decode()) is shown
    cache.clear()


def test_the_places_staff_do_not_mark_a_need_taken_up(client, world):
    need = need_of(world)
    as_(client, world.users["editor_a"])
    page = client.get(change_url(need))
    offered = [value for value, _label in page.context["adminform"].form.fields["status"].choices]
    assert NeedStatus.MET not in offered
    data = form_data(page) | {"status": NeedStatus.MET}
    assert client.post(change_url(need), data).status_code == 200
    need.refresh_from_db()
    assert need.status == NeedStatus.OPEN
    # They withdraw it.
    data["status"] = NeedStatus.WITHDRAWN
    assert client.post(change_url(need), data).status_code == 302
    need.refresh_from_db()
    assert need.status == NeedStatus.WITHDRAWN


def test_a_needs_place_stays_once_units_have_offered(client, world):
    need = need_of(world)
    offer_of(world, need)
    as_(client, world.users["editor_a"])
    form = client.get(change_url(need)).context["adminform"].form
    assert "locality" not in form.fields and "activity_type" not in form.fields


def test_an_offer_on_a_withdrawn_need_is_not_turned(client, world):
    need = need_of(world)
    offer = offer_of(world, need, status=OfferStatus.ACCEPTED)
    need.status = NeedStatus.WITHDRAWN
    need.save()
    as_(client, world.users["officer"])
    url = reverse("admin:activities_offer_to_agreement", args=[offer.pk])
    assert client.post(url).status_code == 302
    assert not Agreement.objects.exists()
    assert url not in client.get(change_url(offer)).content.decode()


def test_the_agreement_an_offer_became_is_not_deleted_while_the_offer_names_it(client, world):
    offer = offer_of(world, need_of(world), status=OfferStatus.ACCEPTED)
    as_(client, world.users["administrator"])
    client.post(reverse("admin:activities_offer_to_agreement", args=[offer.pk]))
    agreement = Agreement.objects.get()
    url = reverse("admin:agreements_agreement_delete", args=[agreement.pk])
    assert client.post(url, {"post": "yes"}).status_code in (200, 302, 403)
    assert Agreement.objects.filter(pk=agreement.pk).exists()
    # The offer goes first (a province administrator's call), then the draft may.
    offer_url = reverse("admin:activities_offer_delete", args=[offer.pk])
    assert client.post(offer_url, {"post": "yes"}).status_code == 302
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Agreement.objects.filter(pk=agreement.pk).exists()


def test_a_needs_page_and_the_api_run_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    need = need_of(world)
    made = itertools.count()

    def count(path, offers):
        for i in range(offers):
            party = factories.locality(f"Đơn vị {next(made)}", kind=LocalityKind.AGENCY)
            Offer.objects.create(need=need, party=party, description=f"Đề nghị {i}")
            need_of(world, title=f"Nhu cầu {i}", locality=world.commune_b)
        with django_assert_max_num_queries(10) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    for path in (reverse("needs:detail", args=[need.pk]), "/api/v1/needs/"):
        assert count(path, 1) == count(path, 10), path


def test_the_board_says_the_dashboards_village_figure(client, world):
    factories.agreement(world.village_a, world.unit, published=True)
    factories.locality(
        "Làng Chưa Thử",
        kind=LocalityKind.VILLAGE,
        parent=world.commune_b,
        is_ethnic_minority_area=True,
    )
    board = client.get(BOARD).context["coverage"]
    dashboard = client.get(reverse("dashboards:province")).context["dashboard"].minority_villages
    assert (board.with_partner, board.total) == (dashboard.with_partner, dashboard.total) == (1, 2)
    assert "1 trên 2 thôn, làng" in client.get(BOARD).content.decode()


def test_the_boards_figures_are_counted_once_until_a_need_or_an_agreement_changes(
    client, world, settings
):
    """A reader whose page is made for them (signed in: a session cookie) gets the board's
    totals and the village figure kept from an earlier request, counted again after a write."""
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    client.cookies["sessionid"] = "a-reader"
    need_of(world)

    def figures():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(BOARD)
        counted = sum("COUNT(DISTINCT" in q["sql"] for q in queries)
        context = response.context
        return context["totals"].needs, context["coverage"].with_partner, counted

    assert figures() == (1, 0, 2)
    assert figures() == (1, 0, 0)
    need_of(world, title="Giếng nước")
    assert figures() == (2, 0, 2)
    factories.agreement(world.village_a, world.unit, published=True)
    assert figures() == (2, 1, 2)
    cache.clear()


def test_a_needs_page_shows_its_photo_made_small(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    need = need_of(world)
    need.photo.save("anh.jpg", ContentFile(encoded(two_halves((1600, 1200)), "JPEG")), save=True)
    page = client.get(reverse("needs:detail", args=[need.pk])).content.decode()
    thumbnail = re.search(r'<img src="([^"]+)" width="(\d+)" height="(\d+)"', page)
    assert thumbnail and int(thumbnail[2]) <= 640 and int(thumbnail[3]) <= 480
    assert thumbnail[1] != need.photo.url
    assert f'href="{need.photo.url}"' in page
