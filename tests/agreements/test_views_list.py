"""/giao-uoc/: search, filters, sorting and pagination over published agreements only."""

import datetime
import re

import pytest
from django.utils import timezone
from django.utils.translation import ngettext

from agreements.filters import AgreementFilter
from agreements.models import Agreement, CommitmentArea
from localities.models import LocalityKind
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/giao-uoc/"
AN_NHON_BAC_LANG_GHE = "Phường An Nhơn Bắc – Làng Ghè"
IA_DOK_AN_NHON_BAC = "Xã Ia Dơk – Phường An Nhơn Bắc"
SU_DOAN_320_PLEIKU = "Sư đoàn 320 – Thành phố Pleiku"


def titles(response):
    """The titles of the agreement cards, in their order on the page."""
    return [agreement.title for agreement in response.context["page_obj"].object_list]


def count_heading(count):
    return ngettext("%(counter)s agreement", "%(counter)s agreements", count) % {"counter": count}


@pytest.mark.usefixtures("demo")
class TestDemoData:
    def test_lists_the_published_agreements_newest_first(self, client):
        response = client.get(URL)
        assert response.status_code == 200
        assert titles(response) == [AN_NHON_BAC_LANG_GHE, IA_DOK_AN_NHON_BAC, SU_DOAN_320_PLEIKU]
        content = response.content.decode()
        assert count_heading(3) in content
        assert 'href="/giao-uoc/phuong-an-nhon-bac-lang-ghe-2025/"' in content
        # Each party links to its locality's page.
        assert 'href="/dia-phuong/lang-ghe-xa-ia-dok/"' in content
        assert '<time datetime="2025-12-27">27/12/2025</time>' in content

    @pytest.mark.parametrize("query", ["an nhon bac", "AN NHƠN BẮC", "  an   nhon  "])
    def test_search_ignores_diacritics_case_and_spaces(self, client, query):
        response = client.get(URL, {"q": query})
        assert titles(response) == [AN_NHON_BAC_LANG_GHE, IA_DOK_AN_NHON_BAC]

    def test_search_finds_a_party_not_in_the_title(self, client):
        # Xã Ia Dơk coordinates the Làng Ghè agreement without being in its title.
        response = client.get(URL, {"q": "IA DOK"})
        assert titles(response) == [AN_NHON_BAC_LANG_GHE, IA_DOK_AN_NHON_BAC]

    def test_every_word_must_match(self, client):
        assert titles(client.get(URL, {"q": "pleiku 320"})) == [SU_DOAN_320_PLEIKU]
        assert titles(client.get(URL, {"q": "pleiku ghe"})) == []

    def test_search_words_stay_in_the_header_box(self, client):
        response = client.get(URL, {"q": "IA DOK"})
        assert response.context["search_query"] == "IA DOK"
        assert re.search(r'id="site-search-q"[^>]*value="IA DOK"', response.content.decode())

    def test_a_commune_finds_its_villages_agreements(self, client):
        response = client.get(URL, {"locality": "lang-ghe-xa-ia-dok"})
        assert titles(response) == [AN_NHON_BAC_LANG_GHE]
        response = client.get(URL, {"locality": "phuong-an-nhon-bac"})
        assert titles(response) == [AN_NHON_BAC_LANG_GHE, IA_DOK_AN_NHON_BAC]

    def test_the_locality_is_a_text_field_showing_the_name_of_the_one_applied(self, client):
        content = client.get(URL).content.decode()
        assert '<input id="f-locality" type="text" name="locality" value=""' in content
        assert "<optgroup" not in content  # the register is searched, not listed
        content = client.get(URL, {"locality": "lang-ghe-xa-ia-dok"}).content.decode()
        assert '<input type="hidden" name="locality" value="lang-ghe-xa-ia-dok">' in content
        assert 'name="locality" value="Làng Ghè"' in content

    def test_the_filter_form_is_open_only_when_a_filter_is_set(self, client):
        assert '<details class="filters">' in client.get(URL).content.decode()
        content = client.get(URL, {"year": "2003"}).content.decode()
        assert '<details class="filters" open>' in content
        assert '<option value="2003" selected>2003</option>' in content


