"""Agreements with their parties in and out of Excel: the admin's preview and confirm, row
errors, NFD text and Excel dates, re-imports, the export round trip, the scope, the history and
the template."""

import datetime
import io
import unicodedata

import pytest
import tablib
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from agreements.import_template import TEMPLATE
from agreements.models import Agreement, AgreementStatus, LegalDocument, Party, PartyRole
from agreements.resources import AgreementResource
from localities.models import Locality, StaffLocality
from localities.scopes import scope_of
from localities.spreadsheets import EXCEL_EPOCH
from tests import factories

IMPORT_URL = reverse("admin:agreements_agreement_import")
PROCESS_URL = reverse("admin:agreements_agreement_process_import")
EXPORT_URL = reverse("admin:agreements_agreement_export")
TEMPLATE_URL = reverse("admin:agreements_agreement_import_template")
CHANGELIST_URL = reverse("admin:agreements_agreement_changelist")
EDITOR = "Cán bộ nhập liệu"  # the editors' group (activities migration 0006)
IA_DOK = "xa-ia-dok-phuong-an-nhon-bac-2025"
LANG_GHE = "phuong-an-nhon-bac-lang-ghe-2025"
SU_DOAN = "su-doan-320-thanh-pho-pleiku-2003"
NEW_TITLE = "Xã Ia Dơk – Xã Biển Hồ"


def headers():
    resource = AgreementResource()
    return [resource.fields[name].column_name for name in resource._meta.fields]


def xlsx(*rows):
    """A workbook with the import's headers; each row a dict by field name."""
    workbook = Workbook()
    sheet = workbook.active
    names = list(AgreementResource._meta.fields)
    sheet.append(headers())
    for row in rows:
        sheet.append([row.get(name) for name in names])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def dataset(content):
    return tablib.Dataset().load(content, format="xlsx")


def row(**fields):
    """A new agreement between Xã Ia Dơk and Xã Biển Hồ (both in the demo's register)."""
    values = {
        "signed_on": "1/3/2026",
        "signed_at_place": "Ia Dơk",
        "summary": "Hai xã giúp nhau phát triển sản xuất.",
        "legal_basis": "03-CT/TU; 43/KH-UBND",
        "party_1": "Xã Ia Dơk",
        "party_1_signatory": "Nguyễn Văn A",
        "party_1_signatory_title": "Bí thư Đảng ủy xã",
        "party_2": "23590",  # Xã Biển Hồ
        "party_2_signatory": "Trần Thị B",
        "party_2_signatory_title": "Chủ tịch UBND xã",
    }
    values.update(fields)
    return values


def snapshot():
    """Every agreement, party and legal-basis link, as stored."""
    return (
        sorted(
            Agreement.objects.values_list(
                "pk",
                "title",
                "slug",
                "status",
                "signed_on",
                "signed_at_place",
                "ended_on",
                "summary",
                "published_at",
            )
        ),
        sorted(
            Party.objects.values_list(
                "pk",
                "agreement_id",
                "locality_id",
                "role",
                "signatory_name",
                "signatory_title",
                "position",
            )
        ),
        sorted(
            Agreement.legal_basis.through.objects.values_list("agreement_id", "legaldocument_id")
        ),
    )


def xlsx_format_index(client):
    form = client.get(IMPORT_URL).context["form"]
    choices = dict(form.fields["format"].choices)
    return next(key for key, label in choices.items() if str(label).lower() == "xlsx")


def admin_import(client, content, confirm=True):
    """Upload to the preview, then confirm; returns (preview response, confirm response)."""
    upload = io.BytesIO(content)
    upload.name = "giao-uoc.xlsx"
    preview = client.post(
        IMPORT_URL, {"resource": "0", "format": xlsx_format_index(client), "import_file": upload}
    )
    form = preview.context.get("confirm_form") if preview.context else None
    if form is None or not confirm:
        return preview, None
    return preview, client.post(PROCESS_URL, {**form.initial, "resource": "0"})


def admin_export(client):
    response = client.post(
        EXPORT_URL,
        {"format": xlsx_format_index(client), "resource": "0"}
        | {f"agreementresource_{name}": "on" for name in AgreementResource._meta.fields},
    )
    assert response.status_code == 200
    return response.content


