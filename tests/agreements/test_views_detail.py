"""/giao-uoc/<slug>/: an agreement's page, from its parties to its photos, drafts excepted."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils.translation import gettext, ngettext
from PIL import Image

from activities.models import (
    Activity,
    ActivityStatus,
    Award,
    AwardForm,
    AwardRecipient,
    Plan,
    PlanItem,
    Qualifier,
    TargetKind,
)
from activities.plans import approve
from agreements.models import (
    CommitmentArea,
    DatePrecision,
    Event,
    EventKind,
    LegalDocument,
    Party,
    PartyRole,
    Photo,
    Programme,
    Source,
)
from agreements.services import unpublish_agreement
from localities.models import LocalityKind
from tests import factories

pytestmark = pytest.mark.django_db

NBSP = "\N{NO-BREAK SPACE}"
LANG_GHE = "/giao-uoc/phuong-an-nhon-bac-lang-ghe-2025/"
SU_DOAN_320 = "/giao-uoc/su-doan-320-thanh-pho-pleiku-2003/"


def section(content, anchor):
    """The HTML of the page's <section> headed by the <h2> with this id."""
    match = re.search(rf'<section aria-labelledby="{anchor}">(.*?)</section>', content, re.S)
    assert match, f"no section {anchor}"
    return match.group(1)


