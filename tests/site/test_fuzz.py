"""Hostile or malformed input in addresses and parameters gets 400, 404 or a form error, never
500: every public page and download, every filter parameter it reads, and every admin list's
search, ordering, page and filters, each with values no form offers (NUL and other control
characters, quotes, numbers out of range, very long text)."""

import datetime

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from activities.models import ActivityStatus
from agreements.models import LegalDocument, LegalDocumentKind
from tests import factories

pytestmark = pytest.mark.django_db

VALUES = [
    "a\x00b",
    "'\"<script>",
    "%",
    "-1",
    "99999999999999999999999",
    "2025-13-45",
    "x" * 3000,
]
# Every parameter a public page or download reads.
PARAMETERS = [
    "locality",
    "q",
    "year_from",
    "year_to",
    "party_kind",
    "area",
    "status",
    "kind",
    "page",
    "print",
    "sort",
    "signed_from",
    "signed_to",
    "format",
    "cursor",
    "page_size",
    "agreement",
]


@pytest.fixture
def pages(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ia_dok = factories.locality("Xã Ia Dơk")
    agreement = factories.agreement(
        ia_dok, factories.locality("Phường An Nhơn Bắc"), published=True
    )
    factories.activity(agreement, status=ActivityStatus.DELIVERED)
    document = LegalDocument.objects.create(
        number="01/KH-UBND",
        kind=LegalDocumentKind.PLAN,
        title="Kế hoạch kết nghĩa",
        issued_on=datetime.date(2025, 1, 1),
        slug="ke-hoach-01",
    )
    return [
        reverse("home"),
        reverse("about"),
        reverse("agreements:list"),
        reverse("agreements:detail", args=[agreement.slug]),
        reverse("agreements:legal_document", args=[document.slug]),
        reverse("localities:suggestions"),
        reverse("localities:detail", args=[ia_dok.slug]),
        reverse("dashboards:province"),
        reverse("dashboards:province_xlsx"),
        reverse("dashboards:coverage"),
        reverse("dashboards:coverage_xlsx"),
        reverse("dashboards:locality", args=[ia_dok.slug]),
        reverse("dashboards:locality_xlsx", args=[ia_dok.slug]),
        reverse("needs:board"),
        reverse("opendata:index"),
        reverse("opendata:download", args=["agreements", "csv"]),
        "/api/v1/agreements/",
        "/api/v1/activities/",
        "/api/v1/localities/",
        "/api/v1/plans/",
        "/api/v1/meetings/",
        "/api/v1/approved-periods/",
        "/api/v1/outcomes/",
        "/api/v1/needs/",
        "/sitemap.xml",
        "/en/thong-ke/",
    ]


def _assert_handled(client, path, params):
    """The page with `params`, redirects followed: a page sends the parameters it does not read
    away (ketnghia.pagecache), keeping the hostile values of those it reads."""
    response = client.get(path, params, follow=True)
    assert response.status_code in (200, 400, 404), (path, params, response.status_code)
    return response


def test_every_public_parameter_takes_any_value(pages):
    client = Client(raise_request_exception=False)
    for path in pages:
        for value in VALUES:  # every parameter at once
            _assert_handled(client, path, dict.fromkeys(PARAMETERS, value))
        for name in PARAMETERS:  # each alone, so that no other one's error hides it
            _assert_handled(client, path, {name: "99999999999999999999999"})


def test_a_control_character_in_an_address_or_a_parameter_is_refused(pages):
    client = Client(raise_request_exception=False)
    for path in pages:
        response = client.get(path, {"locality": "\x00"})
        assert response.status_code == 400, path
        said = "control character" if path.startswith("/en/") else "ký tự điều khiển"
        assert said in response.content.decode()
    assert client.get("/giao-uoc/%00/").status_code == 400
    assert client.get("/thong-ke/", {"a\x00": "1"}).status_code == 400


def test_every_admin_list_takes_any_search_order_page_and_filter(admin_client):
    factories.agreement(published=True)
    for model in admin.site._registry:
        path = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for value in VALUES:
            for params in ({"q": value}, {"o": value}, {"p": value}, {"status__exact": value}):
                response = admin_client.get(path, params)
                # The admin answers an unknown filter or order by a redirect (?e=1), a bad page
                # by the first one, a control character by 400.
                assert response.status_code in (200, 302, 400), (path, params)


def test_every_admin_form_field_takes_a_nul_as_a_form_error(admin_client):
    """Each admin add form posted with NUL and other hostile text in every field of its own:
    the form is shown again with its errors (or the object is saved), never a 500."""
    for model in admin.site._registry:
        path = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        page = admin_client.get(path)
        if page.status_code != 200:
            continue  # no add form (logs, history)
        fields = list(page.context["adminform"].form.fields)
        for value in ("a\x00b", "99999999999999999999999"):
            response = admin_client.post(path, dict.fromkeys(fields, value))
            assert response.status_code in (200, 302), (path, value, response.status_code)
            if response.status_code == 200 and "\x00" in value:
                assert response.context["errors"], (path, value)
