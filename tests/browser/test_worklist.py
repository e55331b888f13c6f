"""A province officer's work list and inbox at 1280 and 390 px (issue 12): an agreement whose
review meeting is overdue is on the work list; the day's reminders wait in the inbox with a
badge; opening one leads to the page where it is dealt with (a new meeting of that agreement)
and marks it read.

Screenshots go to test-artifacts/worklist/ (worklist-1280.png, worklist-390.png,
inbox-1280.png, inbox-390.png); `make screenshots` copies two into docs/screenshots/.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from activities.models import Meeting, MeetingKind
from agreements.models import Agreement
from ketnghia import reminders
from ketnghia.models import Reminder
from tests.browser.test_screens import problems_of
from tests.browser.test_staff_import import PASSWORD, log_in

IA_DOK = "Xã Ia Dơk – Phường An Nhơn Bắc"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_province_officer_reads_the_work_list_and_the_inbox(page, live_server, demo, artifacts):
    folder = artifacts / "worklist"
    folder.mkdir(exist_ok=True)
    officer = get_user_model().objects.create_user(
        "canbo.tinh", password=PASSWORD, email="canbo.tinh@example.org", is_staff=True
    )
    officer.groups.add(Group.objects.get(name="Quản trị tỉnh"))
    # Test data: the agreement meets every six months; its last meeting was a year ago.
    agreement = Agreement.objects.get(title=IA_DOK)
    Agreement.objects.filter(pk=agreement.pk).update(meeting_every=6)
    last = timezone.localdate() - datetime.timedelta(days=365)
    Meeting.objects.create(agreement=agreement, kind=MeetingKind.HALF_YEAR, held_on=last)
    made = reminders.deliver()
    mine = [r for r in made if r.user_id == officer.pk]
    assert any(r.kind == "meeting_overdue" and r.agreement_id == agreement.pk for r in mine)

    log_in(page, officer)
    badge = page.locator("#user-tools .inbox-link .badge")
    expect(badge).to_contain_text(str(len(mine)))

    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/admin/worklist/")
        overdue = page.locator("section", has=page.locator("#kind-meeting_overdue"))
        expect(overdue).to_contain_text(IA_DOK)
        assert problems_of(page, width) == []
        page.screenshot(path=folder / f"worklist-{width}.png", full_page=True)
        page.goto("/admin/inbox/")
        expect(page.locator(".reminders li.unread")).to_have_count(len(mine))
        assert problems_of(page, width) == []
        page.screenshot(path=folder / f"inbox-{width}.png", full_page=True)

    reminder = Reminder.objects.get(user=officer, kind="meeting_overdue")
    item = page.locator(".reminders li", has_text=_("Review meeting overdue"))
    item.get_by_role("button").click()
    expect(page).to_have_url(f"{live_server.url}{reminder.path}")
    expect(page.locator("#select2-id_agreement-container")).to_contain_text(IA_DOK)
    reminder.refresh_from_db()
    assert reminder.read_at is not None
    page.goto("/admin/inbox/")
    expect(page.locator(".reminders li.unread")).to_have_count(len(mine) - 1)