def jpeg(name="photo.jpg", size=(800, 600)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def photo(agreement, **fields):
    fields.setdefault("caption", "Lễ ký kết")
    return Photo.objects.create(agreement=agreement, image=jpeg(), **fields)


@pytest.fixture
def media(settings, tmp_path):
    """Photos in a fresh MEDIA_ROOT; the thumbnail keys cached by earlier tests forgotten."""
    settings.MEDIA_ROOT = tmp_path
    cache.clear()
    yield tmp_path
    cache.clear()


@pytest.mark.usefixtures("demo")
class TestDemoAgreements:
    def test_an_nhon_bac_and_lang_ghe(self, client):
        response = client.get(LANG_GHE)
        assert response.status_code == 200
        content = response.content.decode()
        assert "<h1>Phường An Nhơn Bắc – Làng Ghè</h1>" in content
        assert f"50.000.000{NBSP}đ" in content
        parties = section(content, "parties")
        for slug, name in [
            ("phuong-an-nhon-bac", "Phường An Nhơn Bắc"),
            ("lang-ghe-xa-ia-dok", "Làng Ghè"),
            ("xa-ia-dok", "Xã Ia Dơk"),
        ]:
            assert f'<a href="/dia-phuong/{slug}/">{name}</a>' in parties
        assert str(PartyRole.COORDINATOR.label) in parties
        assert '<time datetime="2025-12-27">27/12/2025</time>' in content

    def test_the_photo_credit_says_the_picture_is_an_illustration(self, client):
        gallery = section(client.get(LANG_GHE).content.decode(), "photos")
        assert gallery.count("<figure>") == 2
        assert "Đức Hải" in gallery
        illustration = gettext("Illustration (placeholder)")
        assert gallery.count(f'<span class="tag">{illustration}</span>') == 2
        original = gettext("original photo: %(credit)s") % {"credit": "Đức Hải"}
        assert original in gallery
        # Each thumbnail links to the full image.
        full = re.findall(r'<a href="(/media/photos/[^"]+\.jpg)"><img src="/media/cache/', gallery)
        assert len(full) == 2

    def test_commitments_are_grouped_by_area_in_the_areas_order(self, client):
        commitments = section(client.get(LANG_GHE).content.decode(), "commitments")
        headings = re.findall(r"<h3>(.*?)</h3>", commitments)
        assert headings == [
            "Xây dựng Đảng, chính quyền và hệ thống chính trị",
            "Phát triển sản xuất, khoa học kỹ thuật, OCOP",
            "An sinh xã hội",
        ]
        # The agreement's own words sit under their area.
        welfare = commitments.split("<h3>An sinh xã hội</h3>")[1]
        assert "chăm lo nâng cao đời sống vật chất, tinh thần" in welfare

    def test_two_commitments_in_one_area_share_its_heading(self, client):
        response = client.get("/giao-uoc/xa-ia-dok-phuong-an-nhon-bac-2025/")
        commitments = section(response.content.decode(), "commitments")
        party_building = "Xây dựng Đảng, chính quyền và hệ thống chính trị"
        assert commitments.count(f"<h3>{party_building}</h3>") == 1
        under = commitments.split(f"<h3>{party_building}</h3>")[1].split("<h3>")[0]
        assert under.count("<li>") == 2

    def test_legal_basis_links_to_the_documents(self, client):
        legal = section(client.get(LANG_GHE).content.decode(), "legal-basis")
        assert legal.index('href="/van-ban/03-ct-tu-2025/"') < legal.index(
            'href="/van-ban/43-kh-ubnd-2025/"'
        )

    def test_the_twenty_year_totals_keep_their_qualifiers(self, client):
        content = client.get(SU_DOAN_320).content.decode()
        totals = section(content, "totals")
        assert f"hơn\xa0500.000.000{NBSP}đ" in totals
        assert "gần\xa015.000\xa0ngày công" in totals
        assert "hơn\xa07\xa0km" in totals
        assert "1.700\xa0bộ" in totals
        # Nothing pledged: one table.
        assert totals.count("<table") == 1

    def test_the_timeline_merges_events_and_activities_by_date(self, client):
        timeline = section(client.get(SU_DOAN_320).content.decode(), "timeline")
        signing = timeline.index("Ký kết giao ước kết nghĩa giữa Sư đoàn 320 và TP. Pleiku")
        houses = timeline.index(f"8\xa0căn · hơn\xa0500.000.000{NBSP}đ")
        review = timeline.index("Hội nghị tổng kết 20 năm kết nghĩa giữa Sư đoàn 320")
        gifts = timeline.index("<h3>40\xa0suất</h3>")
        assert signing < houses < review < gifts
        # The 20-year figures are told as a period; the review to the month.
        assert "7/2003 – 7/2023" in timeline
        assert '<time datetime="2023-07">7/2023</time>' in timeline
        # One person present a line.
        assert "<li>Đại tá Lê Văn Cương – Sư đoàn trưởng Sư đoàn 320</li>" in timeline
        assert "20 gia đình nghèo tại 2 xã Biển Hồ, Tân Sơn" in timeline

    def test_programmes_with_their_period(self, client):
        programmes = section(client.get(SU_DOAN_320).content.decode(), "programmes")
        assert "giai đoạn 2023-2033" in programmes
        assert "2023–2033" in programmes

    def test_sources_with_the_precision_of_their_date(self, client):
        sources = section(client.get(SU_DOAN_320).content.decode(), "sources")
        assert "Báo Gia Lai" in sources
        assert '<time datetime="2023-07">7/2023</time>' in sources

    def test_open_graph(self, client):
        content = client.get(LANG_GHE).content.decode()
        og = dict(re.findall(r'<meta property="(og:[a-z:_]+)" content="([^"]*)">', content))
        assert og["og:type"] == "article"
        assert og["og:title"] == "Phường An Nhơn Bắc – Làng Ghè"
        assert og["og:url"] == "http://testserver" + LANG_GHE
        assert og["og:locale"] == "vi_VN"
        assert og["og:description"].startswith("Giao ước kết nghĩa giữa phường An Nhơn Bắc")
        first = Photo.objects.filter(agreement__slug="phuong-an-nhon-bac-lang-ghe-2025").first()
        assert og["og:image"] == "http://testserver" + first.image.url
        # No photo, no og:image.
        assert 'property="og:image"' not in client.get(SU_DOAN_320).content.decode()

    def test_in_english(self, client):
        response = client.get("/en" + LANG_GHE)
        assert response.status_code == 200
        content = response.content.decode()
        assert '<html lang="en">' in content
        assert '<meta property="og:locale" content="en_US">' in content
        assert "50,000,000" in content

    def test_unpublished_it_is_a_404(self, client):
        from agreements.models import Agreement

        agreement = Agreement.objects.get(slug="phuong-an-nhon-bac-lang-ghe-2025")
        unpublish_agreement(agreement, actor=None)
        assert client.get(LANG_GHE).status_code == 404


def test_a_draft_or_an_unknown_slug_is_a_404(client):
    draft = factories.agreement(title="Bản nháp")
    factories.activity(draft)
    assert client.get(f"/giao-uoc/{draft.slug}/").status_code == 404
    assert client.get("/giao-uoc/khong-co/").status_code == 404
    assert client.get("/en/giao-uoc/khong-co/").status_code == 404


def test_signatories_and_place(client):
    agreement = factories.agreement(published=True, signed_at_place="Hội trường xã Ia Dơk")
    party = agreement.parties.first()
    party.signatory_name = "Nguyễn Văn A"
    party.signatory_title = "Bí thư Đảng ủy xã"
    party.save()
    content = client.get(f"/giao-uoc/{agreement.slug}/").content.decode()
    assert "<strong>Nguyễn Văn A</strong>, Bí thư Đảng ủy xã" in content
    assert "Hội trường xã Ia Dơk" in content


def test_pledges_get_their_own_table(client):
    agreement = factories.agreement(published=True)
    factories.activity(agreement, value_vnd=30_000_000)
    factories.activity(
        agreement,
        value_vnd=500_000_000,
        status=ActivityStatus.PLEDGED,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2030, 12, 31),
    )
    totals = section(client.get(f"/giao-uoc/{agreement.slug}/").content.decode(), "totals")
    assert totals.count("<table") == 2
    delivered, pledged = totals.split("</table>")[:2]
    assert f"30.000.000{NBSP}đ" in delivered and "500.000.000" not in delivered
    assert f"500.000.000{NBSP}đ" in pledged
    assert gettext("Pledged, not yet delivered, by type of support") in pledged


