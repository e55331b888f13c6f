"""The triggers behind the rules across tables exist after migrating.

SQLite rebuilds a table to alter one of its columns and drops that table's triggers with it: a
later migration that alters agreements_agreement or agreements_party must recreate them (see
agreements/migrations/0002). This test fails if one went missing.
"""

import datetime

import pytest
from django.db import connection

from activities.models import Activity
from agreements.models import Event, Photo, Source
from tests import factories
from tests.constraints import assert_refused_by_database

pytestmark = pytest.mark.django_db

EXPECTED = {
    "sqlite": {
        "agreements_published_two_parties_insert",
        "agreements_published_two_parties_publish",
        "agreements_published_two_parties_delete",
        "agreements_published_two_parties_update",
        "agreements_photo_event_same_agreement_insert",
        "agreements_photo_event_same_agreement_update",
        "activities_activity_parts_same_agreement_insert",
        "activities_activity_parts_same_agreement_update",
    },
    "postgresql": {
        "agreements_published_two_parties_agreement",
        "agreements_published_two_parties_party",
        "agreements_photo_event_same_agreement",
        "activities_activity_parts_same_agreement",
    },
}


def installed_triggers():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {row[0] for row in cursor.fetchall()}


def test_the_rule_triggers_are_installed():
    assert EXPECTED[connection.vendor] <= installed_triggers()


@pytest.fixture
def two_agreements():
    first, second = factories.agreement(), factories.agreement()
    event = Event.objects.create(
        agreement=second, kind="signing", title="Lễ ký", held_on=datetime.date(2025, 12, 27)
    )
    source = Source.objects.create(agreement=second, title="Báo Gia Lai")
    return first, event, source


def test_an_activity_cannot_point_to_another_agreements_event_or_source(two_agreements):
    first, event, source = two_agreements
    activity = factories.activity(first)
    for field, value in (("event", event), ("source", source)):
        assert_refused_by_database(
            lambda field=field, value=value: Activity.objects.filter(pk=activity.pk).update(
                **{field: value}
            )
        )


def test_a_photo_cannot_point_to_another_agreements_event(two_agreements):
    first, event, _source = two_agreements
    assert_refused_by_database(
        lambda: Photo.objects.create(
            agreement=first, event=event, image="photos/x.jpg", caption="Ảnh"
        )
    )


def test_parts_of_the_same_agreement_are_accepted(two_agreements):
    _first, event, source = two_agreements
    activity = factories.activity(event.agreement, event=event, source=source)
    assert activity.event == event and activity.source == source
