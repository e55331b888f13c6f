"""`manage.py rebuild_summaries`: the dashboards' summary rows recomputed from the activities.

The rows follow every write made through the models (activities.reports.summaries). Run this after
writes that bypass them: bulk inserts (generate_national runs it itself), queryset updates,
raw SQL, `loaddata`.

On PostgreSQL the rebuilt tables are vacuumed and analysed at once: the dashboards read them by
their indexes alone (index-only scans need the pages marked all-visible), with fresh statistics,
rather than after the next autovacuum.
"""

import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.utils.translation import gettext as _

from activities.models import ActivitySummary, AgreementDates
from activities.reports import summaries


class Command(BaseCommand):
    help = _("Recompute the dashboards' summary rows from the activities.")

    def handle(self, *args, **options):
        started = time.monotonic()
        rows = summaries.rebuild()
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                for model in (ActivitySummary, AgreementDates):
                    cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
        self.stdout.write(
            _("Summary rebuilt: %(rows)d rows in %(seconds).1f s.")
            % {"rows": rows, "seconds": time.monotonic() - started}
        )
