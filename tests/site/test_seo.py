"""/sitemap.xml and /robots.txt."""

import re
from xml.etree import ElementTree

import pytest
from django.core.cache import cache

from agreements.models import LegalDocument, LegalDocumentKind
from ketnghia import seo
from localities.models import Locality, LocalityKind, Succession
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sitemaps_made_afresh():
    """The sitemap files are kept an hour in the cache: each test makes its own."""
    cache.clear()
    yield
    cache.clear()


XHTML_LINK = re.compile(r'<xhtml:link rel="alternate" hreflang="([\w-]+)" href="([^"]+)"\s*/>')


def sitemap_files(client):
    """The sitemap files the index at /sitemap.xml names, each as (address, text)."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    index = response.content.decode()
    assert "<sitemapindex" in index
    files = []
    for address in re.findall(r"<loc>([^<]+)</loc>", index):
        found = client.get(address.replace("http://testserver", "").replace("&amp;", "&"))
        assert found.status_code == 200, address
        assert ElementTree.fromstring(found.content).tag.endswith("urlset")  # well-formed
        files.append((address, found.content.decode()))
    return files


def sitemap_content(client):
    return "".join(text for _address, text in sitemap_files(client))


def sitemap_locations(client):
    return re.findall(r"<loc>([^<]+)</loc>", sitemap_content(client))


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
    cache.clear()  # the files are kept an hour
    locations = sitemap_locations(client)
    assert f"http://testserver/giao-uoc/{published.slug}/" in locations
    assert not [url for url in locations if draft.slug in url or "/van-ban/" in url]
    assert "http://testserver/dia-phuong/lang-ghe/" not in locations


def test_sitemap_names_each_language_and_vietnamese_as_x_default(client, places):
    _province, _commune, village, ward = places
    slug = factories.agreement(village, ward, published=True).slug
    content = sitemap_content(client)
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
def test_sitemap_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, django_assert_max_num_queries, count
):
    province = factories.locality("Tỉnh Gia Lai", kind=LocalityKind.PROVINCE)
    document = legal_document()
    for _ in range(count):
        commune = factories.locality(parent=province)
        village = factories.locality(kind=LocalityKind.VILLAGE, parent=commune)
        factories.agreement(village, factories.locality(), published=True).legal_basis.add(document)
    # The index: a count and the latest change of each section read from the database; then
    # each file: its count and its page of rows.
    with django_assert_num_queries(3):  # a count per section, the localities' once
        client.get("/sitemap.xml")
    files = {address.split("/")[-1]: text for address, text in sitemap_files(client)}
    cache.clear()
    for name in files:
        with django_assert_max_num_queries(2 if name != "sitemap-pages.xml" else 0):
            assert client.get(f"/{name}").status_code == 200
    locations = re.findall(r"<loc>([^<]+)</loc>", "".join(files.values()))
    assert len([url for url in locations if "/giao-uoc/" in url]) == 2 * (count + 1)
    # Each agreement's 3 localities, the communes' province, in two languages.
    assert len([url for url in locations if "/dia-phuong/" in url]) == 2 * (3 * count + 1)
    assert Locality.objects.count() == 3 * count + 1


def test_sitemap_is_cacheable(client):
    factories.agreement(published=True)
    for path in ("/sitemap.xml", "/sitemap-pages.xml", "/sitemap-agreements.xml"):
        directives = set(client.get(path)["Cache-Control"].split(", "))
        assert directives == {"public", "max-age=300"}, path


def test_a_sections_pages_are_split_in_files_of_at_most_so_many(client, places, monkeypatch):
    monkeypatch.setattr(seo, "PAGES_PER_FILE", 1)
    _province, _commune, village, ward = places
    for _ in range(5):
        factories.agreement(village, ward, published=True)
    index = client.get("/sitemap.xml").content.decode()
    # A page a file: an agreement, in its two languages.
    assert "/sitemap-agreements.xml?p=5" in index
    assert "/sitemap-agreements.xml?p=6" not in index
    page = client.get("/sitemap-agreements.xml?p=5").content.decode()
    assert len(re.findall(r"<loc>[^<]*/giao-uoc/", page)) == 2
    assert client.get("/sitemap-agreements.xml?p=9").status_code == 404


def test_with_a_shared_cache_a_sitemap_file_is_made_once_an_hour(
    client, settings, django_assert_num_queries
):
    settings.PAGE_CACHE_SECONDS = 600
    factories.agreement(published=True)
    index, first = client.get("/sitemap.xml").content, client.get("/sitemap-agreements.xml").content
    with django_assert_num_queries(0):
        assert client.get("/sitemap.xml").content == index
        assert client.get("/sitemap-agreements.xml").content == first


def test_a_sitemap_address_with_junk_is_sent_to_its_own(client):
    response = client.get("/sitemap-pages.xml?utm=1")
    assert (response.status_code, response["Location"]) == (301, "/sitemap-pages.xml")
    assert client.get("/sitemap.xml?x=1")["Location"] == "/sitemap.xml"


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
