"""/du-lieu/: the open-data page and the downloads (ketnghia/exports.py, opendata_views.py).

The demo data (the two seed articles) is loaded once for TestDemoDownloads, with a draft beside it
whose every part must stay out of every file.
"""

import csv
import datetime
import io
import json
import re
from decimal import Decimal

import openpyxl
import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from activities import demo
from activities.models import (
    Activity,
    ActivityType,
    FollowUp,
    Meeting,
    MeetingAttendance,
    MeetingKind,
    Need,
    Offer,
    OutcomeIndicator,
    OutcomeValue,
    PeriodApproval,
    Plan,
    PlanItem,
    TargetKind,
)
from activities.plans import approve
from agreements.models import Agreement, Commitment, CommitmentArea, Party
from ketnghia import exports
from localities import services
from tests import factories

pytestmark = pytest.mark.django_db

FORMATS = ["csv", "json", "xlsx"]
DATASETS = [
    "agreements",
    "parties",
    "commitments",
    "activities",
    "plan-items",
    "meetings",
    "approved-periods",
    "outcomes",
    "localities",
    "needs",
]
# The seed articles state no plan, meeting, approval, indicator or need: the demo has none.
NOT_IN_THE_DEMO = {"plan-items", "meetings", "approved-periods", "outcomes", "needs"}
BOM = b"\xef\xbb\xbf"

COLUMNS = {
    "needs": [
        "id",
        "title",
        "place_name",
        "place_code",
        "place_slug",
        "area",
        "priority",
        "status",
        "activity_type",
        "unit",
        "quantity",
        "value_vnd",
        "posted_on",
        "offers",
        "url",
    ],
    "meetings": [
        "agreement_slug",
        "agreement_title",
        "kind",
        "held_on",
        "place",
        "parties_present",
        "decisions",
        "decisions_done",
    ],
    "approved-periods": ["year", "scope_name", "scope_code", "scope_slug", "approved_on"],
    "localities": [
        "slug",
        "name",
        "kind",
        "code",
        "parent_slug",
        "ethnic_minority_area",
        "latitude",
        "longitude",
        "dissolved_on",
    ],
    "outcomes": [
        "locality_name",
        "locality_code",
        "locality_slug",
        "indicator",
        "unit",
        "year",
        "value",
        "status",
        "source",
        "as_of",
    ],
    "plan-items": [
        "agreement_slug",
        "agreement_title",
        "year",
        "area",
        "description",
        "done_by",
        "target_kind",
        "activity_type",
        "unit",
        "target_quantity",
        "target_vnd",
        "due_on",
        "done",
        "done_qualifier",
        "percent",
        "status",
        "dropped_reason",
    ],
    "agreements": [
        "slug",
        "title",
        "signed_on",
        "signed_at_place",
        "ended_on",
        "status",
        "legal_basis",
        "parties",
        "url",
    ],
    "parties": [
        "agreement_slug",
        "agreement_title",
        "locality_name",
        "locality_code",
        "locality_slug",
        "locality_kind",
        "role",
        "signatory_name",
        "signatory_title",
    ],
    "commitments": ["agreement_slug", "area", "text"],
    "activities": [
        "agreement_slug",
        "agreement_title",
        "activity_type",
        "unit",
        "status",
        "starts_on",
        "ends_on",
        "date_precision",
        "quantity",
        "quantity_qualifier",
        "value_vnd",
        "value_qualifier",
        "giver_name",
        "giver_code",
        "recipient_name",
        "recipient_code",
        "recipient_detail",
        "funder",
        "beneficiaries",
        "description",
        "source_title",
    ],
}

# Every part of the draft carries this word: it must appear in no download.
SECRET = "Bínhápmật"


