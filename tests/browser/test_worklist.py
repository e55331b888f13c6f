"""A province officer's work list and inbox at 1280 and 390 px (issue 12): an agreement whose
review meeting is overdue is on the work list; the day's reminders, made by the running job
consumer, wait in the inbox with a badge; opening one leads to the page where it is dealt with
(a new meeting of that agreement) and marks it read.

The consumer is huey's own, with the site's tasks, startup hook and consumer options
(ketnghia.tasks, settings.HUEY), run in this process's threads on the Redis the site uses,
under a queue of the test's own: the live server's database is then the consumer's. Redis must
run (.ci/run starts it): without it the test fails, as the site's jobs would.

Screenshots go to test-artifacts/worklist/ (worklist-1280.png, worklist-390.png,
inbox-1280.png, inbox-390.png); `make screenshots` copies two into docs/screenshots/.
"""

import contextlib
import datetime
import secrets
import signal
import threading

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _
from huey import signals as huey_signals
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage
from playwright.sync_api import expect

from activities.models import Meeting, MeetingKind
from agreements.models import Agreement
from ketnghia import tasks
from ketnghia.models import Reminder
from tests.browser.test_screens import problems_of
from tests.browser.test_staff_import import PASSWORD, log_in

IA_DOK = "Xã Ia Dơk – Phường An Nhơn Bắc"
HUEY_URL = "redis://127.0.0.1:6379/15"


@contextlib.contextmanager
def job_consumer():
    """The site's job queue on Redis with huey's consumer running in this process's threads,
    with the site's tasks and startup hook and the options of settings.HUEY (periodic tasks
    off: the day's reminders come from the startup hook alone, whatever the hour). Yields an
    event set once the consumer has sent the day's reminders; a task that fails fails the
    test with its error."""
    queue = f"ketnghia_browser_{secrets.token_hex(4)}"  # huey keeps letters, digits and "_"
    saved = HUEY.storage, HUEY.immediate
    handlers = {n: signal.getsignal(n) for n in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    sent, failures = threading.Event(), []

    def finished(name, task, exc=None):
        if isinstance(task, tasks.send_reminders.task_class):
            if exc is not None:
                failures.append(exc)
            sent.set()

    def close_connections():
        # In the worker's thread as it stops: its database connection goes with it.
        connections.close_all()

    consumer = None
    try:
        HUEY._immediate = False
        HUEY.storage = RedisStorage(name=queue, url=HUEY_URL)
        HUEY.signal(huey_signals.SIGNAL_COMPLETE, huey_signals.SIGNAL_ERROR)(finished)
        HUEY.on_shutdown(name="test_close_connections")(close_connections)
        options = {**settings.HUEY["consumer"], "periodic": False, "check_worker_health": False}
        consumer = HUEY.create_consumer(**options)
        consumer.start()
        yield sent
        if failures:
            raise failures[0]
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)
        HUEY.disconnect_signal(finished)
        HUEY.unregister_on_shutdown("test_close_connections")
        if isinstance(HUEY.storage, RedisStorage):
            HUEY.storage.flush_all()
        HUEY.storage, HUEY._immediate = saved
        for number, handler in handlers.items():
            signal.signal(number, handler)


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
    assert not Reminder.objects.exists()
    with job_consumer() as sent:
        # The consumer's startup hook sends the day's reminders (ketnghia.tasks).
        assert sent.wait(60), "the consumer sent no reminder within a minute"
    mine = list(Reminder.objects.filter(user=officer))
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
