"""The locality field's suggestions as one types (/dia-phuong/goi-y/): the closest names to the
words typed, diacritics and case ignored, each with its kind and parent."""

import pytest

from ketnghia.public import locality_search
from localities.models import LocalityKind
from tests import factories

pytestmark = pytest.mark.django_db

SUGGESTIONS = "/dia-phuong/goi-y/"


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