def url(dataset, fmt):
    return reverse("opendata:download", kwargs={"dataset": dataset, "fmt": fmt})


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def _plain(value):
    """A cell of any format as the text CSV holds."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse(fmt, content):
    """(column names, rows as dicts of text) from a downloaded file."""
    if fmt == "csv":
        assert content.startswith(BOM)
        reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline=""))
        rows = list(reader)
        return reader.fieldnames, rows
    if fmt == "json":
        data = json.loads(content)
        rows = [{k: _plain(v) for k, v in row.items()} for row in data["rows"]]
        assert all(list(row) == data["columns"] for row in data["rows"])
        return data["columns"], rows
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    values = list(sheet.iter_rows(values_only=True))
    header = list(values[0])
    return header, [dict(zip(header, map(_plain, row), strict=True)) for row in values[1:]]


@pytest.fixture(scope="class")
def demo_data(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo once for the class, and a draft touching every dataset; rolled back at the end."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))),
        transaction.atomic(),
    ):
        demo.load_demo()
        village = factories.locality(f"Làng {SECRET}", kind="village")
        draft = factories.agreement(
            village, factories.locality(f"Xã {SECRET}"), title=f"Giao ước {SECRET}"
        )
        factories.commitment(draft, text=f"Cam kết {SECRET}")
        factories.activity(draft, value_vnd=777_000_000, description=f"Quà {SECRET}")
        yield draft
        transaction.set_rollback(True)


@pytest.fixture(scope="class")
def downloads(demo_data, django_db_blocker):
    """Every dataset in every format, downloaded once: {(dataset, format): (response, body)}."""
    client = Client()
    result = {}
    with django_db_blocker.unblock(), translation.override("vi"):
        for dataset in DATASETS:
            for fmt in FORMATS:
                response = client.get(url(dataset, fmt))
                result[dataset, fmt] = response, body(response)
    return result


def rows_of(downloads, dataset, fmt):
    return parse(fmt, downloads[dataset, fmt][1])


@pytest.mark.usefixtures("demo_data")
class TestDemoDownloads:
    """The demo's figures, in every dataset and format; no part of the draft anywhere."""

    @pytest.mark.parametrize("fmt", FORMATS)
    @pytest.mark.parametrize("dataset", DATASETS)
    def test_each_download_has_its_documented_columns_in_order(self, downloads, dataset, fmt):
        response, _content = downloads[dataset, fmt]
        assert response.status_code == 200
        columns, _rows = rows_of(downloads, dataset, fmt)
        assert columns == COLUMNS[dataset] == exports.DATASETS[dataset].column_names

    @pytest.mark.parametrize("dataset", DATASETS)
    def test_the_three_formats_hold_the_same_rows(self, downloads, dataset):
        _, csv_rows = rows_of(downloads, dataset, "csv")
        # What the demo does not hold, its files say by their rows (test_cycle_opendata fills them).
        assert bool(csv_rows) == (dataset not in NOT_IN_THE_DEMO)
        assert rows_of(downloads, dataset, "json")[1] == csv_rows
        assert rows_of(downloads, dataset, "xlsx")[1] == csv_rows

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_agreements_are_the_published_ones_with_names(self, downloads, demo_data, fmt):
        _, rows = rows_of(downloads, "agreements", fmt)
        published = Agreement.objects.published().order_by("signed_on", "id")
        assert [row["slug"] for row in rows] == [a.slug for a in published]
        lang_ghe = next(row for row in rows if "Làng Ghè" in row["parties"])
        agreement = Agreement.objects.get(slug=lang_ghe["slug"])
        assert lang_ghe["title"] == agreement.title == "Phường An Nhơn Bắc – Làng Ghè"
        assert lang_ghe["signed_on"] == "2025-12-27"
        assert lang_ghe["ended_on"] == ""
        assert lang_ghe["status"] == "in_force"
        assert lang_ghe["legal_basis"] == "03-CT/TU; 43/KH-UBND"
        assert lang_ghe["parties"] == "Phường An Nhơn Bắc; Làng Ghè; Xã Ia Dơk"
        assert lang_ghe["url"] == f"http://testserver/giao-uoc/{agreement.slug}/"
        division = next(row for row in rows if row["signed_on"] == "2003-07-26")
        assert division["parties"] == "Sư đoàn 320; Thành phố Pleiku"
        assert division["legal_basis"] == ""

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_parties_name_the_locality_its_code_kind_and_role(self, downloads, fmt):
        _, rows = rows_of(downloads, "parties", fmt)
        assert len(rows) == Party.objects.filter(agreement__status="published").count() == 7
        village = next(row for row in rows if row["locality_name"] == "Làng Ghè")
        assert village["agreement_title"] == "Phường An Nhơn Bắc – Làng Ghè"
        assert village["locality_kind"] == "village"
        assert village["locality_code"] == ""
        assert village["locality_slug"] == "lang-ghe-xa-ia-dok"
        assert village["role"] == "party"
        coordinator = next(row for row in rows if row["role"] == "coordinator")
        assert coordinator["locality_name"] == "Xã Ia Dơk"
        assert coordinator["locality_code"] == "23869"
        assert coordinator["locality_kind"] == "commune"

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_localities_carry_their_points(self, downloads, fmt):
        """The register's units with their centroids, the published agreements' villages and
        units without (the articles give none); nothing named only by a draft."""
        _, rows = rows_of(downloads, "localities", fmt)
        by_slug = {row["slug"]: row for row in rows}
        ia_dok = by_slug["xa-ia-dok"]
        assert (ia_dok["kind"], ia_dok["code"], ia_dok["parent_slug"]) == (
            "commune",
            "23869",
            "tinh-gia-lai",
        )
        latitude, longitude = services.load_points()["23869"]
        assert (Decimal(ia_dok["latitude"]), Decimal(ia_dok["longitude"])) == (latitude, longitude)
        assert by_slug["lang-ghe-xa-ia-dok"]["latitude"] == ""
        assert by_slug["lang-ghe-xa-ia-dok"]["parent_slug"] == "xa-ia-dok"
        assert by_slug["su-doan-320"]["kind"] == "military_unit"
        assert by_slug["thanh-pho-pleiku"]["dissolved_on"] == "2025-07-01"
        assert ia_dok["ethnic_minority_area"] in ("true", "false")
        # The register's 137 rows (Gia Lai, its 135 units, the former Thành phố Pleiku) and the
        # published agreements' two units without a code: Làng Ghè and Sư đoàn 320.
        assert len(rows) == 137 + 2
        assert not any(SECRET in row["name"] for row in rows)

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_commitments_are_the_published_agreements_words(self, downloads, fmt):
        _, rows = rows_of(downloads, "commitments", fmt)
        expected = {
            (c.agreement.slug, c.area.name, c.text)
            for c in Commitment.objects.filter(agreement__status="published").select_related(
                "agreement", "area"
            )
        }
        assert len(rows) == len(expected) == 14
        assert {(row["agreement_slug"], row["area"], row["text"]) for row in rows} == expected

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_activities_carry_their_figures_with_qualifiers(self, downloads, fmt):
        _, rows = rows_of(downloads, "activities", fmt)
        assert len(rows) == Activity.objects.published().count() == 13
        houses = next(row for row in rows if row["value_vnd"] == "500000000")
        assert houses["value_qualifier"] == "over"
        assert houses["quantity"] == "8"
        assert houses["quantity_qualifier"] == "exact"
        assert houses["unit"] == "căn"
        assert houses["status"] == "delivered"
        assert (houses["starts_on"], houses["ends_on"]) == ("2003-07-26", "2023-07-01")
        assert houses["date_precision"] == "month"
        assert houses["agreement_title"] == "Sư đoàn 320 – Thành phố Pleiku"
        assert houses["giver_name"] == ""
        assert houses["source_title"].startswith("Sư đoàn 320 và TP. Pleiku tổng kết 20 năm")
        cash = next(row for row in rows if row["value_vnd"] == "50000000")
        assert (cash["giver_name"], cash["giver_code"]) == ("Phường An Nhơn Bắc", "21925")
        assert (cash["recipient_name"], cash["recipient_code"]) == ("Làng Ghè", "")
        assert cash["activity_type"] == ActivityType.objects.get(slug="tien-mat").name
        assert cash["recipient_detail"] == "Bà con làng Ghè"
        labour = next(row for row in rows if row["quantity"] == "15000")
        assert labour["quantity_qualifier"] == "nearly"
        assert labour["value_vnd"] == ""
        gifts = next(row for row in rows if row["quantity"] == "40")
        assert gifts["beneficiaries"] == "40"
        for row in rows:
            activity = Activity.objects.get(
                agreement__slug=row["agreement_slug"], description=row["description"]
            )
            assert row["value_vnd"] == (
                "" if activity.value_vnd is None else str(activity.value_vnd)
            )

    def test_no_part_of_a_draft_is_in_any_download(self, downloads, demo_data):
        for (dataset, fmt), (response, content) in downloads.items():
            assert response.status_code == 200
            if fmt == "xlsx":
                _, rows = parse(fmt, content)
                content = json.dumps(rows, ensure_ascii=False).encode()
            text = content.decode("utf-8")
            assert SECRET not in text, (dataset, fmt)
            assert demo_data.slug not in text, (dataset, fmt)
            assert "777000000" not in text, (dataset, fmt)

    def test_csv_opens_in_excel_and_with_dictreader(self, downloads):
        response, content = downloads["activities", "csv"]
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert content.startswith(BOM + b"agreement_slug,agreement_title,")
        assert "Phường An Nhơn Bắc".encode() in content
        assert b"\r\n" in content

    def test_json_carries_the_licence_and_typed_values(self, downloads):
        response, content = downloads["activities", "json"]
        assert response["Content-Type"] == "application/json; charset=utf-8"
        data = json.loads(content)
        assert list(data)[:3] == ["licence", "generated_at", "dataset"]
        assert data["licence"]["name"] == "CC BY 4.0"
        assert data["licence"]["url"] == exports.LICENCE_URL
        assert "Gia Lai" in data["licence"]["publisher"]
        assert datetime.datetime.fromisoformat(data["generated_at"]).tzinfo is not None
        houses = next(row for row in data["rows"] if row["value_vnd"] == 500_000_000)
        assert houses["quantity"] == 8
        assert houses["beneficiaries"] is None
        assert houses["starts_on"] == "2003-07-26"

    def test_xlsx_has_one_sheet_a_bold_header_numbers_and_dates(self, downloads):
        response, content = downloads["activities", "xlsx"]
        assert response["Content-Type"] == exports.FORMATS["xlsx"]
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        assert workbook.sheetnames == ["activities"]
        sheet = workbook.active
        assert all(cell.font.b for cell in sheet[1])
        header = [cell.value for cell in sheet[1]]
        rows = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(2, values_only=True)]
        houses = next(row for row in rows if row["value_vnd"] == 500_000_000)
        assert isinstance(houses["value_vnd"], int)
        assert houses["quantity"] == 8 and isinstance(houses["quantity"], int | float)
        assert houses["starts_on"].date() == datetime.date(2003, 7, 26)
        column = header.index("starts_on") + 1
        assert sheet.cell(2, column).is_date

    @pytest.mark.parametrize("fmt", FORMATS)
    def test_downloads_are_attachments_named_by_date_and_cached_five_minutes(self, downloads, fmt):
        response, _ = downloads["agreements", fmt]
        assert re.fullmatch(
            rf'attachment; filename="ket-nghia-giao-uoc-\d{{4}}-\d{{2}}-\d{{2}}\.{fmt}"',
            response["Content-Disposition"],
        )
        assert "public" in response["Cache-Control"]
        assert "max-age=300" in response["Cache-Control"]


