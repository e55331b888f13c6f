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
