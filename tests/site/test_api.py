"""The open-data API: /api/v1/agreements/, localities/, activities/, and /api/schema/."""

import base64
import datetime
import itertools
import json

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.validation import validate_schema

from activities.models import ActivityStatus, Qualifier
from ketnghia.pagination import KeysetPagination
from localities.models import LocalityKind
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """A commune with a village; two published agreements; a draft with its own activity."""
    province = factories.locality("Tỉnh Gia Lai", kind=LocalityKind.PROVINCE, code="52")
    commune = factories.locality("Xã Ia Dơk", parent=province, code="23869")
    village = factories.locality(
        "Làng Ghè", kind=LocalityKind.VILLAGE, parent=commune, is_ethnic_minority_area=True
    )
    ward = factories.locality("Phường An Nhơn Bắc", kind=LocalityKind.WARD, parent=province)
    division = factories.locality("Sư đoàn 320", kind=LocalityKind.MILITARY_UNIT)
    secret = factories.locality("Xã Bí Mật", parent=province)
    with_village = factories.agreement(
        ward,
        village,
        title="Phường An Nhơn Bắc – Làng Ghè",
        published=True,
        signed_on=datetime.date(2025, 12, 27),
    )
    factories.commitment(with_village, text="Tăng cường các hoạt động an sinh xã hội")
    with_division = factories.agreement(
        division,
        commune,
        title="Sư đoàn 320 – Xã Ia Dơk",
        published=True,
        signed_on=datetime.date(2003, 7, 26),
    )
    draft = factories.agreement(ward, secret, title="Giao ước nháp bí mật")
    cash = factories.activity(
        with_village,
        giver=ward,
        recipient=village,
        value_vnd=50_000_000,
        funder=factories.funder("Công ty Cổ phần Cà phê Tây Nguyên"),
        description="Phường An Nhơn Bắc hỗ trợ bà con làng Ghè 50 triệu đồng.",
    )
    houses = factories.activity(
        with_division,
        type_slug="nha-o",
        quantity=8,
        value_vnd=500_000_000,
        value_qualifier=Qualifier.OVER,
        starts_on=datetime.date(2003, 7, 26),
        ends_on=datetime.date(2023, 7, 1),
        date_precision="month",
        description="Xây dựng 8 căn nhà, hơn 500 triệu đồng.",
    )
    pledge = factories.activity(
        with_village,
        giver=ward,
        recipient=village,
        status=ActivityStatus.PLEDGED,
        value_vnd=500_000_000,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2030, 12, 31),
        description="Cam kết hỗ trợ 500 triệu đồng giai đoạn 2026-2030.",
    )
    secret_gift = factories.activity(draft, giver=ward, description="Quà nháp bí mật")
    return {
        "province": province,
        "commune": commune,
        "village": village,
        "ward": ward,
        "division": division,
        "with_village": with_village,
        "with_division": with_division,
        "draft": draft,
        "cash": cash,
        "houses": houses,
        "pledge": pledge,
        "secret_gift": secret_gift,
    }


