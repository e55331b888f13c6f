"""`manage.py rebuild_summaries`: the dashboards' summary rows recomputed from the activities.

The rows follow every write made through the models (activities.reports.summaries). Run this after
writes that bypass them: bulk inserts (generate_national runs it itself), queryset updates,
raw SQL, `loaddata`, or a re-import of the official register that moved units under other
parents (it writes in bulk).
"""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from activities.reports import summaries


class Command(BaseCommand):
    help = _("Recompute the dashboards' summary rows from the activities.")

    def handle(self, *args, **options):
        started = time.monotonic()
        rows = summaries.rebuild()
        self.stdout.write(
            _("Summary rebuilt: %(rows)d rows in %(seconds).1f s.")
            % {"rows": rows, "seconds": time.monotonic() - started}
        )
