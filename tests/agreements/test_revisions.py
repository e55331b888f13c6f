"""Reviewed changes to published records (issue 15, item 4): an editor's change to a published
agreement, party, activity or photo is saved as a pending revision; the public keeps the
published version until a reviewer approves it (field by field) or rejects it with a reason;
the history records both."""

import datetime
import io

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image
from tablib import Dataset

from activities import reports
from activities.models import Activity
from activities.resources import ActivityResource
from agreements.models import (
    Agreement,
    Event,
    Party,
    PartyRole,
    Photo,
    Revision,
    RevisionStatus,
)
from agreements.revisions import approve
from tests import factories
from tests.admin_pages import form_data

pytestmark = pytest.mark.django_db

EDITOR, REVIEWER, ADMINISTRATOR = "Cán bộ nhập liệu", "Người duyệt đăng", "Quản trị tỉnh"


@pytest.fixture
def staff(django_user_model):
    """A client signed in as a province-wide account in the role's group."""

    def make(role, username):
        user = django_user_model.objects.create_user(
            username, is_staff=True, first_name=username.title()
        )
        user.groups.add(Group.objects.get(name=role))
        user.user_permissions.add(Permission.objects.get(codename="whole_province"))
        return user

    return make


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor(staff):
    return signed_in(staff(EDITOR, "nhap-lieu"))


@pytest.fixture
def reviewer(staff):
    return signed_in(staff(REVIEWER, "duyet"))


@pytest.fixture
def seeds():
    """Xã Ia Dơk and Phường An Nhơn Bắc's agreement, published, with a photo."""
    ia_dok = factories.locality("Xã Ia Dơk")
    an_nhon_bac = factories.locality("Phường An Nhơn Bắc")
    agreement = factories.agreement(
        ia_dok,
        an_nhon_bac,
        title="Xã Ia Dơk – Phường An Nhơn Bắc",
        published=True,
        summary="Hai địa phương kết nghĩa.",
    )
    photo = Photo.objects.create(
        agreement=agreement, image="photos/le-ky.jpg", caption="Lễ ký kết", position=0
    )
    return {"agreement": agreement, "ia_dok": ia_dok, "an_nhon_bac": an_nhon_bac, "photo": photo}


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def public_page(client, agreement):
    return client.get(reverse("agreements:detail", args=[agreement.slug])).content.decode()


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="JPEG")
    return SimpleUploadedFile("anh-moi.jpg", buffer.getvalue(), content_type="image/jpeg")


def post_change(client, obj, **changes):
    data = form_data(client.get(change_url(obj))) | changes
    return client.post(change_url(obj), data)


def only_pending():
    return Revision.objects.get(status=RevisionStatus.PENDING)


# --- Proposing ------------------------------------------------------------------------------


def test_an_editors_change_to_a_published_agreement_waits_and_the_public_sees_the_old(
    editor, client, seeds
):
    agreement = seeds["agreement"]
    page = editor.get(change_url(agreement)).content.decode()
    assert "Những gì bạn lưu ở đây là đề xuất thay đổi" in page
    response = post_change(editor, agreement, summary="Tóm tắt mới.")
    revision = only_pending()
    assert response.status_code == 302
    assert response.url == change_url(revision)
    assert Agreement.objects.get(pk=agreement.pk).summary == "Hai địa phương kết nghĩa."
    assert "Hai địa phương kết nghĩa." in public_page(client, agreement)
    # The editor lands on the proposal, told what happened.
    page = editor.get(response.url).content.decode()
    assert "chờ người duyệt" in page
    assert "<del>Hai địa phương kết nghĩa.</del>" in page
    assert "<ins>Tóm tắt mới.</ins>" in page
    assert "Duyệt và áp dụng" not in page  # an editor does not review
    # The admin's log names the proposal, not a change of the agreement.
    entry = LogEntry.objects.get()
    assert (entry.action_flag, entry.object_id) == (ADDITION, str(revision.pk))
    # The agreement's page lists what waits.
    assert str(revision) in editor.get(change_url(agreement)).content.decode()