def test_file_names():
    day = datetime.date(2026, 11, 21)
    assert exports.file_name(exports.AGREEMENTS, "csv", day) == "ket-nghia-giao-uoc-2026-11-21.csv"
    assert exports.file_name(exports.ACTIVITIES, "xlsx", day) == (
        "ket-nghia-hoat-dong-2026-11-21.xlsx"
    )


@pytest.mark.parametrize(
    "path",
    [
        "/du-lieu/villages.csv",
        "/du-lieu/agreements.pdf",
        "/du-lieu/agreements.csv.gz",
        "/du-lieu/agreements.",
        "/du-lieu/agreements",
        "/du-lieu/AGREEMENTS.CSV",
        "/en/du-lieu/drafts.json",
    ],
)
def test_unknown_dataset_or_format_is_404(client, path):
    assert client.get(path).status_code == 404


def test_english_addresses_download_too(client):
    factories.agreement(published=True)
    response = client.get("/en/du-lieu/agreements.csv")
    assert response.status_code == 200
    assert body(response).startswith(BOM + b"slug,title,")


def test_post_is_refused(client):
    assert client.post(url("agreements", "csv")).status_code == 405


# Formula injection --------------------------------------------------------------------------

FORMULAS = ["=1+2", "+84 123", "-5", "@SUM(A1:A2)", '=HYPERLINK("http://example.com","x")']


