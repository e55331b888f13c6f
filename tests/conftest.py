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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's flush (which empties every table, the rows of the data
    migrations included: activity types, commitment areas, roles), put those rows back at once.
    serialized_rollback only restores them when the next transactional test starts, and
    pytest-xdist may run a plain test of another file next on the same worker."""
    yield
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        "live_server" in fixtures or "transactional_db" in fixtures
    )
    if not transactional:
        return
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        for connection in connections.all(initialized_only=True):
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)
