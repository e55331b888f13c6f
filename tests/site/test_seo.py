"""/sitemap.xml and /robots.txt."""

import re

import pytest

from agreements.models import LegalDocument, LegalDocumentKind
from localities.models import Locality, LocalityKind, Succession
from tests import factories

pytestmark = pytest.mark.django_db

XHTML_LINK = re.compile(r'<xhtml:link rel="alternate" hreflang="([\w-]+)" href="([^"]+)"\s*/>')


def sitemap_locations(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return re.findall(r"<loc>([^<]+)</loc>", response.content.decode())


def legal_document(number="03-CT/TU", slug="03-ct-tu-2025"):
    return LegalDocument.objects.create(
        number=number,
        kind=LegalDocumentKind.INSTRUCTION,
        title="Chỉ thị về kết nghĩa",
        issuer="Ban Thường vụ Tỉnh ủy Gia Lai",
        issued_on="2025-01-01",
        slug=slug,
    )


@pytest.fixture
def places():
    province = factories.locality("Tỉnh Gia Lai", kind=LocalityKind.PROVINCE, slug="gia-lai")
    commune = factories.locality("Xã Ia Dơk", parent=province, slug="xa-ia-dok")
    village = factories.locality(
        "Làng Ghè", kind=LocalityKind.VILLAGE, parent=commune, slug="lang-ghe"
    )
    ward = factories.locality("Phường An Nhơn Bắc", kind=LocalityKind.WARD, slug="an-nhon-bac")
    return province, commune, village, ward


def test_sitemap_lists_the_site_pages_in_both_languages(client):
    locations = sitemap_locations(client)
    for path in ("/", "/giao-uoc/", "/du-lieu/"):
        assert f"http://testserver{path}" in locations
        assert f"http://testserver/en{path}" in locations


def test_sitemap_lists_published_agreements_their_localities_and_legal_basis(client, places):
    province, commune, village, ward = places
    agreement = factories.agreement(village, ward, published=True)
    document = legal_document()
    agreement.legal_basis.add(document)
    lonely = factories.locality("Xã Không Kết Nghĩa", parent=province, slug="khong-ket-nghia")

    locations = sitemap_locations(client)

    assert f"http://testserver/giao-uoc/{agreement.slug}/" in locations
    assert f"http://testserver/en/giao-uoc/{agreement.slug}/" in locations
    assert "http://testserver/van-ban/03-ct-tu-2025/" in locations
    # The parties, and what lies above them: the commune and the province show their agreements.
    for locality in (village, ward, commune, province):
        assert f"http://testserver/dia-phuong/{locality.slug}/" in locations
        assert f"http://testserver/en/dia-phuong/{locality.slug}/" in locations
    # A register unit twinned with nobody is left out.
    assert f"http://testserver/dia-phuong/{lonely.slug}/" not in locations


def test_sitemap_lists_the_successors_of_a_dissolved_party(client, places):
    province, commune, _village, ward = places
    dissolved = factories.locality(
        "Xã Tân Sơn", parent=province, slug="tan-son", dissolved_on="2025-06-30"
    )
    Succession.objects.create(predecessor=dissolved, successor=commune)
    factories.agreement(dissolved, ward, published=True)
    locations = sitemap_locations(client)
    assert "http://testserver/dia-phuong/tan-son/" in locations
    assert "http://testserver/dia-phuong/xa-ia-dok/" in locations


def test_sitemap_never_lists_a_draft(client, places):
    _province, commune, village, ward = places
    draft = factories.agreement(village, ward, title="Bản nháp")
    draft.legal_basis.add(legal_document())
    locations = sitemap_locations(client)
    assert not [url for url in locations if draft.slug in url]
    assert not [url for url in locations if "/dia-phuong/" in url]
    assert not [url for url in locations if "/van-ban/" in url]
    # Published beside it, the draft still stays out, and so does its document.
    published = factories.agreement(commune, ward, published=True)
    locations = sitemap_locations(client)
    assert f"http://testserver/giao-uoc/{published.slug}/" in locations
    assert not [url for url in locations if draft.slug in url or "/van-ban/" in url]
    assert "http://testserver/dia-phuong/lang-ghe/" not in locations


def test_sitemap_names_each_language_and_vietnamese_as_x_default(client, places):
    _province, _commune, village, ward = places
    slug = factories.agreement(village, ward, published=True).slug
    content = client.get("/sitemap.xml").content.decode()
    block = next(
        url
        for url in content.split("<url>")
        if f"<loc>http://testserver/en/giao-uoc/{slug}/</loc>" in url
    )
    alternates = dict(XHTML_LINK.findall(block))
    assert alternates == {
        "vi": f"http://testserver/giao-uoc/{slug}/",
        "en": f"http://testserver/en/giao-uoc/{slug}/",
        "x-default": f"http://testserver/giao-uoc/{slug}/",
    }
    assert "<lastmod>" in block


@pytest.mark.parametrize("count", [1, 20])
def test_sitemap_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    province = factories.locality("Tỉnh Gia Lai", kind=LocalityKind.PROVINCE)
    document = legal_document()
    for _ in range(count):
        commune = factories.locality(parent=province)
        village = factories.locality(kind=LocalityKind.VILLAGE, parent=commune)
        factories.agreement(village, factories.locality(), published=True).legal_basis.add(document)
    # One query for each of the three sections read from the database.
    with django_assert_num_queries(3):
        locations = sitemap_locations(client)
    assert len([url for url in locations if "/giao-uoc/" in url]) == 2 * (count + 1)
    # Each agreement's 3 localities, the communes' province, in two languages.
    assert len([url for url in locations if "/dia-phuong/" in url]) == 2 * (3 * count + 1)
    assert Locality.objects.count() == 3 * count + 1


def test_sitemap_is_cacheable(client):
    response = client.get("/sitemap.xml")
    assert response["Cache-Control"] == "public, max-age=300"


def test_robots_txt_allows_all_but_the_admin_and_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Allow: /" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /en/admin/" in lines
    assert not [line for line in lines if line.startswith("Disallow:") and "admin" not in line]
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_robots_txt_names_the_sitemap_by_the_address_it_was_asked_on(client, settings):
    settings.ALLOWED_HOSTS = ["ketnghia.example.org"]
    response = client.get("/robots.txt", HTTP_HOST="ketnghia.example.org", secure=True)
    assert "Sitemap: https://ketnghia.example.org/sitemap.xml" in response.content.decode()


def test_robots_txt_and_sitemap_refuse_writes(client):
    assert client.post("/robots.txt").status_code == 405
    assert client.post("/sitemap.xml").status_code == 405
