"""The twinning year in the open data (issue 12): review meetings, approved figures and outcome
indicators as files (/du-lieu/meetings.csv, approved-periods, outcomes; .json and .xlsx hold
the same rows) and in the API (/api/v1/meetings/, approved-periods/, outcomes/). Published
agreements' meetings only, without their minutes or the names of the people present; locked
approvals only; each page and file costs a fixed number of queries."""

import csv
import datetime
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.cache import cache
from django.utils import timezone

from activities.models import (
    FollowUp,
    Meeting,
    MeetingAttendance,
    MeetingKind,
    OutcomeIndicator,
    OutcomeValue,
    PeriodApproval,
)
from activities.periods import set_locked
from ketnghia import opendata_files, tasks
from localities.models import LocalityKind
from tests import factories

pytestmark = pytest.mark.django_db


def body(response):
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(client, dataset):
    content = body(client.get(f"/du-lieu/{dataset}.csv")).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(content)))


def as_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def json_rows(client, dataset):
    rows = json.loads(body(client.get(f"/du-lieu/{dataset}.json")))["rows"]
    return [{key: as_text(value) for key, value in row.items()} for row in rows]


def xlsx_rows(client, dataset):
    book = openpyxl.load_workbook(io.BytesIO(body(client.get(f"/du-lieu/{dataset}.xlsx"))))
    header, *rows = book.active.iter_rows(values_only=True)
    return [{k: as_text(v) for k, v in zip(header, row, strict=True)} for row in rows]


@pytest.fixture
def world():
    """Two parties who met twice under a published agreement, a draft's meeting beside them,
    a year approved for the province and one for the commune (a third unlocked), and the
    commune's indicators."""
    commune = factories.locality("Xã Ia Dơk", code="23869")
    ward = factories.locality("Phường An Nhơn Bắc")
    agreement = factories.agreement(
        commune, ward, title="Xã Ia Dơk – Phường An Nhơn Bắc", published=True
    )
    first = Meeting.objects.create(
        agreement=agreement,
        kind=MeetingKind.HALF_YEAR,
        held_on=datetime.date(2026, 6, 20),
        place="Hội trường xã Ia Dơk",
        minutes="Biên bản nội bộ: không công bố",
    )
    for locality in (ward, commune):
        MeetingAttendance.objects.create(
            meeting=first, locality=locality, people="Nguyễn Văn Riêng – Bí thư"
        )
    FollowUp.objects.create(
        meeting=first,
        decision="Xây 2 căn nhà",
        owner=ward,
        due_on=datetime.date(2026, 9, 30),
        done_on=datetime.date(2026, 9, 1),
    )
    FollowUp.objects.create(meeting=first, decision="Giao lưu", due_on=datetime.date(2026, 12, 1))
    Meeting.objects.create(
        agreement=agreement, kind=MeetingKind.YEAR, held_on=datetime.date(2025, 12, 15)
    )
    draft = factories.agreement(title="Bản nháp")
    Meeting.objects.create(
        agreement=draft, kind=MeetingKind.YEAR, held_on=datetime.date(2026, 1, 5), place="Nháp"
    )
    PeriodApproval.objects.create(year=2025)
    PeriodApproval.objects.create(year=2025, locality=commune)
    PeriodApproval.objects.create(year=2024, locality=commune, locked=False)
    poverty = OutcomeIndicator.objects.create(name="Tỷ lệ hộ nghèo (thử)", unit="%", position=90)
    rural = OutcomeIndicator.objects.create(
        name="Nông thôn mới (thử)", measure="status", position=91
    )
    for year, rate in ((2024, "14.20"), (2025, "12.50")):
        OutcomeValue.objects.create(
            locality=commune,
            indicator=poverty,
            year=year,
            value=Decimal(rate),
            source="Cục Thống kê tỉnh",
            as_of=datetime.date(year, 12, 31),
        )
    OutcomeValue.objects.create(
        locality=commune,
        indicator=rural,
        year=2025,
        status="Chưa đạt",
        source="UBND xã",
        as_of=datetime.date(2025, 12, 31),
        note="Đạt 15/19 tiêu chí",
    )
    return agreement, commune, ward