def test_approving_applies_every_row_and_the_history_names_the_editor(
    editor, reviewer, client, seeds
):
    agreement, photo = seeds["agreement"], seeds["photo"]
    third = factories.locality("Sư đoàn 320", kind="military_unit")
    document = factories.legal_document("09-CT/TU")
    data = form_data(editor.get(change_url(agreement)))
    data |= {
        "summary": "Tóm tắt mới.",
        "legal_basis": [str(document.pk)],
        # a third party, and the photo removed
        "parties-TOTAL_FORMS": "3",
        "parties-2-locality": str(third.pk),
        "parties-2-role": PartyRole.COORDINATOR,
        "parties-2-position": "2",
        "photos-0-DELETE": "on",
    }
    assert editor.post(change_url(agreement), data).status_code == 302
    revision = only_pending()
    assert [(op["action"], op["model"]) for op in revision.changes] == [
        ("change", "agreements.agreement"),
        ("add", "agreements.party"),
        ("delete", "agreements.photo"),
    ]
    assert agreement.parties.count() == 2 and Photo.objects.filter(pk=photo.pk).exists()

    page = reviewer.get(change_url(revision)).content.decode()
    assert "<ins>09-CT/TU</ins>" in page and "<ins>Sư đoàn 320</ins>" in page
    assert "“Sư đoàn 320”" in page and "“Lễ ký kết”" in page  # the rows added and deleted
    response = reviewer.post(change_url(revision), {"_approve": "1"})
    assert response.status_code == 302
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.APPROVED
    assert revision.reviewer.username == "duyet" and revision.reviewed_at is not None
    agreement.refresh_from_db()
    assert agreement.summary == "Tóm tắt mới."
    assert list(agreement.legal_basis.all()) == [document]
    assert agreement.parties.filter(locality=third, role=PartyRole.COORDINATOR).exists()
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert "Tóm tắt mới." in public_page(client, agreement)
    version = agreement.history.first()
    assert version.history_user.username == "nhap-lieu"
    assert version.history_change_reason == f"Đề xuất thay đổi số {revision.pk}, đã duyệt"
    # The page now reads as a record: no buttons.
    assert "Duyệt và áp dụng" not in reviewer.get(change_url(revision)).content.decode()


def test_rejecting_needs_a_reason_changes_nothing_and_drops_the_uploaded_photo(
    editor, reviewer, seeds, django_capture_on_commit_callbacks
):
    agreement = seeds["agreement"]
    data = form_data(editor.get(change_url(agreement)))
    data |= {
        "photos-TOTAL_FORMS": "2",
        "photos-1-image": jpeg(),
        "photos-1-caption": "Ảnh mới",
        "photos-1-position": "1",
    }
    assert editor.post(change_url(agreement), data).status_code == 302
    revision = only_pending()
    [added] = revision.changes
    stored = next(f["new"] for f in added["fields"] if f["name"] == "image")
    assert stored.startswith("photos/") and default_storage.exists(stored)
    assert agreement.photos.count() == 1

    response = reviewer.post(change_url(revision), {"_reject": "1", "reason": "  "})
    assert response.status_code == 200
    assert "Hãy ghi lý do từ chối" in response.content.decode()
    assert only_pending() == revision

    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer.post(
            change_url(revision), {"_reject": "1", "reason": "Ảnh chưa rõ nguồn."}
        )
    assert response.status_code == 302
    revision.refresh_from_db()
    assert (revision.status, revision.reason) == (RevisionStatus.REJECTED, "Ảnh chưa rõ nguồn.")
    assert agreement.photos.count() == 1
    assert not default_storage.exists(stored)
    page = editor.get(change_url(revision)).content.decode()
    assert "Ảnh chưa rõ nguồn." in page and "Bị từ chối" in page


def test_a_change_made_on_an_older_version_is_refused_with_what_changed(
    editor, reviewer, django_user_model, seeds
):
    agreement = seeds["agreement"]
    post_change(editor, agreement, summary="Bản thứ nhất.")
    post_change(editor, agreement, summary="Bản thứ hai.")
    first, second = Revision.objects.order_by("pk")
    approve(first, reviewer=django_user_model.objects.get(username="duyet"))
    page = reviewer.get(change_url(second)).content.decode()
    assert "Đã thay đổi sau khi đề xuất: hiện ghi “Bản thứ nhất.”." in page
    response = reviewer.post(change_url(second), {"_approve": "1"})
    assert response.status_code == 200
    assert "hiện ghi “Bản thứ nhất.”, không còn là “Hai địa phương kết nghĩa.”" in (
        response.content.decode()
    )
    second.refresh_from_db()
    assert second.status == RevisionStatus.PENDING
    assert Agreement.objects.get(pk=agreement.pk).summary == "Bản thứ nhất."


