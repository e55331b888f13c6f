"""Villages in and out of Excel: the admin's preview and confirm, row errors, NFD text and
number cells, re-imports, the export round trip, the scope, the history and the template."""

import io
import unicodedata

import pytest
import tablib
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from localities.import_template import TEMPLATE
from localities.models import Locality, LocalityKind, StaffLocality
from localities.resources import VillageResource
from localities.scopes import scope_of

IMPORT_URL = reverse("admin:localities_locality_import")
PROCESS_URL = reverse("admin:localities_locality_process_import")
EXPORT_URL = reverse("admin:localities_locality_export")
TEMPLATE_URL = reverse("admin:localities_locality_import_template")
CHANGELIST_URL = reverse("admin:localities_locality_changelist")
EDITOR = "Cán bộ nhập liệu"  # the editors' group (activities migration 0006)
IA_DOK, BIEN_HO = "23869", "23590"


def headers():
    resource = VillageResource()
    return [resource.fields[name].column_name for name in resource._meta.fields]


def xlsx(*rows):
    """A workbook with the import's headers; each row a dict by field name."""
    workbook = Workbook()
    sheet = workbook.active
    names = list(VillageResource._meta.fields)
    sheet.append(headers())
    for row in rows:
        sheet.append([row.get(name) for name in names])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def dataset(content):
    return tablib.Dataset().load(content, format="xlsx")


def row(**fields):
    values = {"name": "Làng Mới", "parent": "Xã Ia Dơk", "is_ethnic_minority_area": "Có"}
    values.update(fields)
    return values


def snapshot():
    return sorted(
        Locality.objects.values_list(
            "pk", "name", "kind", "parent_id", "slug", "code", "is_ethnic_minority_area", "note"
        )
    )


def villages(name):
    return Locality.objects.filter(kind=LocalityKind.VILLAGE, name=name)


def xlsx_format_index(client):
    form = client.get(IMPORT_URL).context["form"]
    choices = dict(form.fields["format"].choices)
    return next(key for key, label in choices.items() if str(label).lower() == "xlsx")


def admin_import(client, content, confirm=True):
    """Upload to the preview, then confirm; returns (preview response, confirm response)."""
    upload = io.BytesIO(content)
    upload.name = "thon-lang.xlsx"
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
        | {f"villageresource_{name}": "on" for name in VillageResource._meta.fields},
    )
    assert response.status_code == 200
    return response.content


def rows_of(content):
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


