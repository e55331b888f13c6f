from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import translation


@pytest.fixture(autouse=True)
def _vietnamese():
    """Every test starts in Vietnamese, the site's first language."""
    with translation.override("vi"):
        yield


@pytest.fixture(autouse=True)
def _pages_computed(settings):
    """Pages are computed afresh for every request (tests read their context and count their
    queries); tests/site/test_pagecache.py turns the page cache on."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser(
        "quantri", "quantri@example.org", "mat-khau-thu-nghiem-9"
    )


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


BUCKET = "ketnghia-media"


@pytest.fixture
def object_storage(settings, monkeypatch):
    """The media and the open-data files in an S3 bucket, as deployed with MEDIA_S3_BUCKET (the
    settings made from the environment, ketnghia.settings.media_storages); the bucket is moto's,
    in this process. Yields an S3 client, to look into it."""
    import boto3
    import environ
    from moto import mock_aws

    from ketnghia.settings import media_storages

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "MEDIA_S3_BUCKET": BUCKET,
        "MEDIA_S3_REGION": "us-east-1",
        "MEDIA_S3_PREFIX": "gia-lai/",
    }.items():
        monkeypatch.setenv(name, value)
    from django.utils.functional import empty
    from sorl.thumbnail import default as thumbnails

    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        settings.STORAGES = {**settings.STORAGES, **media_storages(environ.Env())}
        # sorl-thumbnail keeps the storage it met first, and what it made in the cache: it
        # meets the bucket now, and the disk again after the test, with nothing of the bucket's.
        thumbnails.storage._wrapped = empty
        yield client
    thumbnails.storage._wrapped = empty
    cache.clear()


def stored_keys(client):
    """The keys in the test bucket."""
    found = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return sorted(item["Key"] for item in found)


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The seed articles loaded once for a class of tests, rolled back after its last test."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))),
        transaction.atomic(),
    ):
        cache.clear()
        call_command("load_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)
    cache.clear()


def _transactional(item):
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(fixtures)
    )


def _uses_database(item):
    return item.get_closest_marker("django_db") is not None or "db" in getattr(
        item, "fixturenames", ()
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """A file's database tests are all transactional or none is. make test hands whole files to
    the pytest-xdist workers in pytest-django's order, where a file of transactional tests comes
    after the plain ones; a transactional test amid plain ones would flush the rows the data
    migrations wrote (activity types, commitment areas, roles) under the plain tests after it."""
    kinds = {}
    for item in items:
        if _uses_database(item):
            kinds.setdefault(item.path, set()).add(_transactional(item))
    mixed = sorted(str(path) for path, found in kinds.items() if len(found) > 1)
    if mixed:
        raise pytest.UsageError(
            "These files mix transactional and plain database tests; make each file one kind: "
            + ", ".join(mixed)
        )
