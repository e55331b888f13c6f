"""Programme.search_key: the name without diacritics, for the site's search (issue 14), as
agreements, localities and activities have theirs; filled here for the existing programmes.
On PostgreSQL, a trigram index answers the words looked up inside it (as activities 0023)."""

from django.db import migrations, models

from localities.text import search_key

INDEX = "agreements_programme_trigrams"


def fill_keys(apps, schema_editor):
    Programme = apps.get_model("agreements", "Programme")
    rows = Programme.objects.using(schema_editor.connection.alias).only("name")
    changed = []
    for programme in rows.iterator(chunk_size=2000):
        programme.search_key = search_key(programme.name)
        changed.append(programme)
    Programme.objects.using(schema_editor.connection.alias).bulk_update(
        changed, ["search_key"], batch_size=2000
    )


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON agreements_programme "
        "USING gin (search_key gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("agreements", "0017_meeting_cadence_index")]

    operations = [
        migrations.AddField(
            model_name="programme",
            name="search_key",
            field=models.CharField(
                default="", editable=False, max_length=300, verbose_name="search key"
            ),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
