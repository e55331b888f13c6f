"""Media in S3-compatible object storage (issue 15, item 5): with MEDIA_S3_BUCKET set, the photos,
legal documents, thumbnails and open-data files go to the bucket, which serves them, so that
several app servers share them (the object_storage fixture: moto's bucket, in process)."""

import io
import os
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import environ
import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from agreements.models import Photo
from ketnghia import exports, opendata_files
from ketnghia.settings import media_origins, media_storages
from tests.conftest import BUCKET, stored_keys

pytestmark = pytest.mark.django_db

BUCKET_URL = f"https://{BUCKET}.s3.amazonaws.com/gia-lai/"


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_a_photo_is_stored_in_the_bucket_and_linked_from_there(object_storage, agreement):
    photo = Photo.objects.create(
        agreement=agreement, image=ContentFile(jpeg(), name="photo.jpg"), caption="Lễ ký kết"
    )
    assert photo.image.name.startswith("photos/")
    assert f"gia-lai/{photo.image.name}" in stored_keys(object_storage)
    # Pages link to the bucket, by a signed address valid for a day.
    address = urlsplit(photo.image.url)
    assert f"{address.scheme}://{address.netloc}{address.path}" == (
        f"{BUCKET_URL}{photo.image.name}"
    )
    query = parse_qs(address.query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]  # Signature Version 4
    assert query["X-Amz-Expires"] == ["86400"]
    stored = object_storage.get_object(Bucket=BUCKET, Key=f"gia-lai/{photo.image.name}")
    assert stored["Body"].read() == jpeg()


def test_the_open_data_files_are_made_into_the_bucket_and_downloaded_from_it(
    object_storage, agreement, client, settings, monkeypatch
):
    settings.SITE_URL = "https://ketnghia.example.org"
    monkeypatch.setattr(opendata_files, "made_by_jobs", lambda: True)
    cache.delete(opendata_files.OUT_OF_DATE)
    assert not opendata_files.on_disk()
    assert client.get("/du-lieu/agreements.csv").status_code == 503  # not made yet

    out = io.StringIO()
    call_command("build_open_data", stdout=out)  # as at installation
    assert "opendata/agreements.csv (" in out.getvalue()

    keys = [k for k in stored_keys(object_storage) if k.startswith("gia-lai/opendata/")]
    assert "gia-lai/opendata/agreements.csv" in keys
    # every dataset in every format, and nothing else
    assert len(keys) == len(exports.DATASETS) * len(exports.FORMATS)
    response = client.get("/du-lieu/agreements.csv")
    assert response.status_code == 302
    address = urlsplit(response["Location"])
    assert f"{address.scheme}://{address.netloc}{address.path}" == (
        f"{BUCKET_URL}opendata/agreements.csv"
    )
    query = parse_qs(address.query)
    name = f"ket-nghia-giao-uoc-{timezone.localdate().isoformat()}.csv"
    assert query["response-content-disposition"] == [f'attachment; filename="{name}"']
    body = object_storage.get_object(Bucket=BUCKET, Key="gia-lai/opendata/agreements.csv")
    assert agreement.title in body["Body"].read().decode()  # tests/site/conftest.py
    assert "Thời điểm tạo tệp" in client.get("/du-lieu/").content.decode()

    # A new build replaces each file in one piece, under the same key.
    agreement.title += " (sửa)"
    agreement.save()
    opendata_files.build()
    assert [k for k in stored_keys(object_storage) if k.startswith("gia-lai/opendata/")] == keys
    body = object_storage.get_object(Bucket=BUCKET, Key="gia-lai/opendata/agreements.csv")
    assert "(sửa)" in body["Body"].read().decode()
    cache.delete(opendata_files.OUT_OF_DATE)


def test_the_readiness_check_writes_into_the_bucket(object_storage, client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert not [k for k in stored_keys(object_storage) if "health_check" in k]  # cleaned up


def test_the_environment_chooses_the_storage(monkeypatch):
    assert media_storages(environ.Env())["default"]["BACKEND"].endswith("FileSystemStorage")
    for name, value in {
        "MEDIA_S3_BUCKET": "anh-gia-lai",
        "MEDIA_S3_ENDPOINT_URL": "https://s3.example.gov.vn",
        "MEDIA_S3_CUSTOM_DOMAIN": "media.example.gov.vn",
        "MEDIA_S3_SIGNED_URLS": "False",
    }.items():
        monkeypatch.setenv(name, value)
    chosen = media_storages(environ.Env())
    options = chosen["default"]["OPTIONS"]
    assert chosen["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert options["bucket_name"] == "anh-gia-lai"
    assert options["endpoint_url"] == "https://s3.example.gov.vn"
    assert (options["custom_domain"], options["querystring_auth"]) == (
        "media.example.gov.vn",
        False,
    )
    assert options["file_overwrite"] is False  # an upload never replaces another's file
    assert chosen["opendata"]["OPTIONS"]["file_overwrite"] is True


def test_the_pages_may_show_images_from_the_object_storage(monkeypatch):
    assert media_origins(media_storages(environ.Env())) == []  # the disk: the site's own
    monkeypatch.setenv("MEDIA_S3_BUCKET", "anh-gia-lai")
    monkeypatch.setenv("MEDIA_S3_REGION", "ap-southeast-1")
    assert media_origins(media_storages(environ.Env())) == [
        "https://anh-gia-lai.s3.amazonaws.com",
        "https://anh-gia-lai.s3.ap-southeast-1.amazonaws.com",
    ]
    monkeypatch.setenv("MEDIA_S3_ENDPOINT_URL", "https://s3.example.gov.vn/")
    assert media_origins(media_storages(environ.Env())) == ["https://s3.example.gov.vn"]
    monkeypatch.setenv("MEDIA_S3_CUSTOM_DOMAIN", "anh.example.gov.vn")
    chosen = media_storages(environ.Env())
    assert media_origins(chosen) == ["https://anh.example.gov.vn"]
    assert chosen["default"]["OPTIONS"]["querystring_auth"] is False  # never signed there
    # The policy sent with every page is made from them, as the settings load.
    code = (
        "from django.conf import settings; "
        "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "ketnghia.settings"}
    loaded = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "[\"'self'\", 'data:', 'https://anh.example.gov.vn']"
