from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")

    def ready(self):
        # The dashboards' summary rows follow every write to activities, agreements' status,
        # parties, commitments and the localities' tree (activities.reports.summaries).
        from activities.reports import summaries

        summaries.connect()
        post_migrate.connect(summaries.fill_if_empty, sender=self)
