"""Issue 14: one search for everything (/tim-kiem/, /api/v1/search/): places with their former
names, units and agencies, agreements, programmes and activities; diacritics, case and word
order ignored; typo tolerant on PostgreSQL; drafts never found; a fixed number of queries."""

import datetime
import re
from html import unescape

import pytest
from django.db import connection

from activities.models import ActivityStatus
from agreements.models import Programme
from ketnghia.public import site_search
from localities.models import Locality, LocalityKind
from tests import factories

URL = "/tim-kiem/"


def names(results, kind):
    """The names (or titles, or descriptions) of one group's rows, in order."""
    for group in results.groups:
        if group.key == kind:
            return [
                getattr(row, "name", None) or getattr(row, "title", None) or row.description
                for row in group.rows
            ]
    return []


def group(results, kind):
    return next((found for found in results.groups if found.key == kind), None)


def text_of(response):
    main = re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


@pytest.mark.usefixtures("demo")
class TestSeedArticles:
    def test_a_communes_name_without_diacritics_in_any_order_finds_the_commune(self):
        for query in ("ia dok", "IA DƠK", "dok ia", "Xã Ia Dơk"):
            found = site_search.search(query)
            assert names(found, "places")[0] == "Xã Ia Dơk", query
        # The agreement it signed, and the activity given to it (its description names it).
        found = site_search.search("ia dok")
        assert names(found, "agreements") == ["Xã Ia Dơk – Phường An Nhơn Bắc"]
        assert names(found, "activities") == [
            "Phường An Nhơn Bắc trao tặng xã Ia Dơk 30 triệu đồng."
        ]

    def test_bien_ho_finds_the_commune_a_citizen_means(self):
        """Issue 14: "bien ho" found nothing, though Biển Hồ is a commune."""
        found = site_search.search("bien ho")
        assert names(found, "places")[0] == "Xã Biển Hồ"
        # The gifts of July 2023 went to poor families of Biển Hồ and Tân Sơn.
        assert any("40 suất quà" in name for name in names(found, "activities"))

    def test_a_former_name_finds_the_units_that_succeeded_it(self, client):
        """ "TP Pleiku" is the city dissolved on 1 July 2025: listed with its successors, which
        are found with it (Phường Pleiku among them)."""
        found = site_search.search("TP Pleiku")
        places = group(found, "places")
        former = places.rows[0]
        assert (former.name, former.dissolved_on) == ("Thành phố Pleiku", datetime.date(2025, 7, 1))
        successors = [unit.name for unit in former.successors_shown]
        assert "Phường Pleiku" in successors and "Xã Biển Hồ" in successors
        assert "Phường Pleiku" in [row.name for row in places.rows]
        assert places.count == 1 + len(successors)
        # The activities that name the city as the press writes it, "TP. Pleiku".
        assert len(names(found, "activities")) == 2
        # On the page: the successors beside the former unit, each a link to its page.
        page = text_of(client.get(URL, {"q": "TP Pleiku"}))
        assert "Thành phố Pleiku đơn vị cũ" in page and "Đơn vị kế thừa: Phường An Phú" in page

    def test_pleiku_finds_the_ward_the_city_and_the_agreement(self):
        found = site_search.search("pleiku")
        assert names(found, "places")[:2] == ["Phường Pleiku", "Thành phố Pleiku"]
        assert names(found, "agreements") == ["Sư đoàn 320 – Thành phố Pleiku"]

    def test_each_kind_of_result(self):
        found = site_search.search("su doan 320")
        assert names(found, "units") == ["Sư đoàn 320"]
        assert names(found, "agreements") == ["Sư đoàn 320 – Thành phố Pleiku"]
        assert len(names(found, "activities")) == 2  # the gifts and the commendations of 2023
        programme = Programme.objects.order_by("pk").first()
        found = site_search.search(programme.name.upper())
        assert names(found, "programmes")[0] == programme.name

    def test_a_typo_finds_the_names_like_it_on_postgresql(self, client):
        found = site_search.search("pleiko")
        if connection.vendor == "postgresql":
            places = group(found, "places")
            assert places.similar and "Phường Pleiku" in [row.name for row in places.rows]
            page = text_of(client.get(URL, {"q": "pleiko"}))
            assert "những tên gần giống nhất" in page and "Phường Pleiku" in page
        else:
            assert found.groups == []  # SQLite: no second chance
        # Words holding no typo are never answered by likeness.
        assert not group(site_search.search("pleiku"), "places").similar

    def test_the_page_groups_what_it_found_with_counts(self, client):
        response = client.get(URL, {"q": "pleiku"})
        assert response.status_code == 200
        page = text_of(response)
        assert "Kết quả cho “pleiku”:" in page
        found = site_search.search("pleiku")
        for each in found.groups:
            assert f"{each.label} ({each.count})" in page
        html = response.content.decode()
        # Every place links to its page; the header's box is the page's own form (not twice).
        assert 'href="/dia-phuong/phuong-pleiku/"' in html
        assert html.count('role="search"') == 1
        assert '<meta name="robots" content="noindex, follow">' in html

    def test_one_groups_pages(self, client, monkeypatch):
        monkeypatch.setattr(site_search, "PAGE_SIZE", 3)
        response = client.get(URL, {"q": "pleiku", "kind": "places"})
        results = response.context["results"]
        places = results.groups[0]
        assert [each.key for each in results.groups] == ["places"]
        assert len(places.rows) == 3 and places.page.paginator.num_pages == 3
        second = client.get(URL, {"q": "pleiku", "kind": "places", "page": "2"})
        later = second.context["results"].groups[0].rows
        assert not {row.pk for row in later} & {row.pk for row in places.rows}
        # A page past the last is the last one; junk is the first.
        assert client.get(URL, {"q": "pleiku", "kind": "places", "page": "99"}).status_code == 200
        assert client.get(URL, {"q": "pleiku", "kind": "places", "page": "x"}).status_code == 200

    def test_a_group_past_the_bound_says_more_than(self, client, monkeypatch):
        monkeypatch.setattr(site_search, "COUNT_UP_TO", 3)
        monkeypatch.setattr(site_search, "PREVIEW", 2)
        found = site_search.search("pleiku")
        places = group(found, "places")
        assert (places.count, places.more, len(places.rows)) == (3, True, 2)
        # Past the bound, the names A–Z (an index's order), not ranked.
        keys = [row.search_key for row in places.rows]
        assert keys == sorted(keys)
        page = text_of(client.get(URL, {"q": "pleiku"}))
        assert "Địa phương (hơn 3)" in page and "Xem tất cả địa phương tìm được" in page

    def test_too_short_and_nothing_found_are_said(self, client):
        assert "Hãy gõ ít nhất hai chữ cái." in text_of(client.get(URL, {"q": "a"}))
        page = text_of(client.get(URL, {"q": "zzqqxx"}))
        assert "Không tìm thấy gì cho “zzqqxx”" in page
        assert client.get(URL).status_code == 200
        # A group asked for, with nothing of its kind: said under its heading.
        page = text_of(client.get(URL, {"q": "zzqqxx", "kind": "programmes"}))
        assert "Chương trình phối hợp (0)" in page
        assert "Không có kết quả nào thuộc loại này." in page

    def test_in_english(self, client):
        page = text_of(client.get("/en/tim-kiem/", {"q": "pleiku"}))
        assert "Found for “pleiku”:" in page and "Places (" in page
        assert "Agreements (1)" in page

    def test_the_open_data_gives_the_same_groups(self, client):
        answer = client.get("/api/v1/search/", {"q": "TP Pleiku"}).json()
        found = site_search.search("TP Pleiku")
        assert [g["kind"] for g in answer["groups"]] == [g.key for g in found.groups]
        assert [g["count"] for g in answer["groups"]] == [g.count for g in found.groups]
        former = answer["groups"][0]["results"][0]
        assert former["name"] == "Thành phố Pleiku" and "phuong-pleiku" in former["successors"]
        assert former["url"].endswith("/dia-phuong/thanh-pho-pleiku/")
        one = client.get("/api/v1/search/", {"q": "pleiku", "kind": "places", "page": "1"})
        assert one.json()["groups"][0]["page"] == 1
        assert "public" in one["Cache-Control"]


