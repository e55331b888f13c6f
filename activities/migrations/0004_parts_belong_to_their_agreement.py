"""An activity's event and source belong to the activity's agreement: triggers, as for photos.

Trap (as in agreements 0002): SQLite drops a table's triggers when a migration rebuilds that
table; a later migration altering activities_activity must recreate these
(tests/agreements/test_triggers.py fails when they are missing).
"""

from django.db import migrations

RULE = "activities_activity_parts_same_agreement"

POSTGRES = f"""
CREATE FUNCTION {RULE}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.event_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM agreements_event WHERE id = NEW.event_id AND agreement_id = NEW.agreement_id
    ) THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = '{RULE}',
            MESSAGE = '{RULE}: the event belongs to another agreement';
    END IF;
    IF NEW.source_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM agreements_source WHERE id = NEW.source_id AND agreement_id = NEW.agreement_id
    ) THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = '{RULE}',
            MESSAGE = '{RULE}: the source belongs to another agreement';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER {RULE} BEFORE INSERT OR UPDATE ON activities_activity
    FOR EACH ROW EXECUTE FUNCTION {RULE}();
"""
POSTGRES_REVERSE = f"""
DROP TRIGGER IF EXISTS {RULE} ON activities_activity;
DROP FUNCTION IF EXISTS {RULE}();
"""
_WRONG = (
    "(NEW.event_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM agreements_event "
    "WHERE id = NEW.event_id AND agreement_id = NEW.agreement_id)) OR "
    "(NEW.source_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM agreements_source "
    "WHERE id = NEW.source_id AND agreement_id = NEW.agreement_id))"
)
SQLITE = [
    f"""CREATE TRIGGER {RULE}_{when} BEFORE {when.upper()} ON activities_activity
    WHEN {_WRONG}
    BEGIN SELECT RAISE(ABORT, '{RULE}: the event or source belongs to another agreement'); END;"""
    for when in ("insert", "update")
]
SQLITE_REVERSE = [f"DROP TRIGGER IF EXISTS {RULE}_{when};" for when in ("insert", "update")]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0003_date_precision"),
        ("agreements", "0006_parts_belong_to_their_agreement"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
