"""/dia-phuong/<slug>/: a locality, its agreements and its villages', what it gave and received."""

import datetime
import re

import pytest
from django.utils import timezone
from django.utils.translation import gettext

from activities import demo
from activities.figures import format_quantity, format_vnd
from activities.models import Activity, ActivityStatus, Plan, PlanItem, TargetKind
from activities.plans import approve
from agreements.models import Agreement, CommitmentArea, PartyRole
from localities.models import Locality, LocalityKind, Succession
from tests import factories

pytestmark = pytest.mark.django_db

IA_DOK, PLEIKU, PHUONG_PLEIKU = "23869", "622", "23575"


def url(locality):
    return f"/dia-phuong/{locality.slug}/"


def page(client, locality, **params):
    response = client.get(url(locality), params)
    assert response.status_code == 200
    return response, response.content.decode()


def detail_url(agreement):
    return f"/giao-uoc/{agreement.slug}/"


# The demo data (Gia Lai's register and the two seed articles).


@pytest.fixture
def demo_data(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    demo.load_demo()


def by_code(code):
    return Locality.objects.get(code=code)


def test_commune_lists_its_own_agreement_and_its_village_s(client, demo_data):
    ia_dok = by_code(IA_DOK)
    village = Locality.objects.get(parent=ia_dok, name="Làng Ghè")
    own = Agreement.objects.published().filter(
        parties__locality=ia_dok, parties__role=PartyRole.PARTY
    )
    villages = Agreement.objects.published().filter(parties__locality=village)
    assert own.count() == 1 and villages.count() == 1
    expected = [*own, *villages]

    _response, content = page(client, ia_dok)

    for agreement in expected:
        assert detail_url(agreement) in content
        assert agreement.title in content
    assert url(village) in content  # the village, linked
    assert f'href="/giao-uoc/?locality={ia_dok.slug}"' in content
    assert f'href="{url(ia_dok.parent)}"' in content  # the province, linked


def test_dissolved_city_names_its_successors_and_keeps_its_agreement(client, demo_data):
    pleiku = by_code(PLEIKU)
    assert pleiku.dissolved_on is not None
    successors = list(pleiku.successors.all())
    assert successors
    agreement = Agreement.objects.published().get(parties__locality=pleiku)

    response, content = page(client, pleiku)

    assert [s.pk for s in response.context["page"].successors] == sorted(
        (s.pk for s in successors), key=lambda pk: Locality.objects.get(pk=pk).search_key
    )
    for successor in successors:
        assert url(successor) in content
        assert successor.name in content
    assert detail_url(agreement) in content
    assert "Sư đoàn 320" in content
    assert f"{pleiku.dissolved_on.day}/{pleiku.dissolved_on.month}/{pleiku.dissolved_on.year}" in (
        content
    )


def test_successor_shows_its_predecessor_s_agreements(client, demo_data):
    ward, pleiku = by_code(PHUONG_PLEIKU), by_code(PLEIKU)
    assert ward.predecessors.filter(pk=pleiku.pk).exists()
    agreement = Agreement.objects.published().get(parties__locality=pleiku)

    response, content = page(client, ward)

    assert url(pleiku) in content
    assert detail_url(agreement) in content
    assert gettext("Agreements of the former %(name)s") % {"name": pleiku.name} in content
    shown = list(response.context["page"].page_obj)
    assert [a.pk for a in shown] == [agreement.pk]
    assert not shown[0].is_local
    assert "?locality=" not in content  # the list filter knows nothing of former units


def test_given_and_received_totals_from_delivered_published_activities(client, demo_data):
    ia_dok = by_code(IA_DOK)
    here = Locality.objects.filter(pk=ia_dok.pk) | Locality.objects.filter(parent=ia_dok)
    received = Activity.objects.published().filter(
        recipient__in=here, status=ActivityStatus.DELIVERED
    )
    assert received.count() == 3  # 30 million to the commune, 50 million and gifts to the village

    response, content = page(client, ia_dok)

    totals = {t.slug: t for t in response.context["page"].received.by_type}
    cash = received.filter(activity_type__slug="tien-mat")
    assert totals["tien-mat"].value_vnd == sum(a.value_vnd for a in cash)
    assert format_vnd(totals["tien-mat"].value_vnd) in content
    assert response.context["page"].given.by_type == []


def test_city_shows_what_its_agreement_delivered_jointly(client, demo_data):
    pleiku = by_code(PLEIKU)
    houses = Activity.objects.published().get(
        agreement__parties__locality=pleiku, activity_type__slug="nha-o"
    )
    assert houses.giver is None

    response, content = page(client, pleiku)

    # Given by the two sides together: each signing party's own (docs/counting.md).
    joint = {t.slug: t for t in response.context["page"].given.by_type}
    assert joint["nha-o"].quantity == houses.quantity
    assert format_quantity(houses.quantity, houses.activity_type.unit) in content


def test_province_lists_units_with_agreements_first(client, demo_data):
    province = by_code("52")
    response, content = page(client, province)
    shown = response.context["page"]
    with_agreements = {c.name for c in shown.children_with_agreements}
    assert {"Thành phố Pleiku", "Xã Ia Dơk", "Phường An Nhơn Bắc"} <= with_agreements
    assert len(shown.children_with_agreements) + len(shown.other_children) == (
        province.children.count()
    )
    assert shown.children_folded
    assert "<details>" in content


# Factory data: each rule on its own.


def commune_with_village():
    province = factories.locality("Tỉnh Thử", kind=LocalityKind.PROVINCE)
    commune = factories.locality("Xã Thử", parent=province)
    village = factories.locality(
        "Làng Thử", kind=LocalityKind.VILLAGE, parent=commune, is_ethnic_minority_area=True
    )
    return province, commune, village


def test_village_agreement_shows_on_commune_and_province_not_on_a_sibling(client):
    province, commune, village = commune_with_village()
    sibling = factories.locality("Xã Bên Cạnh", parent=province)
    agreement = factories.agreement(village, factories.locality("Phường Bạn"), published=True)

    for place in (village, commune, province):
        assert detail_url(agreement) in page(client, place)[1]
    assert detail_url(agreement) not in page(client, sibling)[1]


def test_breadcrumbs_and_marks(client):
    province, commune, village = commune_with_village()
    _response, content = page(client, village)
    crumbs = content[content.index('class="breadcrumbs"') :]
    crumbs = crumbs[: crumbs.index("</nav>")]
    assert crumbs.index(url(province)) < crumbs.index(url(commune))
    assert 'aria-current="page">Làng Thử' in crumbs
    assert gettext("Ethnic-minority area") in content
    assert '<meta property="og:title" content="Làng Thử">' in content


def test_drafts_appear_nowhere_on_the_page(client):
    _province, commune, village = commune_with_village()
    partner = factories.locality("Phường Bạn")
    published = factories.agreement(commune, partner, published=True)
    factories.activity(published, giver=partner, recipient=village, value_vnd=30_000_000)
    draft = factories.agreement(village, partner, title="Bản nháp chưa duyệt")
    factories.activity(draft, giver=partner, recipient=village, value_vnd=987_654_321)
    factories.activity(draft, giver=village, recipient=partner, value_vnd=123_456_789)

    for place, agreements in ((commune, 1), (village, 0), (partner, 1)):
        response, content = page(client, place)
        assert "Bản nháp chưa duyệt" not in content
        assert detail_url(draft) not in content
        assert "987.654.321" not in content and "123.456.789" not in content
        assert response.context["page"].page_obj.paginator.count == agreements
    response, _content = page(client, commune)
    assert [t.value_vnd for t in response.context["page"].received.by_type] == [30_000_000]
    assert response.context["page"].given.by_type == []


def test_pledges_are_not_counted_as_delivered(client):
    _province, commune, _village = commune_with_village()
    partner = factories.locality("Phường Bạn")
    agreement = factories.agreement(commune, partner, published=True)
    factories.activity(agreement, giver=partner, recipient=commune, value_vnd=30_000_000)
    factories.activity(
        agreement,
        giver=partner,
        recipient=commune,
        value_vnd=500_000_000,
        status=ActivityStatus.PLEDGED,
    )
    response, _content = page(client, commune)
    assert [t.value_vnd for t in response.context["page"].received.by_type] == [30_000_000]


def test_a_dissolved_unit_without_successors_says_so(client):
    place = factories.locality("Xã Cũ", dissolved_on=datetime.date(2025, 7, 1))
    _response, content = page(client, place)
    assert gettext("No successor unit has been recorded.") in content


def test_unknown_slug_is_404(client):
    assert client.get("/dia-phuong/khong-co-dia-phuong-nay/").status_code == 404
    assert client.get("/en/dia-phuong/khong-co-dia-phuong-nay/").status_code == 404


@pytest.mark.parametrize("value", ["abc", "0", "-1", "999999", "1" * 50])
def test_bad_page_numbers_give_a_clean_page(client, value):
    _province, commune, _village = commune_with_village()
    factories.agreement(commune, factories.locality(), published=True)
    assert client.get(url(commune), {"page": value}).status_code == 200


def test_agreements_are_paginated(client):
    _province, commune, _village = commune_with_village()
    for _ in range(21):
        factories.agreement(commune, factories.locality(), published=True)
    response, content = page(client, commune)
    assert len(response.context["page"].page_obj) == 20
    assert 'href="?page=2"' in content
    response, _content = page(client, commune, page=2)
    assert len(response.context["page"].page_obj) == 1


def test_english_page(client):
    _province, commune, _village = commune_with_village()
    response = client.get(f"/en{url(commune)}")
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()


def build(n):
    """n villages under a commune, each twinned and giving and receiving; a predecessor with n
    agreements; n units under the commune's province."""
    province, commune, _village = commune_with_village()
    former = factories.locality("Huyện Cũ", kind=LocalityKind.DISTRICT, parent=province)
    former.dissolved_on = datetime.date(2025, 7, 1)
    former.save()
    Succession.objects.create(predecessor=former, successor=commune)
    for i in range(n):
        village = factories.locality(f"Làng {i}", kind=LocalityKind.VILLAGE, parent=commune)
        partner = factories.locality(f"Phường Bạn {i}", kind=LocalityKind.WARD)
        agreement = factories.agreement(village, partner, published=True)
        factories.activity(agreement, giver=partner, recipient=village)
        factories.activity(agreement, "nha-o", giver=village, recipient=partner, quantity=2)
        factories.activity(agreement, "kham-chua-benh", quantity=100)
        factories.approved_plan(agreement, timezone.localdate().year)
        factories.agreement(former, factories.locality(f"Đơn vị {i}"), published=True)
        factories.locality(f"Xã Khác {i}", parent=province)
    return province, commune, former


@pytest.mark.parametrize("n", [1, 20])
def test_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    province, commune, former = build(n)
    for place in (commune, province, former):
        with django_assert_num_queries(15):
            _, content = page(client, place)
        lines = content.count('class="plan-line"')
        assert lines == 0 if place == former else lines > 0  # the former's agreements: no plan


def test_each_agreement_says_how_its_plan_of_the_year_is_doing(client):
    """This year's plan approved by the province, beside its agreement: the items by status and
    a link to the plan on the agreement's page. A draft plan, or last year's, is not shown."""
    year = timezone.localdate().year
    commune = factories.locality("Xã Ia Dơk")
    agreement = factories.agreement(commune, factories.locality("Phường Bạn"), published=True)
    other = factories.agreement(commune, factories.locality("Đồn Bạn"), published=True)
    area = CommitmentArea.objects.order_by("position").first()
    for plan_of, plan_year, approved in ((agreement, year, True), (other, year, False)):
        plan = Plan.objects.create(agreement=plan_of, year=plan_year)
        done = PlanItem.objects.create(
            plan=plan, area=area, description="Tết", target_kind=TargetKind.MONEY, target_vnd=10
        )
        PlanItem.objects.create(
            plan=plan, area=area, description="Giao lưu", target_kind=TargetKind.MILESTONE
        )
        factories.activity(
            plan_of, value_vnd=10, plan_item=done, starts_on=datetime.date(year, 1, 2)
        )
        if approved:
            approve(plan, None)
    earlier = Plan.objects.create(agreement=other, year=year - 1)
    PlanItem.objects.create(
        plan=earlier, area=area, description="Cũ", target_kind=TargetKind.MILESTONE
    )
    approve(earlier, None)

    _, content = page(client, commune)
    [line] = re.findall(r'<p class="plan-line">(.*?)</p>', content)
    assert f'href="{detail_url(agreement)}#plans"' in line
    text = re.sub(r"<[^>]+>", "", line)
    assert text == f"Kế hoạch {year}: 2 nội dung · hoàn thành: 1, đúng tiến độ: 1"


def test_a_clerks_internal_note_is_never_shown_to_the_public(client):
    note = "Ghi chú nội bộ: ngày giải thể chưa có nguồn xác nhận"
    place = factories.locality("Xã Tân Sơn", note=note)
    agreement = factories.agreement(place, factories.locality(), published=True)
    factories.funder("Công ty Thử", note=note)
    pages = [
        url(place),
        f"/thong-ke/{place.slug}/",
        detail_url(agreement),
        f"/api/v1/localities/{place.slug}/",
        "/api/v1/localities/",
        "/du-lieu/parties.csv",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        body = b"".join(response) if response.streaming else response.content
        assert "chưa có nguồn xác nhận" not in body.decode(), path
