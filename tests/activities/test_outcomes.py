"""Outcome indicators per locality and year (issue 12): entered in the admin or imported from the
statistics office's workbook (all or nothing, errors at the row), each account for the
localities in its charge; a locality's dashboard shows them year by year beside what it
received, as context."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext
from openpyxl import Workbook, load_workbook

from activities.models import OutcomeIndicator, OutcomeValue
from activities.reports import outcomes_of
from activities.resources import OutcomeValueResource
from localities.models import StaffLocality
from localities.scopes import scope_of
from tests import factories
from tests.activities.test_import import dataset

pytestmark = pytest.mark.django_db

POVERTY = "Tỷ lệ hộ nghèo"
NEW_RURAL = "Nông thôn mới"


@pytest.fixture
def commune():
    return factories.locality("Xã Chỉ Số", code="99001")


def value(commune, name, year, **fields):
    fields.setdefault("source", "Cục Thống kê tỉnh, Niên giám")
    fields.setdefault("as_of", datetime.date(year, 12, 31))
    return OutcomeValue.objects.create(
        locality=commune, indicator=OutcomeIndicator.objects.get(name=name), year=year, **fields
    )


def test_the_three_indicators_are_listed_without_any_value():
    assert list(OutcomeIndicator.objects.values_list("name", "unit", "measure")) == [
        (POVERTY, "%", "number"),
        (NEW_RURAL, "", "status"),
        ("Tỷ lệ hộ dùng nước sạch", "%", "number"),
    ]
    assert not OutcomeValue.objects.exists()


def test_a_number_needs_its_value_and_a_status_its_words(commune):
    for name, field in ((POVERTY, "value"), (NEW_RURAL, "status")):
        wrong = OutcomeValue(
            locality=commune,
            indicator=OutcomeIndicator.objects.get(name=name),
            year=2025,
            source="UBND xã",
            as_of=datetime.date(2025, 12, 31),
        )
        with pytest.raises(ValidationError) as refused:
            wrong.full_clean()
        assert field in refused.value.message_dict


def test_the_series_of_a_locality_by_year(commune, django_assert_num_queries):
    value(commune, POVERTY, 2023, value=Decimal("18.4"))
    value(commune, POVERTY, 2025, value=Decimal("9.75"))
    value(commune, NEW_RURAL, 2025, status="Đạt chuẩn nông thôn mới")
    with django_assert_num_queries(1):
        found = outcomes_of(commune)
    assert found.years == [2023, 2025]
    rows = {
        s.indicator.name: [(y, v.shown if v else None) for y, v in s.cells] for s in found.series
    }
    assert rows == {
        POVERTY: [(2023, "18,4%"), (2025, "9,75%")],
        NEW_RURAL: [(2023, None), (2025, "Đạt chuẩn nông thôn mới")],
    }


def test_the_dashboard_shows_them_as_context(client, commune):
    value(commune, POVERTY, 2025, value=Decimal("9.75"))
    page = client.get(f"/thong-ke/{commune.slug}/").content.decode()
    assert gettext("How the locality is doing") in page
    assert "9,75%" in page and "Cục Thống kê tỉnh, Niên giám" in page
    assert (
        gettext(
            "These indicators are context, year by year, from the statistics office and the "
            "locality's own reports. They are shown beside what it received, not as its effect: "
            "many things besides twinning change them."
        )
        in page
    )
    english = client.get(f"/en/thong-ke/{commune.slug}/").content.decode()
    assert "Poverty rate" in english


def test_a_signed_in_readers_dashboard_keeps_them_until_a_value_changes(client, commune, settings):
    """With the shared cache, the dashboard computed for someone signed in reads the
    indicators, the approved years and the year's plans once, then keeps them until the data
    changes: a value entered is shown at once, in each language."""
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    value(commune, POVERTY, 2025, value=Decimal("9.75"))
    client.force_login(factories.province_reader())
    url = f"/thong-ke/{commune.slug}/"
    tables = ("activities_outcomevalue", "activities_periodapproval", "activities_plan")

    def page(prefix=""):
        with CaptureQueriesContext(connection) as queries:
            html = client.get(prefix + url).content.decode()
        read = [t for q in queries for t in tables if f'FROM "{t}"' in q["sql"]]
        return html, set(read)

    html, read = page()
    assert "9,75%" in html and read == set(tables)
    assert page() == (html, set())
    value(commune, POVERTY, 2024, value=Decimal("12.5"))
    html, read = page()
    assert "12,5%" in html and "9,75%" in html and read == set(tables)
    english, read = page("/en")
    assert "Poverty rate" in english and read == set(tables)
    assert page("/en")[1] == set()
    cache.clear()


def account(commune, group="Cán bộ nhập liệu"):
    user = User.objects.create_user("nhap-lieu", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    StaffLocality.objects.create(user=user, locality=commune)
    client = Client()
    client.force_login(user)
    return client


def test_a_clerk_enters_values_for_the_localities_in_charge_only(commune):
    clerk = account(commune)
    elsewhere = factories.locality("Xã Khác")
    indicator = OutcomeIndicator.objects.get(name=POVERTY)
    form = {
        "indicator": indicator.pk,
        "year": "2025",
        "value": "9,75",
        "status": "",
        "source": "UBND xã",
        "as_of": "31/12/2025",
        "note": "",
    }
    response = clerk.post("/admin/activities/outcomevalue/add/", {**form, "locality": elsewhere.pk})
    assert response.status_code == 200
    assert "Xã Khác" in response.context["adminform"].form.errors["locality"][0]
    response = clerk.post("/admin/activities/outcomevalue/add/", {**form, "locality": commune.pk})
    assert response.status_code == 302
    assert OutcomeValue.objects.get().value == Decimal("9.75")


def workbook(*rows):
    resource = OutcomeValueResource()
    book = Workbook()
    sheet = book.active
    sheet.append([resource.fields[name].column_name for name in resource._meta.fields])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_statistics_workbook_imports_all_or_nothing(commune):
    elsewhere = factories.locality("Xã Ngoài Phạm Vi")
    good = ["99001", POVERTY, 2025, "9,75", None, "Cục Thống kê", "31/12/2025", None]
    status = ["Xã Chỉ Số", "nong thon moi", 2025, None, "Đạt chuẩn", "UBND xã", "31/12/2025", None]
    unknown = ["99001", "Tỷ lệ biết chữ", 2025, "98", None, "UBND xã", "31/12/2025", None]
    user = User.objects.create_user("nhap-lieu-xa", is_staff=True)
    StaffLocality.objects.create(user=user, locality=commune)
    resource = OutcomeValueResource(scope=scope_of(user))
    outside = ["Xã Ngoài Phạm Vi", POVERTY, 2025, "5", None, "Cục Thống kê", "31/12/2025", None]
    result = resource.import_data(dataset(workbook(good, unknown, outside)), dry_run=False)
    errors = {r.number: str(r.error_dict) for r in result.invalid_rows}
    assert sorted(errors) == [3, 4]
    assert "Tỷ lệ biết chữ" in errors[3]
    assert not OutcomeValue.objects.exists()
    assert elsewhere.pk  # the other commune exists: refused for being out of scope
    result = resource.import_data(dataset(workbook(good, status)), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert OutcomeValue.objects.count() == 2
    again = workbook(["99001", POVERTY, 2025, "9,5", None, "Cục Thống kê", "31/12/2025", None])
    OutcomeValueResource(scope=scope_of(user)).import_data(dataset(again), dry_run=False)
    assert OutcomeValue.objects.count() == 2
    assert OutcomeValue.objects.get(indicator__name=POVERTY).value == Decimal("9.5")


def test_the_template_has_the_headers_and_no_invented_row(admin_client):
    response = admin_client.get("/admin/activities/outcomevalue/import-template/")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]][:3] == ["Địa phương", "Chỉ số", "Năm"]
    assert sheet.max_row == 1