def get(client, path, expect=200, **params):
    response = client.get(path, params)
    assert response.status_code == expect, (path, params, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def slugs(data):
    return [item["slug"] for item in data["results"]]


# Agreements ---------------------------------------------------------------------------------


def test_agreements_list_published_only_with_nested_parties(client, world):
    data = get(client, "/api/v1/agreements/")
    assert len(data["results"]) == 2 and data["next"] is None
    assert slugs(data) == [world["with_village"].slug, world["with_division"].slug]
    first = data["results"][0]
    assert first["title"] == "Phường An Nhơn Bắc – Làng Ghè"
    assert first["signed_on"] == "2025-12-27"
    assert first["status"] == "in_force"
    assert first["url"] == f"http://testserver/giao-uoc/{world['with_village'].slug}/"
    assert first["parties"] == [
        {
            "locality": {
                "slug": world["ward"].slug,
                "name": "Phường An Nhơn Bắc",
                "kind": "ward",
                "code": None,
            },
            "role": "party",
            "signatory_name": "",
            "signatory_title": "",
        },
        {
            "locality": {
                "slug": world["village"].slug,
                "name": "Làng Ghè",
                "kind": "village",
                "code": None,
            },
            "role": "party",
            "signatory_name": "",
            "signatory_title": "",
        },
    ]


def test_no_internal_field_and_no_draft_in_any_answer(client, world):
    for path in (
        "/api/v1/agreements/",
        f"/api/v1/agreements/{world['with_village'].slug}/",
        "/api/v1/localities/",
        "/api/v1/activities/",
    ):
        text = client.get(path).content.decode()
        for word in ("search_key", "published_at", "created_at", "draft", "nháp"):
            assert word not in text, (path, word)
        assert world["draft"].slug not in text


def test_agreement_detail_has_commitments_and_legal_basis(client, world):
    agreement = world["with_village"]
    document = agreement.legal_basis.create(
        number="03-CT/TU",
        kind="directive",
        title="Chỉ thị về tăng cường hoạt động kết nghĩa",
        issuer="Ban Thường vụ Tỉnh ủy Gia Lai",
        issued_on=datetime.date(2025, 8, 7),
        slug="03-ct-tu-2025",
    )
    data = get(client, f"/api/v1/agreements/{agreement.slug}/")
    assert data["slug"] == agreement.slug
    assert data["commitments"][0]["text"] == "Tăng cường các hoạt động an sinh xã hội"
    assert set(data["commitments"][0]["area"]) == {"slug", "name"}
    assert data["legal_basis"] == [
        {
            "number": "03-CT/TU",
            "kind": "directive",
            "title": document.title,
            "issuer": "Ban Thường vụ Tỉnh ủy Gia Lai",
            "issued_on": "2025-08-07",
            "url": "http://testserver/van-ban/03-ct-tu-2025/",
        }
    ]
    assert data["programmes"] == data["events"] == data["sources"] == []


def test_a_draft_or_unknown_agreement_is_404(client, world):
    draft = get(client, f"/api/v1/agreements/{world['draft'].slug}/", expect=404)
    unknown = get(client, "/api/v1/agreements/khong-co/", expect=404)
    # Same answer for both: a draft is indistinguishable from nothing.
    assert draft == unknown
    assert world["draft"].title not in str(draft)


def test_agreement_filters(client, world):
    village, division = world["with_village"].slug, world["with_division"].slug
    # A commune finds its villages' agreements too (AgreementFilter's locality filter).
    assert slugs(get(client, "/api/v1/agreements/", locality=world["commune"].slug)) == [
        village,
        division,
    ]
    assert slugs(get(client, "/api/v1/agreements/", locality=world["village"].slug)) == [village]
    assert slugs(get(client, "/api/v1/agreements/", locality="khong-co")) == []
    # The draft's locality finds nothing: its only agreement is a draft.
    assert slugs(get(client, "/api/v1/agreements/", locality="xa-bi-mat")) == []
    assert slugs(get(client, "/api/v1/agreements/", q="an nhon bac")) == [village]
    assert slugs(get(client, "/api/v1/agreements/", q="SU DOAN")) == [division]
    assert slugs(get(client, "/api/v1/agreements/", q="bi mat")) == []
    assert slugs(get(client, "/api/v1/agreements/", q="x" * 500)) == []
    assert slugs(get(client, "/api/v1/agreements/", party_kind="military_unit")) == [division]
    assert slugs(get(client, "/api/v1/agreements/", year=2003)) == [division]
    assert slugs(get(client, "/api/v1/agreements/", status="in_force")) == [village, division]
    assert slugs(get(client, "/api/v1/agreements/", status="ended")) == []
    assert slugs(get(client, "/api/v1/agreements/", sort="oldest")) == [division, village]


@pytest.mark.parametrize(
    "params", [{"year": "abc"}, {"year": "99999"}, {"party_kind": "planet"}, {"status": "draft"}]
)
def test_invalid_agreement_filters_are_400(client, world, params):
    data = get(client, "/api/v1/agreements/", expect=400, **params)
    assert list(data) == list(params)


# Localities ---------------------------------------------------------------------------------


def test_localities_list_and_detail(client, world):
    data = get(client, "/api/v1/localities/")
    assert len(data["results"]) == 6
    data = get(client, f"/api/v1/localities/{world['village'].slug}/")
    assert data == {
        "slug": world["village"].slug,
        "name": "Làng Ghè",
        "kind": "village",
        "code": None,
        "parent": {
            "slug": world["commune"].slug,
            "name": "Xã Ia Dơk",
            "kind": "commune",
            "code": "23869",
        },
        "is_ethnic_minority_area": True,
        "latitude": None,
        "longitude": None,
        "established_on": None,
        "dissolved_on": None,
        "successors": [],
        "predecessors": [],
        "url": f"http://testserver/dia-phuong/{world['village'].slug}/",
    }
    get(client, "/api/v1/localities/khong-co/", expect=404)


def test_a_dissolved_unit_names_its_successors(client, world):
    old = factories.locality(
        "Thành phố Pleiku", kind=LocalityKind.DISTRICT, dissolved_on=datetime.date(2025, 6, 30)
    )
    old.successors.add(world["ward"])
    data = get(client, f"/api/v1/localities/{old.slug}/")
    assert data["dissolved_on"] == "2025-06-30"
    assert data["successors"] == [world["ward"].slug]
    assert get(client, f"/api/v1/localities/{world['ward'].slug}/")["predecessors"] == [old.slug]
    assert slugs(get(client, "/api/v1/localities/", dissolved="true")) == [old.slug]
    assert old.slug not in slugs(get(client, "/api/v1/localities/", dissolved="false"))


def test_locality_filters(client, world):
    def found(**params):
        return slugs(get(client, "/api/v1/localities/", **params))

    assert found(kind="village") == [world["village"].slug]
    assert found(parent=world["commune"].slug) == [world["village"].slug]
    assert found(parent="khong-co") == []
    assert found(q="LANG GHE") == [world["village"].slug]
    assert found(q="ia dơk") == [world["commune"].slug]
    assert found(q="làng " * 200) == [world["village"].slug]
    assert found(ethnic_minority="true") == [world["village"].slug]
    assert world["village"].slug not in found(ethnic_minority="false")
    get(client, "/api/v1/localities/", expect=400, kind="planet")


# Activities ---------------------------------------------------------------------------------


def test_activities_of_published_agreements_only(client, world):
    data = get(client, "/api/v1/activities/")
    assert len(data["results"]) == 3
    descriptions = [item["description"] for item in data["results"]]
    assert "Quà nháp bí mật" not in descriptions
    houses = next(item for item in data["results"] if item["id"] == world["houses"].pk)
    assert houses["value_vnd"] == 500_000_000
    assert houses["value_qualifier"] == "over"
    assert houses["quantity"] == 8
    assert houses["type"]["slug"] == "nha-o"
    assert houses["agreement"] == {
        "slug": world["with_division"].slug,
        "title": "Sư đoàn 320 – Xã Ia Dơk",
        "url": f"http://testserver/giao-uoc/{world['with_division'].slug}/",
    }
    assert (houses["starts_on"], houses["ends_on"], houses["date_precision"]) == (
        "2003-07-26",
        "2023-07-01",
        "month",
    )
    assert houses["giver"] is None
    assert houses["funder"] is None
    cash = next(item for item in data["results"] if item["id"] == world["cash"].pk)
    assert cash["giver"]["name"] == "Phường An Nhơn Bắc"
    assert cash["funder"] == "Công ty Cổ phần Cà phê Tây Nguyên"
    assert cash["recipient"]["slug"] == world["village"].slug
    get(client, f"/api/v1/activities/{world['cash'].pk}/")
    get(client, f"/api/v1/activities/{world['secret_gift'].pk}/", expect=404)


def test_activity_filters(client, world):
    def found(**params):
        return {item["id"] for item in get(client, "/api/v1/activities/", **params)["results"]}

    cash, houses, pledge = world["cash"].pk, world["houses"].pk, world["pledge"].pk
    assert found(agreement=world["with_village"].slug) == {cash, pledge}
    assert found(agreement=world["draft"].slug) == set()
    assert found(type="nha-o") == {houses}
    assert found(type="khong-co") == set()
    assert found(status="pledged") == {pledge}
    assert found(giver=world["ward"].slug) == {cash, pledge}
    assert found(recipient=world["village"].slug) == {cash, pledge}
    # A year finds activities dated in it and periods covering part of it.
    assert found(year=2010) == {houses}
    assert found(year=2025) == {cash}
    assert found(year=2028) == {pledge}
    assert found(year=1990) == set()


@pytest.mark.parametrize(
    "params", [{"year": "abc"}, {"year": "99999"}, {"year": "0"}, {"status": "lost"}]
)
def test_invalid_activity_filters_are_400(client, world, params):
    errors = get(client, "/api/v1/activities/", expect=400, **params)
    # The answer names the parameter that was refused.
    assert set(errors) == set(params)


# Pagination, methods, headers ---------------------------------------------------------------


def _follow(client, url):
    """The answer at an absolute address the API gave."""
    return get(client, url.removeprefix("http://testserver"))


def test_pages_follow_one_another_by_cursor(client, world):
    for n in range(50):
        factories.locality(f"Thôn Số {n:02d}", kind=LocalityKind.VILLAGE)
    first = get(client, "/api/v1/localities/")
    assert len(first["results"]) == 50
    assert first["previous"] is None
    assert first["next"].startswith("http://testserver/api/v1/localities/?cursor=")
    second = _follow(client, first["next"])
    assert len(second["results"]) == 6
    assert second["next"] is None
    assert not set(slugs(first)) & set(slugs(second))
    # Back from the second page: the first one again, in the same order.
    assert slugs(_follow(client, second["previous"])) == slugs(first)


def test_a_page_neither_repeats_nor_skips_rows_added_meanwhile(client, world, monkeypatch):
    monkeypatch.setattr(KeysetPagination, "page_size", 2)
    first = get(client, "/api/v1/localities/")
    expected = slugs(get(client, "/api/v1/localities/", cursor=first["next"].split("=")[1]))
    factories.locality("An Khê", kind=LocalityKind.WARD)  # sorts before every row: page 1
    assert slugs(_follow(client, first["next"])) == expected


def test_pages_keep_the_order_asked_for(client, world, monkeypatch):
    monkeypatch.setattr(KeysetPagination, "page_size", 1)
    for sort in ("title", "oldest", "signed"):
        found, url = [], f"/api/v1/agreements/?sort={sort}"
        while url:
            data = _follow(client, url)
            found += slugs(data)
            url = data["next"]
        whole = [a.slug for a in _published_in_order(sort)]
        assert found == whole, sort


def _published_in_order(sort):
    from agreements.filters import SORT_ORDER
    from agreements.models import Agreement

    return Agreement.objects.published().order_by(*SORT_ORDER[sort])


def test_a_deep_page_costs_what_the_first_does(client, world, monkeypatch):
    monkeypatch.setattr(KeysetPagination, "page_size", 2)
    for n in range(10):
        factories.locality(f"Thôn Số {n:02d}", kind=LocalityKind.VILLAGE)
    url, counts = "/api/v1/localities/", []
    while url:
        with CaptureQueriesContext(connection) as queries:
            data = _follow(client, url)
        assert not any("OFFSET" in q["sql"].upper() for q in queries.captured_queries)
        counts.append(len(queries))
        url = data["next"]
    assert len(counts) == 8 and set(counts) == {counts[0]}


@pytest.mark.parametrize(
    "cursor",
    [
        "abc",  # not base64
        "!!!",
        *(
            base64.urlsafe_b64encode(text.encode()).decode()
            for text in (
                '["x", ["thon so 01", 1]]',  # no such direction
                '["a", [1]]',  # one sort value of two
                '["a", [null, 1]]',  # a missing value
                '["a", ["thon so 01", "y"]]',  # a key that is not a number
                '{"a": 1}',
                '["a", ["thon so 01", 1e400]]',  # infinity
                '["a", ["thon so 01", 99999999999999999999999]]',  # past 64 bits
            )
        ),
    ],
)
def test_a_bad_cursor_is_404(client, world, cursor):
    assert "detail" in get(client, "/api/v1/localities/", expect=404, cursor=cursor)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_read_only(client, world, method):
    response = getattr(client, method)(
        f"/api/v1/agreements/{world['with_village'].slug}/",
        data=json.dumps({"title": "Đổi"}),
        content_type="application/json",
    )
    assert response.status_code == 405
    assert getattr(client, method)("/api/v1/agreements/").status_code == 405


def test_answers_are_cached_five_minutes_and_json_only(client, world):
    response = client.get("/api/v1/agreements/", HTTP_ACCEPT="text/html,*/*;q=0.8")
    assert response["Content-Type"] == "application/json"
    assert "public" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]