@pytest.mark.django_db
def test_drafts_are_never_found_by_the_public(client):
    """A draft agreement, its programme and its activities stay out of every group."""
    draft = factories.agreement(title="Xã Bí Mật – Đồn Biên Phòng Bí Mật")
    Programme.objects.create(
        agreement=draft, name="Chương trình bí mật 2026", starts_on=datetime.date(2026, 1, 1)
    )
    factories.activity(draft, description="Tặng quà bí mật", status=ActivityStatus.DELIVERED)
    found = site_search.search("bi mat")
    assert [each.key for each in found.groups] == []
    published = factories.agreement(title="Xã Bí Mật – Đồn Biên Phòng", published=True)
    factories.activity(published, description="Tặng quà bí mật công khai")
    found = site_search.search("bi mat")
    assert names(found, "agreements") == ["Xã Bí Mật – Đồn Biên Phòng"]
    assert names(found, "activities") == ["Tặng quà bí mật công khai"]
    api = client.get("/api/v1/search/", {"q": "bi mat"}).json()
    assert "Chương trình bí mật 2026" not in str(
        api
    ) and "Xã Bí Mật – Đồn Biên Phòng Bí Mật" not in str(api)


def _world(size):
    """`size` of each kind, all holding the word "hoa" (Hòa), one former commune among them."""
    province = factories.locality(f"Tỉnh Thử Nghiệm {size}", kind=LocalityKind.PROVINCE)
    former = factories.locality(
        f"Huyện Hòa Cũ {size}", kind=LocalityKind.DISTRICT, dissolved_on=datetime.date(2025, 7, 1)
    )
    for n in range(size):
        name = f"Hòa {size}-{n}"
        commune = factories.locality(f"Xã {name}", parent=province)
        former.successors.add(commune)
        unit = factories.locality(f"Tiểu đoàn {name}", kind=LocalityKind.MILITARY_UNIT)
        agreement = factories.agreement(commune, unit, title=f"{name} – Tiểu đoàn", published=True)
        Programme.objects.create(
            agreement=agreement, name=f"Chương trình {name}", starts_on=datetime.date(2026, 1, 1)
        )
        factories.activity(agreement, description=f"Quà {name}", giver=unit, recipient=commune)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [None, "places", "activities"])
def test_the_queries_are_the_same_for_two_rows_or_twelve(
    client, kind, django_assert_max_num_queries
):
    _world(2)
    params = {"q": "hoa", **({"kind": kind} if kind else {})}
    with django_assert_max_num_queries(20) as few:
        client.get(URL, params)
    _world(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL, params)
    counts = {each.key: each.count for each in response.context["results"].groups}
    assert counts[kind or "places"] >= 12
    assert Locality.objects.filter(dissolved_on__isnull=False).count() == 2