class TestFilters:
    @pytest.fixture
    def places(self):
        province = factories.locality("Tỉnh Thử", kind=LocalityKind.PROVINCE)
        commune = factories.locality("Xã Đak Pơ Thử", parent=province)
        village = factories.locality("Làng Kép", kind=LocalityKind.VILLAGE, parent=commune)
        ward = factories.locality("Phường Hội Phú Thử", kind=LocalityKind.WARD, parent=province)
        unit = factories.locality("Sư đoàn Thử", kind=LocalityKind.MILITARY_UNIT)
        return {"commune": commune, "village": village, "ward": ward, "unit": unit}

    def test_locality_takes_the_unit_and_its_descendants(self, client, places):
        village_one = factories.agreement(
            places["ward"], places["village"], title="Phường – Làng", published=True
        )
        commune_one = factories.agreement(
            places["unit"], places["commune"], title="Sư đoàn – Xã", published=True
        )
        factories.agreement(
            places["unit"], places["ward"], title="Sư đoàn – Phường", published=True
        )
        response = client.get(URL, {"locality": places["commune"].slug})
        assert set(titles(response)) == {village_one.title, commune_one.title}
        province_slug = places["commune"].parent.slug
        assert len(titles(client.get(URL, {"locality": province_slug}))) == 3

    def test_an_unknown_locality_is_said_at_the_field_and_left_out(self, client):
        # Words or a slug matching no locality: the other filters still apply
        # (tests/site/test_locality_search.py).
        agreement = factories.agreement(published=True)
        response = client.get(URL, {"locality": "khong-co-noi-nay"})
        assert response.status_code == 200
        assert titles(response) == [agreement.title]
        assert 'id="f-locality-error"' in response.content.decode()

    def test_party_kind(self, client, places):
        with_unit = factories.agreement(places["unit"], places["ward"], published=True)
        factories.agreement(places["commune"], places["ward"], published=True)
        assert titles(client.get(URL, {"party_kind": "military_unit"})) == [with_unit.title]
        assert len(titles(client.get(URL, {"party_kind": "ward"}))) == 2
        assert titles(client.get(URL, {"party_kind": "agency"})) == []

    def test_year(self, client):
        old = factories.agreement(signed_on=datetime.date(2003, 7, 26), published=True)
        factories.agreement(signed_on=datetime.date(2025, 12, 27), published=True)
        assert titles(client.get(URL, {"year": "2003"})) == [old.title]
        assert titles(client.get(URL, {"year": "2010"})) == []

    def test_area(self, client):
        defence = CommitmentArea.objects.get(slug="quoc-phong-an-ninh")
        welfare = CommitmentArea.objects.get(slug="an-sinh-xa-hoi")
        with_defence = factories.agreement(published=True)
        factories.commitment(with_defence, area=defence)
        with_welfare = factories.agreement(published=True)
        factories.commitment(with_welfare, area=welfare)
        assert titles(client.get(URL, {"area": "quoc-phong-an-ninh"})) == [with_defence.title]
        assert titles(client.get(URL, {"area": "khong-co"})) == []

    def test_status(self, client):
        today = timezone.localdate()
        ended = factories.agreement(
            signed_on=datetime.date(2010, 1, 1), ended_on=datetime.date(2020, 1, 1), published=True
        )
        open_ended = factories.agreement(signed_on=datetime.date(2011, 1, 1), published=True)
        ends_later = factories.agreement(
            signed_on=datetime.date(2012, 1, 1),
            ended_on=today + datetime.timedelta(days=30),
            published=True,
        )
        assert titles(client.get(URL, {"status": "ended"})) == [ended.title]
        in_force = titles(client.get(URL, {"status": "in_force"}))
        assert in_force == [ends_later.title, open_ended.title]

    @pytest.mark.parametrize(
        "params",
        [
            {"party_kind": "hanh-tinh"},
            {"year": "abc"},
            {"year": "99999999999"},
            {"year": "2025.5"},
            {"status": "maybe"},
            {"sort": "random"},
            {"area": ""},
        ],
    )
    def test_bad_values_are_ignored(self, client, params):
        factories.agreement(published=True)
        factories.agreement(published=True)
        response = client.get(URL, params)
        assert response.status_code == 200
        assert len(titles(response)) == 2

    def test_a_control_character_is_refused(self, client):
        assert client.get(URL, {"q": "\x00"}).status_code == 400

    def test_filters_combine(self, client, places):
        wanted = factories.agreement(
            places["unit"],
            places["village"],
            signed_on=datetime.date(2024, 5, 1),
            published=True,
        )
        factories.agreement(
            places["unit"], places["ward"], signed_on=datetime.date(2024, 5, 1), published=True
        )
        factories.agreement(
            places["commune"], places["ward"], signed_on=datetime.date(2023, 5, 1), published=True
        )
        params = {"locality": places["commune"].slug, "party_kind": "military_unit", "year": 2024}
        assert titles(client.get(URL, params)) == [wanted.title]

    def test_the_filterset_keeps_drafts_out_whatever_it_is_given(self):
        published = factories.agreement(published=True)
        factories.agreement()
        assert list(AgreementFilter({}, queryset=Agreement.objects.all()).qs) == [published]
        assert list(AgreementFilter().qs) == [published]