def test_the_api_is_outside_the_language_prefix(client, world):
    assert client.get("/en/api/v1/agreements/").status_code == 404
    data = get(client, "/api/v1/agreements/")
    assert "/en/" not in json.dumps(data)


def test_the_root_lists_the_collections(client):
    assert set(get(client, "/api/v1/")) == {
        "agreements",
        "localities",
        "activities",
        "plans",
        "meetings",
        "approved-periods",
        "outcomes",
        "search",
        "needs",
    }


# Schema -------------------------------------------------------------------------------------

PATHS = ["/api/v1/agreements/", "/api/v1/localities/", "/api/v1/activities/"]


def test_schema_is_valid_openapi_json_with_the_three_paths(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)
    for path in PATHS:
        assert path in schema["paths"]
        assert list(schema["paths"][path]) == ["get"]
    assert "/api/v1/agreements/{slug}/" in schema["paths"]
    assert "/api/v1/localities/{slug}/" in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/v1/agreements/"]["get"]["parameters"]}
    assert {"q", "locality", "party_kind", "year", "area", "status", "cursor"} <= parameters
    assert "search_key" not in response.content.decode()


def test_schema_in_yaml(client):
    response = client.get("/api/schema/", {"format": "yaml"})
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert set(PATHS) <= set(schema["paths"])


