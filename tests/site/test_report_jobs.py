"""A large written report made by the real job consumer (issue 13): `manage.py run_huey` on the
Redis the site uses, with its own database. The admin's button queues the province's report;
the file's progress moves as the consumer counts, makes the photos small and lays out the
pages; the file is stored, and the requester's inbox tells them it is ready.

Redis must run (.ci/run starts it): without it the test fails, as the site's jobs would."""

import secrets
import sqlite3
import subprocess
import sys
import time

import redis

from tests.deploy.servers import ROOT, deployment_env

HUEY_URL = "redis://127.0.0.1:6379/15"

# A province officer asks for the province's report (large: made by the job queue) through
# the admin's button; twelve photos make the consumer's work long enough to watch.
WORLD = """
import datetime, io
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.test import Client
from PIL import Image
from agreements.models import Photo
from ketnghia.models import ReportFile, WrittenReport
from localities.models import LocalityKind
from tests import factories
a = factories.locality("Xã Thử Một")
b = factories.locality("Đồn Thử Hai", kind=LocalityKind.MILITARY_UNIT)
agreement = factories.agreement(a, b, title="Xã Thử Một – Đồn Thử Hai", published=True)
factories.activity(agreement, value_vnd=30_000_000, starts_on=datetime.date(2025, 3, 1))
for n in range(12):
    picture = io.BytesIO()
    Image.new("RGB", (2400, 1600), (40 + n * 10, 90, 140)).save(picture, "JPEG")
    photo = Photo(agreement=agreement, caption=f"Ảnh thử {n}", credit="Đức Hải", position=n)
    photo.image.save(f"thu-{n}.jpg", ContentFile(picture.getvalue()), save=False)
    photo.save()
officer = User.objects.create_superuser("can-bo-tinh", "can-bo-tinh@example.org", "mat-khau-9")
report = WrittenReport.objects.create(
    kind="annual", scope="province", year_from=2025, year_to=2025, issuer="UBND TỈNH GIA LAI"
)
client = Client(HTTP_HOST="localhost")
client.force_login(officer)
answer = client.post(f"/admin/ketnghia/writtenreport/{report.pk}/make/pdf/")
assert answer.status_code == 302, answer.status_code
print(ReportFile.objects.get().pk)
"""

NOTIFIED = """
from django.contrib.auth.models import User
from django.test import Client
from ketnghia.inbox import reminders_of, report_files_ready, unread_count
officer = User.objects.get(username="can-bo-tinh")
client = Client(HTTP_HOST="localhost")
client.force_login(officer)
page = client.get("/admin/inbox/").content.decode()
# The consumer also sends the day's reminders when it starts: the badge counts both.
reminders = reminders_of(officer).filter(read_at__isnull=True).count()
ready = "Tệp báo cáo đã sẵn sàng" in page
print(report_files_ready(officer).count(), unread_count(officer) - reminders, ready)
"""


def shell(env, code):
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_the_consumer_makes_a_large_report_and_tells_its_requester(tmp_path):
    queue = f"ketnghia-test-{secrets.token_hex(4)}"
    database = tmp_path / "db.sqlite3"
    env = deployment_env(
        tmp_path,
        DATABASE_URL=f"sqlite:///{database}",
        CACHE_URL="locmemcache://jobs",
        HUEY_URL=HUEY_URL,
        HUEY_NAME=queue,
        STATIC_MANIFEST="False",  # the inbox page is read without collectstatic
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    file_id = int(shell(env, WORLD))
    rows = sqlite3.connect(database, timeout=30)

    def state():
        return rows.execute(
            "SELECT status, progress, file FROM ketnghia_reportfile WHERE id = ?", (file_id,)
        ).fetchone()

    assert state()[:2] == ("queued", 0)  # asked for, not made in the request
    consumer = subprocess.Popen(
        [sys.executable, "manage.py", "run_huey"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    seen = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            status, progress, name = state()
            if not seen or seen[-1] != (status, progress):
                seen.append((status, progress))
            if status in ("done", "failed"):
                break
            time.sleep(0.02)
    finally:
        consumer.terminate()
        errors = consumer.communicate(timeout=30)[1].decode()
        jobs = redis.Redis.from_url(HUEY_URL)
        for key in jobs.scan_iter(f"*{queue}*"):
            jobs.delete(key)
        rows.close()
    assert seen[-1] == ("done", 100), (seen, errors)
    # The progress moved: steps between asked and done were seen, in order.
    moving = [progress for status, progress in seen if status == "running"]
    assert moving and all(0 < p < 100 for p in moving[1:]), seen
    assert moving == sorted(moving)
    stored = tmp_path / "media" / name
    assert name.startswith("reports/") and name.endswith(".pdf")
    assert stored.read_bytes().startswith(b"%PDF")
    # The inbox tells the requester (the badge counts it).
    assert shell(env, NOTIFIED) == "1 1 True"
