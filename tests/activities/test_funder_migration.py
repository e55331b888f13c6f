"""activities 0010: the free-text funders become Funder rows linked to their activities (and to
the versions in their history), and back; the roles may see funders; the triggers survive.

In a file of its own: SQLite runs a migration outside any transaction, so the test is
transactional, which empties the database when it ends (see test_summaries_concurrent.py);
serialized_rollback puts back the migrations' rows first.
"""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.agreements.test_triggers import EXPECTED, installed_triggers

BEFORE = [("activities", "0009_latest_index")]
AFTER = [("activities", "0010_funders")]


def migrate(targets):
    """The database migrated to the targets; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def old_data(apps):
    """Activities (and versions of them) with the funder as the text people typed."""
    Agreement = apps.get_model("agreements", "Agreement")
    Activity = apps.get_model("activities", "Activity")
    HistoricalActivity = apps.get_model("activities", "HistoricalActivity")
    ActivityType = apps.get_model("activities", "ActivityType")
    agreement = Agreement.objects.create(title="Giao ước thử", slug="giao-uoc-thu")
    cash = ActivityType.objects.get(slug="tien-mat")
    texts = [
        "Công ty TNHH ABC",
        " cong ty tnhh  ABC",  # the same funder, spelt otherwise
        "Quỹ Vì người nghèo",
        "",
        "Trần Văn Bình",
    ]
    activities = [
        Activity.objects.create(
            agreement=agreement,
            activity_type=cash,
            starts_on=datetime.date(2025, 1, n + 1),
            value_vnd=1_000_000,
            funder=text,
            description=f"Hoạt động {n}",
        )
        for n, text in enumerate(texts)
    ]
    copied = [f.attname for f in Activity._meta.concrete_fields if f.name != "updated_at"]

    def version(activity, funder=None):
        values = {name: getattr(activity, name) for name in copied}
        if funder is not None:
            values["funder"] = funder
        return HistoricalActivity.objects.create(
            **values, history_date=timezone.now(), history_type="~"
        )

    versions = [
        version(activities[0]),  # as the activity is
        version(activities[3], "Hội Chữ thập đỏ"),  # a funder since taken off
        version(activities[3], ""),
    ]
    return [a.pk for a in activities], [v.history_id for v in versions]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_free_text_funders_become_records_and_back():
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        activity_ids, version_ids = old_data(migrate(BEFORE))

        apps = migrate(AFTER)
        Funder = apps.get_model("activities", "Funder")
        Activity = apps.get_model("activities", "Activity")
        HistoricalActivity = apps.get_model("activities", "HistoricalActivity")
        assert sorted(Funder.objects.values_list("name", "kind", "search_key", "slug")) == [
            ("Công ty TNHH ABC", "enterprise", "cong ty tnhh abc", "cong-ty-tnhh-abc"),
            ("Hội Chữ thập đỏ", "organisation", "hoi chu thap do", "hoi-chu-thap-do"),
            ("Quỹ Vì người nghèo", "organisation", "quy vi nguoi ngheo", "quy-vi-nguoi-ngheo"),
            ("Trần Văn Bình", "other", "tran van binh", "tran-van-binh"),
        ]
        by_activity = dict(Activity.objects.values_list("pk", "funder__name"))
        assert [by_activity[pk] for pk in activity_ids] == [
            "Công ty TNHH ABC",
            "Công ty TNHH ABC",
            "Quỹ Vì người nghèo",
            None,
            "Trần Văn Bình",
        ]
        by_version = dict(HistoricalActivity.objects.values_list("history_id", "funder__name"))
        assert [by_version[pk] for pk in version_ids] == [
            "Công ty TNHH ABC",
            "Hội Chữ thập đỏ",
            None,
        ]
        editors = Group.objects.get(name="Cán bộ nhập liệu").permissions
        granted = editors.filter(codename__endswith="funder").values_list("codename", flat=True)
        assert set(granted) == {
            "view_funder",
            "add_funder",
            "change_funder",
            "view_historicalfunder",
        }
        assert EXPECTED[connection.vendor] <= installed_triggers()

        apps = migrate(BEFORE)
        Activity = apps.get_model("activities", "Activity")
        HistoricalActivity = apps.get_model("activities", "HistoricalActivity")
        by_activity = dict(Activity.objects.values_list("pk", "funder"))
        assert [by_activity[pk] for pk in activity_ids] == [
            "Công ty TNHH ABC",
            "Công ty TNHH ABC",  # one funder, one spelling
            "Quỹ Vì người nghèo",
            "",
            "Trần Văn Bình",
        ]
        by_version = dict(HistoricalActivity.objects.values_list("history_id", "funder"))
        assert [by_version[pk] for pk in version_ids] == [
            "Công ty TNHH ABC",
            "Hội Chữ thập đỏ",
            "",
        ]
        assert not Group.objects.get(name="Cán bộ nhập liệu").permissions.filter(
            codename__endswith="funder"
        )
        assert EXPECTED[connection.vendor] <= installed_triggers()
    finally:
        migrate(leaves)
    assert EXPECTED[connection.vendor] <= installed_triggers()
