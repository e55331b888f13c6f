"""The locality field of the public filters (/thong-ke/, /thong-ke/vung-dong-bao/, /giao-uoc/)
without JavaScript: a slug or words of a name, searched; and the suggestions it offers as one
types (/dia-phuong/goi-y/). The script itself is tested in tests/browser/test_locality_search.py.
"""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import ngettext

from ketnghia.public import locality_search
from localities.models import LocalityKind
from tests import factories

pytestmark = pytest.mark.django_db

SUGGESTIONS = "/dia-phuong/goi-y/"
PROVINCE = "/thong-ke/"
COVERAGE = "/thong-ke/vung-dong-bao/"
LIST = "/giao-uoc/"
FILTER_PAGES = [PROVINCE, COVERAGE, LIST]


def html(response):
    assert response.status_code == 200
    return response.content.decode()


def not_found(text):
    return str(locality_search.NOT_FOUND) % {"text": text}


def several(text):
    return str(locality_search.SEVERAL) % {"text": text}


def field_id(url):
    return "f-locality" if url == LIST else "id_locality"


def match_links(content):
    """The matches listed at the field: [(name, its address's parameters)]."""
    block = re.search(r'<ul class="locality-matches">(.*?)</ul>', content, re.S)
    if block is None:
        return []
    return [
        (unescape(name), parse_qs(urlsplit(unescape(href)).query))
        for href, name in re.findall(r'<a href="([^"]*)">([^<]*)</a>', block.group(1))
    ]


def applied_locality(response, url):
    if url == LIST:
        return response.context["locality_choice"].locality
    return response.context["form"].values.get("locality")


@pytest.fixture
def places():
    province = factories.locality("Tỉnh Thử", kind=LocalityKind.PROVINCE, slug="tinh-thu")
    commune = factories.locality("Xã Ia Thử", parent=province, slug="xa-ia-thu")
    village = factories.locality(
        "Buôn Đê Thử", kind=LocalityKind.VILLAGE, parent=commune, slug="buon-de-thu"
    )
    ward = factories.locality(
        "Phường An Thử", kind=LocalityKind.WARD, parent=province, slug="phuong-an-thu"
    )
    north = factories.locality(
        "Phường An Thử Bắc", kind=LocalityKind.WARD, parent=province, slug="phuong-an-thu-bac"
    )
    factories.agreement(ward, village, title="Phường – Làng", published=True)
    factories.agreement(north, commune, title="Phường Bắc – Xã", published=True)
    return {"commune": commune, "village": village, "ward": ward, "north": north}


# -- Suggestions as one types -----------------------------------------------------------------


@pytest.mark.usefixtures("demo")
class TestSuggestionsOnTheDemoData:
    def test_words_without_diacritics_find_the_commune(self, client):
        response = client.get(SUGGESTIONS, {"q": "ia dok"})
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert response.json()["results"][0] == {
            "name": "Xã Ia Dơk",
            "kind": str(LocalityKind.COMMUNE.label),
            "parent": "Tỉnh Gia Lai",
            "former": False,
            "slug": "xa-ia-dok",
        }

    def test_a_village_names_its_commune(self, client):
        results = client.get(SUGGESTIONS, {"q": "lang ghe"}).json()["results"]
        assert [(r["name"], r["parent"], r["slug"]) for r in results] == [
            ("Làng Ghè", "Xã Ia Dơk", "lang-ghe-xa-ia-dok")
        ]

    def test_the_whole_name_comes_before_longer_names(self, client):
        names = [r["name"] for r in client.get(SUGGESTIONS, {"q": "an nhon"}).json()["results"]]
        assert names[0] == "Phường An Nhơn"
        assert "Phường An Nhơn Bắc" in names

    def test_a_dissolved_unit_is_marked_former(self, client):
        results = client.get(SUGGESTIONS, {"q": "tp pleiku"}).json()["results"]
        assert [(r["name"], r["former"]) for r in results] == [("Thành phố Pleiku", True)]

    def test_the_kind_is_in_the_page_s_language(self, client):
        results = client.get("/en" + SUGGESTIONS, {"q": "ia dok"}).json()["results"]
        assert results[0]["kind"] == "Commune"

    def test_su_doan_320(self, client):
        results = client.get(SUGGESTIONS, {"q": "SƯ ĐOÀN 320"}).json()["results"]
        assert [r["slug"] for r in results] == ["su-doan-320"]


def test_d_folds_to_d(client):
    factories.locality("Xã Đak Đoa Thử", slug="xa-dak-doa-thu")
    for query in ("đak đoa", "dak doa", "ĐAK"):
        results = client.get(SUGGESTIONS, {"q": query}).json()["results"]
        assert [r["slug"] for r in results] == ["xa-dak-doa-thu"], query