@pytest.fixture
def formulas():
    commune = factories.locality("=Xã Công Thức")
    agreement = factories.agreement(
        commune, factories.locality(), title="=cmd|' /C calc'!A0", published=True
    )
    factories.commitment(agreement, text=FORMULAS[4])
    factories.activity(
        agreement,
        giver=commune,
        description=FORMULAS[0],
        funder=factories.funder(FORMULAS[1]),
        recipient_detail=FORMULAS[2],
    )
    factories.activity(agreement, description=FORMULAS[3])
    plan = Plan.objects.create(agreement=agreement, year=2025)
    PlanItem.objects.create(
        plan=plan,
        area=CommitmentArea.objects.order_by("position").first(),
        description=FORMULAS[0],
        target_kind=TargetKind.MILESTONE,
        dropped=True,
        dropped_reason=FORMULAS[2],
    )
    approve(plan, None)
    Meeting.objects.create(
        agreement=agreement, kind=MeetingKind.YEAR, held_on=datetime.date(2025, 12, 1), place="=A1"
    )
    PeriodApproval.objects.create(year=2025, locality=commune)
    OutcomeValue.objects.create(
        locality=commune,
        indicator=OutcomeIndicator.objects.first(),
        year=2025,
        value=10,
        source=FORMULAS[1],
        as_of=datetime.date(2025, 12, 31),
    )
    Need.objects.create(
        locality=commune, area=CommitmentArea.objects.order_by("position").first(), title="=A1"
    )
    return agreement


