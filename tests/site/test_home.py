"""The home page: what twinning is, headline figures, the latest agreements and activities."""

import datetime

import pytest
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from activities import demo, reports
from activities.figures import format_number, format_quantity, format_vnd_words
from activities.models import Activity, ActivityStatus, Qualifier
from agreements.models import Agreement, LegalDocument, Party
from tests import factories

pytestmark = pytest.mark.django_db


def home(client, path="/"):
    response = client.get(path)
    assert response.status_code == 200
    return response, response.content.decode()


@pytest.fixture
def demo_data(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    demo.load_demo()


def expected_figures():
    """The headline figures, counted from the rows the way a person would count them."""
    published = Agreement.objects.published()
    today = timezone.localdate()
    delivered = Activity.objects.filter(
        agreement__in=published, status=ActivityStatus.DELIVERED, value_vnd__isnull=False
    )
    qualifiers = set(delivered.values_list("value_qualifier", flat=True)) - {Qualifier.EXACT}
    return {
        "in_force": sum(1 for a in published if a.ended_on is None or a.ended_on > today),
        # A locality with a partner: a party of a published agreement in force today.
        "localities": len(
            {
                p.locality_id
                for p in Party.objects.filter(agreement__in=published).select_related("agreement")
                if p.agreement.is_in_force(today)
            }
        ),
        "value": sum(a.value_vnd for a in delivered),
        "qualifier": qualifiers.pop() if len(qualifiers) == 1 else Qualifier.EXACT,
    }


def test_headline_figures_are_the_demo_data_s(client, demo_data):
    expected = expected_figures()
    response, content = home(client)
    shown = response.context["page"]
    assert shown.agreements_in_force == expected["in_force"] == 3
    assert shown.localities_with_partner == expected["localities"] == 5
    assert shown.delivered_value.value_vnd == expected["value"]
    assert shown.delivered_value.qualifier == expected["qualifier"] == Qualifier.OVER
    assert format_vnd_words(expected["value"], expected["qualifier"]) in content
    assert "hơn\xa0690\xa0triệu đồng" in content


def test_goods_and_works_tiles(client, demo_data):
    houses = Activity.objects.published().filter(
        activity_type__slug="nha-o", status=ActivityStatus.DELIVERED
    )
    response, content = home(client)
    tiles = {t.slug: t for t in response.context["page"].goods}
    assert tiles["nha-o"].quantity == houses.aggregate(n=Sum("quantity"))["n"]
    assert format_quantity(tiles["nha-o"].quantity, "căn") in content
    assert "tien-mat" not in tiles  # money is the headline figure, not a tile


def test_the_home_page_shows_every_type_of_goods_and_works_with_data(client, demo_data):
    """Issue 16: the home page showed 6 of the 9 activity types."""
    counted = set(
        Activity.objects.published()
        .filter(status=ActivityStatus.DELIVERED, quantity__isnull=False)
        .exclude(activity_type__measure="money")
        .values_list("activity_type__slug", flat=True)
    )
    response, content = home(client)
    assert {tile.slug for tile in response.context["page"].goods} == counted
    assert len(counted) > 6
    # The seed articles' clothes and working days among them.
    assert "1.700\xa0bộ" in content and "15.000\xa0ngày công" in content


def test_legal_bases_come_from_the_data(client, demo_data):
    _response, content = home(client)
    for document in LegalDocument.objects.filter(agreements__status="published").distinct():
        assert document.number in content
        assert f"/van-ban/{document.slug}/" in content


def test_no_legal_basis_named_when_none_is_recorded(client):
    factories.agreement(published=True)
    _response, content = home(client)
    assert "03-CT/TU" not in content and "/van-ban/" not in content


def test_latest_agreements_and_activities(client):
    agreements = [
        factories.agreement(published=True, signed_on=datetime.date(2020 + i, 1, 1))
        for i in range(7)
    ]
    for i, agreement in enumerate(agreements):
        factories.activity(
            agreement, starts_on=datetime.date(2020 + i, 2, 1), value_vnd=1_000_000 * (i + 1)
        )
    response, content = home(client)
    shown = response.context["page"]
    assert [a.pk for a in shown.latest_agreements] == [a.pk for a in agreements[:1:-1]]
    assert [a.agreement_id for a in shown.latest_activities] == [a.pk for a in agreements[:1:-1]]
    assert f"/giao-uoc/{agreements[-1].slug}/" in content
    assert f"/giao-uoc/{agreements[0].slug}/" not in content
    assert f"{format_number(7_000_000)}\N{NO-BREAK SPACE}đ" in content


def test_drafts_change_no_figure_and_are_never_listed(client):
    published = factories.agreement(title="Giao ước đã công bố", published=True)
    factories.activity(published, value_vnd=30_000_000)
    factories.activity(published, "nha-o", quantity=2)
    before = home(client)[0].context["page"]

    draft = factories.agreement(title="Bản nháp chưa duyệt")
    factories.activity(draft, value_vnd=900_000_000_000, starts_on=datetime.date(2030, 1, 1))
    factories.activity(draft, "nha-o", quantity=5000, starts_on=datetime.date(2030, 1, 1))
    response, content = home(client)
    after = response.context["page"]

    assert after.agreements_in_force == before.agreements_in_force == 1
    assert after.localities_with_partner == before.localities_with_partner == 2
    assert after.delivered_value == before.delivered_value
    assert after.goods == before.goods
    assert [a.pk for a in after.latest_agreements] == [published.pk]
    assert {a.agreement_id for a in after.latest_activities} == {published.pk}
    assert "Bản nháp chưa duyệt" not in content
    assert draft.slug not in content
    assert "900.000" not in content and "5.000\xa0căn" not in content


def test_the_parties_of_an_ended_agreement_are_no_longer_localities_with_a_partner(client):
    factories.agreement(published=True)
    factories.agreement(published=True, ended_on=datetime.date(2026, 1, 1))
    shown = home(client)[0].context["page"]
    assert shown.agreements_in_force == 1
    assert shown.localities_with_partner == 2  # as on the province dashboard
    assert (
        shown.localities_with_partner
        == reports.dashboard(reports.DashboardFilters()).localities_with_partner
    )


def test_pledges_are_not_delivered(client):
    agreement = factories.agreement(published=True)
    factories.activity(agreement, value_vnd=30_000_000)
    factories.activity(agreement, value_vnd=500_000_000, status=ActivityStatus.PLEDGED)
    shown = home(client)[0].context["page"]
    assert shown.delivered_value.value_vnd == 30_000_000
    assert [a.value_vnd for a in shown.latest_activities] == [30_000_000]


def test_empty_site(client):
    response, content = home(client)
    assert response.context["page"].agreements_in_force == 0
    assert gettext("No agreement has been published yet.") in content


def test_search_box_sends_q_to_the_sites_search(client):
    """Issue 14: the home's box finds places, units, agreements and activities alike."""
    _response, content = home(client)
    assert 'action="/tim-kiem/"' in content
    assert 'id="home-search-q"' in content and 'name="q"' in content


@pytest.mark.parametrize("count", [1, 20])
def test_home_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    document = LegalDocument.objects.create(
        number="01-CT/TU",
        kind="directive",
        title="Chỉ thị thử",
        issuer="Ban Thường vụ Tỉnh ủy",
        issued_on=datetime.date(2025, 1, 1),
        slug="01-ct-tu",
    )
    for _ in range(count):
        agreement = factories.agreement(published=True)
        agreement.legal_basis.add(document)
        factories.activity(agreement)
        factories.activity(agreement, "nha-o", quantity=2)
    with django_assert_num_queries(7):
        home(client)


def test_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


@pytest.mark.parametrize("path", ["/api/v1/agreements/", "/du-lieu/"])
def test_the_open_data_may_be_loaded_by_other_sites(client, path):
    assert client.get(path)["Cross-Origin-Resource-Policy"] == "cross-origin"


def test_static_files_are_this_sites_own(client):
    response = client.get("/static/ketnghia/site.css")
    assert response.status_code == 200
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


def test_vietnamese_whatever_the_browser_asks_english_under_en(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="vi">' in response.content.decode()
    response = client.get("/en/", HTTP_ACCEPT_LANGUAGE="vi")
    content = response.content.decode()
    assert '<html lang="en">' in content
    assert "Latest agreements" in content


@pytest.mark.parametrize(
    ("path", "english", "vietnamese"),
    [
        ("/", "/en/", "/"),
        ("/giao-uoc/?q=ia+dok", "/en/giao-uoc/?q=ia+dok", "/giao-uoc/?q=ia+dok"),
        ("/en/giao-uoc/", "/en/giao-uoc/", "/giao-uoc/"),
    ],
)
def test_language_links_lead_to_the_same_page_in_the_other_language(
    client, path, english, vietnamese
):
    content = client.get(path).content.decode().replace("&amp;", "&")
    assert f'hreflang="en" href="http://testserver{english}"' in content
    assert f'hreflang="vi" href="http://testserver{vietnamese}"' in content
    other = english if path.startswith("/en/") is False else vietnamese
    assert f'href="{other}" hreflang=' in content


def test_inline_styles_are_allowed_in_the_admin_only(client, admin_client):
    public = client.get("/")["Content-Security-Policy"]
    assert "style-src 'self';" in public or public.endswith("style-src 'self'")
    admin = admin_client.get("/admin/")["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in admin


def test_an_agreement_ending_today_is_still_in_force_everywhere(client):
    from django.utils import timezone

    factories.agreement(title="Hết hạn hôm nay", published=True, ended_on=timezone.localdate())
    assert client.get("/").context["page"].agreements_in_force == 1
    listing = client.get("/giao-uoc/", {"status": "in_force"}).content.decode()
    assert "Hết hạn hôm nay" in listing