# --- files ------------------------------------------------------------------------------------


def test_meetings_of_published_agreements_without_minutes_or_names(client, world):
    agreement, _commune, _ward = world
    rows = csv_rows(client, "meetings")
    assert [(r["held_on"], r["kind"], r["parties_present"], r["decisions"]) for r in rows] == [
        ("2025-12-15", "year", "", "0"),
        ("2026-06-20", "half_year", "Phường An Nhơn Bắc; Xã Ia Dơk", "2"),
    ]
    assert rows[1]["decisions_done"] == "1"
    assert rows[1]["place"] == "Hội trường xã Ia Dơk"
    assert {r["agreement_slug"] for r in rows} == {agreement.slug}
    for fmt in ("csv", "json", "xlsx"):
        content = body(client.get(f"/du-lieu/meetings.{fmt}"))
        if fmt != "xlsx":
            text = content.decode("utf-8-sig")
            assert "Nguyễn Văn Riêng" not in text and "Biên bản" not in text
            assert "Nháp" not in text
    assert json_rows(client, "meetings") == rows
    assert xlsx_rows(client, "meetings") == rows


def test_approved_periods_are_the_locked_ones(client, world, settings):
    rows = csv_rows(client, "approved-periods")
    today = timezone.localdate().isoformat()
    assert [(r["year"], r["scope_name"], r["scope_code"]) for r in rows] == [
        ("2025", settings.PROVINCE_NAME, ""),
        ("2025", "Xã Ia Dơk", "23869"),
    ]
    assert {r["approved_on"] for r in rows} == {today}
    assert rows[1]["scope_slug"] == world[1].slug
    assert json_rows(client, "approved-periods") == rows
    assert xlsx_rows(client, "approved-periods") == rows


def test_an_unlocked_year_leaves_the_file_and_comes_back_when_locked_again(client, world, settings):
    approval = PeriodApproval.objects.get(year=2025, locality=world[1])
    set_locked(approval, False, None, "Sửa số liệu")
    assert [r["scope_name"] for r in csv_rows(client, "approved-periods")] == [
        settings.PROVINCE_NAME
    ]
    set_locked(approval, True, None, "Đã sửa")
    assert len(csv_rows(client, "approved-periods")) == 2


def test_outcomes_with_their_unit_source_and_date(client, world):
    rows = csv_rows(client, "outcomes")
    found = [(r["indicator"], r["year"], r["value"], r["status"], r["unit"]) for r in rows]
    assert found == [
        ("Tỷ lệ hộ nghèo (thử)", "2024", "14.2", "", "%"),
        ("Tỷ lệ hộ nghèo (thử)", "2025", "12.5", "", "%"),
        ("Nông thôn mới (thử)", "2025", "", "Chưa đạt", ""),
    ]
    assert rows[0]["source"] == "Cục Thống kê tỉnh"
    assert "note" not in rows[0]  # the staff's note on a value is not published
    assert {(r["locality_name"], r["locality_code"]) for r in rows} == {("Xã Ia Dơk", "23869")}
    assert json_rows(client, "outcomes") == rows
    assert xlsx_rows(client, "outcomes") == rows


