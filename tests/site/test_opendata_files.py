"""The open-data downloads as files made by a job (ketnghia.opendata_files, ketnghia.tasks), as
they are served when a job queue runs (HUEY_URL): here the queue is said to run, and the job is
called as the consumer would."""

import datetime
import io

import pytest
import redis
from django.core.cache import cache
from django.core.management import call_command

from agreements.models import Agreement
from ketnghia import exports, opendata_files, tasks
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs(settings, tmp_path, monkeypatch):
    """A job queue runs; the files go to a MEDIA_ROOT of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://ketnghia.example.org"
    monkeypatch.setattr(opendata_files, "made_by_jobs", lambda: True)
    cache.delete(opendata_files.OUT_OF_DATE)
    yield
    cache.delete(opendata_files.OUT_OF_DATE)


@pytest.fixture
def agreement():
    return factories.agreement(
        factories.locality("Xã Ia Dơk"),
        factories.locality("Phường An Nhơn Bắc"),
        title="Xã Ia Dơk – Phường An Nhơn Bắc",
        published=True,
        signed_on=datetime.date(2025, 12, 27),
    )


def test_the_job_makes_every_file_and_a_download_sends_it(client, jobs, agreement):
    tasks.build_open_data()  # as the consumer runs it

    made = sorted(p.name for p in opendata_files.folder().iterdir())
    assert made == sorted(f"{d}.{f}" for d in exports.DATASETS for f in exports.FORMATS)
    response = client.get("/du-lieu/agreements.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    site = "https://ketnghia.example.org"
    expected = "".join(exports.csv_lines(exports.DATASETS["agreements"], site))
    assert body == expected
    assert "Xã Ia Dơk – Phường An Nhơn Bắc" in body
    assert "https://ketnghia.example.org/" in body  # links to the site, made outside a request
    today = opendata_files.made_at(exports.DATASETS["agreements"], "csv").date()
    assert (
        f'filename="ket-nghia-giao-uoc-{today.isoformat()}.csv"' in response["Content-Disposition"]
    )
    assert "Last-Modified" in response

    page = client.get("/du-lieu/").content.decode()
    assert "Thời điểm tạo tệp" in page
    assert today.strftime("%d/%m/%Y") in page


def test_before_the_first_build_a_download_says_to_come_back(client, jobs, agreement):
    response = client.get("/du-lieu/activities.xlsx")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "public" not in response.get("Cache-Control", "")  # nobody keeps the refusal
    assert "Tệp đang được tạo" in response.content.decode()
    assert "đang được tạo" in client.get("/du-lieu/").content.decode()


def test_the_writes_of_an_interval_schedule_one_build(
    jobs, agreement, settings, monkeypatch, django_capture_on_commit_callbacks
):
    scheduled = []
    monkeypatch.setattr(
        tasks.build_open_data, "schedule", lambda **kwargs: scheduled.append(kwargs)
    )
    settings.OPEN_DATA_SECONDS = 120
    with django_capture_on_commit_callbacks(execute=True):
        agreement.title = "Xã Ia Dơk kết nghĩa Phường An Nhơn Bắc"
        agreement.save()
    with django_capture_on_commit_callbacks(execute=True):
        Agreement.objects.get(pk=agreement.pk).save()
    assert scheduled == [{"delay": 120}]

    opendata_files.build()  # the build starts: the next write schedules the next one
    with django_capture_on_commit_callbacks(execute=True):
        agreement.save()
    assert scheduled == [{"delay": 120}, {"delay": 120}]


def test_a_write_rolled_back_schedules_nothing(jobs, agreement, monkeypatch):
    scheduled = []
    monkeypatch.setattr(
        tasks.build_open_data, "schedule", lambda **kwargs: scheduled.append(kwargs)
    )
    agreement.save()  # the test's transaction is never committed
    assert scheduled == [] and cache.get(opendata_files.OUT_OF_DATE) is None


def test_behind_nginx_the_file_is_sent_by_nginx(client, jobs, agreement, settings):
    settings.OPEN_DATA_ACCEL_REDIRECT = True
    call_command("build_open_data", stdout=io.StringIO())
    response = client.get("/du-lieu/parties.json")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/media/opendata/parties.json"
    assert response.content == b""
    assert response["Content-Type"] == "application/json; charset=utf-8"


def test_a_build_that_fails_leaves_the_last_files_whole(jobs, agreement, monkeypatch):
    opendata_files.build()
    before = opendata_files.path(exports.DATASETS["agreements"], "csv").read_bytes()

    def broken(dataset, site_url=""):
        yield "\ufeffslug,title\n"
        raise OSError("the disk is full")

    monkeypatch.setattr(exports, "csv_lines", broken)
    with pytest.raises(OSError):
        opendata_files.build()
    assert opendata_files.path(exports.DATASETS["agreements"], "csv").read_bytes() == before
    assert not [p for p in opendata_files.folder().iterdir() if p.name.startswith(".")]


def test_a_write_goes_through_when_the_job_queue_does_not_answer(
    jobs, agreement, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def refused(**kwargs):
        raise redis.ConnectionError("Connection refused")

    monkeypatch.setattr(tasks.build_open_data, "schedule", refused)
    with django_capture_on_commit_callbacks(execute=True):
        agreement.title = "Xã Ia Dơk kết nghĩa Phường An Nhơn Bắc"
        agreement.save()
    assert Agreement.objects.get(pk=agreement.pk).title.startswith("Xã Ia Dơk kết nghĩa")
    assert "The job queue does not answer" in caplog.text
    # Not marked as scheduled: the next write tries again.
    assert cache.get(opendata_files.OUT_OF_DATE) is None