class TestDraftsNeverAppear:
    @pytest.fixture
    def draft(self):
        commune = factories.locality("Xã Bản Nháp")
        village = factories.locality("Làng Nháp", kind=LocalityKind.VILLAGE, parent=commune)
        draft = factories.agreement(
            commune, village, title="Giao ước bản nháp", signed_on=datetime.date(2019, 3, 3)
        )
        factories.commitment(draft, area=CommitmentArea.objects.get(slug="van-hoa-the-thao"))
        factories.agreement(published=True, signed_on=datetime.date(2025, 1, 1))
        return draft

    @pytest.mark.parametrize(
        "params",
        [
            {},
            {"q": "ban nhap"},
            {"q": "lang nhap"},
            {"locality": "xa-ban-nhap"},
            {"locality": "lang-nhap"},
            {"party_kind": "village"},
            {"year": "2019"},
            {"area": "van-hoa-the-thao"},
            {"status": "in_force"},
            {"sort": "title"},
            {"sort": "oldest"},
        ],
    )
    def test_on_the_list_in_search_and_filters(self, client, draft, params):
        response = client.get(URL, params)
        assert draft.title not in titles(response)
        content = response.content.decode()
        assert "Giao ước bản nháp" not in content
        # Nor in the count, nor among the years. (The register is public: a locality asked
        # for by its slug is named in the filter's field, whatever its agreements.)
        if "locality" not in params:
            assert "Xã Bản Nháp" not in content
        assert 'value="2019"' not in content
        assert response.context["page_obj"].paginator.count == len(titles(response))


class TestSorting:
    @pytest.fixture
    def three(self):
        return [
            factories.agreement(title=title, signed_on=signed_on, published=True)
            for title, signed_on in [
                ("Đak Đoa – Ia Grai", datetime.date(2020, 1, 1)),
                ("Biển Hồ – Chư Păh", datetime.date(2024, 1, 1)),
                ("Ea H'Leo – Krông Pa", datetime.date(2010, 1, 1)),
            ]
        ]

    def test_newest_first_by_default(self, client, three):
        expected = ["Biển Hồ – Chư Păh", "Đak Đoa – Ia Grai", "Ea H'Leo – Krông Pa"]
        assert titles(client.get(URL)) == expected
        assert titles(client.get(URL, {"sort": "signed"})) == expected

    def test_oldest_first(self, client, three):
        expected = ["Ea H'Leo – Krông Pa", "Đak Đoa – Ia Grai", "Biển Hồ – Chư Păh"]
        assert titles(client.get(URL, {"sort": "oldest"})) == expected

    def test_by_title_puts_đ_with_d(self, client, three):
        expected = ["Biển Hồ – Chư Păh", "Đak Đoa – Ia Grai", "Ea H'Leo – Krông Pa"]
        assert titles(client.get(URL, {"sort": "title"})) == expected


class TestPagination:
    @pytest.fixture
    def twenty_five(self):
        return [
            factories.agreement(
                signed_on=datetime.date(2000, 1, 1) + datetime.timedelta(days=n), published=True
            )
            for n in range(25)
        ]

    def test_twenty_a_page(self, client, twenty_five):
        first = client.get(URL)
        assert len(titles(first)) == 20
        assert count_heading(25) in first.content.decode()
        assert 'href="?page=2"' in first.content.decode()
        second = client.get(URL, {"page": "2"})
        assert titles(second) == [a.title for a in twenty_five[:5]][::-1]

    def test_the_page_keeps_the_filters(self, client, twenty_five):
        content = client.get(URL, {"year": "2000", "sort": "oldest"}).content.decode()
        assert 'href="?year=2000&amp;sort=oldest&amp;page=2"' in content

    def test_a_page_that_is_not_a_number_gives_the_first(self, client, twenty_five):
        for page in ("abc", "1.5", ""):
            response = client.get(URL, {"page": page})
            assert response.status_code == 200
            assert response.context["page_obj"].number == 1

    def test_a_page_past_the_end_gives_the_last(self, client, twenty_five):
        for page in ("999999", "99999999999999999999999", "0", "-1"):
            response = client.get(URL, {"page": page})
            assert response.status_code == 200
            assert response.context["page_obj"].number == 2

    def test_an_empty_list(self, client):
        response = client.get(URL, {"page": "3"})
        assert response.status_code == 200
        assert titles(response) == []


def test_an_over_long_search_is_cut_not_refused(client):
    factories.agreement(title="Xã Ia Dơk – Phường An Nhơn Bắc", published=True)
    query = "ia dok " + "x" * 293
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    assert response.context["search_query"] == query[:100]
    # The words that fit are searched: "xxx…" matches nothing.
    assert titles(response) == []
    response = client.get(URL, {"q": "ia dok " + "an " * 98})
    assert response.status_code == 200
    assert titles(response) == ["Xã Ia Dơk – Phường An Nhơn Bắc"]