def test_formulas_are_neutralised_in_csv_and_xlsx(client, formulas):
    for dataset in DATASETS:
        for fmt in ("csv", "xlsx"):
            content = body(client.get(url(dataset, fmt)))
            _, rows = parse(fmt, content)
            cells = [value for row in rows for value in row.values()]
            assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")], (dataset, fmt)
            assert any(c.startswith("'") for c in cells), (dataset, fmt)
    _, rows = parse("csv", body(client.get(url("activities", "csv"))))
    by_description = {row["description"]: row for row in rows}
    first = by_description["'=1+2"]
    assert (first["funder"], first["recipient_detail"]) == ("'+84 123", "'-5")
    assert first["giver_name"] == "'=Xã Công Thức"
    assert "'@SUM(A1:A2)" in by_description
    # In XLSX they are text cells, never formulas.
    sheet = openpyxl.load_workbook(io.BytesIO(body(client.get(url("commitments", "xlsx"))))).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_json_keeps_the_words_as_written(client, formulas):
    data = json.loads(body(client.get(url("activities", "json"))))
    assert {row["description"] for row in data["rows"]} == {FORMULAS[0], FORMULAS[3]}


def test_neutralise():
    assert exports.neutralise("=1") == "'=1"
    assert exports.neutralise("\t=1") == "'\t=1"
    assert exports.neutralise("Xã Ia Dơk") == "Xã Ia Dơk"
    assert exports.neutralise("") == ""
    assert exports.neutralise(-5) == -5
    assert exports.neutralise(None) is None