def test_a_total_of_qualified_figures_keeps_the_qualifier(client):
    agreement = factories.agreement(published=True)
    factories.activity(
        agreement, type_slug="ngay-cong", quantity=Decimal(10000), quantity_qualifier="nearly"
    )
    factories.activity(agreement, type_slug="ngay-cong", quantity=Decimal(4000))
    totals = section(client.get(f"/giao-uoc/{agreement.slug}/").content.decode(), "totals")
    assert "gần\xa014.000\xa0ngày công" in totals


def test_a_real_photo_is_credited_to_its_photographer(client, media):
    agreement = factories.agreement(published=True)
    photo(agreement, caption="Trao quà", credit="Đức Hải")
    gallery = section(client.get(f"/giao-uoc/{agreement.slug}/").content.decode(), "photos")
    assert gettext("Photo: %(credit)s") % {"credit": "Đức Hải"} in gallery
    assert gettext("Illustration (placeholder)") not in gallery
    assert 'alt="Trao quà"' in gallery


def test_a_photo_whose_file_is_lost_still_gets_a_link(client, media):
    agreement = factories.agreement(published=True)
    lost = photo(agreement, caption="Ảnh bị mất")
    lost.image.storage.delete(lost.image.name)
    response = client.get(f"/giao-uoc/{agreement.slug}/")
    assert response.status_code == 200
    assert "Ảnh bị mất" in section(response.content.decode(), "photos")


def full_agreement(scale):
    """A published agreement with `scale` of each thing its page shows."""
    areas = list(CommitmentArea.objects.all())
    parties = [factories.locality(kind=LocalityKind.VILLAGE) for _ in range(scale + 1)]
    agreement = factories.agreement(*parties, published=True)
    Party.objects.filter(agreement=agreement).update(
        signatory_name="Nguyễn Văn A", signatory_title="Chủ tịch"
    )
    for n in range(scale):
        factories.commitment(agreement, area=areas[n % len(areas)], text=f"Cam kết {n}")
        event = Event.objects.create(
            agreement=agreement,
            kind=EventKind.VISIT,
            title=f"Thăm {n}",
            held_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=n),
            participants="Người một – Chức vụ\nNgười hai – Chức vụ",
        )
        factories.activity(
            agreement,
            event=event,
            giver=parties[0],
            recipient=parties[1],
            value_vnd=1_000_000,
            value_qualifier=Qualifier.OVER,
            funder=factories.funder(),
        )
        factories.activity(
            agreement,
            type_slug="ngay-cong",
            quantity=Decimal(100),
            status=ActivityStatus.PLEDGED,
            starts_on=datetime.date(2025, 1, 1),
            ends_on=datetime.date(2025, 12, 31),
            date_precision=DatePrecision.MONTH,
        )
        Programme.objects.create(
            agreement=agreement, name=f"Chương trình {n}", starts_on=datetime.date(2023, 1, 1)
        )
        Source.objects.create(agreement=agreement, title=f"Bài báo {n}", publisher="Báo Gia Lai")
        agreement.legal_basis.add(
            LegalDocument.objects.create(
                number=f"{n}/KH",
                kind="plan",
                title="Kế hoạch",
                issuer="UBND",
                issued_on=datetime.date(2025, 1, 1),
                slug=f"kh-{n}",
            )
        )
        photo(agreement, event=event, credit="Đức Hải", is_placeholder=bool(n % 2))
    return agreement


@pytest.mark.parametrize("scale", [1, 20])
def test_a_fixed_number_of_queries(client, media, django_assert_num_queries, scale):
    """The agreement (with how many events and activities it has), its parties, legal basis,
    commitments, programmes, photos and sources, the keys of the timeline's page, its events,
    its activities, then the delivered and pledged totals, then the approved plans' items with
    their progress, then the awards and their public recipients, then the parties' points for
    the map: sixteen queries (the timeline's pages, one query more than when it was read
    whole).

    The first view of a photo makes its thumbnail and records it (sorl-thumbnail's key-value
    store, kept in the cache and the database); later views find it in the cache.
    """
    agreement = full_agreement(scale)
    for n in range(scale):  # approved plans, each with two items: one query more
        plan = Plan.objects.create(agreement=agreement, year=2000 + n)
        for kind in (TargetKind.MILESTONE, TargetKind.MONEY):
            PlanItem.objects.create(
                plan=plan,
                area=CommitmentArea.objects.first(),
                description=f"Việc {n} {kind}",
                target_kind=kind,
                target_vnd=10_000_000 if kind == TargetKind.MONEY else None,
            )
        approve(plan, None)
    url = f"/giao-uoc/{agreement.slug}/"
    assert client.get(url).status_code == 200
    for n in range(scale):  # awards, each naming a unit and a person: two queries in all
        award = Award.objects.create(
            agreement=agreement, form=AwardForm.MERIT, issuer=f"UBND {n}", collectives=1
        )
        AwardRecipient.objects.create(award=award, locality=agreement.parties.first().locality)
        AwardRecipient.objects.create(award=award, name=f"Người {n}", is_person=True, public=True)
    with django_assert_num_queries(16):
        response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count("<figure>") == scale
    assert content.count("<li>Người hai – Chức vụ</li>") == scale
    assert content.count('class="data stacked plan-items"') == scale