@pytest.mark.parametrize("query", ["", "x", " x ", "  ", "!!!", "."])
def test_nothing_under_two_characters_or_without_a_word(client, query, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(SUGGESTIONS, {"q": query})
    assert response.json() == {"results": []}


@pytest.mark.parametrize("count", [3, 30])
def test_at_most_ten_suggestions_in_one_query(client, django_assert_num_queries, count):
    parent = factories.locality("Tỉnh Thử", kind=LocalityKind.PROVINCE)
    for n in range(count):
        factories.locality(f"Thôn Nhiều {n}", kind=LocalityKind.VILLAGE, parent=parent)
    with django_assert_num_queries(1):
        response = client.get(SUGGESTIONS, {"q": "thon nhieu"})
    results = response.json()["results"]
    assert len(results) == min(count, locality_search.MAX_SUGGESTIONS)
    assert {r["parent"] for r in results} == {"Tỉnh Thử"}


def test_suggestions_are_cacheable_and_get_only(client):
    response = client.get(SUGGESTIONS, {"q": "thu"})
    assert response["Cache-Control"] == "public, max-age=300"
    assert "Cookie" not in response.get("Vary", "")
    assert client.post(SUGGESTIONS, {"q": "thu"}).status_code == 405


def test_a_long_query_is_cut_not_refused(client):
    factories.locality("Xã Ia Dài Thử", slug="xa-ia-dai-thu")
    response = client.get(SUGGESTIONS, {"q": "ia dai " + "x" * 5000})
    assert response.status_code == 200
    assert response.json() == {"results": []}  # "xxx…" is one of the words searched
    assert client.get(SUGGESTIONS, {"q": "ia dai " * 50}).json()["results"][0]["slug"] == (
        "xa-ia-dai-thu"
    )


def test_a_locality_page_still_answers_at_its_address(client, places):
    assert client.get("/dia-phuong/xa-ia-thu/").status_code == 200


# -- The field without JavaScript: a slug, or words searched ----------------------------------


@pytest.mark.parametrize("url", FILTER_PAGES)
def test_a_slug_applies_its_locality_and_the_field_shows_its_name(client, places, url):
    response = client.get(url, {"locality": "xa-ia-thu"})
    assert applied_locality(response, url) == places["commune"]
    content = html(response)
    # The slug is carried before the text, so that sending the form again keeps it.
    assert re.search(
        r'<input type="hidden" name="locality" value="xa-ia-thu">\s*'
        rf'<input id="{field_id(url)}" type="text" name="locality" value="Xã Ia Thử"',
        content,
    )
    assert "<select" not in content.split('class="locality-field')[1].split("</div>")[0]


@pytest.mark.parametrize("url", FILTER_PAGES)
@pytest.mark.parametrize("words", ["ia thu", "IA THỬ", "  xa   ia thu "])
def test_words_with_one_match_apply_it(client, places, url, words):
    response = client.get(url, {"locality": words})
    assert applied_locality(response, url) == places["commune"]
    content = html(response)
    assert 'value="Xã Ia Thử"' in content
    assert 'class="field-error"' not in content


def test_words_filter_as_the_slug_does(client, places):
    by_words = client.get(LIST, {"locality": "buon de"})
    by_slug = client.get(LIST, {"locality": "buon-de-thu"})
    titles = [a.title for a in by_words.context["page_obj"].object_list]
    assert titles == [a.title for a in by_slug.context["page_obj"].object_list]
    assert titles == ["Phường – Làng"]
    dashboard = client.get(PROVINCE, {"locality": "buon de"}).context["dashboard"]
    assert dashboard.filters.locality == places["village"]


@pytest.mark.parametrize("url", FILTER_PAGES)
def test_several_matches_are_listed_to_choose_from_and_none_is_applied(client, places, url):
    params = {"locality": "an thu", "page": "2"} if url == LIST else {"locality": "an thu"}
    other = {"q": "phuong"} if url == LIST else {"year_to": "2026"}
    response = client.get(url, {**params, **other})
    assert applied_locality(response, url) is None
    content = html(response)
    assert '<details class="filters" open>' in content
    fid = field_id(url)
    assert f'id="{fid}-error">{several("an thu")}</p>' in unescape(content).replace("&quot;", '"')
    assert 'aria-invalid="true"' in content
    links = match_links(content)
    # The whole name first; each link keeps the other filters and leaves the page number out.
    assert [name for name, _params in links] == ["Phường An Thử", "Phường An Thử Bắc"]
    for (_name, query), slug in zip(links, ["phuong-an-thu", "phuong-an-thu-bac"], strict=True):
        assert query == {"locality": [slug], **{k: [v] for k, v in other.items()}}
    # Kind and parent tell same-named units apart.
    assert f"{LocalityKind.WARD.label} · Tỉnh Thử" in content
    # The text stays in the field, and no slug is carried.
    assert f'id="{fid}" type="text" name="locality" value="an thu"' in content
    assert 'type="hidden" name="locality"' not in content


def test_following_a_match_applies_it(client, places):
    links = match_links(html(client.get(PROVINCE, {"locality": "an thu", "year_to": "2026"})))
    response = client.get(PROVINCE, {k: v[0] for k, v in links[1][1].items()})
    assert response.context["dashboard"].filters.locality == places["north"]
    assert response.context["dashboard"].filters.year_to == 2026


def test_the_whole_name_typed_applies_it_before_longer_names(client, places):
    response = client.get(PROVINCE, {"locality": "Phường An Thử"})
    assert response.context["dashboard"].filters.locality == places["ward"]


def test_same_named_units_are_told_apart_by_their_parents(client, places):
    other = factories.locality("Xã Khác Thử", slug="xa-khac-thu")
    twin = factories.locality(
        "Buôn Đê Thử", kind=LocalityKind.VILLAGE, parent=other, slug="buon-de-thu-2"
    )
    content = html(client.get(LIST, {"locality": "Buôn Đê Thử"}))
    assert [query["locality"] for _name, query in match_links(content)] == [
        ["buon-de-thu"],
        ["buon-de-thu-2"],
    ]
    assert "· Xã Ia Thử" in content and "· Xã Khác Thử" in content

    def applied(*values):
        response = client.get(PROVINCE, {"locality": list(values)})
        assert not response.context["form"].errors
        return response.context["dashboard"].filters.locality

    # Chosen, the village stays chosen when the form is sent again with its name.
    assert applied("buon-de-thu-2", "Buôn Đê Thử") == twin
    assert applied("buon-de-thu-2", "buon de thu") == twin
    # Other words typed over the name are searched instead; the field emptied applies none.
    assert applied("buon-de-thu-2", "ia thu") == places["commune"]
    assert applied("buon-de-thu-2", "") is None


@pytest.mark.parametrize("url", FILTER_PAGES)
def test_no_match_is_said_at_the_field_and_the_other_filters_still_apply(client, places, url):
    other = {"party_kind": "ward"}
    response = client.get(url, {"locality": "khong co noi nay", **other})
    assert applied_locality(response, url) is None
    content = unescape(html(response))
    assert f'id="{field_id(url)}-error">{not_found("khong co noi nay")}</p>' in content
    assert 'value="khong co noi nay"' in content
    assert match_links(content) == []
    if url == LIST:
        assert response.context["filterset"].form.cleaned_data["party_kind"] == "ward"
        assert [a.title for a in response.context["page_obj"].object_list] == [
            "Phường Bắc – Xã",
            "Phường – Làng",
        ]
    else:
        assert response.context["form"].values["party_kind"] == "ward"


def test_more_than_twenty_matches_list_the_first_twenty(client):
    commune = factories.locality("Xã Nhiều Thôn")
    for n in range(25):
        factories.locality(f"Thôn Số {n:02d}", kind=LocalityKind.VILLAGE, parent=commune)
    content = html(client.get(LIST, {"locality": "thon so"}))
    assert len(match_links(content)) == locality_search.MAX_MATCHES
    more = ngettext(
        "Only the first %(counter)s is listed: type more of the name to find the others.",
        "Only the first %(counter)s are listed: type more of the name to find the others.",
        20,
    ) % {"counter": 20}
    assert more in content


def test_an_over_long_text_is_cut_not_refused(client, places):
    response = client.get(PROVINCE, {"locality": "ia thu " + "x" * 5000})
    assert response.status_code == 200
    assert len(response.context["form"].locality_choice.text) == locality_search.MAX_LENGTH


def test_the_text_is_escaped(client, places):
    content = html(client.get(LIST, {"locality": '<b>"x"</b>'}))
    assert "<b>" not in content
    assert 'value="&lt;b&gt;&quot;x&quot;&lt;/b&gt;"' in content


# -- Bounded: the pages no longer list the register --------------------------------------------


def filter_form(content):
    return re.search(r'<div class="locality-field.*?</div>', content, re.S).group(0)


@pytest.mark.parametrize("url", FILTER_PAGES)
def test_the_field_does_not_grow_with_the_register_and_its_queries_stay_fixed(client, places, url):
    def measure():
        sizes, counts = [], []
        for params in (
            {},
            {"locality": "an thu"},
            {"locality": "ia thu"},
            {"locality": "xa-ia-thu"},
        ):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, params)
            sizes.append(len(filter_form(html(response))))
            counts.append(len(queries.captured_queries))
        return sizes, counts

    before = measure()
    commune = places["commune"]
    for n in range(15):
        village = factories.locality(f"Làng Mới {n}", kind=LocalityKind.VILLAGE, parent=commune)
        factories.agreement(factories.locality(), village, published=True)
    assert measure() == before
