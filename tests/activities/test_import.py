"""Activities in and out of Excel: the template, the admin's preview and confirm, row errors,
NFD text and Excel dates, re-imports and the export round trip."""

import datetime
import io
import unicodedata
from decimal import Decimal

import pytest
import tablib
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from activities.import_template import build_template
from activities.models import Activity, ActivityStatus, Funder, Qualifier
from activities.resources import ActivityResource, AgreementWidget, NumberWidget, VNDWidget
from agreements.models import Agreement, DatePrecision
from localities.models import Locality
from localities.spreadsheets import LocalityWidget
from tests import factories

IMPORT_URL = reverse("admin:activities_activity_import")
PROCESS_URL = reverse("admin:activities_activity_process_import")
EXPORT_URL = reverse("admin:activities_activity_export")
TEMPLATE_URL = reverse("admin:activities_activity_import_template")
IA_DOK = "xa-ia-dok-phuong-an-nhon-bac-2025"


def headers():
    resource = ActivityResource()
    return [resource.fields[name].column_name for name in resource._meta.fields]


def xlsx(*rows):
    """A workbook with the import's headers; each row a dict by field name."""
    workbook = Workbook()
    sheet = workbook.active
    names = list(ActivityResource._meta.fields)
    sheet.append(headers())
    for row in rows:
        sheet.append([row.get(name) for name in names])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def dataset(content):
    return tablib.Dataset().load(content, format="xlsx")


def row(**fields):
    values = {
        "agreement": IA_DOK,
        "activity_type": "Quần áo",
        "giver": "21925",  # Phường An Nhơn Bắc
        "recipient": "Xã Ia Dơk",
        "starts_on": "15/1/2026",
        "quantity": "200",
        "description": "Tặng 200 bộ quần áo ấm.",
    }
    values.update(fields)
    return values


def snapshot():
    return sorted(
        Activity.objects.values_list(
            "pk",
            "agreement_id",
            "activity_type_id",
            "status",
            "giver_id",
            "recipient_id",
            "recipient_detail",
            "funder",
            "starts_on",
            "ends_on",
            "date_precision",
            "quantity",
            "quantity_qualifier",
            "value_vnd",
            "value_qualifier",
            "beneficiaries",
            "description",
            "event_id",
            "source_id",
        )
    )


def admin_import(client, content, name="hoat-dong.xlsx", confirm=True):
    """Upload to the preview, then confirm; returns (preview response, confirm response)."""
    upload = io.BytesIO(content)
    upload.name = name
    preview = client.post(
        IMPORT_URL, {"resource": "0", "format": xlsx_format_index(client), "import_file": upload}
    )
    form = preview.context.get("confirm_form") if preview.context else None
    if form is None or not confirm:
        return preview, None
    confirm = client.post(PROCESS_URL, {**form.initial, "resource": "0"})
    return preview, confirm


def xlsx_format_index(client):
    form = client.get(IMPORT_URL).context["form"]
    choices = dict(form.fields["format"].choices)
    return next(key for key, label in choices.items() if str(label).lower() == "xlsx")