def test_an_activity_names_its_funder(client):
    agreement = factories.agreement(published=True)
    factories.activity(agreement, funder=factories.funder("Công ty Thử"))
    content = client.get(f"/giao-uoc/{agreement.slug}/").content.decode()
    assert gettext("Funded by %(funder)s") % {"funder": "Công ty Thử"} in content


def long_agreement(count, description=""):
    """A published agreement with `count` activities, one a day from 1 January 2020, each worth
    one million đồng."""
    agreement = factories.agreement(published=True)
    cash = factories.activity_type("tien-mat")
    # Written at once, then the derived rows made again, as a bulk write does (a save each took
    # seconds on PostgreSQL).
    Activity.objects.bulk_create(
        Activity(
            agreement=agreement,
            activity_type=cash,
            value_vnd=1_000_000,
            starts_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=n),
            recipient_detail=f"Hộ số {n + 1}",
            description=description,
            search_key=Activity.search_key_of(description, f"Hộ số {n + 1}"),
        )
        for n in range(count)
    )
    call_command("rebuild_summaries", stdout=io.StringIO())  # says data_changed, as bulk writes do
    return agreement


def entries(content):
    """The timeline's entries on the page, as the recipient numbers they name."""
    return [int(n) for n in re.findall(r"Hộ số (\d+)", section(content, "timeline"))]


def test_the_timeline_is_paged_a_hundred_entries_at_a_time(client):
    agreement = long_agreement(250)
    url = f"/giao-uoc/{agreement.slug}/"
    first = client.get(url).content.decode()
    assert entries(first) == list(range(1, 101))
    assert entries(client.get(url, {"page": 2}).content.decode()) == list(range(101, 201))
    last = client.get(url, {"page": 3}).content.decode()
    assert entries(last) == list(range(201, 251))
    said = ngettext(
        "%(total)s entry in all: entries %(first)s to %(last)s are shown.",
        "%(total)s entries in all: entries %(first)s to %(last)s are shown.",
        250,
    )
    assert said % {"total": 250, "first": 201, "last": 250} in section(last, "timeline")
    assert 'href="?page=2"' in section(last, "timeline")
    # Every activity is counted, whatever the page.
    for content in (first, last):
        tiles = content.split('<ul class="tiles">')[1].split("</ul>")[0]
        assert '<span class="value">250</span>' in tiles


def test_the_results_are_the_same_on_every_page(client):
    agreement = long_agreement(250)
    url = f"/giao-uoc/{agreement.slug}/"
    pages = [section(client.get(url, {"page": n}).content.decode(), "totals") for n in (1, 2, 3)]
    assert f"250.000.000{NBSP}đ" in pages[0]
    assert pages[0] == pages[1] == pages[2]


@pytest.mark.parametrize("number", ["9", "abc", "0", "-1"])
def test_a_page_number_that_is_not_one_is_answered_as_the_lists_do(client, number):
    """A number out of range, the last page; not a number, the first (Paginator.get_page)."""
    agreement = long_agreement(150)
    content = client.get(f"/giao-uoc/{agreement.slug}/", {"page": number}).content.decode()
    expected = range(1, 101) if number == "abc" else range(101, 151)
    assert entries(content) == list(expected)


def test_a_short_timeline_is_one_page_without_pagination(client):
    content = client.get(f"/giao-uoc/{long_agreement(3).slug}/").content.decode()
    timeline = section(content, "timeline")
    assert entries(content) == [1, 2, 3]
    assert 'class="pagination"' not in timeline
    assert '<p class="muted">' not in timeline.split("<ol")[0]


def test_a_page_of_a_long_timeline_stays_under_150_kb(client):
    agreement = long_agreement(250, description=("Hỗ trợ xây nhà. " * 20)[:300])
    content = client.get(f"/giao-uoc/{agreement.slug}/").content
    assert len(content) < 150_000