def test_a_new_party_naming_a_removed_ones_locality_takes_over_its_row(editor, reviewer, seeds):
    agreement, ia_dok = seeds["agreement"], seeds["ia_dok"]
    row = agreement.parties.get(locality=ia_dok)
    data = form_data(editor.get(change_url(agreement)))
    index = next(i for i in range(2) if data[f"parties-{i}-id"] == str(row.pk))
    data |= {
        f"parties-{index}-DELETE": "on",
        "parties-TOTAL_FORMS": "3",
        "parties-2-locality": str(ia_dok.pk),
        "parties-2-role": PartyRole.PARTY,
        "parties-2-signatory_name": "Nguyễn Văn A",
        "parties-2-position": "0",
    }
    assert editor.post(change_url(agreement), data).status_code == 302
    revision = only_pending()
    assert [(op["action"], op["pk"]) for op in revision.changes] == [("change", row.pk)]
    assert reviewer.post(change_url(revision), {"_approve": "1"}).status_code == 302
    assert Party.objects.get(pk=row.pk).signatory_name == "Nguyễn Văn A"


# --- Activities: the figures move only when approved -----------------------------------------


def test_an_activity_changed_or_added_by_an_editor_counts_once_approved(editor, reviewer, seeds):
    agreement = seeds["agreement"]
    activity = factories.activity(agreement, value_vnd=30_000_000, giver=seeds["an_nhon_bac"])

    def delivered():
        return reports.province_totals()[1].value_vnd

    assert delivered() == 30_000_000
    response = post_change(editor, activity, value_vnd="50.000.000")
    assert response.status_code == 302, response.context and response.context["errors"]
    add = editor.get(reverse("admin:activities_activity_add"))
    data = form_data(add) | {
        "agreement": str(agreement.pk),
        "activity_type": str(activity.activity_type_id),
        "status": "delivered",
        "starts_on": "27/12/2025",
        "date_precision": "day",
        "value_vnd": "10.000.000",
    }
    assert editor.post(reverse("admin:activities_activity_add"), data).status_code == 302
    assert Activity.objects.count() == 1
    assert delivered() == 30_000_000
    for revision in Revision.objects.order_by("pk"):
        assert reviewer.post(change_url(revision), {"_approve": "1"}).status_code == 302
    assert Activity.objects.count() == 2
    assert delivered() == 60_000_000


# --- Who goes through review ------------------------------------------------------------------


def test_a_draft_or_a_reviewers_edit_is_saved_at_once(staff, seeds):
    draft = factories.agreement(title="Giao ước nháp")
    client = signed_in(staff(EDITOR, "nhap-lieu"))
    assert post_change(client, draft, summary="Sửa bản nháp.").status_code == 302
    assert Agreement.objects.get(pk=draft.pk).summary == "Sửa bản nháp."
    assert "là đề xuất thay đổi" not in client.get(change_url(draft)).content.decode()
    client = signed_in(staff(ADMINISTRATOR, "quan-tri"))
    agreement = seeds["agreement"]
    assert post_change(client, agreement, summary="Sửa ngay.").status_code == 302
    assert Agreement.objects.get(pk=agreement.pk).summary == "Sửa ngay."
    assert not Revision.objects.exists()


def test_saving_a_published_page_unchanged_proposes_nothing(editor, seeds):
    agreement = seeds["agreement"]
    event = Event.objects.create(
        agreement=agreement,
        kind="signing",
        title="Lễ ký kết",
        held_on=datetime.date(2025, 12, 27),
        participants="Rơ Châm Thanh – Bí thư Đảng ủy xã\nNguyễn Văn A – Chủ tịch UBND phường",
    )
    data = form_data(editor.get(change_url(agreement)))
    # As a browser sends a text area: its lines ended by "\r\n".
    data["events-0-participants"] = event.participants.replace("\n", "\r\n")
    response = editor.post(change_url(agreement), data)
    assert response.status_code == 302 and response.url == change_url(agreement)
    assert not Revision.objects.exists()
    assert "Không có gì thay đổi." in editor.get(response.url).content.decode()