def test_xlsx_drops_control_characters_a_spreadsheet_refuses(client):
    agreement = factories.agreement(published=True)
    factories.commitment(agreement, text="Dòng một\x0bdòng hai\x1f")
    sheet = openpyxl.load_workbook(io.BytesIO(body(client.get(url("commitments", "xlsx"))))).active
    assert sheet.cell(2, 3).value == "Dòng mộtdòng hai"


# Queries ------------------------------------------------------------------------------------

QUERIES = {
    "agreements": 3,
    "parties": 1,
    "commitments": 1,
    "activities": 1,
    "plan-items": 1,
    "meetings": 2,
    "approved-periods": 1,
    "outcomes": 1,
    "localities": 1,
    "needs": 1,
}


def _world(count):
    for n in range(count):
        agreement = factories.agreement(published=True)
        agreement.legal_basis.create(
            number=f"{n}/KH",
            kind="plan",
            title="Kế hoạch",
            issuer="UBND",
            slug=f"kh-{n}",
            issued_on=datetime.date(2025, 1, 1),
        )
        factories.commitment(agreement)
        factories.activity(agreement, giver=agreement.parties.first().locality)
        factories.approved_plan(agreement, 2025)
        party = agreement.parties.first().locality
        meeting = Meeting.objects.create(
            agreement=agreement, kind=MeetingKind.YEAR, held_on=datetime.date(2025, 12, 1)
        )
        MeetingAttendance.objects.create(meeting=meeting, locality=party, people="A – Bí thư")
        FollowUp.objects.create(meeting=meeting, decision="Họp", due_on=datetime.date(2026, 1, 1))
        PeriodApproval.objects.create(year=2025, locality=party)
        factories.outcome_value(party)
        need = Need.objects.create(
            locality=party, area=CommitmentArea.objects.first(), title="Giếng"
        )
        Offer.objects.create(need=need, party=agreement.parties.last().locality, description="Có")
    draft = factories.agreement()  # a draft, whose meetings stay out
    Meeting.objects.create(
        agreement=draft, kind=MeetingKind.YEAR, held_on=datetime.date(2025, 1, 1)
    )


@pytest.mark.parametrize("count", [1, 20])
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dataset", DATASETS)
def test_downloads_run_a_fixed_number_of_queries(
    client, django_assert_num_queries, dataset, fmt, count
):
    _world(count)
    with django_assert_num_queries(QUERIES[dataset]):
        response = client.get(url(dataset, fmt))
        content = body(response)
    _, rows = parse(fmt, content)
    if dataset == "localities":  # the published agreements' parties, two each
        assert len(rows) == count * 2
        return
    assert len(rows) == count * (2 if dataset == "parties" else 1)


def test_agreements_join_their_parties_and_documents_in_order(client):
    """The three streams are joined in one pass: each agreement gets its own, none is shifted."""
    first = factories.agreement(
        factories.locality("Xã Một"),
        factories.locality("Xã Hai"),
        published=True,
        signed_on=datetime.date(2020, 1, 1),
    )
    second = factories.agreement(
        factories.locality("Xã Ba"),
        factories.locality("Xã Bốn"),
        published=True,
        signed_on=datetime.date(2021, 1, 1),
    )
    third = factories.agreement(
        factories.locality("Xã Năm"),
        factories.locality("Xã Sáu"),
        published=True,
        signed_on=datetime.date(2021, 1, 1),
    )
    third.legal_basis.create(
        number="9/KH",
        kind="plan",
        title="Kế hoạch",
        issuer="UBND",
        slug="kh-9",
        issued_on=datetime.date(2020, 1, 1),
    )
    _, rows = parse("csv", body(client.get(url("agreements", "csv"))))
    assert [(r["slug"], r["parties"], r["legal_basis"]) for r in rows] == [
        (first.slug, "Xã Một; Xã Hai", ""),
        (second.slug, "Xã Ba; Xã Bốn", ""),
        (third.slug, "Xã Năm; Xã Sáu", "9/KH"),
    ]


