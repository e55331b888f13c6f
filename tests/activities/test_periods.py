"""A year's figures approved and locked (issue 12): an edit in a locked period is refused in the
admin and in the import with a clear message; unlocking and locking again are recorded, and
only a province officer does either."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils.translation import gettext

from activities.models import Activity, PeriodApproval
from activities.periods import approve_period, may_lock, set_locked
from activities.resources import ActivityResource
from localities.models import LocalityKind, StaffLocality
from tests import factories
from tests.activities.test_import import dataset, row, snapshot, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    commune = factories.locality("Xã Khóa Thử")
    village = factories.locality("Làng Khóa Thử", kind=LocalityKind.VILLAGE, parent=commune)
    other = factories.locality("Xã Mở Thử")
    locked_here = factories.agreement(village, factories.locality("Đồn Thử"), published=True)
    elsewhere = factories.agreement(other, factories.locality("Sở Thử"), published=True)
    given = factories.activity(locked_here, starts_on=datetime.date(2025, 5, 1))
    return {
        "commune": commune,
        "agreement": locked_here,
        "elsewhere": elsewhere,
        "activity": given,
        "approval": approve_period(2025, commune, None),
    }


def message(year, where):
    return gettext(
        "The figures of %(year)s for %(where)s were approved and locked by the province: a "
        "province officer must unlock them, with a reason, before an activity of that year is "
        "added, changed or deleted."
    ) % {"year": year, "where": where}


def refusal(activity):
    with pytest.raises(ValidationError) as refused:
        activity.full_clean()
    return refused.value.message_dict.get("__all__", [])


def test_a_locked_year_of_a_unit_refuses_its_activities(world):
    given = world["activity"]
    given.value_vnd = 1
    assert refusal(given) == [message(2025, "Xã Khóa Thử")]
    added = Activity(
        agreement=world["agreement"],
        activity_type=given.activity_type,
        starts_on=datetime.date(2025, 12, 31),
        value_vnd=5,
    )
    assert refusal(added) == [message(2025, "Xã Khóa Thử")]
    # Moved out of the locked year: refused as well (the stored row is in it).
    given.refresh_from_db()
    given.starts_on = datetime.date(2026, 1, 2)
    assert refusal(given) == [message(2025, "Xã Khóa Thử")]
    # A period reaching into the locked year, another year, another commune: free.
    spanning = Activity(
        agreement=world["agreement"],
        activity_type=given.activity_type,
        starts_on=datetime.date(2024, 1, 1),
        ends_on=datetime.date(2025, 3, 1),
        value_vnd=5,
    )
    assert refusal(spanning) == [message(2025, "Xã Khóa Thử")]
    added.starts_on = datetime.date(2026, 3, 1)
    added.full_clean()
    factories.activity(world["elsewhere"], starts_on=datetime.date(2025, 5, 1)).full_clean()


def test_a_locked_year_of_the_province_holds_every_agreement(world):
    approve_period(2024, None, None)
    given = factories.activity(world["elsewhere"], starts_on=datetime.date(2024, 8, 1))
    assert refusal(given) == [message(2024, gettext("the whole province"))]


def test_the_import_refuses_a_row_of_a_locked_year_at_the_row(demo):
    approve_period(2026, None, None)
    before = snapshot()
    content = xlsx(row(), row(description="Năm sau", starts_on="15/1/2027"))
    result = ActivityResource().import_data(dataset(content), dry_run=False)
    errors = {r.number: str(r.error_dict) for r in result.invalid_rows}
    assert list(errors) == [2]
    assert message(2026, gettext("the whole province")) in errors[2]
    assert snapshot() == before


def account(name, group, remit=None):
    user = User.objects.create_user(name, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    if remit is not None:
        StaffLocality.objects.create(user=user, locality=remit)
    client = Client()
    client.force_login(user)
    return user, client


def activity_form(activity, **changes):
    data = {
        "agreement": activity.agreement_id,
        "activity_type": activity.activity_type_id,
        "status": activity.status,
        "starts_on": activity.starts_on.strftime("%d/%m/%Y"),
        "date_precision": activity.date_precision,
        "value_vnd": "45.000.000",
        "value_qualifier": "exact",
        "quantity_qualifier": "exact",
        "description": activity.description,
    }
    return {**data, **changes}


def test_the_admin_refuses_the_edit_then_the_officer_unlocks_and_locks_again(world):
    officer, officer_client = account("can-bo-tinh", "Quản trị tỉnh")
    _clerk, clerk_client = account("nhap-lieu", "Cán bộ nhập liệu", remit=world["commune"])
    given, approval = world["activity"], world["approval"]
    url = f"/admin/activities/activity/{given.pk}/change/"
    response = officer_client.post(url, activity_form(given))
    assert response.status_code == 200
    assert message(2025, "Xã Khóa Thử") in response.content.decode()
    assert officer_client.post(f"/admin/activities/activity/{given.pk}/delete/").status_code == 403
    # The clerk may not unlock; the officer must say why.
    approval_url = f"/admin/activities/periodapproval/{approval.pk}/change/"
    assert clerk_client.post(approval_url, {"locked": ""}).status_code == 403
    response = officer_client.post(approval_url, {"why": " "})
    assert response.context["adminform"].form.errors["why"] == [
        gettext("Say why the figures are unlocked.")
    ]
    response = officer_client.post(approval_url, {"why": "Sửa số tiền theo biên bản"})
    assert response.status_code == 302
    approval.refresh_from_db()
    assert not approval.locked
    assert officer_client.post(url, activity_form(given)).status_code == 302
    given.refresh_from_db()
    assert given.value_vnd == 45_000_000
    response = officer_client.post(approval_url, {"locked": "on", "why": ""})
    assert response.status_code == 302
    reasons = list(approval.history.values_list("history_change_reason", "history_user"))
    assert reasons == [
        (gettext("Locked"), officer.pk),
        (gettext("Unlocked: %(reason)s") % {"reason": "Sửa số tiền theo biên bản"}, officer.pk),
        (gettext("Approved and locked"), None),
    ]


def test_only_a_province_officer_locks(world):
    commune = world["commune"]
    reviewer = User.objects.create_user("duyet", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Người duyệt đăng"))
    officer = User.objects.create_user("tinh", is_staff=True)
    officer.groups.add(Group.objects.get(name="Quản trị tỉnh"))
    # The permission without the whole province in scope: a commune's account.
    scoped = User.objects.create_user("tinh-xa", is_staff=True)
    scoped.user_permissions.add(
        Permission.objects.get(content_type__app_label="activities", codename="lock_period")
    )
    StaffLocality.objects.create(user=scoped, locality=commune)
    assert [may_lock(u) for u in (reviewer, officer, scoped)] == [False, True, False]
    with pytest.raises(PermissionDenied):
        set_locked(world["approval"], False, reviewer, "Sửa")
    with pytest.raises(PermissionDenied):
        approve_period(2026, commune, scoped)
    with pytest.raises(ValidationError):
        approve_period(2025, commune, officer)  # approved already
    assert PeriodApproval.objects.count() == 1