# --- Imports ----------------------------------------------------------------------------------


def test_an_editors_import_into_a_published_agreement_is_refused_at_the_row(seeds):
    agreement = seeds["agreement"]
    columns = {name: field.column_name for name, field in ActivityResource().fields.items()}
    rows = Dataset(
        headers=[columns[name] for name in ("agreement", "activity_type", "starts_on", "value_vnd")]
    )
    rows.append([agreement.slug, "Hỗ trợ tiền", "27/12/2025", "30000000"])
    result = ActivityResource(may_publish=False).import_data(rows, dry_run=False)
    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert "đã công bố: mọi thay đổi phải qua người duyệt" in str(invalid.error_dict)
    assert not Activity.objects.exists()
    result = ActivityResource().import_data(rows, dry_run=False)
    assert not result.has_errors(), result.base_errors
    assert not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]
    assert Activity.objects.count() == 1


def test_a_long_text_shows_the_words_that_change(editor, seeds):
    post_change(editor, seeds["agreement"], summary="Hai địa phương kết nghĩa chặt chẽ.")
    page = editor.get(change_url(only_pending())).content.decode()
    assert "Hai địa phương kết <del>nghĩa.</del>" in page
    assert "Hai địa phương kết <ins>nghĩa chặt chẽ.</ins>" in page


def test_two_proposals_that_together_leave_one_signer_are_refused_not_crashed(
    editor, reviewer, seeds
):
    agreement = seeds["agreement"]
    third = factories.locality("Xã Ia Pết")
    Party.objects.create(agreement=agreement, locality=third, role=PartyRole.PARTY, position=2)

    def remove(locality):
        data = form_data(editor.get(change_url(agreement)))
        row = agreement.parties.get(locality=locality)
        index = next(i for i in range(3) if data[f"parties-{i}-id"] == str(row.pk))
        assert editor.post(change_url(agreement), data | {f"parties-{index}-DELETE": "on"})
        return Revision.objects.latest("pk")

    first, second = remove(seeds["ia_dok"]), remove(third)  # each leaves two signers
    page = reviewer.get(change_url(second)).content.decode()
    assert "<del>Xã Ia Pết</del>" in page  # what a removed row held
    assert reviewer.post(change_url(first), {"_approve": "1"}).status_code == 302
    response = reviewer.post(change_url(second), {"_approve": "1"})
    assert response.status_code == 200
    assert "Xã Ia Pết" in response.content.decode()
    second.refresh_from_db()
    assert second.status == RevisionStatus.PENDING
    assert agreement.parties.filter(role=PartyRole.PARTY).count() == 2


def test_a_record_moved_to_another_agreement_since_is_not_changed_there(editor, reviewer, seeds):
    agreement, photo = seeds["agreement"], seeds["photo"]
    post_change(editor, photo, caption="Chú thích mới")
    other = factories.agreement(title="Giao ước khác")
    Photo.objects.filter(pk=photo.pk).update(agreement=other)
    response = reviewer.post(change_url(only_pending()), {"_approve": "1"})
    assert response.status_code == 200
    assert "đã được chuyển sang giao ước khác" in response.content.decode()
    assert Photo.objects.get(pk=photo.pk).caption == "Lễ ký kết"
    assert agreement.photos.count() == 0


def test_a_reviewer_must_choose_approve_or_reject(editor, reviewer, seeds):
    post_change(editor, seeds["agreement"], summary="Tóm tắt mới.")
    revision = only_pending()
    assert reviewer.post(change_url(revision), {"reason": "?"}).status_code == 400
    assert only_pending() == revision


def test_a_proposed_photo_is_shown_to_the_reviewer(editor, reviewer, seeds):
    data = form_data(editor.get(change_url(seeds["agreement"])))
    data |= {
        "photos-TOTAL_FORMS": "2",
        "photos-1-image": jpeg(),
        "photos-1-caption": "Ảnh mới",
        "photos-1-position": "1",
    }
    editor.post(change_url(seeds["agreement"]), data)
    [added] = only_pending().changes
    stored = next(f["new"] for f in added["fields"] if f["name"] == "image")
    page = reviewer.get(change_url(only_pending())).content.decode()
    assert f'<img class="revision-photo" src="/media/{stored}" alt="">' in page
