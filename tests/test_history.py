"""History: every add, change and delete records who, when and what changed, field by field."""

import datetime
import re

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.test import RequestFactory
from simple_history.middleware import HistoryRequestMiddleware

from activities.models import Activity
from agreements.models import (
    Agreement,
    AgreementStatus,
    CommitmentArea,
    LegalDocument,
    LegalDocumentKind,
    Party,
)
from localities.models import Locality
from tests import factories
from tests.activities.test_import import admin_import, row, xlsx
from tests.test_admin_pages import agreement_post, party_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def communes():
    return factories.locality("Xã Ia Dơk"), factories.locality("Phường An Nhơn Bắc")


def change_post(agreement, **fields):
    """The agreement page as sent back unchanged, but for ``fields``."""
    current = {
        "title": agreement.title,
        "slug": agreement.slug,
        "signed_on": agreement.signed_on.strftime("%d/%m/%Y") if agreement.signed_on else "",
        "signed_at_place": agreement.signed_at_place,
        "summary": agreement.summary,
    }
    data = agreement_post(**{**current, **fields})
    parties = list(agreement.parties.order_by("position"))
    data["parties-TOTAL_FORMS"] = data["parties-INITIAL_FORMS"] = str(len(parties))
    for i, party in enumerate(parties):
        row = party_row(party.locality, position=party.position, role=party.role)
        row.update(id=str(party.pk), agreement=str(agreement.pk))
        for key, value in row.items():
            data[f"parties-{i}-{key}"] = value
    return data