# Queries ------------------------------------------------------------------------------------


_documents = itertools.count()


def _grow(times):
    for _ in range(times):
        n = next(_documents)
        province = factories.locality(kind=LocalityKind.PROVINCE)
        commune = factories.locality(parent=province)
        village = factories.locality(kind=LocalityKind.VILLAGE, parent=commune)
        old = factories.locality(kind=LocalityKind.DISTRICT)
        old.successors.add(commune)
        agreement = factories.agreement(commune, village, published=True)
        agreement.legal_basis.create(
            number=f"{n}/KH",
            kind="plan",
            title="Kế hoạch",
            issuer="UBND",
            slug=f"kh-{n}",
            issued_on=datetime.date(2025, 1, 1),
        )
        factories.commitment(agreement)
        factories.activity(agreement, giver=commune, recipient=village, funder=factories.funder())
        factories.activity(agreement, type_slug="nha-o", quantity=2)
    return province


def _count(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v1/agreements/", 3),  # the page, parties with localities, legal basis
        ("/api/v1/agreements/?locality={slug}&q=xa&year=2025", 3),
        ("/api/v1/localities/", 3),  # the page with parents, successors, predecessors
        ("/api/v1/activities/", 1),  # the page with everything joined
    ],
)
def test_lists_run_the_same_queries_at_1x_and_20x(client, path, expected):
    slug = _grow(1).slug  # a province: its communes' and villages' agreements
    small = _count(client, path.format(slug=slug))
    _grow(19)
    assert _count(client, path.format(slug=slug)) == small == expected


