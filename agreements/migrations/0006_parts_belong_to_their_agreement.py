"""A photo's event belongs to the photo's agreement: a rule across tables, so a trigger.

Trap (as in 0002): SQLite drops a table's triggers when a migration rebuilds that table; a later
migration altering agreements_photo must recreate this one (tests/agreements/test_triggers.py
fails when it is missing).
"""

from django.db import migrations

RULE = "agreements_photo_event_same_agreement"
MESSAGE = f"{RULE}: the event belongs to another agreement"

POSTGRES = f"""
CREATE FUNCTION {RULE}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.event_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM agreements_event WHERE id = NEW.event_id AND agreement_id = NEW.agreement_id
    ) THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = '{RULE}',
            MESSAGE = '{MESSAGE}';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER {RULE} BEFORE INSERT OR UPDATE ON agreements_photo
    FOR EACH ROW EXECUTE FUNCTION {RULE}();
"""
POSTGRES_REVERSE = f"""
DROP TRIGGER IF EXISTS {RULE} ON agreements_photo;
DROP FUNCTION IF EXISTS {RULE}();
"""
_WRONG = (
    "NEW.event_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM agreements_event "
    "WHERE id = NEW.event_id AND agreement_id = NEW.agreement_id)"
)
SQLITE = [
    f"""CREATE TRIGGER {RULE}_{when} BEFORE {when.upper()} ON agreements_photo
    WHEN {_WRONG} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"""
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
    dependencies = [("agreements", "0005_legal_document_file_types")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