def test_admin_add_and_change_record_the_user_and_each_changed_field(
    admin_client, admin_user, communes
):
    ia_dok, an_nhon_bac = communes
    response = admin_client.post(
        "/admin/agreements/agreement/add/",
        agreement_post(
            parties=[party_row(ia_dok), party_row(an_nhon_bac, position=1)],
            signed_on="27/12/2025",
            summary="Hai bên giúp nhau",
        ),
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    agreement = Agreement.objects.get()
    created = agreement.history.earliest()
    assert created.history_type == "+"
    assert created.history_user == admin_user
    assert created.summary == "Hai bên giúp nhau"
    # The parties entered on the same page have their own history, by the same person.
    assert Party.history.filter(history_type="+", history_user=admin_user).count() == 2

    decree = LegalDocument.objects.create(
        number="43/KH-UBND",
        kind=LegalDocumentKind.values[0],
        title="Kế hoạch kết nghĩa",
        issuer="UBND tỉnh Gia Lai",
        issued_on=datetime.date(2025, 7, 1),
        slug="43-kh-ubnd",
    )
    before = agreement.history.latest()
    response = admin_client.post(
        f"/admin/agreements/agreement/{agreement.pk}/change/",
        change_post(
            agreement,
            summary="Hai bên giúp nhau xây nhà đại đoàn kết",
            signed_at_place="Ia Dơk",
            legal_basis=[str(decree.pk)],
        ),
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    assert agreement.history.latest() != before
    latest = agreement.history.latest()
    assert latest.history_type == "~"
    assert latest.history_user == admin_user
    delta = latest.diff_against(before)
    assert set(delta.changed_fields) == {"summary", "signed_at_place", "legal_basis"}
    summary = next(change for change in delta.changes if change.field == "summary")
    assert (summary.old, summary.new) == (
        "Hai bên giúp nhau",
        "Hai bên giúp nhau xây nhà đại đoàn kết",
    )
    # Nothing is lost: the first version is still there to read.
    assert before.instance.summary == "Hai bên giúp nhau"
    assert agreement.history.as_of(before.history_date).summary == "Hai bên giúp nhau"

    page = admin_client.get(f"/admin/agreements/agreement/{agreement.pk}/history/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "Hai bên giúp nhau xây nhà đại đoàn kết" in content
    assert "43/KH-UBND" in content
    assert admin_user.username in content


def test_derived_fields_stay_out_of_the_history():
    for model in (Agreement, Locality):
        fields = {field.name for field in model.history.model._meta.fields}
        assert "title" in fields or "name" in fields
        assert not fields & {"search_key", "updated_at"}
    assert "updated_at" not in {f.name for f in Activity.history.model._meta.fields}


def test_publishing_through_the_admin_records_the_user(admin_client, admin_user):
    # publish_agreement reads the row again: the user comes from the request, not the instance.
    agreement = factories.agreement()
    response = admin_client.post(
        "/admin/agreements/agreement/",
        {"action": "publish", "_selected_action": [str(agreement.pk)]},
    )
    assert response.status_code == 302
    latest = agreement.history.latest()
    assert latest.status == AgreementStatus.PUBLISHED
    assert latest.history_user == admin_user
    assert "status" in latest.diff_against(latest.prev_record).changed_fields


def test_a_plain_save_inside_a_request_records_its_user(admin_user):
    """What an import does: code that knows nothing of the history, run in a staff request."""
    agreement = factories.agreement()

    def view(request):
        activity = factories.activity(agreement, value_vnd=30_000_000)
        activity.value_vnd = 45_000_000
        activity.save()
        return activity

    request = RequestFactory().post("/admin/activities/activity/import/")
    request.user = admin_user
    activity = HistoryRequestMiddleware(view)(request)

    records = list(activity.history.order_by("history_date", "history_id"))
    assert [r.history_type for r in records] == ["+", "~"]
    assert {r.history_user for r in records} == {admin_user}
    assert records[1].diff_against(records[0]).changed_fields == ["value_vnd"]

    # Outside a request, or for an anonymous one, the row is kept without a user.
    anonymous = RequestFactory().get("/")
    anonymous.user = AnonymousUser()
    activity = HistoryRequestMiddleware(lambda request: factories.activity(agreement))(anonymous)
    assert activity.history.get().history_user is None


def test_a_deleted_object_keeps_its_last_state_and_history_page(admin_client, admin_user):
    area = CommitmentArea.objects.create(name="Thể thao", slug="the-thao", position=99)
    response = admin_client.post(
        f"/admin/agreements/commitmentarea/{area.pk}/change/",
        {"name": "Thể dục thể thao", "slug": "the-duc-the-thao", "position": "99"},
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    response = admin_client.post(
        f"/admin/agreements/commitmentarea/{area.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not CommitmentArea.objects.filter(pk=area.pk).exists()

    records = CommitmentArea.history.filter(id=area.pk).order_by("history_date", "history_id")
    assert [r.history_type for r in records] == ["+", "~", "-"]
    deleted = records.last()
    assert deleted.history_user == admin_user
    assert (deleted.name, deleted.slug) == ("Thể dục thể thao", "the-duc-the-thao")

    page = admin_client.get(f"/admin/agreements/commitmentarea/{area.pk}/history/")
    assert page.status_code == 200
    assert "Thể dục thể thao" in page.content.decode()


def test_deleting_an_agreement_keeps_its_parts_history(admin_client, admin_user):
    agreement = factories.agreement()
    parties = list(agreement.parties.values_list("pk", flat=True))
    response = admin_client.post(
        f"/admin/agreements/agreement/{agreement.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Agreement.objects.filter(pk=agreement.pk).exists()
    assert Agreement.history.filter(id=agreement.pk, history_type="-").get().history_user == (
        admin_user
    )
    deleted = Party.history.filter(id__in=parties, history_type="-")
    assert deleted.count() == len(parties)
    assert {r.history_user for r in deleted} == {admin_user}


@pytest.mark.usefixtures("demo")
@pytest.mark.django_db
class TestImportHistory:
    """An import through the admin records its rows as the person who confirmed it."""

    def test_confirmed_import_records_each_row_with_its_user(self, admin_client, admin_user):
        description = "Tặng 300 bộ quần áo ấm cho học sinh."
        content = xlsx(row(description=description, quantity="300"))
        history = Activity.history.filter(description=description)

        preview, _ = admin_import(admin_client, content, confirm=False)
        assert preview.status_code == 200
        assert not history.exists()  # the preview is rolled back with its history

        _, confirm = admin_import(admin_client, content)
        assert confirm.status_code == 302
        created = history.get()
        assert (created.history_type, created.history_user) == ("+", admin_user)

        _, confirm = admin_import(admin_client, xlsx(row(description=description, quantity="350")))
        assert confirm.status_code == 302
        changed = history.latest()
        assert (changed.history_type, changed.history_user) == ("~", admin_user)
        assert changed.diff_against(created).changed_fields == ["quantity"]


def test_a_version_page_shows_the_version_and_saves_nothing(client, django_user_model):
    # simple-history's own version page saves what is posted, even for a view-only account.
    area = CommitmentArea.objects.create(name="Thể thao", slug="the-thao", position=99)
    version = area.history.get()
    reader = django_user_model.objects.create_user("lanhdao", password="x", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_commitmentarea"))
    client.force_login(reader)
    url = f"/admin/agreements/commitmentarea/{area.pk}/history/{version.pk}/"

    page = client.get(url)
    assert page.status_code == 200
    assert "Thể thao" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()  # no Revert button

    response = client.post(url, {"name": "Đổi lén", "slug": "doi-len", "position": "1"})
    assert response.status_code == 403
    area.refresh_from_db()
    assert area.name == "Thể thao"
    assert area.history.count() == 1


@pytest.mark.parametrize(
    "path",
    [
        "/admin/agreements/agreement/1/change/history/",
        "/admin/agreements/agreement/abc/history/",
        "/admin/agreements/agreement/abc/history/1/",
    ],
)
def test_a_malformed_history_address_is_a_404(admin_client, path):
    assert admin_client.get(path).status_code == 404


def test_the_history_reads_in_words_not_codes_nor_none(admin_client):
    """Issue 16: "Lý do thay đổi: None" and "draft → published" on the history page."""
    agreement = factories.agreement(title="Xã Ia Dơk – Phường An Nhơn Bắc")  # by no one
    agreement.legal_basis.add(factories.legal_document("03-CT/TU"))
    admin_client.post(
        "/admin/agreements/agreement/",
        {"action": "publish", "_selected_action": [str(agreement.pk)]},
    )
    page = admin_client.get(f"/admin/agreements/agreement/{agreement.pk}/history/")
    table = page.content.decode().split('id="change-history"')[1].split("</table>")[0]
    assert "None" not in table
    assert "published" not in table and "draft" not in table
    assert "Bản nháp" in table and "Đã công bố" in table  # the status, before and after
    assert "hệ thống" in table  # the first version, made by no one signed in
    # The legal basis added: from nothing to the document, not from "[]" to "[03-CT/TU]".
    assert re.search(r"—\s*&nbsp;&rarr;&nbsp;&nbsp;03-CT/TU\s*</li>", table)
    assert "[" not in table