@pytest.mark.usefixtures("demo")
@pytest.mark.django_db
class TestVillageImport:
    def test_admin_preview_then_confirm_adds_the_villages(self, admin_client, admin_user):
        content = xlsx(
            row(note="Làng đồng bào Jrai."),
            row(parent=BIEN_HO, is_ethnic_minority_area=None),
        )
        before = snapshot()
        preview, _confirm = admin_import(admin_client, content, confirm=False)
        assert preview.status_code == 200
        assert preview.context["confirm_form"] is not None
        assert "Làng đồng bào Jrai." in preview.content.decode()
        assert snapshot() == before  # nothing written by the preview

        _preview, confirm = admin_import(admin_client, content)
        assert confirm.status_code == 302
        ia_dok, bien_ho = villages("Làng Mới").order_by("pk")
        assert (ia_dok.parent.code, ia_dok.is_ethnic_minority_area) == (IA_DOK, True)
        assert (bien_ho.parent.code, bien_ho.is_ethnic_minority_area) == (BIEN_HO, False)
        assert ia_dok.note == "Làng đồng bào Jrai."
        # Slugs as the admin's form makes them: the second names its commune.
        assert (ia_dok.slug, bien_ho.slug) == ("lang-moi", "lang-moi-xa-bien-ho")
        for village in (ia_dok, bien_ho):
            created = village.history.get()
            assert (created.history_type, created.history_user) == ("+", admin_user)

    def test_a_reimport_updates_and_never_duplicates(self, admin_client, admin_user):
        content = xlsx(row(), row(name="Plei Ktoh", is_ethnic_minority_area="x"))
        admin_import(admin_client, content)
        after_first = snapshot()
        preview, confirm = admin_import(admin_client, content)
        assert confirm.status_code == 302
        assert preview.context["result"].totals["skip"] == 2
        assert snapshot() == after_first

        _preview, confirm = admin_import(
            admin_client, xlsx(row(name="LÀNG MỚI", note="Đã đổi.", is_ethnic_minority_area=0))
        )
        assert confirm.status_code == 302
        [village] = Locality.objects.filter(kind=LocalityKind.VILLAGE, slug="lang-moi")
        assert (village.name, village.note, village.is_ethnic_minority_area) == (
            "LÀNG MỚI",
            "Đã đổi.",
            False,
        )
        changed = village.history.latest()
        assert (changed.history_type, changed.history_user) == ("~", admin_user)
        assert village.slug == "lang-moi"  # its web address stays

    def test_one_bad_row_imports_nothing_and_names_row_and_column(self, admin_client):
        content = xlsx(row(), row(name="Làng Hỏng", parent="Xã Không Có"))
        before = snapshot()
        preview, confirm = admin_import(admin_client, content)
        assert confirm is None
        [invalid] = preview.context["result"].invalid_rows
        assert invalid.number == 3  # the spreadsheet's row: headers are row 1
        column = _("Commune, ward or special zone")
        assert list(invalid.field_specific_errors) == [column]
        [message] = invalid.field_specific_errors[column]
        assert "Xã Không Có" in message
        page = preview.content.decode()
        assert column in page and "Xã Không Có" in page
        assert snapshot() == before

    def test_each_kind_of_bad_row_is_told_at_its_column(self):
        bad = {
            3: row(parent="Làng Ghè"),  # a village does not hold villages
            4: row(is_ethnic_minority_area="có lẽ"),
            5: row(name=""),
            6: row(name="x" * 201),
        }
        before = snapshot()
        result = VillageResource().import_data(dataset(xlsx(row(), *bad.values())), dry_run=False)
        assert snapshot() == before
        assert not result.has_errors()
        errors = {r.number: r.field_specific_errors for r in result.invalid_rows}
        assert sorted(errors) == sorted(bad)
        parent = _("Commune, ward or special zone")
        assert list(errors[3]) == [parent]
        assert "Làng Ghè" in errors[3][parent][0]
        assert list(errors[4]) == [_("Ethnic-minority area")]
        assert "có lẽ" in errors[4][_("Ethnic-minority area")][0]
        assert list(errors[5]) == [_("Village")]
        assert list(errors[6]) == [_("Village")]

    def test_nfd_names_and_number_or_ticked_cells(self):
        nfd = unicodedata.normalize("NFD", "Làng Ghè")
        assert nfd != "Làng Ghè"
        before = snapshot()
        content = xlsx(
            {
                "name": nfd,
                "parent": unicodedata.normalize("NFD", "XÃ IA DƠK"),
                "is_ethnic_minority_area": 1,  # a number cell
                "note": Locality.objects.get(slug="lang-ghe-xa-ia-dok").note,
            },
            row(name=unicodedata.normalize("NFD", "Buôn Mới"), parent=int(IA_DOK)),
            row(name="Tổ dân phố 1", is_ethnic_minority_area=False),  # a ticked-off cell
            {},  # a blank row, as Excel leaves them
        )
        result = VillageResource().import_data(dataset(content), dry_run=False)
        assert not result.has_errors() and not result.has_validation_errors()
        # Làng Ghè, decomposed, is the village already there; the blank row is no row.
        assert result.totals["skip"] == 2
        assert snapshot()[: len(before)] == before
        assert villages("Buôn Mới").get().parent.code == IA_DOK  # stored composed
        assert villages("Tổ dân phố 1").get().is_ethnic_minority_area is False

    def test_export_then_import_changes_nothing(self, admin_client):
        evil = '=HYPERLINK("http://evil")'
        Locality.objects.filter(slug="lang-ghe-xa-ia-dok").update(note=evil)
        VillageResource().import_data(dataset(xlsx(row(parent=BIEN_HO))), dry_run=False)
        content = admin_export(admin_client)
        rows = rows_of(content)
        assert list(rows[0]) == headers()
        assert len(rows) - 1 == Locality.objects.filter(kind=LocalityKind.VILLAGE).count() == 2
        cells = [cell for r in rows[1:] for cell in r]
        assert "'" + evil in cells
        assert not any(isinstance(c, str) and c.startswith(("=", "+", "-", "@")) for c in cells)
        assert ("Làng Ghè", f"Xã Ia Dơk ({IA_DOK})", _("Yes"), "'" + evil) in rows

        before = snapshot()
        result = VillageResource().import_data(dataset(content), dry_run=False)
        assert not result.has_errors() and not result.has_validation_errors()
        assert snapshot() == before
        assert result.totals["new"] == 0 and result.totals["update"] == 0
        assert Locality.objects.get(slug="lang-ghe-xa-ia-dok").note == evil

    def test_a_scoped_editor_adds_villages_only_to_its_communes(self, client, django_user_model):
        editor = django_user_model.objects.create_user("bien-ho", password="x", is_staff=True)
        editor.groups.add(Group.objects.get(name=EDITOR))
        StaffLocality.objects.create(user=editor, locality=Locality.objects.get(code=BIEN_HO))
        client.force_login(editor)

        before = snapshot()
        content = xlsx(row(parent=BIEN_HO), row(name="Làng Khác", parent="Xã Ia Dơk"))
        preview, confirm = admin_import(client, content)
        assert confirm is None
        [invalid] = preview.context["result"].invalid_rows
        assert invalid.number == 3
        column = _("Commune, ward or special zone")
        assert list(invalid.field_specific_errors) == [column]
        assert "Xã Ia Dơk" in invalid.field_specific_errors[column][0]
        assert snapshot() == before
        refused = VillageResource(scope=scope_of(editor)).import_data(
            dataset(xlsx(row())), dry_run=False
        )
        assert refused.has_validation_errors()

        _preview, confirm = admin_import(client, xlsx(row(parent=BIEN_HO)))
        assert confirm.status_code == 302
        village = villages("Làng Mới").get()
        assert village.parent.code == BIEN_HO
        assert village.history.get().history_user == editor

        # The register is public: the export is the change list's villages, nothing else.
        rows = rows_of(admin_export(client))
        assert sorted(r[0] for r in rows[1:]) == ["Làng Ghè", "Làng Mới"]

    def test_the_template_has_vietnamese_headers_and_imports_as_it_is(self, admin_client):
        response = admin_client.get(TEMPLATE_URL)
        assert response.status_code == 200
        assert response["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        rows = rows_of(response.content)
        assert list(rows[0]) == headers()
        assert _("Ethnic-minority area") == "Vùng đồng bào dân tộc thiểu số"
        assert _("Ethnic-minority area") in rows[0]
        assert len(rows) == 2
        before = snapshot()
        result = VillageResource().import_data(dataset(TEMPLATE.build()), dry_run=False)
        assert not result.has_errors() and not result.has_validation_errors()
        assert snapshot() == before  # the example is the seed article's own village
        assert result.totals["skip"] == 1

    def test_the_changelist_and_the_import_page_link_to_the_template(self, admin_client):
        page = admin_client.get(CHANGELIST_URL).content.decode()
        assert TEMPLATE_URL in page and IMPORT_URL in page and EXPORT_URL in page
        page = admin_client.get(IMPORT_URL).content.decode()
        assert TEMPLATE_URL in page
        assert _("Commune, ward or special zone") in page


@pytest.mark.django_db
def test_template_needs_the_import_permission(client, django_user_model):
    staff = django_user_model.objects.create_user("nhanvien", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(TEMPLATE_URL).status_code == 403


YES = ["Có", "co", "x", "X", "1", 1, True, "yes"]
NO = ["Không", "khong", "0", 0, "no", "", None, False]


@pytest.mark.parametrize(("value", "expected"), [(v, True) for v in YES] + [(v, False) for v in NO])
def test_ethnic_minority_area_as_clerks_write_it(value, expected):
    assert VillageResource().fields["is_ethnic_minority_area"].widget.clean(value) is expected