def test_agreement_detail_runs_a_fixed_number_of_queries(client):
    _grow(1)
    from agreements.models import Agreement

    slug = Agreement.objects.published().first().slug
    # the agreement, parties, legal basis, commitments, programmes, events, sources
    assert _count(client, f"/api/v1/agreements/{slug}/") == 7


def test_schema_is_generated_without_warnings(client, capsys):
    assert client.get("/api/schema/", {"format": "json"}).status_code == 200
    assert not GENERATOR_STATS
    assert "Warning" not in capsys.readouterr().err


@pytest.mark.parametrize("params", [{"format": "xml"}, {"lang": "zz"}, {"lang": "x" * 300}])
def test_schema_with_odd_parameters_never_500(client, params):
    assert client.get("/api/schema/", params).status_code in (200, 404)


@pytest.mark.parametrize("pk", ["abc", "99999999999999999999999", "-1", "0"])
def test_odd_activity_ids_are_404(client, pk):
    assert client.get(f"/api/v1/activities/{pk}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/agreements/%00/", 400),
        ("/api/v1/agreements/a%00b/", 400),
        ("/api/v1/localities/xa-ia-dok%00/", 400),
        ("/api/v1/activities/1%00/", 400),
        ("/api/v1/activities/abc/", 404),
    ],
)
def test_odd_lookups_are_400_or_404_on_every_database(client, path, status):
    """A control character in the address is refused (ketnghia.middleware), whatever the
    database; other odd lookups find nothing."""
    assert client.get(path).status_code == status