def test_an_ended_agreement_says_so(client):
    agreement = factories.agreement(
        published=True, signed_on=datetime.date(2020, 1, 1), ended_on=datetime.date(2024, 1, 1)
    )
    _, [row] = parse("csv", body(client.get(url("agreements", "csv"))))
    assert (row["slug"], row["ended_on"], row["status"]) == (agreement.slug, "2024-01-01", "ended")


# The page -----------------------------------------------------------------------------------


def test_the_page_documents_every_column_and_links_every_download(client):
    response = client.get("/du-lieu/")
    assert response.status_code == 200
    content = response.content.decode().replace("<wbr>", "")
    for dataset, columns in COLUMNS.items():
        section = content.split(f'id="dataset-{dataset}"')[1].split("</section>")[0]
        positions = [section.index(f"<code>{name}</code>") for name in columns]
        assert positions == sorted(positions), dataset
        for fmt in FORMATS:
            assert f'href="{url(dataset, fmt)}"' in content
    for value in ("in_force", "ended", "village", "coordinator", "pledged", "over", "nearly"):
        assert f"<code>{value}</code>" in content


def test_the_page_states_the_licence_and_links_the_api(client):
    content = client.get("/du-lieu/").content.decode()
    assert f'href="{exports.LICENCE_URL}" rel="license"' in content
    assert exports.LICENCE_TITLE in content
    assert "http://testserver/api/v1/" in content
    assert 'href="http://testserver/api/schema/?format=json"' in content
    assert 'href="http://testserver/api/schema/?format=yaml"' in content
    assert gettext("Licence") in content


def test_the_page_in_english(client):
    content = client.get("/en/du-lieu/").content.decode()
    assert '<html lang="en">' in content
    assert 'href="/en/du-lieu/agreements.csv"' in content
    with translation.override("en"):
        assert str(exports.AGREEMENTS.columns[2].meaning) in content


@pytest.mark.parametrize("count", [1, 20])
def test_the_page_runs_no_query(client, django_assert_num_queries, count):
    _world(count)
    with django_assert_num_queries(0):
        assert client.get("/du-lieu/").status_code == 200


def test_the_approved_plans_items_with_what_was_done(client):
    """Approved plans of published agreements only, each item with its progress from the
    reports package."""
    agreement = factories.agreement(published=True)
    area = CommitmentArea.objects.order_by("position").first()
    for year, approved in ((2025, True), (2026, False)):
        plan = Plan.objects.create(agreement=agreement, year=year)
        cash = PlanItem.objects.create(
            plan=plan,
            area=area,
            description=f"Hỗ trợ Tết {year}",
            target_kind=TargetKind.MONEY,
            target_vnd=40_000_000,
        )
        factories.activity(
            agreement,
            value_vnd=30_000_000,
            plan_item=cash,
            starts_on=datetime.date(year, 1, 20),
        )
        if approved:
            approve(plan, None)
    content = body(client.get("/du-lieu/plan-items.csv")).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    found = [(r["year"], r["description"], r["target_vnd"], r["done"], r["percent"]) for r in rows]
    assert found == [("2025", "Hỗ trợ Tết 2025", "40000000", "30000000", "75")]
    assert rows[0]["status"] == "late" and rows[0]["agreement_slug"] == agreement.slug
