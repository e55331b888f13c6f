"""The admin's search, diacritics aside and answered by indexes (localities.admin.FoldedSearchMixin).

- Activity.search_key: the description and the recipients in detail without diacritics, so
  that "xi mang" finds "Xi măng", as names are found. Filled here for the existing activities,
  in batches. SQLite adds the column by rebuilding activities_activity, which drops the
  triggers of 0004: they are made again after (see 0004).
- On PostgreSQL, trigram indexes (pg_trgm, a trusted extension: the database's owner may create
  it) on the keys searched inside: the names of units, agreements and funders, and the
  activities' own key. Other databases search by reading the rows, as before.
"""

import importlib

from django.db import migrations, models

from localities.text import search_key

TRIGGERS = importlib.import_module("activities.migrations.0004_parts_belong_to_their_agreement")

INDEXES = [
    ("localities_name_trigrams", "localities_locality"),
    ("agreements_title_trigrams", "agreements_agreement"),
    ("activities_funder_name_trigrams", "activities_funder"),
    ("activities_search_trigrams", "activities_activity"),
]
BATCH = 5000


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        TRIGGERS.backwards(apps, schema_editor)


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        TRIGGERS.backwards(apps, schema_editor)
        TRIGGERS.forwards(apps, schema_editor)


def fill_keys(apps, schema_editor):
    """Each activity's key as Activity.search_key_of makes it (kept here as it is today)."""
    Activity = apps.get_model("activities", "Activity")
    rows = (
        Activity.objects.using(schema_editor.connection.alias)
        .exclude(description="", recipient_detail="")
        .order_by("pk")
        .values_list("pk", "description", "recipient_detail")
    )
    table = schema_editor.quote_name(Activity._meta.db_table)
    last = 0
    with schema_editor.connection.cursor() as cursor:
        while batch := list(rows.filter(pk__gt=last)[:BATCH]):
            cursor.executemany(
                f"UPDATE {table} SET search_key = %s WHERE id = %s",
                [(search_key(f"{description} {detail}"), pk) for pk, description, detail in batch],
            )
            last = batch[-1][0]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_key gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0022_english_names"),
        ("agreements", "0014_english_names"),
        ("localities", "0008_locality_or_unit"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, create_triggers, elidable=False),
        migrations.AddField(
            model_name="activity",
            name="search_key",
            field=models.TextField(
                blank=True, default="", editable=False, verbose_name="search key"
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