def test_a_meetings_decision_removed_makes_the_files_out_of_date(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    """No public page shows a meeting, but the data does: its files are made again."""
    monkeypatch.setattr(opendata_files, "made_by_jobs", lambda: True)
    cache.delete(opendata_files.OUT_OF_DATE)
    scheduled = []
    monkeypatch.setattr(
        tasks.build_open_data, "schedule", lambda **kwargs: scheduled.append(kwargs)
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            FollowUp.objects.filter(decision="Giao lưu").get().delete()
    finally:
        cache.delete(opendata_files.OUT_OF_DATE)
    assert len(scheduled) == 1


# --- API --------------------------------------------------------------------------------------


def test_the_api_lists_meetings_with_their_decisions(client, world):
    agreement, commune, ward = world
    found = client.get("/api/v1/meetings/").json()["results"]
    assert [m["held_on"] for m in found] == ["2026-06-20", "2025-12-15"]
    meeting = found[0]
    assert meeting["agreement"]["slug"] == agreement.slug
    assert meeting["kind"] == "half_year" and meeting["place"] == "Hội trường xã Ia Dơk"
    assert [p["slug"] for p in meeting["parties_present"]] == [ward.slug, commune.slug]
    assert [
        (d["decision"], d["done_by"] and d["done_by"]["slug"], d["done_on"])
        for d in meeting["decisions"]
    ] == [("Xây 2 căn nhà", ward.slug, "2026-09-01"), ("Giao lưu", None, None)]
    assert "minutes" not in meeting and "people" not in json.dumps(found)
    assert "Nguyễn Văn Riêng" not in json.dumps(found, ensure_ascii=False)
    by_year = client.get("/api/v1/meetings/", {"year": 2025}).json()["results"]
    assert [m["held_on"] for m in by_year] == ["2025-12-15"]
    assert client.get("/api/v1/meetings/", {"year": "2025.5"}).status_code == 400
    draft = Meeting.objects.get(place="Nháp")
    assert client.get(f"/api/v1/meetings/{draft.pk}/").status_code == 404


def test_the_api_lists_the_approved_periods(client, world):
    found = client.get("/api/v1/approved-periods/").json()["results"]
    assert [(p["year"], p["scope"] and p["scope"]["name"]) for p in found] == [
        (2025, "Xã Ia Dơk"),
        (2025, None),
    ]
    assert found[0]["approved_on"] == timezone.localdate().isoformat()
    only = client.get("/api/v1/approved-periods/", {"scope": world[1].slug}).json()["results"]
    assert len(only) == 1


def test_the_api_lists_outcome_values(client, world):
    found = client.get("/api/v1/outcomes/", {"locality": world[1].slug, "year": 2025}).json()
    values = {(v["indicator"]["name"], v["value"], v["status"]) for v in found["results"]}
    assert values == {("Tỷ lệ hộ nghèo (thử)", 12.5, ""), ("Nông thôn mới (thử)", None, "Chưa đạt")}
    assert "Đạt 15/19 tiêu chí" not in json.dumps(found, ensure_ascii=False)
    assert client.get("/api/v1/outcomes/", {"locality": "khong-co"}).json()["results"] == []


@pytest.mark.parametrize("count", [1, 8])
def test_pages_and_files_cost_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, count
):
    for n in range(count):
        commune = factories.locality(f"Xã Số {n}")
        unit = factories.locality(f"Đồn Số {n}", kind=LocalityKind.MILITARY_UNIT)
        agreement = factories.agreement(commune, unit, published=True)
        meeting = Meeting.objects.create(
            agreement=agreement, kind=MeetingKind.YEAR, held_on=datetime.date(2025, 12, n + 1)
        )
        MeetingAttendance.objects.create(meeting=meeting, locality=commune, people="A")
        FollowUp.objects.create(
            meeting=meeting, decision="Họp", owner=unit, due_on=datetime.date(2026, 1, 1)
        )
        PeriodApproval.objects.create(year=2025, locality=commune)
        factories.outcome_value(commune, value=n)
    for address in ("/api/v1/meetings/", "/api/v1/approved-periods/", "/api/v1/outcomes/"):
        with django_assert_max_num_queries(3):
            assert len(client.get(address).json()["results"]) == count
    for dataset in ("meetings", "approved-periods", "outcomes"):
        with django_assert_max_num_queries(2):
            assert len(csv_rows(client, dataset)) == count