def test_english(client):
    factories.agreement(title="Xã Ia Dơk – Phường An Nhơn Bắc", published=True)
    response = client.get("/en/giao-uoc/", {"q": "ia dok"})
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    assert "1 agreement" in response.content.decode()


@pytest.mark.parametrize("scale", [1, 20])
def test_a_fixed_number_of_queries(client, django_assert_num_queries, scale):
    """Count, page, parties of the page, areas, years: five; the locality named, one more."""
    areas = list(CommitmentArea.objects.all())
    villages = []
    for n in range(scale * 2):
        village = factories.locality(kind=LocalityKind.VILLAGE, parent=factories.locality())
        villages.append(village)
        agreement = factories.agreement(
            village,
            factories.locality(kind=LocalityKind.WARD),
            factories.locality(kind=LocalityKind.MILITARY_UNIT),
            signed_on=datetime.date(2000 + n % 20, 1, 1),
            published=True,
        )
        factories.commitment(agreement, area=areas[n % len(areas)])
        factories.activity(agreement)
        factories.activity(agreement)
    with django_assert_num_queries(5):
        response = client.get(URL, {"sort": "title"})
    assert response.status_code == 200
    with django_assert_num_queries(5):
        response = client.get(URL, {"q": "xa thu", "party_kind": "village", "area": areas[0].slug})
    assert response.status_code == 200
    # The locality named (one query), by its slug or by words matching several.
    with django_assert_num_queries(6):
        response = client.get(URL, {"locality": villages[0].slug, "year": "2000"})
    assert len(titles(response)) == 1
    with django_assert_num_queries(6):
        response = client.get(URL, {"locality": "xa thu"})
    assert response.status_code == 200


def test_the_search_words_are_escaped(client):
    factories.agreement(published=True)
    content = client.get(URL, {"q": '<b>"x"</b>'}).content.decode()
    assert "<b>" not in content
    assert "&lt;b&gt;&quot;x&quot;&lt;/b&gt;" in content


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["Ia Dok, An Nhon Bac", "TP. Pleiku", "Làng Ghè (xã Ia Dơk)"])
def test_search_as_people_type_it_with_punctuation(client, query):
    ia_dok = factories.locality("Xã Ia Dơk")
    village = factories.locality("Làng Ghè", kind="village", parent=ia_dok)
    an_nhon_bac = factories.locality("Phường An Nhơn Bắc", kind="ward")
    pleiku = factories.locality("Thành phố Pleiku", kind="district")
    division = factories.locality("Sư đoàn 320", kind="military_unit")
    factories.agreement(ia_dok, an_nhon_bac, title="Xã Ia Dơk – Phường An Nhơn Bắc", published=True)
    with_village = factories.agreement(
        an_nhon_bac, village, title="Phường An Nhơn Bắc – Làng Ghè", published=True
    )
    # As in the seed article, the commune coordinates its village's agreement.
    with_village.parties.create(locality=ia_dok, role="coordinator", position=2)
    factories.agreement(division, pleiku, title="Sư đoàn 320 – Thành phố Pleiku", published=True)
    content = client.get("/giao-uoc/", {"q": query}).content.decode()
    expected = {
        "Ia Dok, An Nhon Bac": "Xã Ia Dơk – Phường An Nhơn Bắc",
        "TP. Pleiku": "Sư đoàn 320 – Thành phố Pleiku",
        "Làng Ghè (xã Ia Dơk)": "Phường An Nhơn Bắc – Làng Ghè",
    }[query]
    assert expected in content


@pytest.mark.django_db
def test_a_province_filter_stays_selected_in_the_form(client):
    province = factories.locality("Tỉnh Gia Lai", kind="province")
    commune = factories.locality("Xã Ia Dơk", parent=province)
    factories.agreement(commune, factories.locality(parent=province), published=True)
    response = client.get("/giao-uoc/", {"locality": province.slug})
    assert len(titles(response)) == 1
    content = response.content.decode()
    assert f'<input type="hidden" name="locality" value="{province.slug}">' in content
    assert 'name="locality" value="Tỉnh Gia Lai"' in content


@pytest.mark.django_db
def test_a_communes_name_finds_its_villages_agreements(client):
    commune = factories.locality("Xã Ia Dơk")
    village = factories.locality("Làng Ghè", kind="village", parent=commune)
    ward = factories.locality("Phường An Nhơn Bắc", kind="ward")
    factories.agreement(ward, village, title="Phường An Nhơn Bắc – Làng Ghè", published=True)
    factories.agreement(title="Giao ước khác", published=True)
    assert titles(client.get("/giao-uoc/", {"q": "ia dok"})) == ["Phường An Nhơn Bắc – Làng Ghè"]
