"""The triggers behind "a published agreement has at least two parties" exist after migrating.

SQLite rebuilds a table to alter one of its columns and drops that table's triggers with it: a
later migration that alters agreements_agreement or agreements_party must recreate them (see
agreements/migrations/0002). This test fails if one went missing.
"""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

EXPECTED = {
    "sqlite": {
        "agreements_published_two_parties_insert",
        "agreements_published_two_parties_publish",
        "agreements_published_two_parties_delete",
        "agreements_published_two_parties_update",
    },
    "postgresql": {
        "agreements_published_two_parties_agreement",
        "agreements_published_two_parties_party",
    },
}


def installed_triggers():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {row[0] for row in cursor.fetchall()}


def test_the_two_party_triggers_are_installed():
    assert EXPECTED[connection.vendor] <= installed_triggers()