@pytest.mark.usefixtures("demo")
@pytest.mark.django_db
class TestActivityImport:
    def test_admin_preview_then_confirm_imports_the_rows(self, admin_client):
        content = xlsx(
            row(),
            row(
                activity_type="hỗ trợ tiền",
                quantity=None,
                value_vnd="30.000.000 đ",
                value_qualifier="Hơn",
                status="cam ket",
                description="Cam kết hỗ trợ tiền.",
            ),
        )
        before = Activity.objects.count()
        preview, _confirm = admin_import(admin_client, content, confirm=False)
        assert preview.status_code == 200
        assert preview.context["confirm_form"] is not None
        page = preview.content.decode()
        assert "Tặng 200 bộ quần áo ấm." in page
        assert Activity.objects.count() == before  # nothing written by the preview
        preview, confirm = admin_import(admin_client, content)
        assert confirm.status_code == 302
        assert Activity.objects.count() == before + 2
        clothes = Activity.objects.get(description="Tặng 200 bộ quần áo ấm.")
        assert clothes.giver.code == "21925"
        assert clothes.recipient.code == "23869"
        assert clothes.starts_on == datetime.date(2026, 1, 15)
        assert clothes.quantity == 200
        money = Activity.objects.get(description="Cam kết hỗ trợ tiền.")
        assert (money.value_vnd, money.value_qualifier) == (30_000_000, Qualifier.OVER)
        assert money.status == ActivityStatus.PLEDGED

    def test_one_bad_row_imports_nothing_and_names_row_and_column(self, admin_client):
        content = xlsx(row(), row(description="Dòng hỏng", value_vnd="ba mươi triệu"))
        before = snapshot()
        preview, confirm = admin_import(admin_client, content)
        assert confirm is None
        result = preview.context["result"]
        [invalid] = result.invalid_rows
        assert invalid.number == 3  # the spreadsheet's row: headers are row 1
        column = _("Value (VND)")
        assert list(invalid.field_specific_errors) == [column]
        [message] = invalid.field_specific_errors[column]
        assert "ba mươi triệu" in message
        page = preview.content.decode()
        assert column in page and "ba mươi triệu" in page
        assert snapshot() == before

    def test_the_preview_reads_names_not_codes_and_leaves_empty_columns_out(self, admin_client):
        preview, _confirm = admin_import(admin_client, xlsx(row()), confirm=False)
        table = preview.context["preview"]
        assert not table.invalid
        [shown] = table.rows
        cells = dict(zip(table.headers, (strip_tags(c.html) for c in shown.cells), strict=True))
        assert cells[_("Giver")] == "Phường An Nhơn Bắc (21925)"
        assert cells[_("Recipient")] == "Xã Ia Dơk (23869)"
        assert cells[_("Agreement")] == f"Xã Ia Dơk – Phường An Nhơn Bắc ({IA_DOK})"
        assert _("Value (VND)") not in table.headers  # no row has a value: the column is left out
        assert _("Beneficiaries") not in table.headers
        page = preview.content.decode()
        assert "None" not in page
        assert "1 dòng sẽ được nhập" in page

    @pytest.mark.parametrize("typed", ["-5", "\N{MINUS SIGN}5", "\N{EN DASH} 5"])
    def test_a_negative_figure_is_told_as_such_however_the_minus_is_typed(self, typed):
        with pytest.raises(ValueError, match="nhỏ hơn 0"):
            NumberWidget().clean(typed)
        with pytest.raises(ValueError, match="nhỏ hơn 0"):
            VNDWidget().clean(typed + ".000.000")
        assert NumberWidget().clean("-0") == 0 and str(NumberWidget().clean("-0")) == "0"

    def test_a_labelled_unit_reads_back_only_when_its_name_and_code_agree(self):
        widget = LocalityWidget()
        ia_dok = Locality.objects.get(code="23869")
        assert widget.clean("Xã Ia Dơk (23869)") == ia_dok
        assert widget.clean(widget.render(ia_dok)) == ia_dok
        lang_ghe = Locality.objects.get(name="Làng Ghè")
        assert widget.clean(widget.render(lang_ghe)) == lang_ghe
        # The commune's label copied onto its village: told, never read as the commune.
        with pytest.raises(ValueError, match="mã 23869 là của Xã Ia Dơk"):
            widget.clean("Làng Ghè, Xã Ia Dơk (23869)")
        agreement = Agreement.objects.get(slug=IA_DOK)
        assert AgreementWidget().clean(AgreementWidget().render(agreement)) == agreement
        with pytest.raises(ValueError, match=IA_DOK):
            AgreementWidget().clean(f"Phường An Nhơn Bắc – Làng Ghè ({IA_DOK})")

    def test_a_blank_row_left_by_a_cleared_example_is_not_in_the_preview(self, admin_client):
        workbook = load_workbook(io.BytesIO(xlsx(row(), row(description="Dòng thứ hai"))))
        sheet = workbook.active
        sheet.insert_rows(3)  # between the two rows: a row whose only trace is a date format
        sheet.cell(
            row=3, column=headers().index(_("Date or start")) + 1
        ).number_format = "DD/MM/YYYY"
        buffer = io.BytesIO()
        workbook.save(buffer)
        preview, _confirm = admin_import(admin_client, buffer.getvalue(), confirm=False)
        assert preview.status_code == 200
        table = preview.context["preview"]
        assert [shown.number for shown in table.rows] == [2, 4]  # as the spreadsheet numbers them
        assert table.valid_count == 2
        assert "2 dòng sẽ được nhập" in preview.content.decode()

    def test_a_wrong_cell_is_marked_with_its_message(self, admin_client):
        content = xlsx(row(), row(description="Dòng hỏng", quantity="-5"))
        preview, confirm = admin_import(admin_client, content)
        assert confirm is None
        table = preview.context["preview"]
        assert table.invalid and table.valid_count == 1
        [wrong] = table.rows
        assert wrong.number == 3
        cells = dict(zip(table.headers, wrong.cells, strict=True))
        quantity = cells[_("Quantity")]
        assert quantity.html == "-5"
        assert "“-5” nhỏ hơn 0: hãy ghi số không có dấu trừ, ví dụ 5." in quantity.errors
        assert not cells[_("Description")].errors
        page = preview.content.decode()
        assert '<td class="has-error">-5<p class="cell-error">' in page
        assert "1 dòng bị sai: chưa có gì được nhập" in page

    def test_bad_row_through_the_resource_rolls_back_the_good_ones(self):
        before = snapshot()
        content = xlsx(row(), row(description="Khác", starts_on="31/2/2026"))
        result = ActivityResource().import_data(dataset(content), dry_run=False)
        assert result.has_validation_errors()
        [invalid] = result.invalid_rows
        assert invalid.number == 3
        assert list(invalid.field_specific_errors) == [_("Date or start")]
        assert snapshot() == before

    def test_constraint_messages_are_row_errors(self):
        before = snapshot()
        content = xlsx(row(quantity=None), row(description="x", recipient="21925"))
        result = ActivityResource().import_data(dataset(content), dry_run=False)
        errors = {r.number: r.error_dict for r in result.invalid_rows}
        assert _("Enter a quantity, a value in VND, or both.") in str(errors[2])
        assert _("The giver and the recipient must differ.") in str(errors[3])
        assert snapshot() == before

    def test_nfd_names_and_excel_date_cells(self):
        nfd = unicodedata.normalize("NFD", "Xã Ia Dơk")
        assert nfd != "Xã Ia Dơk"
        content = xlsx(
            row(
                recipient=nfd,
                agreement=unicodedata.normalize("NFD", "XÃ IA DƠK – PHƯỜNG AN NHƠN BẮC"),
                activity_type=unicodedata.normalize("NFD", "Quần áo"),
                starts_on=datetime.datetime(2003, 7, 26),  # noqa: DTZ001 (an Excel cell)
                quantity=7.5,
            )
        )
        result = ActivityResource().import_data(dataset(content), dry_run=False)
        assert not result.has_errors() and not result.has_validation_errors()
        imported = Activity.objects.get(description="Tặng 200 bộ quần áo ấm.")
        assert imported.recipient.code == "23869"
        assert imported.agreement.slug == IA_DOK
        assert imported.starts_on == datetime.date(2003, 7, 26)
        assert imported.quantity == Decimal("7.5")

    def test_unknown_and_ambiguous_localities_are_told(self):
        factories.locality("Thôn Một", slug="thon-mot-a")
        factories.locality("Thôn Một", slug="thon-mot-b")
        content = xlsx(row(recipient="Thôn Một"), row(description="y", recipient="Xã Không Có"))
        result = ActivityResource().import_data(dataset(content), dry_run=True)
        errors = {r.number: str(r.error_dict) for r in result.invalid_rows}
        assert "Thôn Một" in errors[2] and _("Recipient") in errors[2]
        assert "Xã Không Có" in errors[3]

    def test_a_funder_is_found_by_its_name_diacritics_and_case_aside(self):
        thanh_cong = factories.funder("Công ty TNHH Xây dựng Thành Công")
        content = xlsx(
            row(funder="CONG TY TNHH XAY DUNG  THANH CONG"),
            row(description="Không ai tài trợ", funder="  "),
        )
        result = ActivityResource().import_data(dataset(content), dry_run=False)
        assert not result.has_errors() and not result.has_validation_errors()
        assert Activity.objects.get(description="Tặng 200 bộ quần áo ấm.").funder == thanh_cong
        assert Activity.objects.get(description="Không ai tài trợ").funder is None
        # and written back by its name
        [exported] = [
            r
            for r in ActivityResource().export().dict
            if r[_("Description")] == "Tặng 200 bộ quần áo ấm."
        ]
        assert exported[_("Funded by")] == "Công ty TNHH Xây dựng Thành Công"

    def test_an_unknown_funder_is_the_rows_error_and_nothing_is_imported(self):
        factories.funder("Công ty TNHH Xây dựng Thành Công")
        before, funders = snapshot(), Funder.objects.count()
        content = xlsx(row(), row(description="x", funder="Công ty Không Có"))
        result = ActivityResource().import_data(dataset(content), dry_run=False)
        [invalid] = result.invalid_rows
        assert invalid.number == 3
        assert invalid.field_specific_errors == {
            _("Funded by"): [
                _(
                    "No funder is called “%(value)s”. Add it to the funders first, or leave "
                    "the cell empty."
                )
                % {"value": "Công ty Không Có"}
            ]
        }
        assert snapshot() == before
        assert Funder.objects.count() == funders

    def test_giver_and_recipient_belong_to_the_agreement(self):
        content = xlsx(row(recipient="622"))  # Thành phố Pleiku: not a party of Ia Dơk's
        result = ActivityResource().import_data(dataset(content), dry_run=True)
        [invalid] = result.invalid_rows
        assert list(invalid.field_specific_errors) == [_("Recipient")]
        assert "Thành phố Pleiku" in invalid.field_specific_errors[_("Recipient")][0]

    def test_agreements_outside_the_given_ones_are_unknown(self):
        others = Agreement.objects.exclude(slug=IA_DOK)
        before = snapshot()
        result = ActivityResource(agreements=others).import_data(
            dataset(xlsx(row())), dry_run=False
        )
        [invalid] = result.invalid_rows
        assert list(invalid.field_specific_errors) == [_("Agreement")]
        assert snapshot() == before

    def test_a_village_of_a_party_may_receive(self):
        content = xlsx(row(recipient="Làng Ghè, Xã Ia Dơk"))
        result = ActivityResource().import_data(dataset(content), dry_run=False)
        assert not result.has_validation_errors()
        assert Activity.objects.get(description="Tặng 200 bộ quần áo ấm.").recipient.name == (
            "Làng Ghè"
        )

    def test_the_same_file_twice_makes_no_duplicates(self, admin_client):
        content = xlsx(row(), row(description="Thứ hai", quantity="1.700"))
        admin_import(admin_client, content)
        after_first = snapshot()
        _preview, confirm = admin_import(admin_client, content)
        assert confirm.status_code == 302
        assert snapshot() == after_first
        assert Activity.objects.filter(description="Thứ hai").get().quantity == 1700

    def test_a_changed_figure_updates_the_row(self):
        ActivityResource().import_data(dataset(xlsx(row())), dry_run=False)
        before = Activity.objects.count()
        ActivityResource().import_data(dataset(xlsx(row(quantity="250"))), dry_run=False)
        assert Activity.objects.count() == before
        assert Activity.objects.get(description="Tặng 200 bộ quần áo ấm.").quantity == 250

    def test_export_then_import_changes_nothing(self, admin_client):
        Activity.objects.filter(description__startswith="Phường An Nhơn Bắc trao").update(
            funder=factories.funder('=HYPERLINK("http://evil")')
        )
        response = admin_client.post(
            EXPORT_URL,
            {"format": xlsx_format_index(admin_client), "resource": "0"}
            | {f"activityresource_{name}": "on" for name in ActivityResource._meta.fields},
        )
        assert response.status_code == 200
        content = response.content
        sheet = load_workbook(io.BytesIO(content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == headers()
        cells = [cell for r in rows[1:] for cell in r]
        assert '\'=HYPERLINK("http://evil")' in cells
        assert not any(isinstance(c, str) and c.startswith(("=", "+", "@")) for c in cells)
        assert "26/7/2003" in cells  # Vietnamese-style dates
        assert 500_000_000 in cells  # plain numbers
        assert len(rows) - 1 == Activity.objects.count()

        before = snapshot()
        result = ActivityResource().import_data(dataset(content), dry_run=False)
        assert not result.has_errors() and not result.has_validation_errors()
        assert snapshot() == before
        assert result.totals["new"] == 0 and result.totals["update"] == 0

    def test_the_template_has_vietnamese_headers_and_imports_as_it_is(self, admin_client):
        response = admin_client.get(TEMPLATE_URL)
        assert response.status_code == 200
        assert response["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        assert list(rows[0]) == headers()
        assert _("Value (VND)") in rows[0] and _("Agreement") == "Giao ước"
        assert len(rows) == 3
        before = snapshot()
        result = ActivityResource().import_data(dataset(build_template()), dry_run=False)
        assert not result.has_errors() and not result.has_validation_errors()
        assert snapshot() == before  # the examples are the seed articles' own activities

    def test_the_changelist_and_the_import_page_link_to_the_template(self, admin_client):
        page = admin_client.get(reverse("admin:activities_activity_changelist")).content.decode()
        assert TEMPLATE_URL in page
        assert IMPORT_URL in page
        assert TEMPLATE_URL in admin_client.get(IMPORT_URL).content.decode()


@pytest.mark.django_db
def test_template_needs_the_import_permission(client, django_user_model):
    staff = django_user_model.objects.create_user("nhanvien", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(TEMPLATE_URL).status_code == 403


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("26/7/2003", datetime.date(2003, 7, 26)),
        ("2003-07-26", datetime.date(2003, 7, 26)),
        ("26-07-2003", datetime.date(2003, 7, 26)),
        (37828, datetime.date(2003, 7, 26)),
        (datetime.datetime(2003, 7, 26, 0, 0), datetime.date(2003, 7, 26)),  # noqa: DTZ001
        ("", None),
    ],
)
def test_dates_as_clerks_write_them(value, expected):
    assert ActivityResource().fields["starts_on"].widget.clean(value) == expected


def test_dates_the_calendar_lacks_are_refused():
    with pytest.raises(ValueError, match="31/2/2026"):
        ActivityResource().fields["starts_on"].widget.clean("31/2/2026")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30.000.000", 30_000_000),
        ("30000000", 30_000_000),
        (30000000, 30_000_000),
        ("30.000.000 đ", 30_000_000),
        ("", None),
    ],
)
def test_money_as_clerks_write_it(value, expected):
    assert ActivityResource().fields["value_vnd"].widget.clean(value) == expected


def test_qualifiers_by_vietnamese_name_or_code():
    widget = ActivityResource().fields["value_qualifier"].widget
    assert widget.clean("hơn") == widget.clean("HON") == widget.clean("over") == Qualifier.OVER
    assert widget.clean("") == Qualifier.EXACT
    with pytest.raises(ValueError, match="nhiều"):
        widget.clean("nhiều")


def test_precision_by_its_vietnamese_label():
    widget = ActivityResource().fields["date_precision"].widget
    assert widget.clean("chỉ biết tháng") == DatePrecision.MONTH
