"""A published agreement has at least two signing parties: a rule across rows, so a trigger.

PostgreSQL checks it at commit (a deferred constraint trigger), so an agreement and its parties
can be written in any order inside one transaction. SQLite has no deferred triggers: there the
rule is checked at each write, and an agreement is unpublished before it is deleted
(agreements.services.delete_agreement).

Trap: SQLite alters a column by rebuilding the table, and a trigger naming a rebuilt table then
fails. A later migration that alters agreements_agreement or agreements_party must call
`backwards` before its operations and `forwards` after them (RunPython with these functions).
"""

from django.db import migrations

RULE = "agreements_published_two_parties"

POSTGRES = f"""
CREATE FUNCTION {RULE}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
    aid bigint;
BEGIN
    IF TG_TABLE_NAME = 'agreements_agreement' THEN
        ids := ARRAY[NEW.id];
    ELSIF TG_OP = 'INSERT' THEN
        ids := ARRAY[NEW.agreement_id];
    ELSIF TG_OP = 'DELETE' THEN
        ids := ARRAY[OLD.agreement_id];
    ELSE
        ids := ARRAY[OLD.agreement_id, NEW.agreement_id];
    END IF;
    FOREACH aid IN ARRAY ids LOOP
        IF EXISTS (SELECT 1 FROM agreements_agreement WHERE id = aid AND status = 'published')
           AND (SELECT count(*) FROM agreements_party
                WHERE agreement_id = aid AND role = 'party') < 2 THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = '{RULE}',
                MESSAGE = '{RULE}: a published agreement needs at least two parties';
        END IF;
    END LOOP;
    RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER {RULE}_agreement
    AFTER INSERT OR UPDATE ON agreements_agreement
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {RULE}();
CREATE CONSTRAINT TRIGGER {RULE}_party
    AFTER INSERT OR UPDATE OR DELETE ON agreements_party
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {RULE}();
"""

POSTGRES_REVERSE = f"""
DROP TRIGGER IF EXISTS {RULE}_party ON agreements_party;
DROP TRIGGER IF EXISTS {RULE}_agreement ON agreements_agreement;
DROP FUNCTION IF EXISTS {RULE}();
"""

_TOO_FEW = "(SELECT count(*) FROM agreements_party WHERE agreement_id = {id} AND role = 'party')"
_PUBLISHED = "(SELECT status FROM agreements_agreement WHERE id = {id}) = 'published'"

SQLITE = [
    f"""CREATE TRIGGER {RULE}_insert BEFORE INSERT ON agreements_agreement
    WHEN NEW.status = 'published'
    BEGIN SELECT RAISE(ABORT, '{RULE}: a published agreement needs at least two parties'); END;""",
    f"""CREATE TRIGGER {RULE}_publish BEFORE UPDATE ON agreements_agreement
    WHEN NEW.status = 'published' AND {_TOO_FEW.format(id="NEW.id")} < 2
    BEGIN SELECT RAISE(ABORT, '{RULE}: a published agreement needs at least two parties'); END;""",
    f"""CREATE TRIGGER {RULE}_delete BEFORE DELETE ON agreements_party
    WHEN OLD.role = 'party' AND {_PUBLISHED.format(id="OLD.agreement_id")}
        AND {_TOO_FEW.format(id="OLD.agreement_id")} <= 2
    BEGIN SELECT RAISE(ABORT, '{RULE}: a published agreement needs at least two parties'); END;""",
    f"""CREATE TRIGGER {RULE}_update BEFORE UPDATE ON agreements_party
    WHEN OLD.role = 'party' AND (NEW.role <> 'party' OR NEW.agreement_id <> OLD.agreement_id)
        AND {_PUBLISHED.format(id="OLD.agreement_id")}
        AND {_TOO_FEW.format(id="OLD.agreement_id")} <= 2
    BEGIN SELECT RAISE(ABORT, '{RULE}: a published agreement needs at least two parties'); END;""",
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {RULE}_{name};" for name in ("insert", "publish", "delete", "update")
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES)
    elif vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE)
    elif vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
