"""Concurrent writers keep the summary rows in step.

In a file of its own: a transactional test empties the database when it ends, and
pytest-django runs such tests after the others file by file only (--dist loadfile): in a file
with other tests, the tests after it in the same worker would find no activity types.
"""

import datetime
from threading import Thread

import pytest
from django.db import connection, transaction

from activities.models import Activity
from agreements.models import Agreement, AgreementStatus
from tests import factories
from tests.activities.test_summaries import make_world, rebuilt, rows

D = datetime.date


# Other connections see committed data only; serialized_rollback puts back the migrations' rows
# (activity types, areas, roles) that the flush after a transactional test removes.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_lose_no_update():
    """Four connections create and edit activities at once, two of them the same one.

    SQLite lets one writer in at a time: there, the four take turns."""
    _w, agreements = make_world()
    shared = factories.activity(agreements[0], value_vnd=1)
    errors = []

    def write(agreement):
        try:
            for n in range(8):
                with transaction.atomic():
                    factories.activity(agreement, value_vnd=n, starts_on=D(2000 + n, 1, 1))
                with transaction.atomic():
                    activity = Activity.objects.get(pk=shared.pk)
                    activity.value_vnd += 1
                    activity.starts_on = D(2000 + n, 1, 1)
                    activity.save()
        except Exception as error:  # told by the assertion below
            errors.append(error)
        finally:
            connection.close()

    if connection.vendor == "postgresql":
        threads = [Thread(target=write, args=(agreements[n % 2],)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        for n in range(4):
            write(agreements[n % 2])
    try:
        assert errors == []
        assert Activity.objects.count() == 1 + 4 * 8
        assert rows() == rebuilt()
    finally:
        # The flush after a transactional test deletes parties before agreements: SQLite's
        # trigger, checked at each write, would refuse it for a published agreement.
        Agreement.objects.update(status=AgreementStatus.DRAFT)
