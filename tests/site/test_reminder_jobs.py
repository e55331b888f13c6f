"""The reminders sent by the real job consumer (issue 12): `manage.py run_huey` on the Redis the
site uses, with its own database, sends the day's reminders when it starts (ketnghia.tasks) to a
real SMTP server on loopback (aiosmtpd), which this test reads: subject, recipient, a Vietnamese
body and the link to the page where the reminder is dealt with.

Redis must run (.ci/run starts it): without it the test fails, as the site's jobs would."""

import email
import email.policy
import secrets
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
import redis
from aiosmtpd.controller import Controller

from tests.deploy.servers import ROOT, deployment_env, free_port, manage

HUEY_URL = "redis://127.0.0.1:6379/15"
SITE_URL = "https://ketnghia.example.org"

WORLD = """
import datetime
from django.contrib.auth.models import Group, User
from agreements.models import Agreement
from localities.models import Locality, LocalityKind
from tests import factories
a = factories.locality("Xã Thử Một")
b = factories.locality("Đồn Thử Hai", kind=LocalityKind.MILITARY_UNIT)
agreement = factories.agreement(
    a, b, title="Xã Thử Một – Đồn Thử Hai", published=True,
    signed_on=datetime.date.today() - datetime.timedelta(days=400),
)
Agreement.objects.filter(pk=agreement.pk).update(meeting_every=6)
officer = User.objects.create_user(
    "can-bo-tinh", email="can-bo-tinh@example.org", first_name="Lan", is_staff=True
)
officer.groups.add(Group.objects.get(name="Quản trị tỉnh"))
print(agreement.pk)
"""


class Inbox:
    """An SMTP server's handler keeping each message it receives."""

    def __init__(self):
        self.messages = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        self.arrived.set()
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_the_consumer_sends_the_days_reminders_by_email(tmp_path, smtp):
    controller, inbox = smtp
    queue = f"ketnghia-test-{secrets.token_hex(4)}"
    env = deployment_env(
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        CACHE_URL="locmemcache://jobs",
        HUEY_URL=HUEY_URL,
        HUEY_NAME=queue,
        EMAIL_URL=f"smtp://127.0.0.1:{controller.port}",
        DEFAULT_FROM_EMAIL="ket-nghia@example.org",
        SITE_URL=SITE_URL,
        # Plans are due by the year's end: no plan is late on any day this test runs.
        PLAN_APPROVAL_DUE="31/12",
    )
    manage(env, ["migrate", "--noinput", "-v0"])
    made = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", WORLD],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    agreement_id = int(made.stdout.strip().splitlines()[-1])
    consumer = subprocess.Popen(
        [sys.executable, "manage.py", "run_huey"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert inbox.arrived.wait(60), "no e-mail within a minute"
        time.sleep(1)  # a second message, if any, would come at once
    finally:
        consumer.terminate()
        errors = consumer.communicate(timeout=30)[1].decode()
        jobs = redis.Redis.from_url(HUEY_URL)
        for key in jobs.scan_iter(f"*{queue}*"):
            jobs.delete(key)
    assert len(inbox.messages) == 1, errors
    recipients, message = inbox.messages[0]
    assert recipients == ["can-bo-tinh@example.org"]
    # Signed 400 days ago, never met, nothing given: two occasions, one e-mail.
    assert message["Subject"] == "[Kết nghĩa] 2 việc cần chú ý"
    assert message["From"] == "ket-nghia@example.org"
    text = message.get_body(("plain",)).get_content()
    assert "Xin chào Lan," in text
    assert "Quá hạn họp đánh giá: Xã Thử Một – Đồn Thử Hai" in text
    assert "Giao ước không có hoạt động: Xã Thử Một – Đồn Thử Hai" in text
    assert f"{SITE_URL}/admin/activities/meeting/add/?agreement={agreement_id}" in text
    html = message.get_body(("html",)).get_content()
    assert f'href="{SITE_URL}/admin/inbox/"' in html
    # Recorded once, as sent: a second run sends nothing.
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        rows = db.execute("SELECT kind, emailed_at FROM ketnghia_reminder").fetchall()
    assert sorted(kind for kind, _ in rows) == ["dormant", "meeting_overdue"]
    assert all(emailed_at is not None for _, emailed_at in rows)
    again = subprocess.run(
        [sys.executable, "manage.py", "send_reminders"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert again.stdout.strip() == "0 reminder(s) made."