def rows_of(content):
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def errors_by_row(result):
    return {r.number: r.field_specific_errors for r in result.invalid_rows}


def editor_of(django_user_model, code):
    user = django_user_model.objects.create_user(f"bien-tap-{code}", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITOR))
    StaffLocality.objects.create(user=user, locality=Locality.objects.get(code=code))
    return user


@pytest.mark.usefixtures("demo")
@pytest.mark.django_db
class TestAgreementImport:
    def test_admin_preview_then_confirm_creates_a_draft_with_its_parties(
        self, admin_client, admin_user
    ):
        content = xlsx(row(coordinator="Phường An Nhơn Bắc"))
        before = snapshot()
        preview, _confirm = admin_import(admin_client, content, confirm=False)
        assert preview.status_code == 200
        assert preview.context["confirm_form"] is not None
        assert "Trần Thị B" in preview.content.decode()
        assert snapshot() == before  # nothing written by the preview

        _preview, confirm = admin_import(admin_client, content)
        assert confirm.status_code == 302
        agreement = Agreement.objects.get(title=NEW_TITLE)
        assert agreement.status == AgreementStatus.DRAFT
        assert agreement.slug == "xa-ia-dok-xa-bien-ho-2026"
        assert agreement.signed_on == datetime.date(2026, 3, 1)
        assert agreement.signed_at_place == "Ia Dơk"
        assert sorted(agreement.legal_basis.values_list("number", flat=True)) == [
            "03-CT/TU",
            "43/KH-UBND",
        ]
        parties = list(
            agreement.parties.order_by("position").values_list(
                "locality__code", "role", "signatory_name", "signatory_title"
            )
        )
        assert parties == [
            ("23869", PartyRole.PARTY, "Nguyễn Văn A", "Bí thư Đảng ủy xã"),
            ("23590", PartyRole.PARTY, "Trần Thị B", "Chủ tịch UBND xã"),
            ("21925", PartyRole.COORDINATOR, "", ""),
        ]

        # Every version the import wrote carries the person who confirmed it.
        versions = agreement.history.all()
        assert versions.filter(history_type="+").count() == 1
        assert {v.history_user for v in versions} == {admin_user}
        party_versions = Party.history.filter(agreement_id=agreement.pk)
        assert party_versions.filter(history_type="+").count() == 3
        assert {v.history_user for v in party_versions} == {admin_user}

    def test_a_reimport_updates_signatories_and_fields_and_creates_nothing(
        self, admin_client, admin_user
    ):
        admin_import(admin_client, xlsx(row()))
        agreement = Agreement.objects.get(title=NEW_TITLE)
        party = agreement.parties.get(locality__code="23590")
        agreements, parties = Agreement.objects.count(), Party.objects.count()

        changed = row(party_2_signatory="Lê Văn C", summary="Tóm tắt mới.", legal_basis="03-ct/tu")
        _preview, confirm = admin_import(admin_client, xlsx(changed))
        assert confirm.status_code == 302
        assert (Agreement.objects.count(), Party.objects.count()) == (agreements, parties)
        agreement.refresh_from_db()
        party.refresh_from_db()
        assert party.signatory_name == "Lê Văn C"
        assert party.history.latest().history_user == admin_user
        assert agreement.summary == "Tóm tắt mới."
        assert list(agreement.legal_basis.values_list("number", flat=True)) == ["03-CT/TU"]
        changes = agreement.history.filter(history_date__gt=party.history.earliest().history_date)
        assert {version.history_user for version in changes} == {admin_user}
        changed = set()
        for version in changes:
            changed.update(version.diff_against(version.prev_record).changed_fields)
        assert {"summary", "legal_basis"} <= changed

    def test_the_same_file_twice_makes_no_duplicates(self, admin_client):
        content = xlsx(row(), row(party_2="Làng Ghè", signed_on="2/3/2026", legal_basis=""))
        admin_import(admin_client, content)
        after_first = snapshot()
        history = Agreement.history.count(), Party.history.count()
        preview, confirm = admin_import(admin_client, content)
        assert confirm.status_code == 302
        assert preview.context["result"].totals["skip"] == 2
        assert snapshot() == after_first
        # Nothing changed, so nothing is recorded either.
        assert (Agreement.history.count(), Party.history.count()) == history

    def test_one_bad_row_imports_nothing_and_names_row_and_column(self, admin_client):
        content = xlsx(row(), row(party_2="Làng Ghè", signed_on="31/2/2026"))
        before = snapshot()
        preview, confirm = admin_import(admin_client, content)
        assert confirm is None
        [invalid] = preview.context["result"].invalid_rows
        assert invalid.number == 3  # the spreadsheet's row: headers are row 1
        column = _("Signed on")
        assert list(invalid.field_specific_errors) == [column]
        [message] = invalid.field_specific_errors[column]
        assert "31/2/2026" in message
        page = preview.content.decode()
        assert column in page and "31/2/2026" in page
        assert snapshot() == before

    def test_each_kind_of_bad_row_is_told_at_its_column(self):
        factories.locality("Thôn Một", slug="thon-mot-a")
        factories.locality("Thôn Một", slug="thon-mot-b")
        bad = {
            3: row(party_1="Xã Không Có"),
            4: row(party_2="Thôn Một"),
            5: row(party_2=None, party_2_signatory=None, party_2_signatory_title=None),
            6: row(party_2="Xã Ia Dơk"),
            7: row(legal_basis="99/QĐ-XX"),
            8: row(ended_on="1/1/2020"),
            9: row(party_3_signatory="Ai đó"),
            10: row(slug="Không phải địa chỉ"),
        }
        content = xlsx(row(party_2="Làng Ghè"), *bad.values())
        before = snapshot()
        result = AgreementResource().import_data(dataset(content), dry_run=False)
        assert snapshot() == before
        assert not result.has_errors()  # told as row errors, never as a crash
        errors = errors_by_row(result)
        assert sorted(errors) == sorted(bad)
        assert list(errors[3]) == [_("First party")]
        assert "Xã Không Có" in errors[3][_("First party")][0]
        assert list(errors[4]) == [_("Second party")]
        assert "thon-mot" not in errors[4][_("Second party")][0]  # names, not slugs
        assert "Thôn Một" in errors[4][_("Second party")][0]
        assert list(errors[5]) == [_("Second party")]
        assert list(errors[6]) == [_("Second party")]
        assert list(errors[7]) == [_("Legal basis")]
        assert "99/QĐ-XX" in errors[7][_("Legal basis")][0]
        assert errors[8] == {_("Ended on"): [_("The end date cannot be before the signing date.")]}
        assert list(errors[9]) == [_("Third party")]
        assert list(errors[10]) == [_("Short name")]

    def test_nfd_text_and_excel_date_cells(self):
        nfd = lambda text: unicodedata.normalize("NFD", text)  # noqa: E731
        assert nfd("Xã Ia Dơk") != "Xã Ia Dơk"
        content = xlsx(
            row(
                title=nfd("Giao ước Ia Dơk – Biển Hồ"),
                party_1=nfd("XÃ IA DƠK"),
                party_2=nfd("Xã Biển Hồ"),
                party_2_signatory=nfd("Trần Thị B"),
                signed_on=datetime.datetime(2026, 3, 1),  # noqa: DTZ001 (an Excel cell)
                ended_on=(datetime.date(2036, 3, 1) - EXCEL_EPOCH).days,  # a serial number
            )
        )
        result = AgreementResource().import_data(dataset(content), dry_run=False)
        assert not result.has_errors() and not result.has_validation_errors()
        agreement = Agreement.objects.get(title="Giao ước Ia Dơk – Biển Hồ")  # stored composed
        assert agreement.signed_on == datetime.date(2026, 3, 1)
        assert agreement.ended_on == datetime.date(2036, 3, 1)
        assert agreement.parties.get(locality__code="23590").signatory_name == "Trần Thị B"

    def test_a_published_agreement_is_updated_and_stays_published(self, admin_client, admin_user):
        agreement = Agreement.objects.get(slug=IA_DOK)
        assert agreement.is_published
        content = xlsx(
            row(
                title="",
                signed_on="27/12/2025",
                signed_at_place="",
                summary=agreement.summary,
                party_2="Phường An Nhơn Bắc",
                party_2_signatory="Trần Thị B",
            )
        )
        agreements, versions = Agreement.objects.count(), agreement.history.count()
        _preview, confirm = admin_import(admin_client, content)
        assert confirm.status_code == 302
        assert Agreement.objects.count() == agreements
        agreement.refresh_from_db()
        assert agreement.is_published and agreement.slug == IA_DOK
        assert agreement.title == "Xã Ia Dơk – Phường An Nhơn Bắc"
        party = agreement.parties.get(locality__code="21925")
        assert party.signatory_name == "Trần Thị B"
        assert party.history.latest().history_user == admin_user
        # Only a signatory changed: the agreement itself gets no empty version.
        assert agreement.history.count() == versions

    def test_an_import_never_changes_an_agreements_parties(self):
        before = snapshot()
        content = xlsx(
            row(slug=IA_DOK, party_2="Xã Biển Hồ", signed_on="27/12/2025"),  # other signers
            row(slug=LANG_GHE, party_1="21925", party_2="Làng Ghè", signed_on="27/12/2025"),
            row(slug=SU_DOAN, signed_on="", party_1="Sư đoàn 320", party_2="622"),
        )
        result = AgreementResource().import_data(dataset(content), dry_run=False)
        assert snapshot() == before
        errors = errors_by_row(result)
        assert list(errors[2]) == [_("First party")]
        assert "Phường An Nhơn Bắc" in errors[2][_("First party")][0]
        assert list(errors[3]) == [_("Coordinating unit")]  # Xã Ia Dơk coordinates it
        assert errors[4] == {
            _("Signed on"): [_("A published agreement needs a signing date: unpublish it first.")]
        }

    def test_agreements_alike_ask_for_the_short_name(self):
        ia_dok, bien_ho = Locality.objects.get(code="23869"), Locality.objects.get(code="23590")
        for _n in range(2):
            factories.agreement(ia_dok, bien_ho, signed_on=datetime.date(2026, 3, 1))
        result = AgreementResource().import_data(dataset(xlsx(row())), dry_run=True)
        [invalid] = result.invalid_rows
        assert list(invalid.field_specific_errors) == [_("Short name")]
        assert "giao-uoc-thu-" in invalid.field_specific_errors[_("Short name")][0]

    def test_export_then_import_changes_nothing(self, admin_client):
        evil = '=HYPERLINK("http://evil")'
        Agreement.objects.filter(slug=SU_DOAN).update(title=evil)
        Party.objects.filter(agreement__slug=IA_DOK, locality__code="23869").update(
            signatory_name="+84 Nguyễn Văn A"
        )
        content = admin_export(admin_client)
        rows = rows_of(content)
        assert list(rows[0]) == headers()
        assert len(rows) - 1 == Agreement.objects.count()
        cells = [cell for r in rows[1:] for cell in r]
        assert "'" + evil in cells and "'+84 Nguyễn Văn A" in cells
        assert not any(isinstance(c, str) and c.startswith(("=", "+", "-", "@")) for c in cells)
        by_slug = {r[headers().index(_("Short name"))]: r for r in rows[1:]}
        ia_dok = dict(zip(headers(), by_slug[IA_DOK], strict=True))
        assert ia_dok[_("Signed on")] == "27/12/2025"
        assert (
            ia_dok[_("First party")] == "Xã Ia Dơk (23869)"
        )  # read by a person, then by an import
        assert set(ia_dok[_("Legal basis")].split("; ")) == {"03-CT/TU", "43/KH-UBND"}
        lang_ghe = dict(zip(headers(), by_slug[LANG_GHE], strict=True))
        assert lang_ghe[_("Second party")] == "Làng Ghè, Xã Ia Dơk"
        assert lang_ghe[_("Coordinating unit")] == "Xã Ia Dơk (23869)"

        before = snapshot()
        result = AgreementResource().import_data(dataset(content), dry_run=False)
        assert not result.has_errors() and not result.has_validation_errors()
        assert snapshot() == before
        assert result.totals["new"] == 0 and result.totals["update"] == 0
        assert Agreement.objects.get(slug=SU_DOAN).title == evil

    def test_the_export_runs_the_same_queries_for_more_agreements(self, admin_client):
        def export_queries():
            with CaptureQueriesContext(connection) as queries:
                AgreementResource().export()
            return len(queries)

        before = export_queries()
        documents = list(LegalDocument.objects.all())
        for n in range(5):
            agreement = factories.agreement(
                factories.locality(), factories.locality(parent=factories.locality()), title=str(n)
            )
            agreement.legal_basis.set(documents)
        assert export_queries() == before

    def test_a_scoped_editor_imports_and_exports_only_in_scope(self, client, django_user_model):
        editor = editor_of(django_user_model, "23590")  # Xã Biển Hồ
        client.force_login(editor)

        rows = rows_of(admin_export(client))
        assert len(rows) == 1  # no demo agreement has Xã Biển Hồ among its parties
        factories.agreement(
            Locality.objects.get(code="23590"), Locality.objects.get(code="23869"), title="Ở đây"
        )
        rows = rows_of(admin_export(client))
        assert [r[0] for r in rows[1:]] == ["Ở đây"]
        assert AgreementResource(scope=scope_of(editor)).export().dict[0][_("Title")] == "Ở đây"

        before = snapshot()
        content = xlsx(
            row(),  # Xã Biển Hồ is a party: in scope
            row(party_2="Phường An Nhơn Bắc", signed_on="1/4/2026"),  # neither party is
            row(slug=SU_DOAN, party_1="Sư đoàn 320", party_2="622", signed_on="26/7/2003"),
        )
        preview, confirm = admin_import(client, content)
        assert confirm is None
        errors = errors_by_row(preview.context["result"])
        assert sorted(errors) == [3, 4]
        assert list(errors[3]) == [_("First party")]
        # Row 4 is about an existing agreement outside the scope (Sư đoàn 320's): it is told
        # exactly as row 3, about none, so that the import never says one exists.
        assert errors[4] == errors[3]
        assert snapshot() == before

        _preview, confirm = admin_import(client, xlsx(row()))
        assert confirm.status_code == 302
        agreement = Agreement.objects.get(title=NEW_TITLE)
        assert agreement.status == AgreementStatus.DRAFT
        assert agreement.history.latest().history_user == editor

    def test_the_template_has_vietnamese_headers_and_imports_as_it_is(self, admin_client):
        response = admin_client.get(TEMPLATE_URL)
        assert response.status_code == 200
        assert response["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        rows = rows_of(response.content)
        assert list(rows[0]) == headers()
        assert _("Signed on") in rows[0] and _("Signed on") == "Ngày ký kết"
        assert len(rows) == 4
        before = snapshot()
        result = AgreementResource().import_data(dataset(TEMPLATE.build()), dry_run=False)
        assert not result.has_errors() and not result.has_validation_errors()
        assert snapshot() == before  # the examples are the seed articles' own agreements
        assert result.totals["skip"] == 3

    def test_the_changelist_and_the_import_page_link_to_the_template(self, admin_client):
        page = admin_client.get(CHANGELIST_URL).content.decode()
        assert TEMPLATE_URL in page and IMPORT_URL in page and EXPORT_URL in page
        page = admin_client.get(IMPORT_URL).content.decode()
        assert TEMPLATE_URL in page
        assert _("Coordinating unit") in page


@pytest.mark.django_db
def test_template_needs_the_import_permission(client, django_user_model):
    staff = django_user_model.objects.create_user("nhanvien", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(TEMPLATE_URL).status_code == 403


@pytest.mark.django_db
def test_legal_documents_sharing_a_number_are_told_apart_by_short_name():
    for year, slug in ((2024, "03-ct-tu-2024"), (2025, "03-ct-tu-2025")):
        LegalDocument.objects.create(
            number="03-CT/TU",
            kind="directive",
            title="Chỉ thị",
            issuer="Tỉnh ủy",
            issued_on=datetime.date(year, 1, 1),
            slug=slug,
        )
    widget = AgreementResource().fields["legal_basis"].widget
    with pytest.raises(ValueError, match="03-ct-tu-2024"):
        widget.clean("03-CT/TU")
    [document] = widget.clean("03-ct-tu-2025")
    assert widget.render([document]) == "03-ct-tu-2025"
